#pragma once
// What every command gets: the global options and the lazily opened Manager.

#include <memory>
#include <string>

#include "libinstance/manager.hpp"

namespace li::cli {

/// Global options of one `inst` run.
struct GlobalOptions {
    std::string state_dir;  ///< empty: the library's choice ($LIBINSTANCE_DIR, else its default)
    std::string project = "default";
    bool quiet = false;
    bool progress_bars = true;  ///< false while `inst monitor` prints events to the same terminal
};

/// Shared by the commands of one run; opens the state directory on first use only, so that
/// `--help` and usage errors never take the state directory's lock.
class Context {
public:
    explicit Context(GlobalOptions opts) : opts_(std::move(opts)) {}
    /// A context for a command run inside another one (`inst monitor -- ...`), on its manager.
    Context(GlobalOptions opts, std::shared_ptr<Manager> manager) : opts_(std::move(opts)), manager_(std::move(manager)) {}

    Manager& manager() { return *shared_manager(); }
    std::shared_ptr<Manager> shared_manager();
    const GlobalOptions& options() const { return opts_; }
    const std::string& project() const { return opts_.project; }
    bool quiet() const { return opts_.quiet; }
    bool progress_bars() const { return opts_.progress_bars; }

private:
    GlobalOptions opts_;
    std::shared_ptr<Manager> manager_;
};

}  // namespace li::cli
