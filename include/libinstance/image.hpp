#pragma once
// li::ImageStore: the images of a state directory (LXD image format).

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/image.hpp"
#include "libinstance/api/remote.hpp"
#include "libinstance/operation.hpp"

namespace li {

class ManagerCore;

/// Options of ImageStore::build().
struct ImageBuildOptions {
    std::string builder = "busybox";          ///< which local builder: "busybox", "debian" or "debian-vm"
    std::string alias;                         ///< alias to create, or empty
    std::filesystem::path output_path;         ///< also write the unified tarball here (debian-vm: the
                                               ///< metadata tarball, and the disk at <output_path>.qcow2)
    // Used by the `debian` builder (debootstrap) only, except release (debian-vm: the host's only).
    std::string release = "bookworm";          ///< Debian suite or codename
    std::string variant = "minbase";           ///< debootstrap --variant
    std::string mirror;                        ///< empty: the host's Debian mirror, else deb.debian.org
    std::vector<std::string> packages;         ///< extra packages (--include)
    std::string init = "systemd-sysv";         ///< the package providing /sbin/init
    /// Where built images are kept so building again is instant; empty: $LIBINSTANCE_CACHE_DIR,
    /// else <state>/cache.
    std::filesystem::path cache_dir;
};

/// Options of ImageStore::publish(): an image made from a stopped instance (LXD's ImagesPost with
/// source type "instance") or from a snapshot "c1/snap0" (source type "snapshot"; the instance may
/// run, and the snapshot's own image.* keys give the properties).
struct ImagePublishOptions {
    std::string instance;                            ///< the source instance (stopped), or "c1/snap0"
    std::string alias;                               ///< alias to create, or empty
    std::map<std::string, std::string> properties;   ///< set over the source image's properties
    std::string compression = "gzip";                ///< "gzip", "xz", "zstd", "bzip2" or "none"
    bool public_ = false;
    std::string expires_at;                          ///< RFC 3339, or empty for never
};

/// Options of ImageStore::import_file().
struct ImageImportOptions {
    std::string alias;  ///< alias to create, or empty
    /// Split image: the rootfs tarball or squashfs; `path` is then the metadata tarball and the
    /// fingerprint is sha256(metadata file || rootfs file), as LXD computes it.
    std::filesystem::path rootfs_path;
    std::string expected_fingerprint;                ///< refuse the image unless it has this fingerprint
    std::map<std::string, std::string> properties;   ///< set over metadata.yaml's properties
    bool public_ = false;
    bool auto_update = false;
    bool cached = false;                             ///< pulled implicitly (e.g. by a remote launch)
    /// Decompression-bomb limits for this import; 0 takes the manager's settings
    /// images.unpack_max_ratio (default 100) and images.unpack_max_size (default 64GiB).
    uint64_t max_unpack_ratio = 0;
    uint64_t max_unpack_bytes = 0;
};

/// Where ImageStore::export_image() wrote an image's files.
struct ImageExportResult {
    std::filesystem::path metadata;  ///< the unified tarball, or a split image's metadata tarball
    std::filesystem::path rootfs;    ///< a split image's rootfs file; empty for a unified image
};

/// The images of one Manager, scoped by project.
class ImageStore {
public:
    explicit ImageStore(std::shared_ptr<ManagerCore> core);

