#pragma once
// multipart/form-data, as split images travel: `lxc image import META ROOTFS` and pylxd upload
// parts "metadata" then "rootfs" (or "rootfs.img"), and `lxc image export` expects the same back.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace li::daemon {

struct MultipartPart {
    std::string name;      ///< the form field ("metadata", "rootfs")
    std::string filename;  ///< the file name the sender gave, or ""
    std::string_view data; ///< points into the body parsed
};

/// The boundary of a multipart Content-Type; "" when content_type is not multipart/form-data.
std::string multipart_boundary(std::string_view content_type);
/// The parts of body; InvalidArgument (key "body") when it is not well-formed multipart.
std::vector<MultipartPart> parse_multipart(std::string_view body, std::string_view boundary);

/// One part of a multipart body written from a file.
struct MultipartFilePart {
    std::string name;
    std::string filename;
    std::filesystem::path content;
};
/// Writes a multipart body of parts to out (created 0600) and returns the boundary it uses; the
/// files are copied in the kernel, never read into memory. System error naming the path.
std::string write_multipart(const std::filesystem::path& out, const std::vector<MultipartFilePart>& parts);

}  // namespace li::daemon
