#include "instance/drivers/lxc/devices/unix_nodes.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <lxc/lxccontainer.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "backend/lxc/lxc_container.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/reverter.hpp"
#include "instance/drivers/lxc/devices/container_mount.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/mount.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

std::string rule(const UnixNode& n) { return fmt::format("{} {}:{} rwm", n.type, n.major, n.minor); }

// The nodes every container may use already (lxc_render.cpp allows them): never denied on unplug.
bool always_allowed(const UnixNode& n) {
    if (n.type != 'c') return false;
    if (n.major == 1) return n.minor == 3 || n.minor == 5 || n.minor == 7 || n.minor == 8 || n.minor == 9;
    if (n.major == 5) return n.minor <= 2;
    if (n.major == 10) return n.minor == 229 || n.minor == 200;
    return n.major == 136;
}

fs::path node_file(const fs::path& dir, size_t i) { return dir / fmt::format("node.{}", i); }

// Makes the nodes on the host, owned by their container ids, and records them for detach.
fs::path make_nodes(const DeviceEnv& env, const std::string& name, const std::vector<UnixNode>& nodes) {
    fs::path dir = device_dir(env, name);
    std::string record;
    for (size_t i = 0; i < nodes.size(); ++i) {
        const UnixNode& n = nodes[i];
        auto host_uid = to_host_id(env.idmap, true, n.uid);
        auto host_gid = to_host_id(env.idmap, false, n.gid);
        if (!host_uid || !host_gid)
            throw Error::invalid(fmt::format("devices.{}.{}", name, !host_uid ? "uid" : "gid"),
                                 fmt::format("device \"{}\": uid/gid {}/{} is outside the container's id map", name, n.uid, n.gid));
        if (n.path.find('\n') != std::string::npos || n.path.empty() || n.path.front() != '/')
            throw Error::invalid("devices." + name + ".path", fmt::format("device \"{}\": invalid path \"{}\"", name, n.path));
        fs::path file = node_file(dir, i);
        unmount_all_below(file);
        ::unlink(file.c_str());
        mode_t type = n.type == 'b' ? S_IFBLK : S_IFCHR;
        if (::mknod(file.c_str(), type | 0600, makedev(n.major, n.minor)) != 0)
            throw Error::from_errno(fmt::format("device \"{}\": making the node {}:{} for {}", name, n.major, n.minor, n.path), errno);
        if (::chown(file.c_str(), static_cast<uid_t>(*host_uid), static_cast<gid_t>(*host_gid)) != 0 ||
            ::chmod(file.c_str(), n.mode & 07777) != 0)
            throw Error::from_errno(fmt::format("device \"{}\": setting the owner and mode of {}", name, n.path), errno);
        record += fmt::format("{} {} {} {}\n", n.type, n.major, n.minor, n.path);
    }
    write_file_atomic(dir / "nodes", record, 0600);
    return dir;
}

std::vector<UnixNode> recorded_nodes(const fs::path& dir) {
    std::vector<UnixNode> out;
    std::string text;
    try {
        text = read_file(dir / "nodes");
    } catch (const Error&) {
        return out;
    }
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::istringstream f(line);
        UnixNode n;
        if (!(f >> n.type >> n.major >> n.minor)) continue;
        std::getline(f >> std::ws, n.path);
        out.push_back(n);
    }
    return out;
}

// Changes the running container's device cgroup: liblxc writes devices.allow/deny of cgroup v1,
// and on a cgroup v2 host updates the device program of the container's cgroup for us.
void set_device_rule(const DeviceEnv& env, const std::string& name, const char* key, const UnixNode& n) {
    init_lxc_logging_once();
    lxc_container* c = lxc_container_new(env.lxc_name.c_str(), env.core.lxc_dir().c_str());
    if (!c) throw Error(ErrorCode::Backend, fmt::format("liblxc could not load container {}", env.lxc_name));
    bool ok = c->set_cgroup_item(c, key, rule(n).c_str());
    lxc_container_put(c);
    if (!ok)
        throw Error(ErrorCode::Backend, fmt::format("device \"{}\": the container's device cgroup refused \"{}\" ({})", name,
                                                    rule(n), key),
                    "devices." + name);
}

}  // namespace

void start_unix_nodes(const DeviceEnv& env, const std::string& name, const std::vector<UnixNode>& nodes, LxcLines& lines) {
    fs::path dir = make_nodes(env, name, nodes);
    for (size_t i = 0; i < nodes.size(); ++i) {
        lines.emplace_back("lxc.mount.entry", mount_entry(node_file(dir, i), nodes[i].path, false, false, ""));
        lines.emplace_back("lxc.cgroup.devices.allow", rule(nodes[i]));
        lines.emplace_back("lxc.cgroup2.devices.allow", rule(nodes[i]));
    }
}

void attach_unix_nodes(const DeviceEnv& env, const std::string& name, const std::vector<UnixNode>& nodes) {
    Reverter revert;
    revert.add([&] { stop_unix_nodes(env, name); });
    fs::path dir = make_nodes(env, name, nodes);
    for (size_t i = 0; i < nodes.size(); ++i) {
        set_device_rule(env, name, "devices.allow", nodes[i]);
        if (!always_allowed(nodes[i]))
            revert.add([&env, &name, n = nodes[i]] { set_device_rule(env, name, "devices.deny", n); });
        mount_into_container(env.init_pid, env.idmap, node_file(dir, i), nodes[i].path, false);
        revert.add([&env, n = nodes[i]] { unmount_in_container(env.init_pid, n.path, true); });
    }
    revert.success();
}

void detach_unix_nodes(const DeviceEnv& env, const std::string& name) {
    for (const UnixNode& n : recorded_nodes(env.devices_dir / name)) {
        unmount_in_container(env.init_pid, n.path, true);
        if (always_allowed(n)) continue;
        try {
            set_device_rule(env, name, "devices.deny", n);
        } catch (const Error& e) {
            log::warn("device cgroup rule not removed", {{"device", name}, {"error", e.what()}});
        }
    }
    stop_unix_nodes(env, name);
}

void stop_unix_nodes(const DeviceEnv& env, const std::string& name) {
    fs::path dir = env.devices_dir / name;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return;
    unmount_all_below(dir);
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove(entry.path(), ec);
    fs::remove(dir, ec);
}

bool parse_major_minor(const std::string& text, unsigned& major, unsigned& minor) {
    return std::sscanf(text.c_str(), "%u:%u", &major, &minor) == 2;
}

mode_t parse_mode(const std::string& text, const std::string& key) {
    if (text.empty()) return 0660;
    if (text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
        throw Error::invalid(key, fmt::format("invalid mode \"{}\" (an octal mode such as 0660)", text));
    return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

}  // namespace li
