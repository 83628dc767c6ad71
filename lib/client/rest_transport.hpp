#pragma once
// li::RestTransport: a synchronous HTTP/1.1 client for the LXD REST API 1.0, spoken by a connected
// Manager to a remote instanced (or LXD). One kept-alive connection, reused and reopened when the
// server closes it; requests are serialised by a mutex, so one transport may be shared by
// threads (a long wait holds the others up: operation watchers use clone()).
//
// Connection parameters are public (params()) so that websocket users (exec, console, events)
// can open their own connections with the same URL, client identity and server trust.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace li {

/// Where and how to connect.
struct RestConnectionParams {
    /// "unix:///abs/path/unix.socket" (trusted by the daemon, no TLS) or "https://host[:port]".
    std::string url;
    std::string client_certificate;  ///< PEM presented over TLS (empty: none)
    std::string client_key;          ///< PEM private key of client_certificate
    /// PEM the server must present (compared with the peer's certificate; no CA or host name
    /// check then). Empty: the system CAs and the host name are verified, unless
    /// server_fingerprint is set.
    std::string server_certificate;
    /// SHA-256 (lowercase hex) of the DER certificate the server must present; used before a
    /// certificate is pinned (a trust token carries it). Checked before any request is sent.
    std::string server_fingerprint;
    /// Opening a connection (TCP connect and TLS handshake, or the unix connect) gives up after
    /// this long with Timeout naming the URL. 0: no limit.
    std::chrono::milliseconds connect_timeout{30000};
    /// One request (sending it and reading the whole answer) gives up after this long with
    /// Timeout naming the URL, so a server that accepts and never answers is not a hang. Long
    /// polls (`/wait?timeout=N`) get N seconds more. 0: no limit. The environment variable
    /// LIBINSTANCE_REST_TIMEOUT (seconds) overrides both defaults.
    std::chrono::milliseconds request_timeout{120000};
};

/// The parts of a URL the transport dials.
struct RestEndpoint {
    bool unix_socket = false;
    std::string socket_path;  ///< unix
    std::string host;         ///< https (brackets of an IPv6 literal removed)
    std::string port = "8443";
};

/// Parses a connection URL; InvalidArgument naming "url" when it is neither form.
RestEndpoint parse_rest_url(std::string_view url);

/// A decoded LXD response envelope.
struct RestResponse {
    int http_status = 0;
    std::string type;          ///< "sync" or "async"
    nlohmann::json metadata;   ///< the envelope's metadata (an async one's: the operation)
    std::string operation;     ///< async: "/1.0/operations/<id>"
    std::string etag;          ///< the ETag header without quotes, when sent
    std::string location;      ///< the Location header, when sent
};

/// A raw answer (file downloads): status, headers (names lowercased) and the body as sent.
struct RestRawResponse {
    int http_status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
    /// A header's value, or "" (name in lowercase).
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// One piece of a streamed request body: bytes, or a descriptor read to its end. Pieces are sent
/// in order, so a multipart body is its framing as bytes around the files' descriptors.
struct RestUploadPiece {
    std::string bytes;              ///< sent as is when fd < 0
    int fd = -1;                    ///< read from its current offset to its end (not closed)
    std::optional<uint64_t> size;   ///< the descriptor's length, when known (else the body is chunked)
};

/// Takes a streamed answer's body, chunk by chunk, as it arrives.
using RestChunkSink = std::function<void(std::string_view chunk)>;
/// Chooses from an answer's head (status and headers; body empty) where a 2xx body goes: a sink,
/// or nullptr to keep it in memory (64 MiB at most) as request_raw does.
using RestSinkChooser = std::function<RestChunkSink(const RestRawResponse& head)>;

/// A raw answer's LXD envelope (type, metadata, operation), leniently: a body that is not one
/// gives an empty response.
RestResponse envelope_of(const RestRawResponse& raw);

class RestTransport {
public:
    explicit RestTransport(RestConnectionParams params);
    ~RestTransport();
    RestTransport(const RestTransport&) = delete;
    RestTransport& operator=(const RestTransport&) = delete;

