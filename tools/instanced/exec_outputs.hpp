#pragma once
// Where `record-output` execs leave their output (LXD: exec_<id>.stdout / .stderr among the
// instance's logs): <state>/instanced/exec-output/<project>/<instance>.<created_at>/. The
// creation time in the name keeps a later instance of the same name from seeing them. They go
// with their instance when it is deleted and follow it when it is renamed (follow()).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libinstance/api/instance.hpp"
#include "libinstance/event.hpp"
#include "sys/unique_fd.hpp"

namespace li::daemon {

class ExecOutputs {
public:
    explicit ExecOutputs(std::filesystem::path root) : root_(std::move(root)) {}

    /// Creates exec_<id>.stdout and exec_<id>.stderr (0600) for one exec; their names and fds.
    struct Files {
        std::string stdout_name, stderr_name;
        UniqueFd stdout_fd, stderr_fd;
    };
    Files create(const api::Instance& instance);
    /// The names of the instance's recorded outputs, sorted.
    std::vector<std::string> list(const api::Instance& instance) const;
    /// Whether name is the form of a recorded output (what the log routes must look up here).
    static bool is_output_name(const std::string& name);
    /// A recorded output's bytes; nullopt when there is none of that name.
    std::optional<std::string> read(const api::Instance& instance, const std::string& name) const;
    /// Deletes one; false when there is none of that name.
    bool remove(const api::Instance& instance, const std::string& name) const;

    /// Removes every recorded output of instances called name in project (it was deleted).
    void forget(const std::string& project, const std::string& name) const;
    /// Moves an instance's recorded outputs to its new name.
    void rename(const std::string& project, const std::string& old_name, const std::string& new_name) const;
    /// Keeps the outputs with their instances from the bus's lifecycle events (instance-deleted,
    /// instance-renamed) for as long as the subscription is held.
    std::unique_ptr<Subscription> follow(EventBus& bus) const;

private:
    std::filesystem::path dir_of(const api::Instance& instance) const;

    std::filesystem::path root_;
};

}  // namespace li::daemon
