#pragma once
// Owning handles for libarchive objects, and the one way a libarchive call failing on our side
// (not on hostile input) is reported; shared by image and backup tarballs.

#include "image/archive_api.hpp"

#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "image/archive_message.hpp"
#include "libinstance/error.hpp"

namespace li {

struct ArchiveReadDeleter {
    void operator()(archive* a) const { libarchive().archive_read_free(a); }
};
struct ArchiveWriteDeleter {
    void operator()(archive* a) const { libarchive().archive_write_free(a); }
};
struct ArchiveEntryDeleter {
    void operator()(archive_entry* e) const { libarchive().archive_entry_free(e); }
};
struct ArchiveResolverDeleter {
    void operator()(archive_entry_linkresolver* r) const { libarchive().archive_entry_linkresolver_free(r); }
};

using ReadArchive = std::unique_ptr<archive, ArchiveReadDeleter>;
using WriteArchive = std::unique_ptr<archive, ArchiveWriteDeleter>;
using ArchiveEntryPtr = std::unique_ptr<archive_entry, ArchiveEntryDeleter>;
using LinkResolverPtr = std::unique_ptr<archive_entry_linkresolver, ArchiveResolverDeleter>;

/// Throws a System error "<what>: <libarchive's message>".
[[noreturn]] inline void archive_fail(archive* a, const std::string& what) {
    throw Error(ErrorCode::System, fmt::format("{}: {}", what, archive_message(a)));
}

/// Opens a walk of the tree at top as it is on disk, for packing: symlinks kept as symlinks,
/// owners numeric (no name lookups, as LXD writes them), other mounts not entered; ACLs and
/// xattrs are read with each entry.
inline ReadArchive open_disk_walk(const std::filesystem::path& top) {
    ReadArchive disk(libarchive().archive_read_disk_new());
    libarchive().archive_read_disk_set_symlink_physical(disk.get());
    libarchive().archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS | ARCHIVE_READDISK_NO_FFLAGS);
    if (libarchive().archive_read_disk_open(disk.get(), top.c_str()) != ARCHIVE_OK)
        archive_fail(disk.get(), fmt::format("opening {}", top.string()));
    return disk;
}

/// Renames a walked entry to its place in the tarball: its path below base, put under prefix;
/// owner names are dropped (ids only). Returns the new name.
inline std::string rename_walked_entry(archive_entry* e, const std::string& base, const std::string& prefix) {
    const char* source = libarchive().archive_entry_sourcepath(e);
    std::string path = source ? source : "";
    std::string rel = path.size() > base.size() ? path.substr(base.size()) : std::string();
    while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
    std::string name = rel.empty() ? prefix : prefix + "/" + rel;
    libarchive().archive_entry_set_pathname(e, name.c_str());
    libarchive().archive_entry_set_uname(e, nullptr);
    libarchive().archive_entry_set_gname(e, nullptr);
    return name;
}

}  // namespace li
