#pragma once
// RAII over liblxc's lxc_container, for the calls that never fork (state, stop, cgroup reads).
// Starting and attaching run in libinstance-helper instead.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

struct lxc_container;

namespace li {

class LxcContainer {
public:
    /// Loads the container `name` under `lxcpath`. Throws Backend when liblxc cannot.
    LxcContainer(const std::string& name, const std::filesystem::path& lxcpath);
    ~LxcContainer();
    LxcContainer(const LxcContainer&) = delete;
    LxcContainer& operator=(const LxcContainer&) = delete;

    /// liblxc's state: "RUNNING", "STOPPED", "FROZEN", ...
    std::string state() const;
    bool running() const;
    /// The init's pid in the host's pid namespace, or -1.
    pid_t init_pid() const;
    /// Sends the configured halt signal and waits; false if it did not stop in time.
    bool shutdown(std::chrono::seconds timeout);
    /// Kills the container at once and waits until it is stopped.
    bool kill_and_wait(std::chrono::seconds timeout);
    /// A cgroup file of the running container (e.g. "memory.usage_in_bytes"), if readable.
    std::optional<std::string> cgroup_item(const std::string& key) const;
    /// Writes a cgroup file of the running container (e.g. "memory.limit_in_bytes"); false when
    /// liblxc or the kernel refused it.
    bool set_cgroup_item(const std::string& key, const std::string& value);

private:
    lxc_container* c_;
};

/// Quietens liblxc's own logging in this process (its errors are reported through li::Error).
void init_lxc_logging_once();

}  // namespace li
