#pragma once
// Test support: writes small (possibly hostile) tar.gz files entry by entry.

#include <archive.h>
#include <archive_entry.h>
#include <filesystem>
#include <string>
#include <vector>

namespace li::test {

struct TarEntry {
    std::string path;
    std::string content;           // for regular files
    std::string symlink;           // non-empty: a symlink to this target
    bool directory = false;
    std::string hardlink;          // non-empty: a hard link to this path
};

inline TarEntry file_entry(std::string path, std::string content) {
    TarEntry e;
    e.path = std::move(path);
    e.content = std::move(content);
    return e;
}
inline TarEntry dir_entry(std::string path) {
    TarEntry e;
    e.path = std::move(path);
    e.directory = true;
    return e;
}
inline TarEntry symlink_entry(std::string path, std::string target) {
    TarEntry e;
    e.path = std::move(path);
    e.symlink = std::move(target);
    return e;
}
inline TarEntry hardlink_entry(std::string path, std::string target) {
    TarEntry e;
    e.path = std::move(path);
    e.hardlink = std::move(target);
    return e;
}

inline void write_tar_gz(const std::filesystem::path& out, const std::vector<TarEntry>& entries) {
    archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, out.c_str());
    for (const auto& e : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, e.path.c_str());
        if (e.directory) {
            archive_entry_set_mode(entry, AE_IFDIR | 0755);
        } else if (!e.symlink.empty()) {
            archive_entry_set_mode(entry, AE_IFLNK | 0777);
            archive_entry_set_symlink(entry, e.symlink.c_str());
        } else if (!e.hardlink.empty()) {
            archive_entry_set_mode(entry, AE_IFREG | 0644);
            archive_entry_set_hardlink(entry, e.hardlink.c_str());
        } else {
            archive_entry_set_mode(entry, AE_IFREG | 0644);
            archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
        }
        archive_write_header(a, entry);
        if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
}

inline const char* kTestMetadata = "architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  os: test\n";

}  // namespace li::test
