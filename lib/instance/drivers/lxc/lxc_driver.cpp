#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/lxc/lxc_container.hpp"
#include "config/validators.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "image/templates.hpp"
#include "instance/drivers/lxc/lxc_device_hooks.hpp"
#include "instance/drivers/lxc/lxc_console.hpp"
#include "instance/drivers/lxc/exec_agents.hpp"
#include "instance/drivers/lxc/lxc_exec.hpp"
#include "instance/drivers/lxc/lxc_idmap.hpp"
#include "instance/drivers/lxc/lxc_limits.hpp"
#include "instance/drivers/lxc/lxc_live_config.hpp"
#include "instance/drivers/lxc/lxc_render.hpp"
#include "instance/drivers/lxc/lxc_state.hpp"
#include "instance/instance_driver.hpp"
#include "libinstance/error.hpp"
#include "sys/cgroup.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr int kStopped = 102;  // LXD's status code of a stopped instance

// The target of the rootfs' /sbin/init symlink, resolved as the container would see it.
std::string init_link_target(const fs::path& rootfs) {
    UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return {};
    struct open_how how {};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    UniqueFd sbin(static_cast<int>(::syscall(SYS_openat2, root.get(), "sbin", &how, sizeof how)));
    if (!sbin) return {};
    char buf[4096];
    ssize_t n = ::readlinkat(sbin.get(), "init", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Unprivileged container root (an unmapped "other" on the host) must traverse every directory
// above its rootfs; liblxc only reports this as an aborted start.
void require_traversable(const fs::path& rootfs) {
    for (fs::path p = rootfs.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH))
            throw Error(ErrorCode::PermissionDenied,
                        fmt::format("{} (mode {:o}) cannot be traversed by unprivileged containers; allow it "
                                    "(chmod o+x) or use a state directory under a traversable path",
                                    p.string(), st.st_mode & 07777),
                        "state_dir");
    }
}

// The first ERROR lines liblxc logged: the root cause comes first, the consequences after.
std::string lxc_log_errors(const fs::path& log_file) {
    std::string text;
    try {
        text = read_file(log_file, 8 << 20);
    } catch (const Error&) {
        return {};
    }
    std::istringstream in(text);
    std::vector<std::string> errors;
    for (std::string l; std::getline(in, l);) {
        if (l.find(" ERROR ") != std::string::npos) errors.push_back(l.substr(l.find(" - ") == std::string::npos ? 0 : l.find(" - ") + 3));
    }
    if (errors.size() > 2) errors.resize(2);
    std::string out;
    for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e;
    return out;
}

class LxcDriver final : public InstanceDriver {
public:
    explicit LxcDriver(ManagerCore& core) : core_(core) {}

    std::string name() const override { return "lxc"; }

