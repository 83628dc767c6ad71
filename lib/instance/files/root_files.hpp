#pragma once
// File operations inside a container's root directory, safe against symlinks pointing out of it.
// Every path is resolved with openat2(RESOLVE_IN_ROOT) and the final step works on the resolved
// directory fd with one name component, never on a path string that could be re-resolved.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/stat.h>

#include "libinstance/instance.hpp"
#include "sys/idmap.hpp"
#include "sys/unique_fd.hpp"

namespace li::files {

/// Where the container's ids appear in this host view of its root: its id map for a shifted
/// view (raw.idmap entries included), an identity map for the plain one.
inline IdMap unshifted_view(uint64_t size = 65536) { return IdMap{{0, size}, {0, size}, {}}; }

/// A container path made relative to its root ("" for the root itself): InvalidArgument (key
/// "path") when it is not absolute, holds a NUL byte, or climbs above the root with "..".
std::string relative_path(std::string_view path);

/// One container root, open as a directory fd.
class RootFiles {
public:
    RootFiles(const std::filesystem::path& rootfs, IdMap view);

    /// Writes path from fd (read to EOF in chunks) through a temporary file renamed into place.
    void push(std::string_view path, int src_fd, const FileOptions& opts);
    /// Describes path; a regular file's content is streamed to out_fd when out_fd >= 0.
    FileInfo pull(std::string_view path, int out_fd);
    /// Removes a file, a symlink or an empty directory.
    void remove(std::string_view path);
    void mkdir(std::string_view path, const FileOptions& opts);
    void symlink(std::string_view path, std::string_view target, const FileOptions& opts);
    /// Copies the host directory `source`'s content into path (created), keeping modes and owners
    /// (opts override them); symlinks are copied as symlinks, other special files skipped.
    void push_tree(const std::filesystem::path& source, std::string_view path, const FileOptions& opts);
    /// Copies path (a directory's content, or one file) to the host path `target`, keeping modes.
    void pull_tree(std::string_view path, const std::filesystem::path& target);

private:
    UniqueFd resolve(const std::string& rel, std::string_view shown, uint64_t flags) const;
    UniqueFd parent_dir(const std::string& rel, std::string_view shown, bool create, const FileOptions& opts) const;
    void check_inside(int fd, std::string_view shown) const;
    uint32_t host_uid(uint32_t uid) const;
    uint32_t host_gid(uint32_t gid) const;
    FileInfo describe(int fd, const struct stat& st) const;

    UniqueFd root_;
    std::string root_real_;
    IdMap view_;
};

}  // namespace li::files
