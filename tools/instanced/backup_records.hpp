#pragma once
// LXD's named backups, kept by the daemon for whatever owns them: instances (backup_routes) and
// custom volumes (volume_backup_routes) answer the same list / create / get / rename / delete /
// export requests over the same records, only their owner and field names differ.
//
// The library writes a backup to a file it is given and keeps no list of them, so each backup is
// <dir>/<name>.backup beside <dir>/<name>.json (LXD's InstanceBackup / StoragePoolVolumeBackup
// fields, plus the compression used, which names the download).

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "body_files.hpp"
#include "libinstance/backup.hpp"
#include "router.hpp"

namespace li::daemon {

class Daemon;

/// What the backups belong to.
struct BackupOwner {
    std::filesystem::path dir;    ///< where the records and files live
    std::string label;            ///< for messages: `instance "c1"`
    std::string url;              ///< "/1.0/instances/c1/backups" (no ?project=)
    std::string project;          ///< the owner's project
    nlohmann::json resources;     ///< the owner in operation resources: {"instances": [...]}
    std::vector<std::string> only_fields;  ///< the body/record fields meaning "without snapshots"
    std::string create_description, rename_description, delete_description;  ///< operation descriptions
};

/// Starts writing a backup to a file (throwing at once what the request alone shows wrong) and
/// returns what finishes it, run in the backup's operation.
using BackupStarter = std::function<std::function<void()>(const std::filesystem::path&, const BackupExportOptions&)>;

/// GET .../backups: URLs, or (recursion) the records.
Reply list_backups(const BackupOwner& owner, const Call& call);
/// POST .../backups: name (default backupN), expires_at, the only_fields, optimized_storage,
/// compression_algorithm; an operation whose resources.backups is ["/1.0/backups/<name>"], which
/// `lxc export` and `lxc storage volume export` parse.
Reply create_backup(Daemon& daemon, const BackupOwner& owner, const Call& call, const BackupStarter& start);
/// GET .../backups/{backup}.
Reply get_backup(const BackupOwner& owner, const std::string& name);
/// POST .../backups/{backup} {"name": new}: an operation.
Reply rename_backup(Daemon& daemon, const BackupOwner& owner, const std::string& name, const Call& call);
/// DELETE .../backups/{backup}: an operation.
Reply delete_backup(Daemon& daemon, const BackupOwner& owner, const std::string& name);
/// GET .../backups/{backup}/export: the file.
Reply export_backup_file(const BackupOwner& owner, const std::string& name);

/// Takes the name lock the records share (an owner's records change only under it), to move or
/// remove a whole owner's directory.
std::unique_lock<std::mutex> lock_backup_records();

/// A backup import's request body (application/octet-stream) as a file (the upload the session
/// streamed, or the in-memory body written out), held by the import's operation; InvalidArgument
/// (key "body") when empty.
std::shared_ptr<const UploadedBody> backup_body_file(Daemon& daemon, const Call& call);

}  // namespace li::daemon
