#pragma once
// The agent's file calls: plain POSIX on guest paths, each returning 0 or an errno.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "vmagent/protocol.hpp"

namespace vmagent {

struct StatResult {
    FileType type = FileType::Other;
    uint32_t uid = 0, gid = 0, mode = 0;
    uint64_t size = 0;
    std::string target;
    std::vector<std::string> entries;  // sorted
};

/// Owner, mode and parents of what is created (the has-flags of protocol.hpp).
struct CreateOptions {
    uint32_t has = 0;
    uint32_t uid = 0, gid = 0, mode = 0;
};

int file_stat(const std::string& path, StatResult& out);
/// Opens a regular file for reading (non-blocking-safe: fifos and devices are refused).
int file_open_read(const std::string& path, int& fd);
/// Opens a temporary file beside path for writing; file_commit renames it into place.
int file_begin_write(const std::string& path, const CreateOptions& opts, int& fd, std::string& temp);
int file_commit(int fd, const std::string& temp, const std::string& path);
int file_mkdir(const std::string& path, const CreateOptions& opts);
int file_symlink(const std::string& path, const std::string& target, const CreateOptions& opts);
int file_remove(const std::string& path);

}  // namespace vmagent
