#include "context.hpp"

#include "current_project.hpp"

namespace li::cli {

std::vector<std::string> addressing_args(const ParsedArgs& args) {
    auto end = args.saw_dash_dash ? args.positional.begin() + static_cast<std::ptrdiff_t>(args.dash_dash_at) : args.positional.end();
    return {args.positional.begin(), end};
}

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

const std::string& Context::project() {
    if (!opts_.project.empty()) return opts_.project;
    if (!project_) project_ = current_project(opts_.state_dir, command_remote());
    return *project_;
}

std::string Context::command_remote() {
    for (const auto& arg : opts_.positional) {
        auto colon = arg.find(':');
        if (colon == std::string::npos || colon == 0) continue;
        std::string prefix = arg.substr(0, colon);
        if (prefix == "local") return "";
        if (prefix.find('/') != std::string::npos) continue;  // a path, not a remote
        // Image servers (images:) hold no projects of ours: the command's server is elsewhere.
        for (const auto& remote : manager().remotes().list())
            if (remote.name == prefix && remote.protocol == "lxd") return prefix;
    }
    return default_remote();
}

}  // namespace li::cli
