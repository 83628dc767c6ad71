// The qemu InstanceDriver: virtual machines through libvirt (ADR 0015). The domain is transient:
// it exists while the VM runs, made from the instance's config at every start, so the store stays
// the only place the configuration lives.
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <map>
#include <mutex>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "backend/libvirt/libvirt_connection.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "instance/drivers/lxc/lxc_limits.hpp"
#include "instance/drivers/lxc/lxc_state.hpp"
#include "instance/drivers/qemu/agent_client.hpp"
#include "instance/drivers/qemu/kvm_probe.hpp"
#include "instance/drivers/qemu/qemu_driver.hpp"
#include "instance/drivers/qemu/qemu_paths.hpp"
#include "instance/drivers/qemu/qemu_render.hpp"
#include "instance/drivers/qemu/vm_devices.hpp"
#include "instance/instance_driver.hpp"
#include "libinstance/error.hpp"
#include "storage/size.hpp"
#include "storage/storage_driver.hpp"
#include "sys/fs.hpp"
#include "sys/unique_fd.hpp"
#include "sys/unix_socket.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

constexpr int kRunning = 103, kStopped = 102, kFrozen = 110, kError = 112;

// How long a call into a VM waits for its agent: a TCG guest takes seconds to boot, so a command
// run right after a start waits for it instead of failing. LIBINSTANCE_VM_AGENT_TIMEOUT (seconds)
// overrides it.
std::chrono::milliseconds agent_timeout() {
    if (const char* env = std::getenv("LIBINSTANCE_VM_AGENT_TIMEOUT"); env && *env) return std::chrono::seconds(std::atol(env));
    return std::chrono::seconds(120);
}

// Embedded libvirt reads its QEMU settings from <root>/etc/qemu.conf: QEMU runs as root (the
// library's user) without a security driver and without libvirt changing (and remembering in
// xattrs) the owners of the disks it is given, and logs to files itself instead of through
// virtlogd, a daemon the embedded mode has no use for.
void write_embedded_qemu_conf(const fs::path& root) {
    fs::create_directories(root / "etc");
    write_file_atomic(root / "etc" / "qemu.conf",
                      "# Written by libinstance (ADR 0015).\n"
                      "user = \"root\"\ngroup = \"root\"\nsecurity_driver = \"none\"\ndynamic_ownership = 0\nremember_owner = 0\n"
                      "stdio_handler = \"file\"\n",
                      0600);
}

// The last lines of QEMU's own log for the domain: why a start failed.
std::string qemu_log_tail(const fs::path& log_dir, const std::string& domain) {
    std::string text;
    if (log_dir.empty()) return {};
    try {
        text = read_file(log_dir / (domain + ".log"), 1 << 20);
    } catch (const Error&) {
        return {};
    }
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (line.find("qemu-system") != std::string::npos || line.find("error") != std::string::npos) lines.push_back(line);
        start = end + 1;
    }
    if (lines.size() > 3) lines.erase(lines.begin(), lines.end() - 3);
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "; ") + l;
    return out;
}

// Whether something listens on the unix socket `path`. The connect does not block: QEMU serves
// one client at a time, so while one is connected the next waits in a backlog that may be full
// (EAGAIN), which also means QEMU is there.
bool socket_listens(const fs::path& path) { return connect_unix(path, true) || errno == EAGAIN; }

int status_code_of(int libvirt_state) {
    switch (libvirt_state) {
        case VIR_DOMAIN_RUNNING:
        case VIR_DOMAIN_BLOCKED:
        case VIR_DOMAIN_SHUTDOWN:
            return kRunning;
        case VIR_DOMAIN_PAUSED:
        case VIR_DOMAIN_PMSUSPENDED:
            return kFrozen;
        case VIR_DOMAIN_CRASHED:
            return kError;
        default:
            return kStopped;
    }
}

class QemuDriver final : public InstanceDriver {
public:
    explicit QemuDriver(ManagerCore& core) : core_(core), libvirtd_uri_(vm_libvirtd_uri()) {
        if (!libvirtd_uri_.empty()) libvirt_prefix_ = vm_libvirtd_domain_prefix(core);
    }

    std::string name() const override { return "qemu"; }