    /// Builds an image with a local builder and adds it to the store.
    api::Image build(std::string_view project, const ImageBuildOptions& opts);
    /// build() as an operation (class task, resources "images"); the image's fingerprint is in
    /// its metadata under "fingerprint" when it succeeds.
    Operation build_async(std::string_view project, const ImageBuildOptions& opts);
    /// Makes an image (unified tarball) of a stopped instance's root file system and adds it to
    /// the store ("image-created"); metadata.yaml's properties are the source image's merged with
    /// opts.properties. Conflict when the instance runs.
    api::Image publish(std::string_view project, const ImagePublishOptions& opts);
    /// publish() as an operation; progress "create_image_from_container_pack_progress",
    /// metadata "fingerprint" when it succeeds.
    Operation publish_async(std::string_view project, const ImagePublishOptions& opts);
    /// Imports an LXD unified tarball; its fingerprint is the file's sha256.
    api::Image import_file(std::string_view project, const std::filesystem::path& path,
                           const ImageImportOptions& opts = {});
    /// import_file() as an operation; metadata "fingerprint" when it succeeds.
    Operation import_file_async(std::string_view project, const std::filesystem::path& path,
                                const ImageImportOptions& opts = {});
    /// All images of a project.
    std::vector<api::Image> list(std::string_view project);
    /// One image by alias, fingerprint or unique fingerprint prefix.
    api::Image get(std::string_view project, std::string_view ref);
    /// Deletes an image and its aliases.
    void remove(std::string_view project, std::string_view ref);
    /// Creates an alias pointing at the image named by ref.
    void create_alias(std::string_view project, std::string_view alias, std::string_view ref,
                      std::string_view description = {});
    /// Deletes an alias.
    void delete_alias(std::string_view project, std::string_view alias);
    /// Renames an alias ("image-alias-renamed"); NotFound / AlreadyExists naming the alias.
    void rename_alias(std::string_view project, std::string_view alias, std::string_view new_name);
    /// Points an alias at another image and/or changes its description ("image-alias-updated").
    void update_alias(std::string_view project, std::string_view alias, std::string_view target_ref,
                      std::string_view description);
    /// Every alias of a project, by name.
    std::vector<api::ImageAliasesEntry> list_aliases(std::string_view project);
    /// One alias; NotFound naming it.
    api::ImageAliasesEntry get_alias(std::string_view project, std::string_view alias);

    /// Replaces an image's editable fields (properties, public, auto_update, expires_at) and
    /// emits "image-updated". InvalidArgument naming the field for a bad value.
    api::Image update(std::string_view project, std::string_view ref, const api::ImagePut& put);

    /// Writes an image's stored file(s) unchanged (so the fingerprint still holds), with lxc's
    /// naming: into the directory `target` (empty: the current directory) as "<fp>.tar.gz" (the
    /// compression's extension), or "meta-<fp>.tar.xz" plus "<fp>.squashfs"/"<fp>.tar.xz" for a
    /// split image; a `target` that is not a directory names the file: a unified image is
    /// written to "<target>.<ext>", a split one to "<target>" and "<target>.root".
    ImageExportResult export_image(std::string_view project, std::string_view ref,
                                   const std::filesystem::path& target = {});
    /// export_image() as an operation; progress "image_export_progress", metadata "metadata_path"
    /// and "rootfs_path" when it succeeds. Cancelling it removes the partial files.
    Operation export_image_async(std::string_view project, std::string_view ref,
                                 const std::filesystem::path& target = {});

    /// Removes cached images (those pulled implicitly) unused for images.remote_cache_expiry
    /// days (since last_used_at, else uploaded_at), in every project, emitting "image-deleted"
    /// for each; returns their fingerprints. Run when the manager opens, too.
    std::vector<std::string> prune_expired();

    /// Copies an image from an image server (simplestreams): downloads it to a temporary area,
    /// verifies every file's sha256, then imports it. Progress under "download_progress"
    /// ("rootfs: 45% (1.2MB/s)"). An image already present only gets the requested aliases.
    api::Image copy_from_remote(std::string_view project, const api::ImagesPost& post);
    /// copy_from_remote() as an operation; metadata "fingerprint" when it succeeds. Cancelling it
    /// leaves nothing behind.
    Operation copy_from_remote_async(std::string_view project, const api::ImagesPost& post);
    /// Checks the server an image came from for a newer version of its alias; when there is one,
    /// pulls it, moves the aliases over and removes the old image (unless instances use it), and
    /// emits "image-refreshed". Returns the current image (the same one when up to date).
    /// InvalidArgument (key "image") for an image that did not come from a server.
    api::Image refresh(std::string_view project, std::string_view ref);
    /// refresh() as an operation; metadata "fingerprint" (the current image) and "refreshed"
    /// ("true" or "false").
    Operation refresh_async(std::string_view project, std::string_view ref);

private:
    Operation build_impl(std::string_view project, const ImageBuildOptions& opts, bool async);
    Operation publish_impl(std::string_view project, const ImagePublishOptions& opts, bool async);
    Operation export_impl(std::string_view project, std::string_view ref, const std::filesystem::path& target,
                          bool async);
    Operation import_impl(std::string_view project, const std::filesystem::path& path, const ImageImportOptions& opts,
                          bool async);

    Operation copy_from_remote_async_impl(std::string_view project, const api::ImagesPost& post, bool async);
    Operation refresh_async_impl(std::string_view project, std::string_view ref, bool async);

    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