    void start(const InstanceSpec& spec) override {
        std::string lxc_name = lxc_name_of(spec);
        // Limits this host cannot apply refuse the start before anything is mounted.
        std::vector<CgroupSetting> limits = cgroup_limits(spec.config, cgroup_host());
        auto privileged_it = spec.config.find("security.privileged");
        const bool privileged = privileged_it != spec.config.end() && config::is_true(privileged_it->second);
        // A layered volume's rootfs is whole only while mounted; it stays mounted while running.
        // Either the driver shifts it (overlays of idmapped layers) or liblxc idmaps it.
        StorageDriver& pool = core_.pool(spec.pool);
        VolumeRef volume{VolumeType::Container, lxc_name};
        // The image's "start" templates are applied before every start, as in LXD, through the
        // plain view (files written as host root); the shifted view is mounted after.
        pool.mount_volume(volume);
        apply_instance_templates(spec.volume_dir, "start", instance_template_context(spec.name, spec.type, spec.architecture,
                                                                                     spec.ephemeral, spec.config, spec.devices));
        // A privileged container's root is host root: the plain view is its rootfs.
        IdMap idmap = assign_container_idmap(core_, spec);
        bool shifted = !privileged && pool.mount_volume_shifted(volume, idmap);
        fs::path dir = core_.lxc_dir() / lxc_name;
        fs::create_directories(dir);
        fs::path log_dir = core_.logs_dir() / lxc_name;
        fs::create_directories(log_dir);
        fs::path log_file = log_dir / "lxc.log";
        write_file_atomic(log_file, "", 0600);

        LxcRenderInput in;
        in.lxc_name = lxc_name;
        in.hostname = spec.name;
        in.rootfs = spec.volume_dir / "rootfs";
        in.rootfs_shifted = shifted;
        in.idmap = idmap;
        in.halt_signal = halt_signal_for_init(init_link_target(in.rootfs));
        in.seccomp_file = dir / "seccomp";
        in.config = spec.config;
        in.console_log_file = log_dir / "console.log";
        in.cgroup_limits = std::move(limits);
        if (!privileged && (in.idmap.uid.size == 0 || in.idmap.gid.size == 0))
            throw Error(ErrorCode::NotSupported, "no subordinate uid/gid range for unprivileged containers "
                                                 "(add one for this user to /etc/subuid and /etc/subgid)");
        require_traversable(in.rootfs);
        DeviceEnv env = device_env(core_, spec, lxc_name, 0);
        env.idmap = idmap;  // spec's volatile.idmap.* predate this start's allocation
        try {
            start_devices(env, in.device_lines);
        } catch (...) {
            pool.unmount_volume(volume);
            throw;
        }
        write_file_atomic(in.seccomp_file, render_seccomp_policy(spec.config));
        write_file_atomic(dir / "config", render_lxc_config(in));

        // A container killed without clean-up may have left cgroups that would block this start.
        remove_leftover_lxc_cgroups(lxc_name, 0);
        try {
            run_checked({helper_path().string(), "start", core_.lxc_dir().string(), lxc_name, log_file.string()},
                        "starting the container");
        } catch (const Error& e) {
            stop_devices(env);
            pool.unmount_volume(volume);
            std::string details = lxc_log_errors(log_file);
            throw Error(ErrorCode::Backend, details.empty() ? std::string(e.what()) : "liblxc: " + details);
        }
        env.init_pid = static_cast<pid_t>(LxcContainer(lxc_name, core_.lxc_dir()).init_pid());
        post_start_devices(env);
        if (core_.exec_agent_policy() == ExecAgentPolicy::AtStart)
            if (auto agents = core_.exec_agents()) agents->prestart(lxc_name);
    }

    void update(const InstanceSpec& before, const InstanceSpec& after) override {
        std::string lxc_name = lxc_name_of(after);
        DeviceEnv env = device_env(core_, after, lxc_name, static_cast<pid_t>(LxcContainer(lxc_name, core_.lxc_dir()).init_pid()));
        update_devices(env, before.devices, after.devices);
        try {
            apply_live_config(env, before.config, after.config);
        } catch (...) {
            DeviceEnv back = device_env(core_, before, lxc_name, env.init_pid);
            try {
                update_devices(back, after.devices, before.devices);
            } catch (...) {
                // The original error matters more than a failed undo.
            }
            throw;
        }
    }

    void stop(const InstanceSpec& spec, bool force, std::chrono::seconds timeout) override {
        std::string lxc_name = lxc_name_of(spec);
        forget_exec_agent(lxc_name);  // it would die with the container; it need not wait for that
        {
            LxcContainer c(lxc_name, core_.lxc_dir());
            bool stopped = !force && c.shutdown(timeout);
            if (!stopped && !c.kill_and_wait(std::chrono::seconds(30)))
                throw Error(ErrorCode::Timeout, fmt::format("container {} did not stop after being killed", spec.name));
        }
        remove_leftover_lxc_cgroups(lxc_name);
        stop_devices(device_env(core_, spec, lxc_name, 0));
        core_.pool(spec.pool).unmount_volume(VolumeRef{VolumeType::Container, lxc_name});
    }

    int status_code(const InstanceSpec& spec) override {
        std::string lxc_name = lxc_name_of(spec);
        if (!fs::exists(core_.lxc_dir() / lxc_name / "config")) return kStopped;  // never started
        if (no_monitor(lxc_name)) return kStopped;
        return status_code_of(LxcContainer(lxc_name, core_.lxc_dir()).state());
    }

