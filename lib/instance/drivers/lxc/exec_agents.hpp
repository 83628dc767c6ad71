#pragma once
// The library's side of the exec agents (lib/helper/exec_agent.hpp, ADR 0011): one agent per
// running container, started through the helper, reached over a SOCK_SEQPACKET socket pair whose
// other end only the agent holds. A command sent to it runs at once, without liblxc's attach.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sys/unique_fd.hpp"

namespace li {

/// What the agent needs to start one command (as liblxc's attach options would say it).
struct AgentCommand {
    std::vector<std::string> argv;
    std::vector<std::string> env;  ///< the whole environment, KEY=VALUE
    std::string cwd;
    uint32_t uid = 0;
    uint32_t gid = 0;
    bool terminal = false;
};

class ExecAgents : public std::enable_shared_from_this<ExecAgents> {
public:
    ExecAgents(std::filesystem::path helper, std::filesystem::path lxcpath);

    /// Starts the command through lxc_name's agent, starting the agent first when it has none or
    /// its agent is gone (the container restarted). Returns the command's channel (see the
    /// protocol), or an empty UniqueFd when no agent could take the command: then the caller
    /// attaches as before. The descriptors are the command's stdin, stdout and stderr.
    UniqueFd launch(const std::string& lxc_name, const AgentCommand& command, int in, int out, int err);

    /// Starts lxc_name's agent on a short-lived thread, so that the first exec finds it running.
    void prestart(const std::string& lxc_name);

    /// Drops lxc_name's agent (the container stops or goes): its socket closes and it exits.
    void forget(const std::string& lxc_name);

private:
    struct Agent {
        std::mutex mutex;  // held while the agent is started and while a request is sent
        UniqueFd socket;
    };
    std::shared_ptr<Agent> agent_of(const std::string& lxc_name);
    /// Starts the agent; false (logged) when the helper could not.
    bool spawn(const std::string& lxc_name, Agent& agent);

    std::filesystem::path helper_;
    std::filesystem::path lxcpath_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Agent>> agents_;
};

/// Reads the agent's answers on a command's channel until it closes: on_started gets the
/// command's host pid (from the pidfd the agent sends), report the final "exit N" or
/// "exec-error ERRNO" line (empty when the channel closed without one).
void read_agent_channel(int channel, std::string& report, const std::function<void(int)>& on_started);

}  // namespace li
