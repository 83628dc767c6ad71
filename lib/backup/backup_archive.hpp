#pragma once
// Reading and writing backup tarballs (LXD's layout, see libinstance/backup.hpp) through
// libarchive. Reading treats the archive as hostile: every entry is checked before anything is
// written (under backup/, no absolute paths, no "..", nothing through a symlink, hard links
// within their own part, special files only where a volume's files are, bounded size).

#include <archive.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "image/unpack_limits.hpp"
#include "sys/idmap.hpp"

namespace li::backup {

/// InvalidArgument (key "compression_algorithm") unless gzip, xz, zstd, bzip2 or none.
void validate_compression_algorithm(std::string_view compression);

/// Called with the bytes written or read so far, often; it may throw (e.g. Cancelled).
using Progress = std::function<void(uint64_t bytes)>;

/// A backup tarball being written (pax, numeric owners, xattrs, ACLs, hard links, symlinks,
/// device nodes as they are on disk). Nothing of it stays unless close() returns.
class ArchiveWriter {
public:
    ArchiveWriter(const std::filesystem::path& file, std::string_view compression, Progress progress);
    ~ArchiveWriter();
    ArchiveWriter(const ArchiveWriter&) = delete;
    ArchiveWriter& operator=(const ArchiveWriter&) = delete;

    void add_file(const std::string& name, std::string_view content);
    void add_dir(const std::string& name);
    /// The tree at dir as name/...; top-level entries whose names start with '.' are left out
    /// when skip_dot_entries (a driver's own files beside an instance's), as are the names in skip.
    /// With shifted_by, owners are read through that map back to the container's own ids (a
    /// running instance's rootfs seen through its idmapped view).
    void add_tree(const std::filesystem::path& dir, const std::string& name, bool skip_dot_entries,
                  const std::vector<std::string>& skip = {}, const IdMap* shifted_by = nullptr);
    /// The regular file at path (e.g. a btrfs send stream) as name.
    void add_disk_file(const std::string& name, const std::filesystem::path& path);
    /// The entry just read from source (another backup being rewritten), with its data, as it is.
    void copy_entry(archive* source, archive_entry* entry);
    void close();

private:
    void walk(const std::filesystem::path& top, const std::string& name, bool top_only, const IdMap* shifted_by);

    struct State;
    std::unique_ptr<State> state_;
};

/// The text of backup/index.yaml, which must be the archive's first entry (as LXD writes it).
/// InvalidArgument naming the file (not a tarball, empty) or the first entry (not index.yaml).
std::string read_index(const std::filesystem::path& file);

/// What an archive's parts may hold.
enum class PartKind {
    Instance,  ///< rootfs/ of a part may hold any file type; its other files only files and directories
    Volume,    ///< anything
};

/// Reads the whole archive, checking every entry (see above), writing nothing. Throws
/// InvalidArgument naming the offending entry (key: the entry's path) or the file.
void scan_backup(const std::filesystem::path& file, PartKind kind, const UnpackLimits& limits);

/// Writes the entries below `prefix` (e.g. "backup/container") into the existing directory
/// dest, without the prefix; owners, modes, times, xattrs, ACLs and special files are kept. The
/// checks of scan_backup() apply to every entry. Returns false when the archive has no such entry.
bool unpack_part(const std::filesystem::path& file, const std::string& prefix, const std::filesystem::path& dest,
                 PartKind kind, const UnpackLimits& limits, const Progress& progress);

/// Writes the data of the regular file entry `name` to fd (e.g. a pipe into btrfs receive).
/// NotFound-like InvalidArgument naming the entry when it is missing.
void extract_entry_to_fd(const std::filesystem::path& file, const std::string& name, int fd, const UnpackLimits& limits);

/// Whether the archive holds an entry `name`.
bool has_entry(const std::filesystem::path& file, const std::string& name);

}  // namespace li::backup