    api::InstanceState state(const InstanceSpec& spec) override {
        api::InstanceState st;
        std::string lxc_name = lxc_name_of(spec);
        if (!fs::exists(core_.lxc_dir() / lxc_name / "config")) return st;  // never started
        if (no_monitor(lxc_name)) return st;
        LxcContainer c(lxc_name, core_.lxc_dir());
        st.status_code = status_code_of(c.state());
        st.status = std::string(api::status_name(st.status_code));
        if (st.status_code == kStopped) return st;
        // Two requests to the monitor in all (state, init pid); the rest is read from /proc and
        // the cgroup file systems.
        st.pid = c.init_pid();
        read_running_state(c, lxc_name, spec, st);
        st.disk["root"] = root_disk_usage(spec.volume_dir);
        return st;
    }

    ExecResult exec(const InstanceSpec& spec, const std::vector<std::string>& argv, const ExecOptions& opts) override {
        auto agents = core_.exec_agents();
        return lxc_exec(helper_path(), core_.lxc_dir(), lxc_name_of(spec), spec.config, argv, opts, agents.get());
    }

    Console console(const InstanceSpec& spec) override {
        std::string lxc_name = lxc_name_of(spec);
        pid_t init = LxcContainer(lxc_name, core_.lxc_dir()).init_pid();
        return lxc_console_attach(helper_path(), core_.lxc_dir(), lxc_name, init);
    }

    fs::path log_dir(const InstanceSpec& spec) override { return core_.logs_dir() / lxc_name_of(spec); }

    void destroy(const InstanceSpec& spec) override {
        std::string lxc_name = lxc_name_of(spec);
        forget_exec_agent(lxc_name);
        stop_devices(device_env(core_, spec, lxc_name, 0));
        remove_tree(core_.lxc_dir() / lxc_name);
        remove_tree(core_.logs_dir() / lxc_name);
        remove_leftover_lxc_cgroups(lxc_name, 0);
    }

    void rename(const InstanceSpec& spec, const std::string& new_name) override {
        std::string from = lxc_name_of(spec), to = project_prefixed_name(spec.project, new_name);
        forget_exec_agent(from);
        for (const fs::path& dir : {core_.lxc_dir(), core_.logs_dir()}) {
            if (::rename((dir / from).c_str(), (dir / to).c_str()) != 0 && errno != ENOENT)
                throw Error::from_errno(fmt::format("renaming {} to {}", (dir / from).string(), to), errno);
        }
    }

private:
    // Whether nothing listens on the container's liblxc command socket: then it is stopped, and
    // loading its config into a liblxc container object (a quarter of a GET's time) is not needed.
    // liblxc names the abstract socket "<lxcpath>/<name>/command" unless that is too long (then
    // it hashes it): for such names this says "don't know" (false), as for any other answer.
    bool no_monitor(const std::string& lxc_name) const {
        std::string path = (core_.lxc_dir() / lxc_name / "command").string();
        sockaddr_un addr{};
        if (path.size() + 1 >= sizeof addr.sun_path - 8) return false;
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path + 1, path.data(), path.size());  // abstract: a leading NUL, no trailing one
        UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd) return false;
        auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + path.size());
        return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0 && errno == ECONNREFUSED;
    }

    void forget_exec_agent(const std::string& lxc_name) {
        if (auto agents = core_.exec_agents()) agents->forget(lxc_name);
    }

    static int status_code_of(const std::string& lxc_state) {
        if (lxc_state == "RUNNING" || lxc_state == "STARTING" || lxc_state == "STOPPING") return 103;
        if (lxc_state == "FROZEN" || lxc_state == "FREEZING" || lxc_state == "THAWED") return 110;
        if (lxc_state == "ABORTING") return 112;
        return kStopped;
    }

    // liblxc names are unique per lxcpath, so instances of other projects get a prefix, as in LXD.
    static std::string lxc_name_of(const InstanceSpec& spec) { return project_prefixed_name(spec.project, spec.name); }

    ManagerCore& core_;
};

}  // namespace

std::unique_ptr<InstanceDriver> make_lxc_driver(ManagerCore& core) { return std::make_unique<LxcDriver>(core); }

}  // namespace li
