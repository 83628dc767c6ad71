#pragma once
// li::ImageStore: the images of a state directory (LXD image format).

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
    std::string builder = "busybox";          ///< which local builder
    std::string alias;                         ///< alias to create, or empty
    std::filesystem::path output_path;         ///< also write the unified tarball here
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
    Operation import_impl(std::string_view project, const std::filesystem::path& path, const ImageImportOptions& opts,
                          bool async);

    Operation copy_from_remote_async_impl(std::string_view project, const api::ImagesPost& post, bool async);
    Operation refresh_async_impl(std::string_view project, std::string_view ref, bool async);

    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
