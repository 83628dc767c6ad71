// The instance keys, with LXD's names, types, defaults and live-update behaviour. Only keys that
// libinstance applies are listed: an unknown key is refused rather than silently ignored.
#include "config/config_key.hpp"
#include "config/security_validators.hpp"
#include "core/clock.hpp"
#include "core/cron.hpp"
#include "libinstance/error.hpp"
#include "sys/idmap.hpp"

namespace li::config {

namespace {

using S = Scope;

// raw.idmap: the parser's message quotes the bad line.
std::string check_raw_idmap(std::string_view text) {
    try {
        parse_raw_idmap(text);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

std::vector<ConfigKey> build_instance_keys() {
    return {
        // Boot
        {"boot.accelerator", "string", "auto", S::VirtualMachine, false,
         "auto (KVM when a probe of /dev/kvm runs a guest, else TCG), kvm or tcg (libinstance's addition)",
         one_of({"auto", "kvm", "tcg"})},
        {"boot.autostart", "bool", "false", S::Instance, true, "Start the instance when the manager opens (after a host boot)", check_bool},
        {"boot.autostart.delay", "integer", "0", S::Instance, true, "Seconds to wait after starting this instance before starting the next", check_uint},
        {"boot.autostart.priority", "integer", "0", S::Instance, true, "Instances with a higher value start first", check_int},
        {"boot.host_shutdown_timeout", "integer", "30", S::Instance, true, "Seconds to wait for a clean halt at host shutdown before killing", check_uint},
        {"boot.stop.priority", "integer", "0", S::Instance, true, "Instances with a higher value stop first at host shutdown", check_int},

        // Environment and user data
        {"environment.*", "string", "", S::Instance, true, "An environment variable of the instance's init and of exec sessions", check_any},
        {"user.*", "string", "", S::Instance, true, "Free-form user data, searchable", check_any},
        {"image.*", "string", "", S::Instance, true, "A property of the image the instance was created from", check_any},

        // Resource limits
        {"limits.cpu", "string", "", S::Instance, true, "Number of CPUs (pinned by the scheduler) or a CPU set, e.g. 2 or 0-1,3", check_cpu_limit},
        {"limits.cpu.allowance", "string", "100%", S::Container, true, "CPU time: a share when loaded (50%) or a hard quota (25ms/100ms)", check_cpu_allowance},
        {"limits.cpu.priority", "integer", "10", S::Container, true, "CPU scheduling priority against other instances (0-10)", check_priority},
        {"limits.disk.priority", "integer", "5", S::Instance, true, "Block I/O priority against other instances (0-10)", check_priority},
        {"limits.memory", "string", "", S::Instance, true, "Memory limit: a size (512MiB) or a percentage of the host's memory (50%)", check_size_or_percent},
        {"limits.memory.enforce", "string", "hard", S::Container, true, "hard: the limit is a ceiling; soft: only enforced when the host is under pressure", one_of({"hard", "soft"})},
        {"limits.memory.swap", "bool", "true", S::Container, true, "Whether the instance's memory may be swapped out", check_bool},
        {"limits.memory.swap.priority", "integer", "10", S::Container, true, "Swap-out preference (0-10; higher swaps later)", check_priority},
        {"limits.processes", "integer", "", S::Container, true, "Maximum number of processes (pids cgroup)", uint_range(1, UINT32_MAX)},
        {"limits.kernel.as", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_AS of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.core", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_CORE of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.cpu", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_CPU of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.data", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_DATA of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.fsize", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_FSIZE of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.locks", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_LOCKS of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.memlock", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_MEMLOCK of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.msgqueue", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_MSGQUEUE of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.nice", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_NICE of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.nofile", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_NOFILE of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.nproc", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_NPROC of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.rss", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_RSS of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.rtprio", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_RTPRIO of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.rttime", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_RTTIME of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.sigpending", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_SIGPENDING of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},
        {"limits.kernel.stack", "string", "", S::Container, false, "Resource limit (rlimit) RLIMIT_STACK of the instance's processes: a number, unlimited, or soft:hard", check_prlimit},

        // Snapshots
        {"snapshots.pattern", "string", "snap%d", S::Instance, true, "Name of snapshots taken without one: %d is the next free number", check_any},
        {"snapshots.expiry", "string", "", S::Instance, true, "How long snapshots are kept, e.g. \"1w 2d\" (M, H, d, w, m, y)", check_expiry},
        {"snapshots.schedule", "string", "", S::Instance, true, "When to take snapshots: cron \"M H DoM Mon DoW\" in the server's local time, several joined by \", \", or @hourly, @daily, @midnight, @weekly, @monthly, @annually, @yearly, @startup, @never", check_cron_schedule},
        {"snapshots.schedule.stopped", "bool", "false", S::Instance, true, "Whether scheduled snapshots are also taken of stopped instances", check_bool},
        // Raw overrides
        {"raw.idmap", "blob", "", S::Container, false, "Raw idmap entries (\"both|uid|gid HOST CONTAINER\", one a line) mapping container ids to host ids", check_raw_idmap},
        {"raw.lxc", "blob", "", S::Container, false, "Extra liblxc configuration lines (isolation-breaking keys are refused)", check_raw_lxc},
        {"raw.seccomp", "blob", "", S::Container, false, "A raw liblxc seccomp policy used instead of the generated one", check_any},

        // Security
        {"security.idmap.base", "integer", "", S::Container, false, "First host id of an isolated container's idmap (instead of allocating one)", check_uint},
        {"security.idmap.isolated", "bool", "false", S::Container, false, "Give the container an idmap of its own, not overlapping any other", check_bool},
        {"security.idmap.size", "integer", "", S::Container, false, "Number of ids of an isolated container's idmap (default 65536)", uint_range(65536, UINT32_MAX)},
        {"security.nesting", "bool", "false", S::Container, false, "Allow running containers inside", check_bool},
        {"security.privileged", "bool", "false", S::Container, false, "Run without a user namespace (container root is host root)", check_bool},
        {"security.protection.delete", "bool", "false", S::Instance, true, "Refuse to delete the instance", check_bool},
        {"security.syscalls.allow", "string", "", S::Container, false, "Syscalls to allow, whitespace or comma separated (an allowlist: everything else is refused)", check_syscall_list},
        {"security.syscalls.deny", "string", "", S::Container, false, "Syscalls to refuse with EPERM, whitespace or comma separated (or liblxc rules, one a line)", check_syscall_list},
        {"security.syscalls.deny_compat", "bool", "false", S::Container, false, "On x86_64, refuse compat_* (32-bit) syscalls", check_bool},
        {"security.syscalls.deny_default", "bool", "true", S::Container, false, "Refuse LXD's default set of dangerous syscalls", check_bool},
    };
}

}  // namespace

const std::vector<ConfigKey>& instance_keys() {
    static const std::vector<ConfigKey> keys = build_instance_keys();
    return keys;
}

}  // namespace li::config
