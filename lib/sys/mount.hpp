#pragma once
// Mounts and loop devices: the kernel mechanisms storage drivers are built on.

#include <filesystem>
#include <vector>
#include <cstdint>
#include <functional>
#include <string>

#include "sys/idmap.hpp"
#include "sys/unique_fd.hpp"

namespace li {

/// True when `path` is the root of a mount (a mount point).
bool is_mount_point(const std::filesystem::path& path);
/// True when `path` is on an overlay file system.
bool is_overlay(const std::filesystem::path& path);
/// Mounts an overlay of `lower` (read-only) under `upper`/`work` at `target`. Paths containing
/// characters the overlay option syntax cannot carry (',', ':', '\\') are refused.
void mount_overlay(const std::filesystem::path& lower, const std::filesystem::path& upper,
                   const std::filesystem::path& work, const std::filesystem::path& target);
/// Mounts a read-only overlay of `layers` (topmost first) at `target`: the merged view of layers
/// that no longer change (e.g. a snapshot's upper layer over its image). Same path rules.
void mount_overlay_readonly(const std::vector<std::filesystem::path>& layers, const std::filesystem::path& target);
/// A user namespace holding `idmap` (container id 0 = host idmap.*.host_start), as an fd for
/// idmapped mounts. Made by a short-lived child process.
UniqueFd userns_for(const IdMap& idmap);
/// Attaches an idmapped copy of `source` at `target` (an existing directory): files owned by host
/// uid 0 appear owned by idmap.uid.host_start there, and files created through it as that uid
/// are stored as uid 0.
void bind_idmapped(const std::filesystem::path& source, const std::filesystem::path& target, int userns_fd);

/// Runs fn on this thread with file-system ids uid/gid and the effective capabilities kept, then
/// restores them. Overlayfs records its mounter's credentials and uses them for its work
/// directory and copy-ups: through idmapped layers they must be ids that the idmap maps.
void with_fs_ids(uint64_t uid, uint64_t gid, const std::function<void()>& fn);

/// Unmounts `path` if it is a mount point (lazily when busy); a no-op otherwise.
void unmount(const std::filesystem::path& path);
/// Unmounts every mount at or below `path`, deepest first (lazily); returns how many.
int unmount_all_below(const std::filesystem::path& path);

/// A loop device held open: an auto-clearing device lives while it is open or mounted, so the
/// holder keeps it until the mount is made.
struct LoopDevice {
    std::string path;  ///< "/dev/loopN"
    UniqueFd fd;
};
/// Attaches `file` to a free loop device, auto-cleared once unmounted and closed. A device
/// already backed by the file is reused.
LoopDevice loop_attach(const std::filesystem::path& file);
/// The loop device backed by `file`, or "" when none is.
std::string loop_find(const std::filesystem::path& file);
/// Detaches a loop device (a no-op when it is not attached).
void loop_detach(const std::string& device);

}  // namespace li
