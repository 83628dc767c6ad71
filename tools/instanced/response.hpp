#pragma once
// LXD's response envelopes (sync, error) as HTTP responses: every key always present, the error
// code equal to the HTTP status, as lxd/response/response.go sends them.

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace li::daemon {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;

/// An answer whose body is a file, sent as it is read (exports and file pulls may be gigabytes);
/// `keep` holds what must outlive the sending, such as a scratch file.
struct FileResponse {
    http::response<http::file_body> message;
    std::shared_ptr<void> keep;
};

/// A sync answer: 200 with the metadata (201 + Location for creates).
Response sync_response(const nlohmann::json& metadata, http::status status = http::status::ok);
/// An error answer with LXD's envelope.
Response error_response(http::status status, std::string_view message);

}  // namespace li::daemon
