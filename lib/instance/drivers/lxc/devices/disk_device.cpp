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
#include "core/manager_core.hpp"
#include "core/reverter.hpp"
#include "instance/drivers/lxc/devices/container_mount.hpp"
#include "instance/drivers/lxc/devices/lxc_device.hpp"
#include "libinstance/error.hpp"
#include "storage/custom_volume.hpp"
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

// What the disk mounts and whether through an idmapped mount.
struct Source {
    fs::path path;
    bool shift = false;
};

// An unshifted custom volume is seen with its host ids: a fresh one (empty, owned by host root)
// would be unusable to the container's root, which is an unprivileged host id. LXD shifts an
// unshifted volume's files to the map of the instance it is attached to (remembering the map);
// we do the part that matters for a new volume: on its first attach the empty root is handed to
// the container's root. A volume already holding files is left alone, so attaching it to another
// container never takes files away from those that wrote them (containers sharing the default
// map see the same owners; isolated maps need security.shifted).
void hand_over_fresh_volume(const fs::path& root, const IdMap& idmap) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0 || st.st_uid != 0 || st.st_gid != 0) return;
    std::error_code ec;
    if (!fs::is_empty(root, ec) || ec) return;
    uid_t uid = static_cast<uid_t>(root_host_uid(idmap));
    gid_t gid = static_cast<gid_t>(root_host_gid(idmap));
    if (uid == 0 && gid == 0) return;  // privileged: host root is its root
    if (::chown(root.c_str(), uid, gid) != 0) throw Error::from_errno("handing " + root.string() + " to the container's root", errno);
}

// A custom volume (pool + source): its directory on the pool, which must exist in the instance's
// project (InvalidArgument naming devices.<name>.source otherwise).
Source volume_source(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
    std::string pool = config::device_value(d, "pool");
    std::string volume = config::device_value(d, "source");
    VolumeRecord record = env.core.db().read(
        [&](SQLite::Database& db) { return attached_custom_volume(db, env.spec.project, name, pool, volume); });
    Source s;
    s.path = env.core.pool(pool).mount_volume(custom_volume_ref(env.spec.project, volume));
    s.shift = config_true(record.config, "security.shifted");
    if (!s.shift) hand_over_fresh_volume(s.path, env.idmap);
    return s;
}

// What the disk mounts, or nullopt when its optional source is missing. Throws naming
// devices.<name>.source when a required source is missing.
std::optional<Source> source_of(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
    if (!config::device_value(d, "pool").empty()) return volume_source(env, name, d);
    fs::path source = config::device_value(d, "source");
    std::error_code ec;
    if (fs::exists(source, ec)) return Source{source, flag(d, "shift", false)};
    if (!flag(d, "required", true)) return std::nullopt;
    throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": source \"{}\" does not exist", name, source.string()),
                "devices." + name + ".source");
}

// Mounts source at the device's host-side mount point; returns whether it is a directory.
bool prepare(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d, const Source& src) {
    const fs::path& source = src.path;
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
    if (src.shift) {
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
        auto source = source_of(env, name, d);
        if (!source) return;
        bool directory = prepare(env, name, d, *source);
        std::string options = flag(d, "readonly", false) ? "ro" : "";
        if (std::string p = config::device_value(d, "propagation"); !p.empty()) options += (options.empty() ? "" : ",") + p;
        lines.emplace_back("lxc.mount.entry", mount_entry(host_mount(env, name), config::device_value(d, "path"), directory,
                                                          flag(d, "recursive", false), options));
    }

    void stop(const DeviceEnv& env, const std::string& name, const api::ConfigMap&) override { clean(env, name); }

    void attach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        auto source = source_of(env, name, d);
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
