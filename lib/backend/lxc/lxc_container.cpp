#include "backend/lxc/lxc_container.hpp"

#include <fmt/format.h>
#include <lxc/lxccontainer.h>
#include <mutex>

#include "libinstance/error.hpp"

namespace li {

void init_lxc_logging_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct lxc_log log {};
        log.name = nullptr;
        log.lxcpath = nullptr;
        log.file = "none";
        log.level = "ERROR";
        log.prefix = "libinstance";
        log.quiet = true;
        lxc_log_init(&log);
    });
}

LxcContainer::LxcContainer(const std::string& name, const std::filesystem::path& lxcpath) {
    init_lxc_logging_once();
    c_ = lxc_container_new(name.c_str(), lxcpath.c_str());
    if (!c_) throw Error(ErrorCode::Backend, fmt::format("liblxc could not load container {}", name));
}

LxcContainer::~LxcContainer() { lxc_container_put(c_); }

std::string LxcContainer::state() const {
    const char* s = c_->state(c_);
    return s ? s : "STOPPED";
}

bool LxcContainer::running() const { return c_->is_running(c_); }

pid_t LxcContainer::init_pid() const { return c_->init_pid(c_); }

bool LxcContainer::shutdown(std::chrono::seconds timeout) {
    return c_->shutdown(c_, static_cast<int>(timeout.count()));
}

bool LxcContainer::kill_and_wait(std::chrono::seconds timeout) {
    if (!c_->is_running(c_)) return true;
    c_->stop(c_);
    return c_->wait(c_, "STOPPED", static_cast<int>(timeout.count()));
}

std::optional<std::string> LxcContainer::cgroup_item(const std::string& key) const {
    char buf[4096];
    int n = c_->get_cgroup_item(c_, key.c_str(), buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    std::string value(buf, static_cast<size_t>(n < static_cast<int>(sizeof buf) ? n : static_cast<int>(sizeof buf) - 1));
    while (!value.empty() && (value.back() == '\n' || value.back() == '\0')) value.pop_back();
    return value;
}

bool LxcContainer::set_cgroup_item(const std::string& key, const std::string& value) {
    return c_->set_cgroup_item(c_, key.c_str(), value.c_str());
}

}  // namespace li
