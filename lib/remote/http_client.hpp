#pragma once
// A small HTTPS client over libcurl: GET into memory or a sink, with a size limit, progress and
// cancellation through a stop token. TLS verification is always on.

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

namespace li {

struct HttpRequest {
    std::string url;
    /// PEM certificate(s) to trust instead of the system CAs (a self-signed server); empty: the
    /// system CAs.
    std::string certificate;
    /// Bodies larger than this fail (InvalidArgument, key "size") before more is read.
    uint64_t max_bytes = uint64_t{1} << 20;
    std::stop_token stop;
    /// Called as data arrives: bytes so far, total (0 when unknown), average bytes per second.
    std::function<void(uint64_t done, uint64_t total, double bytes_per_second)> progress;
};

/// GETs url into memory. Errors: Cancelled; PermissionDenied (key "certificate") when the
/// server's certificate is not trusted; NotFound for HTTP 404; Backend for other HTTP statuses and
/// transfer failures; each message names the URL.
std::string http_get(const HttpRequest& req);
/// GETs url and hands the body to sink chunk by chunk (sink may throw to stop the transfer).
void http_download(const HttpRequest& req, const std::function<void(const char*, size_t)>& sink);
/// The certificate a TLS server presents (PEM), fetched without verifying it.
std::string fetch_server_certificate(const std::string& url);

}  // namespace li
