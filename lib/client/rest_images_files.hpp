#pragma once
// What a connected Manager's ImageStore and Instance::file_* send to the server (LXD's
// /1.0/images, /1.0/images/aliases and /1.0/instances/<name>/files). Files and images are
// streamed both ways (RestTransport::request_upload / request_download, ADR 0014).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "client/rest_facades.hpp"
#include "libinstance/backup.hpp"
#include "libinstance/api/remote.hpp"
#include "libinstance/image.hpp"
#include "libinstance/instance.hpp"

namespace li::rest {

// --- Images (rest_images.cpp) ----------------------------------------------------------------
std::vector<api::Image> list_images(const Rest& rest, std::string_view project);
/// By alias first (as lxc resolves), else by fingerprint or unique prefix; NotFound naming ref.
api::Image get_image(const Rest& rest, std::string_view project, std::string_view ref);
void delete_image(const Rest& rest, std::string_view project, std::string_view ref);
/// PUT with the ETag of the GET before it: a concurrent change is refused (Conflict, "etag").
api::Image update_image(const Rest& rest, std::string_view project, std::string_view ref, const api::ImagePut& put);

std::vector<api::ImageAliasesEntry> list_image_aliases(const Rest& rest, std::string_view project);
api::ImageAliasesEntry get_image_alias(const Rest& rest, std::string_view project, std::string_view alias);
void create_image_alias(const Rest& rest, std::string_view project, std::string_view alias, std::string_view ref,
                        std::string_view description);
void delete_image_alias(const Rest& rest, std::string_view project, std::string_view alias);
void rename_image_alias(const Rest& rest, std::string_view project, std::string_view alias, std::string_view new_name);
void update_image_alias(const Rest& rest, std::string_view project, std::string_view alias, std::string_view target_ref,
                        std::string_view description);

/// POST /1.0/images with the tarball (multipart "metadata" + "rootfs" for a split image) and
/// X-LXD-* headers; metadata "fingerprint" when done, then the alias is created.
Operation import_image(const Rest& rest, std::string_view project, const std::filesystem::path& path,
                       const ImageImportOptions& opts);
/// GET /1.0/images/<fp>/export written as ImageStore::export_image names it; metadata
/// "fingerprint", "metadata_path" and "rootfs_path".
Operation export_image(const Rest& rest, std::string_view project, std::string_view ref, const std::filesystem::path& target);
/// What an export operation (remote or local) leaves: its metadata and rootfs files.
ImageExportResult export_result_of(const Operation& op);
/// POST /1.0/images with source type "instance" or "snapshot" ("c1/snap0"); metadata "fingerprint".
Operation publish_image(const Rest& rest, std::string_view project, const ImagePublishOptions& opts);
/// POST /1.0/images with source type "image", mode "pull": the server downloads the image from
/// post.source.server itself (a URL; a name is resolved by the server's own remotes).
Operation copy_image_from_server(const Rest& rest, std::string_view project, const api::ImagesPost& post);
/// POST /1.0/images/<fp>/refresh; metadata "fingerprint" (and "refreshed" when the server says).
Operation refresh_image(const Rest& rest, std::string_view project, std::string_view ref);
/// The "fingerprint" an import or publish left in its metadata (after waiting for it).
std::string image_fingerprint_of(const Operation& op);

// --- Instance files (rest_files.cpp) ---------------------------------------------------------
void file_push(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, std::string data,
               const FileOptions& opts);
/// Streams fd to its end (a small file goes from memory on the kept-alive connection).
void file_push_fd(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, int fd,
                  const FileOptions& opts);
/// fd < 0: describes only.
FileInfo file_pull(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, int fd);
void file_delete(const Rest& rest, std::string_view project, std::string_view name, std::string_view path);
void file_mkdir(const Rest& rest, std::string_view project, std::string_view name, std::string_view path, const FileOptions& opts);
void file_symlink(const Rest& rest, std::string_view project, std::string_view name, std::string_view path,
                  std::string_view target, const FileOptions& opts);
void file_push_tree(const Rest& rest, std::string_view project, std::string_view name, const std::filesystem::path& source,
                    std::string_view path, const FileOptions& opts);
void file_pull_tree(const Rest& rest, std::string_view project, std::string_view name, std::string_view path,
                    const std::filesystem::path& target);

// --- Instance backup files (rest_files.cpp) --------------------------------------------------
/// `lxc export`: POST .../backups, GET .../backups/<b>/export written to target (through a
/// temporary name), then DELETE of the server's backup.
Operation export_backup(const Rest& rest, std::string_view project, std::string_view name, const std::filesystem::path& target,
                        const BackupExportOptions& opts);
/// `lxc import`: POST /1.0/instances with the tarball (X-LXD-name, X-LXD-pool); metadata "name".
Operation import_backup(const Rest& rest, std::string_view project, const std::filesystem::path& file,
                        const BackupImportOptions& opts);

// --- Custom volume backup files (rest_files.cpp) ---------------------------------------------
/// `lxc storage volume export`: POST .../volumes/custom/<v>/backups, GET .../export written to
/// target, then DELETE of the server's backup.
Operation export_volume_backup(const Rest& rest, std::string_view project, std::string_view pool, std::string_view volume,
                               const std::filesystem::path& target, const BackupExportOptions& opts);
/// `lxc storage volume import`: POST .../volumes/custom with the tarball (X-LXD-name); metadata "name".
Operation import_volume_backup(const Rest& rest, std::string_view project, std::string_view pool,
                               const std::filesystem::path& file, const BackupImportOptions& opts);

}  // namespace li::rest
