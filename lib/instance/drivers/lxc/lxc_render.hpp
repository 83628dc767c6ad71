#pragma once
// Config -> liblxc configuration: pure functions, tested with golden files.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "instance/drivers/lxc/lxc_limits.hpp"
#include "libinstance/api/instance.hpp"
#include "sys/idmap.hpp"

namespace li {

/// Everything the liblxc configuration of one container depends on.
struct LxcRenderInput {
    std::string lxc_name;                    // liblxc's name (unique per lxcpath)
    std::string hostname;                    // the instance name
    std::filesystem::path rootfs;
    bool rootfs_shifted = false;             // already shows host root as the container's root
    IdMap idmap;
    std::string halt_signal = "SIGPWR";
    std::filesystem::path seccomp_file;
    api::ConfigMap config;                   // expanded instance config
    std::filesystem::path console_log_file;  // where the console's output is kept ("" for none)
    /// Lines the instance's devices contribute (see devices/lxc_device.hpp), in order.
    std::vector<std::pair<std::string, std::string>> device_lines;
    /// The cgroup files of the limits.* keys (cgroup_limits() for this host).
    std::vector<CgroupSetting> cgroup_limits;
};

/// The text of the container's liblxc config file.
std::string render_lxc_config(const LxcRenderInput& input);
/// The seccomp policy written beside it, from the security.syscalls.* keys (LXD's default
/// denylist when none is set) or raw.seccomp as given.
std::string render_seccomp_policy(const api::ConfigMap& config = {});

/// The halt signal an init understands, from the target of the rootfs' /sbin/init symlink
/// ("" when it is not a symlink): busybox halts on SIGUSR1, systemd on SIGRTMIN+3, sysvinit SIGPWR.
std::string halt_signal_for_init(const std::string& init_link_target);

}  // namespace li
