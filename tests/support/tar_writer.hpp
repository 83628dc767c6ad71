#pragma once
// Test support: writes small (possibly hostile) tar.gz files entry by entry.

#include <archive.h>
#include <archive_entry.h>
#include <algorithm>
#include <cstdint>
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
    unsigned device_type = 0;      // AE_IFCHR / AE_IFBLK / AE_IFIFO: a special file
    uint64_t zero_bytes = 0;       // a regular file of this many zero bytes (written in chunks)
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

inline TarEntry device_entry(std::string path, unsigned type) {
    TarEntry e;
    e.path = std::move(path);
    e.device_type = type;
    return e;
}
inline TarEntry zeros_entry(std::string path, uint64_t bytes) {
    TarEntry e;
    e.path = std::move(path);
    e.zero_bytes = bytes;
    return e;
}

inline void write_tar(const std::filesystem::path& out, const std::vector<TarEntry>& entries, const std::string& compression);

inline void write_tar_gz(const std::filesystem::path& out, const std::vector<TarEntry>& entries) {
    write_tar(out, entries, "gzip");
}

/// compression: "gzip", "xz", "zstd", "bzip2" or "none".
inline void write_tar(const std::filesystem::path& out, const std::vector<TarEntry>& entries, const std::string& compression) {
    archive* a = archive_write_new();
    if (compression == "gzip") archive_write_add_filter_gzip(a);
    else if (compression == "xz") archive_write_add_filter_xz(a);
    else if (compression == "zstd") archive_write_add_filter_zstd(a);
    else if (compression == "bzip2") archive_write_add_filter_bzip2(a);
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, out.c_str());
    for (const auto& e : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, e.path.c_str());
        if (e.device_type) {
            archive_entry_set_mode(entry, e.device_type | 0644);
            archive_entry_set_rdevmajor(entry, 1);
            archive_entry_set_rdevminor(entry, 3);
        } else if (e.zero_bytes) {
            archive_entry_set_mode(entry, AE_IFREG | 0644);
            archive_entry_set_size(entry, static_cast<la_int64_t>(e.zero_bytes));
        } else if (e.directory) {
            archive_entry_set_mode(entry, AE_IFDIR | 0755);
        } else if (!e.symlink.empty()) {
            archive_entry_set_mode(entry, AE_IFLNK | 0777);
            archive_entry_set_symlink(entry, e.symlink.c_str());
        } else if (!e.hardlink.empty()) {
            archive_entry_set_mode(entry, AE_IFREG | 0644);
            archive_entry_set_hardlink(entry, e.hardlink.c_str());
            archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
        } else {
            archive_entry_set_mode(entry, AE_IFREG | 0644);
            archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
        }
        archive_write_header(a, entry);
        if (!e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
        if (e.zero_bytes) {
            static const std::string chunk(1 << 20, '\0');
            for (uint64_t left = e.zero_bytes; left > 0;) {
                size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
                archive_write_data(a, chunk.data(), n);
                left -= n;
            }
        }
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
}

inline const char* kTestMetadata = "architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  os: test\n";

}  // namespace li::test