    const RestConnectionParams& params() const { return params_; }
    const RestEndpoint& endpoint() const { return endpoint_; }
    /// A new transport with the same parameters and a connection of its own.
    std::shared_ptr<RestTransport> clone() const;

    /// Sends one request and decodes LXD's envelope. `path` is absolute ("/1.0/instances?...",
    /// already encoded); body, when not null, is sent as JSON. An error envelope (or a non-2xx
    /// status) becomes li::Error with the server's message: 400 InvalidArgument, 403
    /// PermissionDenied, 404 NotFound, 409 AlreadyExists ("already exists") else Conflict, 412
    /// Conflict (key "etag"), 501 NotSupported, 503 Busy, 504 Timeout, others Backend.
    /// Connection failures are Backend naming the URL; responses over 64 MiB are refused.
    RestResponse request(std::string_view method, std::string_view path, const nlohmann::json* body = nullptr,
                         const std::map<std::string, std::string>& headers = {});
    RestResponse get(std::string_view path) { return request("GET", path); }

    /// Sends `body` as is (Content-Type content_type, none when empty) and returns the answer
    /// undecoded unless it is an error (which throws as request() does): file transfers, image
    /// uploads and exports. Bodies are held in memory: both ways over 64 MiB are refused.
    RestRawResponse request_raw(std::string_view method, std::string_view path, std::string body,
                                std::string_view content_type, const std::map<std::string, std::string>& headers = {});

    /// request_raw() with the body streamed from pieces, never whole in memory, on a fresh
    /// connection (a body read from a pipe cannot be sent twice). No size limit; the request
    /// timeout applies to each chunk, not to the whole transfer.
    RestRawResponse request_upload(std::string_view method, std::string_view path, const std::vector<RestUploadPiece>& body,
                                   std::string_view content_type, const std::map<std::string, std::string>& headers = {});
    /// A request whose 2xx answer body goes to the sink choose() picks from the head, as it
    /// arrives (the returned response's body is then empty). An error answer throws as
    /// request() does. No size limit; the request timeout applies to each chunk.
    RestRawResponse request_download(std::string_view method, std::string_view path, const RestSinkChooser& choose,
                                     const std::map<std::string, std::string>& headers = {});

    /// Drops the connection; the next request opens a new one. Servers decide trust when a TLS
    /// connection opens, so a client just trusted must reconnect to be seen as trusted.
    void close();

    /// The PEM certificate the server presented on the last TLS connection ("" over unix).
    std::string peer_certificate();

    struct Connection;  // the open socket or TLS stream (rest_transport.cpp)

private:
    RestResponse request_locked(std::string_view method, std::string_view path, const std::string& body,
                                const std::map<std::string, std::string>& headers);
    RestRawResponse exchange_locked(std::string_view method, std::string_view path, std::string body,
                                    std::string_view content_type, const std::map<std::string, std::string>& headers,
                                    const RestSinkChooser* choose = nullptr);
    /// Opens (or reuses, unless `fresh`) the connection and runs one exchange on it, mapping
    /// failures to li::Error; retries once on a kept-alive connection the server had closed,
    /// unless part of a streamed answer was delivered already. Defined in rest_transport.cpp.
    template <class Exchange>
    RestRawResponse on_connection(std::chrono::milliseconds limit, bool fresh, Exchange&& exchange);

    RestConnectionParams params_;
    RestEndpoint endpoint_;
    std::mutex mutex_;
    std::unique_ptr<Connection> connection_;
    std::string peer_certificate_;
};

/// "path?project=NAME" (or "&project=" when path has a query already); unchanged for "".
std::string with_project(std::string path, std::string_view project);
/// Percent-encodes one path segment or query value.
std::string url_escape(std::string_view text);

}  // namespace li
