#pragma once
// JSON of the backup options (LXD's InstanceBackupsPost / StoragePoolVolumeBackupsPost fields and
// the import's name and pool), as the C ABI takes them.

#include <string_view>

#include <vector>

#include "libinstance/backup.hpp"
#include "sys/idmap.hpp"

namespace li::api {

/// `{"instance_only", "volume_only", "optimized_storage", "compression_algorithm"}` (LXD's "name"
/// and "expires_at" are accepted and have no effect: the backup is one file); empty text: the
/// defaults. InvalidArgument naming a field of the wrong type or an unknown one.
BackupExportOptions backup_export_options_from_json(std::string_view text);
/// `{"name", "pool"}`; empty text: the defaults. InvalidArgument naming a bad or unknown field.
BackupImportOptions backup_import_options_from_json(std::string_view text);

/// LXD's idmap JSON (volatile.last_state.idmap: [{"Isuid","Isgid","Hostid","Nsid","Maprange"}]);
/// "" and "[]" are no map. InvalidArgument naming `key` when it is not that.
std::vector<IdRawEntry> lxd_idmap_from_json(std::string_view text, std::string_view key);

}  // namespace li::api
