#pragma once
// Test support: shell commands, and child network namespaces standing in for instances and for
// an outside host.

#include <string>
#include <sys/types.h>
#include <unistd.h>

namespace li::test {

struct Shell {
    int status = 0;       ///< exit code
    std::string output;   ///< stdout and stderr
};

/// Runs a shell command, capturing its output.
Shell sh(const std::string& command);
/// Runs a shell command; fails the test (naming its output) when it exits non-zero.
std::string sh_ok(const std::string& command);

/// A network namespace held by a child process, which exits when this is destroyed.
class ChildNetns {
public:
    ChildNetns();
    ~ChildNetns();
    ChildNetns(const ChildNetns&) = delete;
    ChildNetns& operator=(const ChildNetns&) = delete;

    pid_t pid() const { return pid_; }
    /// `nsenter --net=... -- sh -c "command"`, to run a command in the namespace.
    std::string in(const std::string& command) const;
    /// Moves a host interface of the test's namespace into this one.
    void take(const std::string& interface) const;

private:
    pid_t pid_ = -1;
    int hold_fd_ = -1;
};

/// Whether `check` becomes true within `ms` milliseconds (polled every 50 ms).
template <class F>
bool eventually(F check, int ms = 5000) {
    for (int waited = 0; waited <= ms; waited += 50) {
        if (check()) return true;
        ::usleep(50 * 1000);
    }
    return false;
}

}  // namespace li::test
