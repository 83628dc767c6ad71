#pragma once
// The checks every untrusted tarball's entries pass, whatever the tarball holds (an image, a
// backup): no absolute or escaping paths, nothing written through a symlink an earlier entry
// made, no data written through a hard link to a symlink, and no more unpacked bytes than the
// unpack limits allow. Messages start with `word` ("image", "backup") and the file's name.

#include "image/archive_api.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "image/archive_handles.hpp"
#include "image/unpack_limits.hpp"

namespace li {

/// An entry's path without leading "./" or trailing "/".
std::string clean_archive_path(const char* raw);

/// "symlink", "character device node"... for an entry's file type, in messages.
const char* archive_kind_name(mode_t type);

/// Opens file for reading as a tar of any compression; unreadable is invalid input (key: file).
ReadArchive open_untrusted_tar(const std::filesystem::path& file, const char* word);

/// A read error half-way: the tarball is truncated or corrupt (key: file).
[[noreturn]] void archive_corrupt(archive* a, const std::filesystem::path& file, const char* word);

/// A disk writer for vetted entries: numeric owners (no lookups in the host's passwd), modes,
/// times, xattrs, ACLs and flags kept. Entries are rewritten to absolute paths below the
/// destination once vetted, so libarchive's absolute-path check cannot be used; its ".." and
/// symlink checks stay on as a second line.
WriteArchive open_disk_writer();

/// Flushes what the disk writer still holds (key-less System error naming file on failure).
void close_disk_writer(archive* disk, const std::filesystem::path& file);

class ArchiveGuard {
public:
    ArchiveGuard(const std::filesystem::path& file, const char* word, const UnpackLimits& limits);

    /// Refuses an absolute path or one with a ".." part; `key` names the error.
    void check_relative(const std::string& path, const std::string& key) const;
    /// Refuses a path below a symlink an earlier entry made; `key` names the error.
    void check_not_through_symlink(const std::string& path, const std::string& key) const;
    /// Refuses a hard link entry `path` to `target` carrying data when target is a symlink.
    void check_hardlink_data(archive_entry* e, const std::string& path, const std::string& target) const;
    /// Remembers path as a symlink when the entry is one (and not a hard link).
    void note_entry(archive_entry* e, const std::string& path);
    /// Refuses an entry whose declared size alone exceeds the limit.
    void check_entry_size(archive_entry* e, const std::string& path) const;
    /// Called with the uncompressed bytes read so far.
    void account(uint64_t unpacked) const;

    /// Reads (and drops) the current entry's data block by block, so a bomb is stopped as it
    /// inflates.
    void drain(archive* a) const;
    /// Writes the current entry, its pathname already rewritten below the destination, through
    /// disk; `path` (the entry's name in the tarball) names errors. progress gets the compressed
    /// bytes read so far between blocks too (large files are where the time goes), and may throw
    /// to cancel.
    void unpack_entry(archive* a, archive* disk, archive_entry* entry, const std::string& path,
                      const std::function<void(uint64_t)>& progress) const;

    const std::filesystem::path& file() const { return file_; }

private:
    [[noreturn]] void too_large(uint64_t bytes, const std::string* entry) const;

    std::filesystem::path file_;
    const char* word_;
    uint64_t compressed_;
    uint64_t limit_;
    UnpackLimits limits_;
    std::set<std::string> symlinks_;
};

}  // namespace li
