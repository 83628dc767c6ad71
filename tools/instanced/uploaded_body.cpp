#include "uploaded_body.hpp"

#include <system_error>

namespace li::daemon {

UploadedBody::~UploadedBody() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

bool is_upload(std::string_view method, std::string_view target, std::string_view content_type) {
    if (method != "POST" && method != "PUT") return false;
    if (content_type.starts_with("application/octet-stream") || content_type.starts_with("multipart/form-data")) return true;
    if (!content_type.empty()) return false;
    std::string_view path = target.substr(0, target.find('?'));
    for (std::string_view tail : {"/1.0/images", "/1.0/instances", "/1.0/containers", "/files", "/volumes/custom"})
        if (path.ends_with(tail)) return true;
    return false;
}

}  // namespace li::daemon
