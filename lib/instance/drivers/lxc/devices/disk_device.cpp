// disk devices of containers: a host path (file or directory) bind mounted inside.
//
// As in LXD, the source is first mounted on the host under the device's directory, already in
// the form the container must see (read-only, idmapped for shift): host root can reach any
// source, and the container then only binds that mount (at start through lxc.mount.entry, or
// moved into its mount namespace when hot-plugged).
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "config/device_keys.hpp"
#include "config/validators.hpp"
#include "core/reverter.hpp"
#include "instance/drivers/lxc/devices/container_mount.hpp"
#include "instance/drivers/lxc/devices/lxc_device.hpp"
#include "libinstance/error.hpp"
#include "sys/mount.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

bool flag(const api::ConfigMap& d, const std::string& key, bool fallback) {
    std::string v = config::device_value(d, key);
    return v.empty() ? fallback : config::is_true(v);
}

// The host-side mount of the device, as the container will see it.
fs::path host_mount(const DeviceEnv& env, const std::string& name) { return env.devices_dir / name / "mnt"; }

// What the disk mounts, or nullopt when its optional source is missing. Throws naming
// devices.<name>.source when a required source is missing, .pool for custom volumes.
std::optional<fs::path> source_of(const std::string& name, const api::ConfigMap& d) {
    if (!config::device_value(d, "pool").empty())
        throw Error(ErrorCode::NotSupported,
                    fmt::format("device \"{}\": custom volumes of storage pools are not supported yet (they arrive "
                                "with storage volumes)", name),
                    "devices." + name + ".pool");
    fs::path source = config::device_value(d, "source");
    std::error_code ec;
    if (fs::exists(source, ec)) return source;
    if (!flag(d, "required", true)) return std::nullopt;
    throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": source \"{}\" does not exist", name, source.string()),
                "devices." + name + ".source");
}

// Mounts source at the device's host-side mount point; returns whether it is a directory.
bool prepare(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d, const fs::path& source) {
    bool directory = fs::is_directory(source);
    bool recursive = flag(d, "recursive", false);
    fs::path dir = device_dir(env, name);
    fs::path target = host_mount(env, name);
    unmount_all_below(target);
    if (directory) fs::create_directories(target);
    else if (!fs::exists(target)) UniqueFd(::open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));

    unsigned int recurse = recursive ? AT_RECURSIVE : 0;
    UniqueFd tree(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | recurse)));
    if (!tree) throw Error::from_errno(fmt::format("device \"{}\": cloning {}", name, source.string()), errno);
    struct mount_attr attr {};
    if (flag(d, "readonly", false)) attr.attr_set |= MOUNT_ATTR_RDONLY;
    UniqueFd userns;
    if (flag(d, "shift", false)) {
        // Host ids appear as the container's: host root owns what container root owns.
        userns = userns_for(env.idmap);
        attr.attr_set |= MOUNT_ATTR_IDMAP;
        attr.userns_fd = static_cast<uint64_t>(userns.get());
    }
    if (attr.attr_set && ::syscall(SYS_mount_setattr, tree.get(), "", AT_EMPTY_PATH | recurse, &attr, sizeof attr) != 0) {
        // Mostly a file system without idmapped mount support (shift) or a submount refusing it.
        int err = errno;
        bool shift = attr.attr_set & MOUNT_ATTR_IDMAP;
        throw Error(ErrorCode::System,
                    fmt::format("device \"{}\": {} {}: {}", name, shift ? "shifting (idmapping)" : "making read-only",
                                source.string(), std::strerror(err)),
                    "devices." + name + (shift ? ".shift" : ".readonly"), err);
    }
    if (::syscall(SYS_move_mount, tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
        throw Error::from_errno(fmt::format("device \"{}\": mounting {} at {}", name, source.string(), target.string()), errno);
    // Mount events of the host-side copy stay out of the host's other mounts.
    ::mount(nullptr, target.c_str(), nullptr, MS_PRIVATE | (recursive ? MS_REC : 0), nullptr);
    return directory;
}

void clean(const DeviceEnv& env, const std::string& name) {
    fs::path dir = env.devices_dir / name;
    unmount_all_below(dir);
    // Never a recursive removal: a mount left behind must not be emptied.
    std::error_code ec;
    fs::remove(dir / "mnt", ec);
    fs::remove(dir, ec);
}

class DiskDevice final : public LxcDevice {
public:
    void start(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d, LxcLines& lines) override {
        auto source = source_of(name, d);
        if (!source) return;
        bool directory = prepare(env, name, d, *source);
        std::string options = flag(d, "readonly", false) ? "ro" : "";
        if (std::string p = config::device_value(d, "propagation"); !p.empty()) options += (options.empty() ? "" : ",") + p;
        lines.emplace_back("lxc.mount.entry", mount_entry(host_mount(env, name), config::device_value(d, "path"), directory,
                                                          flag(d, "recursive", false), options));
    }

    void stop(const DeviceEnv& env, const std::string& name, const api::ConfigMap&) override { clean(env, name); }

    void attach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        auto source = source_of(name, d);
        if (!source) return;
        Reverter revert;
        revert.add([&] { clean(env, name); });
        bool directory = prepare(env, name, d, *source);
        mount_into_container(env.init_pid, env.idmap, host_mount(env, name), config::device_value(d, "path"), directory,
                             config::device_value(d, "propagation"));
        revert.success();
    }

    void detach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        if (fs::exists(host_mount(env, name)))
            unmount_in_container(env.init_pid, config::device_value(d, "path"));
        clean(env, name);
    }
};

}  // namespace

LxcDevice& lxc_disk_device() {
    static DiskDevice device;
    return device;
}

}  // namespace li
