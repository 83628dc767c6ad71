// Rewriting an instance backup's config (see backup_rewrite.hpp).
#include "backup/backup_rewrite.hpp"

#include <fmt/format.h>

#include "backup/backup_index.hpp"
#include "image/archive_guard.hpp"
#include "libinstance/error.hpp"

namespace li::backup {

namespace fs = std::filesystem;

namespace {

std::string read_all(archive* a, const fs::path& file, const std::string& name) {
    constexpr size_t kMaxDocument = 16 << 20;  // as read_index(): a config is small
    std::string data;
    char buf[65536];
    for (;;) {
        la_ssize_t n = libarchive().archive_read_data(a, buf, sizeof buf);
        if (n < 0) archive_corrupt(a, file, "backup");
        if (n == 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (data.size() > kMaxDocument)
            throw Error::invalid(name, fmt::format("backup {}: {} is larger than {} bytes", file.string(), name, kMaxDocument));
    }
    return data;
}

}  // namespace

void rewrite_instance_backup(const fs::path& in, const fs::path& out, std::string_view compression,
                             const std::function<void(Config&)>& edit, const Progress& progress) {
    ReadArchive a = open_untrusted_tar(in, "backup");
    ArchiveWriter writer(out, compression, progress);
    archive_entry* entry;
    int r;
    bool first = true;
    while ((r = libarchive().archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
        std::string name = clean_archive_path(libarchive().archive_entry_pathname(entry));
        if (first && name != "backup/index.yaml")
            throw Error::invalid(name, fmt::format("backup {} does not start with backup/index.yaml", in.string()));
        first = false;
        if (name == "backup/index.yaml") {
            Index index = index_from_yaml(read_all(a.get(), in, name));
            if (index.optimized)
                throw Error(ErrorCode::NotSupported, fmt::format("backup {} is optimized: its config cannot be rewritten", in.string()),
                            "optimized_storage");
            if (!index.config || !index.config->instance)
                throw Error::invalid("index.yaml: config.container", fmt::format("backup {} has no instance config", in.string()));
            edit(*index.config);
            writer.add_file(name, index_to_yaml(index));
        } else if (name == "backup/container/backup.yaml") {
            Config config = config_from_yaml(read_all(a.get(), in, name), name);
            if (config.instance) edit(config);
            writer.add_file(name, to_yaml(config));
        } else {
            writer.copy_entry(a.get(), entry);
        }
    }
    if (r != ARCHIVE_EOF) archive_corrupt(a.get(), in, "backup");
    if (first) throw Error::invalid(in.string(), fmt::format("backup {} is empty or not a tarball", in.string()));
    writer.close();
}

}  // namespace li::backup
