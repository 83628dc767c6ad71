// proxy devices of containers: a forwarder process per device (libinstance-helper proxy, see
// lib/helper/proxy.cpp), started once the container's init exists and killed at stop. Its pid
// file and log are in <devices_dir>/<name>/.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <thread>
#include <unistd.h>

#include "config/device_keys.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "helper/proxy_address.hpp"
#include "instance/drivers/lxc/devices/lxc_device.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

std::string value(const api::ConfigMap& d, const std::string& key, const std::string& fallback = {}) {
    return config::device_value(d, key, fallback);
}

fs::path pid_file(const DeviceEnv& env, const std::string& name) { return env.devices_dir / name / "proxy.pid"; }

// The forwarder's pid when the pid file names a live forwarder of this very pid file (a reused
// pid belongs to some other process and is left alone).
pid_t running_forwarder(const fs::path& pidfile) {
    pid_t pid = 0;
    try {
        pid = static_cast<pid_t>(std::stol(read_file(pidfile, 64)));
    } catch (const std::exception&) {
        return 0;
    }
    if (pid <= 0) return 0;
    std::string cmdline;
    try {
        cmdline = read_file(fmt::format("/proc/{}/cmdline", pid), 1 << 16);
    } catch (const Error&) {
        return 0;
    }
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    bool ours = cmdline.find("libinstance-helper proxy ") != std::string::npos && cmdline.find(" " + pidfile.string() + " ") != std::string::npos;
    return ours ? pid : 0;
}

// A container id of a listening unix socket becomes the host id the container sees as it.
std::string host_id(const IdMap& map, bool uid, const std::string& name, const std::string& key, const std::string& id,
                    bool in_container) {
    if (!in_container) return id;
    auto host = to_host_id(map, uid, std::stoull(id));
    if (!host)
        throw Error::invalid(fmt::format("devices.{}.{}", name, key),
                             fmt::format("device \"{}\": {} {} is not mapped in the container", name, key, id));
    return std::to_string(*host);
}

class ProxyDevice final : public LxcDevice {
public:
    void start(const DeviceEnv& env, const std::string& name, const api::ConfigMap&, LxcLines&) override {
        // Nothing to prepare before the container exists; post_start runs the forwarder.
        fs::create_directories(env.devices_dir / name);
    }

    void post_start(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override { run(env, name, d); }

    void attach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override { run(env, name, d); }

    void detach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override { stop(env, name, d); }

    void stop(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        fs::path pidfile = pid_file(env, name);
        if (pid_t pid = running_forwarder(pidfile)) {
            // The forwarder leads a session of its own; its connection children are in its group.
            ::kill(-pid, SIGTERM);
            for (int i = 0; i < 100 && ::kill(pid, 0) == 0 && running_forwarder(pidfile); i++)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (running_forwarder(pidfile)) ::kill(-pid, SIGKILL);
        }
        // A socket file it listened on in the host is the device's; one inside goes with the
        // container (and is replaced by the next forwarder).
        proxy::Address listen;
        if (value(d, "bind", "host") == "host" && proxy::parse_address(value(d, "listen"), listen).empty() &&
            listen.type == "unix" && !listen.abstract)
            ::unlink(listen.path.c_str());
        remove_tree(env.devices_dir / name);
    }

private:
    static void run(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
        if (env.init_pid <= 0)
            throw Error(ErrorCode::Internal, fmt::format("device \"{}\": the container has no init process", name), "devices." + name);
        fs::path dir = env.devices_dir / name;
        fs::create_directories(dir);
        bool in_container = value(d, "bind", "host") == "container";
        std::vector<std::string> argv{helper_path().string(), "proxy", "--pid", std::to_string(env.init_pid),
                                      "--bind", in_container ? "container" : "host",
                                      "--listen", value(d, "listen"), "--connect", value(d, "connect"),
                                      "--pidfile", pid_file(env, name).string(), "--log", (dir / "proxy.log").string(),
                                      "--mode", value(d, "mode", "0644")};
        if (in_container)
            argv.insert(argv.end(), {"--create-uid", host_id(env.idmap, true, name, "uid", "0", true), "--create-gid",
                                     host_id(env.idmap, false, name, "gid", "0", true)});
        if (!value(d, "uid").empty())
            argv.insert(argv.end(), {"--uid", host_id(env.idmap, true, name, "uid", value(d, "uid"), in_container)});
        if (!value(d, "gid").empty())
            argv.insert(argv.end(), {"--gid", host_id(env.idmap, false, name, "gid", value(d, "gid"), in_container)});
        try {
            run_checked(argv, fmt::format("device \"{}\": starting the proxy", name));
        } catch (const Error& e) {
            throw Error(e.code(), e.what(), "devices." + name + ".listen");
        }
    }
};

}  // namespace

LxcDevice& lxc_proxy_device() {
    static ProxyDevice device;
    return device;
}

}  // namespace li