    void start(const InstanceSpec& spec) override {
        std::string domain = vm_domain_name(spec);
        LibvirtConnection& conn = connection();
        if (auto existing = conn.find(libvirt_name(domain)); existing && existing->state() != VIR_DOMAIN_SHUTOFF)
            throw Error(ErrorCode::Conflict, fmt::format("virtual machine {} is already running", spec.name));
        StorageDriver& pool = core_.pool(spec.pool);
        VolumeRef volume{VolumeType::Container, domain};
        pool.mount_volume(volume);
        try {
            start_mounted(spec, domain, conn);
        } catch (...) {
            pool.unmount_volume(volume);
            throw;
        }
    }

    void stop(const InstanceSpec& spec, bool force, std::chrono::seconds timeout) override {
        std::string domain = vm_domain_name(spec);
        forget_agent(domain);
        if (auto dom = connection().find(libvirt_name(domain))) {
            if (!force && dom->state() == VIR_DOMAIN_RUNNING) {
                dom->shutdown();
                auto deadline = std::chrono::steady_clock::now() + timeout;
                while (dom->state() != VIR_DOMAIN_SHUTOFF && std::chrono::steady_clock::now() < deadline)
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            if (dom->state() != VIR_DOMAIN_SHUTOFF) dom->destroy();
        }
        release_vm_devices(core_, spec);
        fs::remove_all(vm_socket_dir(core_, domain));
        core_.pool(spec.pool).unmount_volume(VolumeRef{VolumeType::Container, domain});
    }

    int status_code(const InstanceSpec& spec) override {
        // A VM that is not running has no sockets folder, and QEMU listens on the agent's socket
        // while it runs: neither answer needs libvirt loaded (a quarter of a second for a one-shot
        // `inst exec`). The rest (a QEMU gone without a stop) is libvirt's to tell.
        std::string domain = vm_domain_name(spec);
        fs::path sockets = vm_socket_dir(core_, domain);
        if (!fs::exists(sockets)) return kStopped;
        if (has_connected_agent(domain) || socket_listens(sockets / "agent.sock")) return kRunning;
        auto dom = connection().find(libvirt_name(domain));
        return dom ? status_code_of(dom->state()) : kStopped;
    }

    api::InstanceState state(const InstanceSpec& spec) override {
        api::InstanceState st;
        std::string domain = vm_domain_name(spec);
        if (!fs::exists(vm_socket_dir(core_, domain))) return st;
        auto dom = connection().find(libvirt_name(domain));
        if (!dom) return st;
        LibvirtDomainInfo info = dom->info();
        st.status_code = status_code_of(info.state);
        st.status = std::string(api::status_name(st.status_code));
        if (st.status_code == kStopped) return st;
        st.pid = qemu_pid(libvirt_name(domain));
        st.cpu.usage = static_cast<int64_t>(info.cpu_time_ns);
        st.memory.usage = static_cast<int64_t>(info.rss_kib * 1024);
        st.disk["root"] = root_disk_usage(spec.volume_dir);
        st.accelerator = read_accelerator(domain);
        vm_device_counters(core_, spec, *dom, st);
        return st;
    }

    ExecResult exec(const InstanceSpec& spec, const std::vector<std::string>& argv, const ExecOptions& opts) override {
        return agent(spec)->exec(argv, opts);
    }

    // The VM's agent connection: kept while it works, made again when the guest dropped it (a
    // reboot, an agent restarted by the guest's init).
    std::shared_ptr<VmAgentClient> agent(const InstanceSpec& spec) {
        std::string domain = vm_domain_name(spec);
        std::unique_lock lock(agents_mutex_);
        auto it = agents_.find(domain);
        if (it != agents_.end() && it->second->connected()) return it->second;
        lock.unlock();
        fs::path socket = vm_socket_dir(core_, domain) / "agent.sock";
        if (status_code(spec) != kRunning) throw Error(ErrorCode::Conflict, fmt::format("virtual machine {} is not running", spec.name));
        auto client = std::make_shared<VmAgentClient>();
        client->connect(socket, agent_timeout());
        lock.lock();
        agents_[domain] = client;
        return client;
    }

    Console console(const InstanceSpec& spec) override {
        fs::path socket = vm_socket_dir(core_, vm_domain_name(spec)) / "console.sock";
        UniqueFd fd = connect_unix(socket);
        if (!fd) {
            if (errno == ENOENT || errno == ECONNREFUSED)
                throw Error(ErrorCode::Conflict, fmt::format("virtual machine {} is not running", spec.name));
            throw Error::from_errno(fmt::format("connecting to the console of {}", spec.name), errno);
        }
        return Console(fd.release(), -1, -1);
    }

    void check_new(const InstanceSpec& spec) override { check_vm_config(core_, spec); }

    fs::path log_dir(const InstanceSpec& spec) override { return core_.logs_dir() / vm_domain_name(spec); }

    void update(const InstanceSpec& before, const InstanceSpec& after) override {
        // Everything of a VM's config takes effect at its next start (no hot-plug yet); what the
        // new config could never start with is refused now, as a container's would be.
        (void)before;
        check_vm_config(core_, after);
    }

    void destroy(const InstanceSpec& spec) override {
        std::string domain = vm_domain_name(spec);
        forget_agent(domain);
        fs::remove_all(vm_socket_dir(core_, domain));
        remove_tree(core_.logs_dir() / domain);
    }

    void rename(const InstanceSpec& spec, const std::string& new_name) override {
        forget_agent(vm_domain_name(spec));
        fs::path from = core_.logs_dir() / vm_domain_name(spec);
        fs::path to = core_.logs_dir() / project_prefixed_name(spec.project, new_name);
        if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
            throw Error::from_errno(fmt::format("renaming {} to {}", from.string(), to.string()), errno);
    }

private:
    bool has_connected_agent(const std::string& domain) {
        std::lock_guard lock(agents_mutex_);
        auto it = agents_.find(domain);
        return it != agents_.end() && it->second->connected();
    }

    void forget_agent(const std::string& domain) {
        std::shared_ptr<VmAgentClient> gone;
        {
            std::lock_guard lock(agents_mutex_);
            if (auto it = agents_.find(domain); it != agents_.end()) gone = std::move(it->second), agents_.erase(it);
        }
        if (gone) gone->close();
    }

    LibvirtConnection& connection() {
        std::lock_guard lock(conn_mutex_);
        if (!conn_) {
            std::string uri = libvirtd_uri_;
            if (uri.empty()) {
                fs::path root = vm_libvirt_root(core_);
                claim_embedded_root(root);
                write_embedded_qemu_conf(root);
                uri = "qemu:///embed?root=" + root.string();
                // libvirt logs to stderr unless told otherwise, read when it initialises: its
                // warnings go to a file of the state instead (errors reach callers as li::Error).
                fs::create_directories(root / "log");
                ::setenv("LIBVIRT_LOG_OUTPUTS", fmt::format("3:file:{}", (root / "log" / "libvirt.log").string()).c_str(), 0);
            }
            conn_ = std::make_unique<LibvirtConnection>(uri);
        }
        return *conn_;
    }

    void start_mounted(const InstanceSpec& spec, const std::string& domain, LibvirtConnection& conn) {
        check_vm_config(core_, spec);
        fs::path root_img = spec.volume_dir / "root.img";
        if (!fs::is_regular_file(root_img))
            throw Error(ErrorCode::InvalidArgument,
                        fmt::format("{} has no disk image (root.img): it was not made from a virtual-machine image", spec.name), "type");
        grow_root_disk(spec, root_img);
        fs::path sockets = vm_socket_dir(core_, domain);
        fs::remove_all(sockets);
        fs::create_directories(sockets);
        fs::permissions(sockets, fs::perms::owner_all);
        fs::path logs = log_dir(spec);
        fs::create_directories(logs);

        QemuRenderInput in;
        in.domain_name = libvirt_name(domain);
        in.static_root_label = !libvirtd_uri_.empty();
        in.instance_name = spec.name;
        auto accel_it = spec.config.find("boot.accelerator");
        std::string accelerator = choose_accelerator(accel_it == spec.config.end() ? "" : accel_it->second);
        in.kvm = accelerator == "kvm";
        in.host_memory = host_memory_bytes();
        in.host_cpus = host_cpu_set();
        in.config = spec.config;
        if (fs::exists(spec.volume_dir / "boot" / "vmlinuz")) {
            in.kernel = spec.volume_dir / "boot" / "vmlinuz";
            if (fs::exists(spec.volume_dir / "boot" / "initrd.img")) in.initrd = spec.volume_dir / "boot" / "initrd.img";
        } else {
            uefi_firmware(spec, in);
        }
        in.disks.push_back({"root", root_img, false, false});
        Reverter revert;
        prepare_vm_devices(core_, spec, in, revert);
        in.console_socket = sockets / "console.sock";
        in.console_log = logs / "console.log";
        in.agent_socket = sockets / "agent.sock";
        std::string xml = render_domain_xml(in);
        write_file_atomic(logs / "domain.xml", xml, 0600);
        write_file_atomic(sockets / "accelerator", accelerator, 0600);
        try {
            conn.create(xml);
        } catch (const Error& e) {
            std::string details = qemu_log_tail(libvirt_qemu_dir("log"), in.domain_name);
            throw Error(e.code(), details.empty() ? std::string(e.what()) : fmt::format("{} ({})", e.what(), details));
        }
        revert.success();
        log::info("virtual machine started", {{"instance", spec.name}, {"accelerator", accelerator}});
    }

    // The root disk's size: the image's disk grows to it before boot (the guest grows its file
    // system); it never shrinks, as that would cut the file system.
    void grow_root_disk(const InstanceSpec& spec, const fs::path& root_img) {
        auto root = std::find_if(spec.devices.begin(), spec.devices.end(), [](const auto& d) {
            auto t = d.second.find("type");
            auto p = d.second.find("path");
            return t != d.second.end() && t->second == "disk" && p != d.second.end() && p->second == "/";
        });
        if (root == spec.devices.end()) return;
        auto size = root->second.find("size");
        if (size == root->second.end() || size->second.empty()) return;
        std::string key = fmt::format("devices.{}.size", root->first);
        uint64_t wanted = parse_size(size->second, key);
        uint64_t current = fs::file_size(root_img);
        if (wanted < current)
            throw Error::invalid(key, fmt::format("size {} is smaller than the disk ({} bytes); a VM's disk cannot shrink", size->second, current));
        if (wanted > current && ::truncate(root_img.c_str(), static_cast<off_t>(wanted)) != 0)
            throw Error::from_errno(fmt::format("growing {}", root_img.string()), errno);
    }

    void uefi_firmware(const InstanceSpec& spec, QemuRenderInput& in) {
        for (const char* dir : {"/usr/share/OVMF", "/usr/share/ovmf"}) {
            fs::path code = fs::path(dir) / "OVMF_CODE_4M.fd", vars = fs::path(dir) / "OVMF_VARS_4M.fd";
            if (!fs::exists(code) || !fs::exists(vars)) continue;
            in.firmware = code;
            in.firmware_vars = spec.volume_dir / "uefi-vars.fd";
            if (!fs::exists(in.firmware_vars)) fs::copy_file(vars, in.firmware_vars);
            return;
        }
        throw Error(ErrorCode::NotSupported,
                    fmt::format("{}'s image has no kernel of its own (boot/vmlinuz), so it boots through UEFI, and no UEFI "
                                "firmware is installed (Debian package ovmf)", spec.name));
    }

    // The name of the domain on libvirt: the instance's own under the embedded driver, prefixed by
    // the state directory on a libvirtd (which other state directories share).
    std::string libvirt_name(const std::string& domain) const { return libvirt_prefix_ + domain; }

    // Where libvirt's QEMU driver keeps its pid files ("run") and QEMU's logs ("log"): in the
    // embedded root, or a system libvirtd's folders ("" for another libvirtd, which may be remote).
    fs::path libvirt_qemu_dir(const std::string& kind) const {
        if (libvirtd_uri_.empty()) return vm_libvirt_root(core_) / kind / "qemu";
        if (!libvirtd_uri_.starts_with("qemu+unix:///system")) return {};
        return kind == "run" ? fs::path("/run/libvirt/qemu") : fs::path("/var/log/libvirt/qemu");
    }

    pid_t qemu_pid(const std::string& domain) const {
        try {
            fs::path run = libvirt_qemu_dir("run");
            return run.empty() ? 0 : static_cast<pid_t>(std::stol(read_file(run / (domain + ".pid"), 64)));
        } catch (...) {
            return 0;
        }
    }

    std::string read_accelerator(const std::string& domain) const {
        try {
            return read_file(vm_socket_dir(core_, domain) / "accelerator", 16);
        } catch (const Error&) {
            return {};
        }
    }

    ManagerCore& core_;
    const std::string libvirtd_uri_;  // "" for the embedded driver
    std::string libvirt_prefix_;
    std::mutex conn_mutex_;
    std::unique_ptr<LibvirtConnection> conn_;
    std::mutex agents_mutex_;
    std::map<std::string, std::shared_ptr<VmAgentClient>> agents_;
};

}  // namespace

std::unique_ptr<InstanceDriver> make_qemu_driver(ManagerCore& core) { return std::make_unique<QemuDriver>(core); }

std::shared_ptr<VmAgentClient> vm_agent(InstanceDriver& qemu_driver, const InstanceSpec& spec) {
    return static_cast<QemuDriver&>(qemu_driver).agent(spec);
}

}  // namespace li
