#include "libinstance/manager.hpp"

#include <cstdlib>

#include "core/log.hpp"
#include "core/manager_core.hpp"

namespace li {

namespace fs = std::filesystem;

fs::path Manager::default_state_dir() {
    if (const char* env = std::getenv("LIBINSTANCE_DIR"); env && *env) return env;
    return "/var/lib/libinstance";
}

std::shared_ptr<Manager> Manager::open(const fs::path& state_dir) {
    auto core = std::make_shared<ManagerCore>(state_dir.empty() ? default_state_dir() : state_dir);
    return std::make_shared<Manager>(std::move(core));
}

Manager::Manager(std::shared_ptr<ManagerCore> core)
    : core_(core), images_(core), instances_(core), operations_(core), events_(core), remotes_(core) {}

void Manager::set_log(const LogOptions& opts) { log::configure_output(log::parse_level(opts.level), opts.file); }

const fs::path& Manager::state_dir() const { return core_->state_dir(); }

}  // namespace li
