#pragma once
// Request bodies that are files (image uploads, backup imports, file pushes) and answers that are
// files (image and backup exports, file pulls). A large upload arrives already in a scratch file
// (the session streams it there, see uploaded_body.hpp); a small one is in memory and is written
// to a scratch file when the library needs a file. Answers that are files are sent as they are
// read, never whole in memory.

#include <filesystem>
#include <string>
#include <string_view>

#include "response.hpp"
#include "router.hpp"

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
    /// Hands the path over to a new owner, who removes it.
    std::filesystem::path release() {
        auto path = std::move(path_);
        path_.clear();
        return path;
    }

private:
    std::filesystem::path path_;
};

/// Empties <state>/instanced/scratch: what a daemon that died left there (call before serving).
void clear_scratch(Daemon& daemon);

/// Writes data to path (truncating); System error naming the path when it cannot.
void write_file(const std::filesystem::path& path, std::string_view data);
/// A whole file's content; NotFound / System error naming the path.
std::string read_file(const std::filesystem::path& path);

/// The request's body as a file: the upload the session streamed, or the in-memory body written
/// to a scratch file. Either is removed when the last holder lets go.
std::shared_ptr<const UploadedBody> body_file(Daemon& daemon, const Call& call);
/// The request's body as text, whether in memory or streamed to a file; InvalidArgument naming
/// "body" when it is over limit bytes.
std::string body_text(const Call& call, size_t limit);
/// Whether the request carried a body at all.
bool has_body(const Call& call);

/// 200 with a file's content, sent as it is read (Content-Disposition as raw_response); keep
/// holds what must outlive the sending (a scratch file). NotFound naming the path when it cannot
/// be opened.
FileResponse file_response(const std::filesystem::path& path, std::string_view content_type = "application/octet-stream",
                           std::string_view filename = {}, std::shared_ptr<void> keep = {});

/// 200 with a raw body, as LXD answers file downloads; filename (when given) goes into
/// Content-Disposition, which `lxc image export` requires.
Response raw_response(std::string body, std::string_view content_type = "application/octet-stream",
                      std::string_view filename = {});

/// strconv.ParseBool's notion of true ("1", "t", "T", "TRUE", "true", "True"), as LXD reads
/// boolean headers such as X-LXD-public.
bool header_true(std::string_view value);

}  // namespace li::daemon
