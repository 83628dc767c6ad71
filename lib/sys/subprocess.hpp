#pragma once
// Spawning child programs with chosen stdio, and collecting their output.

#include <stop_token>
#include <string>
#include <sys/types.h>
#include <vector>

#include "sys/unique_fd.hpp"

namespace li {

/// How a child is started: argv[0] is a path or looked up in PATH; fds maps child fd i to the
/// parent's fds[i] (-1: /dev/null). Every other fd is closed in the child.
struct SpawnSpec {
    std::vector<std::string> argv;
    std::vector<int> fds{-1, -1, -1};
    std::vector<std::string> env;  // empty: inherit
    // A new session keeps a terminal's Ctrl-C (sent to the caller's process group) away from
    // internal work such as copies and container starts, which must end through cancellation.
    bool new_session = false;
};

/// A running child; the destructor does not wait (call wait()).
class Child {
public:
    explicit Child(pid_t pid) : pid_(pid) {}
    pid_t pid() const { return pid_; }
    /// Waits and returns the wait status.
    int wait();

private:
    pid_t pid_;
};

/// Starts a child (vfork + exec). Throws System errors.
Child spawn(const SpawnSpec& spec);

/// Runs a program (in its own session) to completion capturing stdout and stderr; throws Backend
/// with stderr when it exits non-zero (message prefixed with what).
/// With a stop token: the child is killed and Cancelled thrown when a stop is requested.
std::string run_checked(const std::vector<std::string>& argv, std::string_view what, std::stop_token stop = {});

/// Drains two fds concurrently into strings (poll loop), optionally writing input to stdin_fd,
/// which it takes ownership of and closes once the input is written.
/// Returns false when it stopped early because `stop` was requested.
bool pump_io(int stdin_fd, const std::string* input, int out_fd, std::string* out, int err_fd,
             std::string* err, std::stop_token stop = {});

/// Appends what can be read from fd without blocking (nothing when fd < 0).
void drain_available(int fd, std::string& sink);

/// Exit code convention of shells: status, or 128+signal.
int exit_code_from_status(int status);

}  // namespace li
