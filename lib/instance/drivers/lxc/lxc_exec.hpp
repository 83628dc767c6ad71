#pragma once
// Running a command in a container: through its exec agent, or libinstance-helper's `attach`.

#include <filesystem>
#include <string>
#include <vector>

#include "libinstance/api/instance.hpp"
#include "libinstance/instance.hpp"

namespace li {

/// The environment a command starts with: LXD's defaults, then environment.* config, then opts.env.
std::vector<std::string> exec_environment(const api::ConfigMap& config, const std::vector<std::string>& extra);

class ExecAgents;

/// Runs argv in the running container lxc_name and waits. NotFound when argv[0] does not exist.
/// Through the container's exec agent when agents is given, else (or when no agent can be
/// started) through the helper's attach.
ExecResult lxc_exec(const std::filesystem::path& helper, const std::filesystem::path& lxcpath,
                    const std::string& lxc_name, const api::ConfigMap& config, const std::vector<std::string>& argv,
                    const ExecOptions& opts, ExecAgents* agents = nullptr);

}  // namespace li
