#pragma once
// An LXD image's files in either layout: one unified tarball, or a metadata tarball plus a
// rootfs (tarball or squashfs). Inspection, fingerprint and unpacking for both.

#include <filesystem>
#include <functional>
#include <string>

#include "core/operation_state.hpp"
#include "image/metadata.hpp"
#include "image/unpack_limits.hpp"

namespace li {

class ManagerCore;

struct ImageFiles {
    std::filesystem::path metadata;  ///< the unified tarball, or the metadata tarball of a split image
    std::filesystem::path rootfs;    ///< empty for a unified image
    bool split() const { return !rootfs.empty(); }
};

/// Where the store keeps an image: images/<fp>, and images/<fp>.rootfs for a split image (as LXD).
ImageFiles stored_image_files(const std::filesystem::path& images_dir, const std::string& fingerprint);

/// What a full check of an image's files found.
struct InspectedImage {
    ImageMetadata metadata;           ///< architecture normalised to LXD's name
    std::string compression;          ///< of the unified or metadata tarball
    std::string rootfs_format;        ///< "" (unified), "squashfs", "tarball" or "qcow2"
    std::string rootfs_compression;   ///< of a rootfs tarball
    std::string type = "container";   ///< "virtual-machine" when the rootfs file is a qcow2 disk
};

/// Checks every entry of every file (hostile input), parses metadata.yaml and checks that the
/// architecture can run on this host. Writes nothing. InvalidArgument naming the problem.
InspectedImage inspect_image(const ImageFiles& files, const UnpackLimits& limits);

/// LXD's fingerprint: sha256 of the unified tarball, or of the metadata file's bytes followed by
/// the rootfs file's bytes. on_bytes(done, total) is called as it reads (it may throw to stop).
std::string image_fingerprint(const ImageFiles& files, const std::function<void(uint64_t, uint64_t)>& on_bytes = {});

/// The file names LXD gives an exported image: "<fp>.tar.xz", or "meta-<fp>.tar.xz" and
/// "<fp>.squashfs" / "<fp>.qcow2" / "<fp>.tar.xz" (rootfs empty for a unified image).
struct ExportNames {
    std::string metadata;
    std::string rootfs;
};
ExportNames export_names(const ImageFiles& files, const std::string& fingerprint);

/// Unpacks an image (either layout) into dest: dest/metadata.yaml, dest/templates/, dest/rootfs/;
/// for a VM image (qcow2 disk) dest/boot/ (when the image has one) and dest/root.img, the disk
/// as a sparse raw file instead of rootfs/.
/// dest may exist (empty) or not; on failure or cancellation what was unpacked is removed.
/// Progress under progress_key as "Unpack: N%"; ctx's cancellation is checked between blocks.
void unpack_image(const ImageFiles& files, const std::filesystem::path& dest, const UnpackLimits& limits,
                  OperationContext& ctx, const std::string& progress_key);

/// unpack_image() of a stored image, with the manager's limits.
void unpack_stored_image(ManagerCore& core, const std::string& fingerprint, const std::filesystem::path& dest,
                         OperationContext& ctx, const std::string& progress_key);

}  // namespace li
