#pragma once
// Request bodies that are files (image uploads, backup imports) and answers that are files (image
// and backup exports). Bodies arrive whole in memory (the session's body limit, 64 MiB by
// default, bounds them); the library reads files, so they are written to a scratch directory of
// the daemon's own under the state directory first.

#include <filesystem>
#include <string>
#include <string_view>

#include "response.hpp"

namespace li::daemon {

class Daemon;

/// <state>/instanced/<what>, created on first use (mode 0700: uploads are nobody else's).
std::filesystem::path daemon_dir(Daemon& daemon, std::string_view what);

/// A fresh, empty file or directory path in <state>/instanced/scratch, removed (recursively)
/// when the object goes, so nothing is left behind when an import fails.
class ScratchPath {
public:
    explicit ScratchPath(Daemon& daemon, std::string_view suffix = {});
    ScratchPath(ScratchPath&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
    ScratchPath(const ScratchPath&) = delete;
    ScratchPath& operator=(const ScratchPath&) = delete;
    ~ScratchPath();
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// Empties <state>/instanced/scratch: what a daemon that died left there (call before serving).
void clear_scratch(Daemon& daemon);

/// Writes data to path (truncating); System error naming the path when it cannot.
void write_file(const std::filesystem::path& path, std::string_view data);
/// A whole file's content; NotFound / System error naming the path.
std::string read_file(const std::filesystem::path& path);

/// 200 with a raw body, as LXD answers file downloads; filename (when given) goes into
/// Content-Disposition, which `lxc image export` requires.
Response raw_response(std::string body, std::string_view content_type = "application/octet-stream",
                      std::string_view filename = {});

/// strconv.ParseBool's notion of true ("1", "t", "T", "TRUE", "true", "True"), as LXD reads
/// boolean headers such as X-LXD-public.
bool header_true(std::string_view value);

}  // namespace li::daemon
