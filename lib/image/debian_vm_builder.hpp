#pragma once
// The `debian-vm` image builder: a bootable VM image (LXD's split format) from Debian's kernel
// package and the host's static busybox, made without mounts or root-only tricks: the kernel
// .deb from the host's apt sources (kept in the cache), an initrd written by us (newc cpio), an
// ext4 root file system populated by `mkfs.ext4 -d`, compressed into a qcow2.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/operation_state.hpp"

namespace li {

struct DebianVmBuildSpec {
    std::filesystem::path agent;           ///< the static guest agent copied to /opt/libinstance/vm-agent
    uint64_t disk_size = uint64_t{1} << 30;  ///< the root disk (sparse; the guest grows its fs to a larger disk)
};

/// The two files of a built image, both in the cache.
struct DebianVmImage {
    std::filesystem::path metadata;  ///< metadata.yaml, templates/, boot/vmlinuz, boot/initrd.img (tar.gz)
    std::filesystem::path disk;      ///< the root disk: one ext4 file system, no partition table (qcow2)
};

/// The host's Debian codename (/etc/os-release), which the kernel and the image's "release"
/// property come from; "bookworm" when it cannot be read.
std::string host_debian_release();

/// Returns the cached image for the current kernel package, busybox and agent, building it first
/// when the cache has none (seconds, plus the kernel download the first time). Progress under
/// key; a cancellation stops the running tool and removes the work directory.
DebianVmImage build_debian_vm_image(const DebianVmBuildSpec& spec, const std::filesystem::path& cache_dir,
                                    OperationContext& ctx, const std::string& key);

}  // namespace li

namespace li {

class ManagerCore;
struct ImageBuildOptions;

/// Refuses options the debian-vm builder cannot honour (a release other than the host's).
void check_debian_vm_options(const ImageBuildOptions& opts);
/// Builds (or takes from the cache) the debian-vm image and adds it to the project's store under
/// progress key "image_build_progress"; an image already present only gets the alias. The
/// guest agent is vm_agent_path()'s. Sets ctx metadata "fingerprint".
void add_debian_vm_image(const std::shared_ptr<ManagerCore>& core, const std::string& project, const ImageBuildOptions& opts,
                         OperationContext& ctx);

}  // namespace li
