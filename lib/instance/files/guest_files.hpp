#pragma once
// File operations inside a running VM, through its guest agent: the same calls as RootFiles makes
// on a container's root, so Instance::file_*() serve both kinds alike.

#include <filesystem>
#include <memory>
#include <string_view>

#include "libinstance/instance.hpp"

namespace li {
class VmAgentClient;
}

namespace li::files {

class GuestFiles {
public:
    explicit GuestFiles(std::shared_ptr<VmAgentClient> agent);

    void push(std::string_view path, int src_fd, const FileOptions& opts);
    FileInfo pull(std::string_view path, int out_fd);
    void remove(std::string_view path);
    void mkdir(std::string_view path, const FileOptions& opts);
    void symlink(std::string_view path, std::string_view target, const FileOptions& opts);
    /// RootFiles::push_tree's semantics: the host directory's content into path, modes kept
    /// (opts override them), symlinks as symlinks, other special files skipped.
    void push_tree(const std::filesystem::path& source, std::string_view path, const FileOptions& opts);
    /// RootFiles::pull_tree's semantics: path (a directory's content, or one file) to target.
    void pull_tree(std::string_view path, const std::filesystem::path& target);

private:
    void push_entry(const std::filesystem::path& source, const std::string& path, const FileOptions& opts);
    void pull_entry(const std::string& path, const std::filesystem::path& target);

    std::shared_ptr<VmAgentClient> agent_;
};

}  // namespace li::files
