#pragma once
// A request body the session streamed to a file instead of holding it in memory: uploads (images,
// backups, instance files) may be gigabytes, so an octet-stream or multipart body larger than
// kInMemoryUploadBytes (or sent chunked) goes to the daemon's scratch directory as it arrives.
// Handlers read a body through body_file()/body_text(), which serve both kinds alike.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

namespace li::daemon {

/// Bodies up to this size stay in memory even when they are uploads.
inline constexpr uint64_t kInMemoryUploadBytes = uint64_t{1} << 20;

/// The file holding one request's body; removed when the last holder lets go (an operation that
/// imports it keeps it alive until it has).
class UploadedBody {
public:
    UploadedBody(std::filesystem::path path, uint64_t size) : path_(std::move(path)), size_(size) {}
    ~UploadedBody();
    UploadedBody(const UploadedBody&) = delete;
    UploadedBody& operator=(const UploadedBody&) = delete;

    const std::filesystem::path& path() const { return path_; }
    uint64_t size() const { return size_; }
    void set_size(uint64_t size) { size_ = size; }  ///< once the whole body is written

private:
    std::filesystem::path path_;
    uint64_t size_;
};

/// Whether a request is an upload whose body may be streamed to a file: an octet-stream or
/// multipart POST/PUT, or an unlabelled one to an endpoint that takes files (pylxd sends image,
/// backup and file uploads with no Content-Type). JSON bodies never are.
bool is_upload(std::string_view method, std::string_view target, std::string_view content_type);

}  // namespace li::daemon
