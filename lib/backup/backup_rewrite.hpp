#pragma once
// A backup tarball rewritten with another instance config: how a copy to another Manager carries
// the new instance's config (volatile keys dropped, the caller's profiles, keys and devices) to an
// import that only reads it from the backup (ADR 0013).

#include <filesystem>
#include <functional>
#include <string_view>

#include "backup/backup_archive.hpp"
#include "backup/backup_config.hpp"

namespace li::backup {

/// Writes out: the instance backup in (portable, not optimized) with the config of
/// backup/index.yaml and of backup/container/backup.yaml passed through edit, every other entry
/// copied as it is, compressed with compression. Nothing is left at out when it throws.
void rewrite_instance_backup(const std::filesystem::path& in, const std::filesystem::path& out, std::string_view compression,
                             const std::function<void(Config&)>& edit, const Progress& progress);

}  // namespace li::backup
