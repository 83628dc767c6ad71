#pragma once
// File-system helpers: atomic writes, whole-tree removal and copy, path checks.

#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

namespace li {

/// Writes a file atomically (temporary file + fsync + rename).
void write_file_atomic(const std::filesystem::path& path, std::string_view content, int mode = 0644);
/// Calls fn(data, size) for each chunk of a file's content, in order.
void for_each_chunk(const std::filesystem::path& path, const std::function<void(const char*, size_t)>& fn);
/// Reads a whole (small) file; throws if larger than max_bytes.
std::string read_file(const std::filesystem::path& path, size_t max_bytes = 16 << 20);
/// Removes a tree without following symlinks or crossing into other mounts (a mount point inside,
/// even a bind mount, fails the removal naming it, with what was beside it removed); missing is fine.
void remove_tree(const std::filesystem::path& path);
/// Copies a tree preserving owners, modes, times, xattrs, hard links and special files
/// (reflinks where the file system has them).
/// A stop request kills the copy and throws Cancelled (the caller removes the partial copy).
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to, std::stop_token stop = {});
/// Opens a path below root (relative, resolved as if root were '/', never escaping it) for writing,
/// creating missing parent directories; returns an fd.
int open_in_root(const std::filesystem::path& root, std::string_view relative, int flags, int mode);

}  // namespace li
