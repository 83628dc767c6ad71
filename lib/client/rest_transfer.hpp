#pragma once
// Files that travel over REST whole (image, backup and instance-file transfers), streamed by the
// transport: never whole in memory, with no size limit of the client's own.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "client/rest_transport.hpp"

namespace li::rest {

/// GET path's body into target, written to a temporary name beside it (mode 0600) and renamed
/// into place once complete, so a failed download leaves nothing. Returns the answer's head.
RestRawResponse download_to_file(RestTransport& rest, std::string_view path, const std::filesystem::path& target);

/// Sends file as the body of method path (Content-Type content_type); NotFound naming field when
/// the file cannot be read. Returns the answer (an error answer throws).
RestRawResponse upload_file(RestTransport& rest, std::string_view method, std::string_view path, const std::filesystem::path& file,
                            std::string_view field, std::string_view content_type,
                            const std::map<std::string, std::string>& headers = {});

/// Writes all of data to fd; System error naming what when it cannot.
void write_all(int fd, std::string_view data, std::string_view what);

}  // namespace li::rest
