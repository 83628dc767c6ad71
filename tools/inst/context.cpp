#include "context.hpp"

#include "current_project.hpp"

namespace li::cli {

std::shared_ptr<Manager> Context::shared_manager() {
    if (!manager_) {
        manager_ = Manager::open(opts_.state_dir);
        // An exec agent would outlive this one command by nothing: attach directly.
        manager_->set_exec_agent_policy(ExecAgentPolicy::Off);
    }
    return manager_;
}

Manager& Context::manager(const std::string& remote) {
    if (remote.empty() || remote == "local") return manager();
    auto& connected = remote_managers_[remote];
    if (!connected) connected = manager().remotes().connect(remote);
    return *connected;
}

const std::string& Context::default_remote() {
    if (!default_remote_) default_remote_ = cli::default_remote(opts_.state_dir);
    return *default_remote_;
}

}  // namespace li::cli
