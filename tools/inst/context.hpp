#pragma once
// What every command gets: the global options and the lazily opened Manager.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "libinstance/manager.hpp"

namespace li::cli {

/// Global options of one `inst` run.
struct GlobalOptions {
    std::string state_dir;  ///< empty: the library's choice ($LIBINSTANCE_DIR, else its default)
    /// --project; empty: the current project of the server the command addresses (command_remote).
    std::string project;
    /// The command's positional arguments, where command_remote() looks for a `REMOTE:` prefix.
    std::vector<std::string> positional;
    bool quiet = false;
    bool progress_bars = true;  ///< false while `inst monitor` prints events to the same terminal
};

/// The arguments that may name a command's server: those before `--` (after it, a command line).
std::vector<std::string> addressing_args(const ParsedArgs& args);

/// Shared by the commands of one run; opens the state directory on first use only, so that
/// `--help` and usage errors never take the state directory's lock.
class Context {
public:
    explicit Context(GlobalOptions opts) : opts_(std::move(opts)) {}
    /// A context for a command run inside another one (`inst monitor -- ...`), on its manager.
    Context(GlobalOptions opts, std::shared_ptr<Manager> manager) : opts_(std::move(opts)), manager_(std::move(manager)) {}

    /// The state directory's own (embedded) Manager: "local".
    Manager& manager() { return *shared_manager(); }
    std::shared_ptr<Manager> shared_manager();
    /// The Manager of a remote: "" or "local" is the embedded one, an lxd remote a Manager
    /// connected to it (RemoteStore::connect, once per run).
    Manager& manager(const std::string& remote);
    /// The remote used when an argument names none (`inst remote switch`); "" for local.
    const std::string& default_remote();
    const GlobalOptions& options() const { return opts_; }
    /// --project, else the current project (`inst project switch`) of command_remote(), as lxc
    /// keeps one per remote.
    const std::string& project();
    /// The server a command addresses: the first argument prefixed by "local:" or an lxd
    /// remote's name, else the default remote; "" for local.
    std::string command_remote();
    bool quiet() const { return opts_.quiet; }
    bool progress_bars() const { return opts_.progress_bars; }

private:
    GlobalOptions opts_;
    std::shared_ptr<Manager> manager_;
    std::map<std::string, std::shared_ptr<Manager>> remote_managers_;
    std::optional<std::string> default_remote_;
    std::optional<std::string> project_;
};

}  // namespace li::cli
