#include "remote/http_client.hpp"

#include <chrono>
#include <exception>
#include <fmt/format.h>
#include <memory>

#include "libinstance/error.hpp"
#include "remote/curl_api.hpp"

namespace li {

namespace {

struct CurlDeleter {
    void operator()(CURL* c) const { libcurl().curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

// What the callbacks share with the transfer; an exception thrown by the sink is kept here and
// rethrown after curl has unwound (it must never cross curl's C frames).
struct Transfer {
    const HttpRequest* req = nullptr;
    const std::function<void(const char*, size_t)>* sink = nullptr;
    uint64_t received = 0;
    bool too_large = false;
    std::exception_ptr error;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

size_t on_write(char* data, size_t size, size_t nmemb, void* user) {
    auto* t = static_cast<Transfer*>(user);
    size_t n = size * nmemb;
    if (t->received + n > t->req->max_bytes) {
        t->too_large = true;
        return 0;
    }
    t->received += n;
    try {
        (*t->sink)(data, n);
    } catch (...) {
        t->error = std::current_exception();
        return 0;
    }
    return n;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->req->stop.stop_requested()) return 1;
    if (t->req->progress && now > 0) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t->started).count();
        try {
            t->req->progress(static_cast<uint64_t>(now), static_cast<uint64_t>(total),
                             secs > 0 ? static_cast<double>(now) / secs : 0.0);
        } catch (...) {
            t->error = std::current_exception();
            return 1;
        }
    }
    return 0;
}

CurlPtr make_handle(const HttpRequest& req) {
    CurlPtr curl(libcurl().curl_easy_init());
    if (!curl) throw Error(ErrorCode::Internal, "curl_easy_init failed");
    CURL* c = curl.get();
    libcurl().curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
    // Only TLS, also after redirects: the index's sha256s are only as good as the channel.
    libcurl().curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    libcurl().curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    libcurl().curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    libcurl().curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    libcurl().curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    libcurl().curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    // A stalled server fails instead of hanging for ever (under 1 kB/s for a minute).
    libcurl().curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    libcurl().curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    libcurl().curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    libcurl().curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    libcurl().curl_easy_setopt(c, CURLOPT_USERAGENT, "libinstance");
    return curl;
}

[[noreturn]] void throw_curl_error(CURLcode rc, const HttpRequest& req, const char* detail) {
    std::string what = detail && *detail ? detail : libcurl().curl_easy_strerror(rc);
    switch (rc) {
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
            throw Error(ErrorCode::PermissionDenied,
                        fmt::format("the TLS certificate of {} is not trusted ({}); give the remote the server's "
                                    "certificate to trust a self-signed server",
                                    req.url, what),
                        "certificate");
        case CURLE_OPERATION_TIMEDOUT:
            throw Error(ErrorCode::Timeout, fmt::format("fetching {}: {}", req.url, what));
        default:
            throw Error(ErrorCode::Backend, fmt::format("fetching {}: {}", req.url, what));
    }
}

void perform(const HttpRequest& req, const std::function<void(const char*, size_t)>& sink) {
    CurlPtr curl = make_handle(req);
    CURL* c = curl.get();
    Transfer t;
    t.req = &req;
    t.sink = &sink;
    char errbuf[CURL_ERROR_SIZE] = {0};
    libcurl().curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    libcurl().curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    libcurl().curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    libcurl().curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    libcurl().curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    libcurl().curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    libcurl().curl_easy_setopt(c, CURLOPT_FAILONERROR, 0L);
    if (!req.certificate.empty()) {
        curl_blob blob{const_cast<char*>(req.certificate.data()), req.certificate.size(), CURL_BLOB_COPY};
        libcurl().curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
    }
    // Refuse a body announced as too large before reading it.
    libcurl().curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_bytes));

    CURLcode rc = libcurl().curl_easy_perform(c);
    if (t.error) std::rethrow_exception(t.error);
    if (req.stop.stop_requested()) throw Error(ErrorCode::Cancelled, fmt::format("fetching {}: cancelled", req.url));
    if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED)
        throw Error::invalid("size", fmt::format("fetching {}: the response is larger than the limit of {} bytes",
                                                 req.url, req.max_bytes));
    if (rc != CURLE_OK) throw_curl_error(rc, req, errbuf);
    long status = 0;
    libcurl().curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status == 404) throw Error(ErrorCode::NotFound, fmt::format("fetching {}: not found (HTTP 404)", req.url), "url");
    if (status >= 400) throw Error(ErrorCode::Backend, fmt::format("fetching {}: HTTP status {}", req.url, status));
}

}  // namespace

std::string http_get(const HttpRequest& req) {
    std::string body;
    perform(req, [&](const char* data, size_t n) { body.append(data, n); });
    return body;
}

void http_download(const HttpRequest& req, const std::function<void(const char*, size_t)>& sink) {
    perform(req, sink);
}

std::string fetch_server_certificate(const std::string& url) {
    HttpRequest req;
    req.url = url;
    CurlPtr curl = make_handle(req);
    CURL* c = curl.get();
    // Only the handshake matters: the certificate is read, never trusted here.
    libcurl().curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    libcurl().curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    libcurl().curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
    libcurl().curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    char errbuf[CURL_ERROR_SIZE] = {0};
    libcurl().curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = libcurl().curl_easy_perform(c);
    if (rc != CURLE_OK) throw_curl_error(rc, req, errbuf);
    curl_certinfo* info = nullptr;
    if (libcurl().curl_easy_getinfo(c, CURLINFO_CERTINFO, &info) != CURLE_OK || !info || info->num_of_certs < 1)
        throw Error(ErrorCode::Backend, fmt::format("{} presented no TLS certificate", url), "url");
    for (curl_slist* s = info->certinfo[0]; s; s = s->next) {
        std::string_view line = s->data;
        if (line.starts_with("Cert:")) return std::string(line.substr(5));
    }
    throw Error(ErrorCode::Backend, fmt::format("{} presented no readable TLS certificate", url), "url");
}

}  // namespace li
