#include "client/rest_transport.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <algorithm>
#include <cerrno>
#include <limits>
#include <optional>
#include <unistd.h>

#include "client/rest_connect.hpp"
#include "client/tls_identity.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using nlohmann::json;

namespace {

// A response body is one JSON document; anything bigger is a broken or hostile server.
constexpr uint64_t kMaxBodyBytes = uint64_t{64} << 20;
constexpr uint32_t kMaxHeaderBytes = 64 * 1024;

ErrorCode code_for_status(int status, const std::string& message) {
    switch (status) {
        case 400: return ErrorCode::InvalidArgument;
        case 403: return ErrorCode::PermissionDenied;
        case 404: return ErrorCode::NotFound;
        // instanced answers AlreadyExists, Busy and Conflict all with 409; the message tells them apart.
        case 409: return message.find("already exists") != std::string::npos ? ErrorCode::AlreadyExists : ErrorCode::Conflict;
        case 412: return ErrorCode::Conflict;
        case 501: return ErrorCode::NotSupported;
        case 503: return ErrorCode::Busy;
        case 504: return ErrorCode::Timeout;
        default: return ErrorCode::Backend;
    }
}

std::string pem_of(X509* cert) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(bio.get(), cert);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
}

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

RestEndpoint parse_rest_url(std::string_view url) {
    RestEndpoint ep;
    if (url.starts_with("unix://")) {
        ep.unix_socket = true;
        ep.socket_path = std::string(url.substr(7));
        if (ep.socket_path.empty() || ep.socket_path.front() != '/')
            throw Error::invalid("url", fmt::format("\"{}\": a unix URL needs an absolute socket path (unix:///path/unix.socket)", url));
        return ep;
    }
    if (!url.starts_with("https://"))
        throw Error::invalid("url", fmt::format("\"{}\" must start with https:// or unix://", url));
    std::string_view rest = url.substr(8);
    rest = rest.substr(0, rest.find('/'));
    if (rest.starts_with('[')) {  // [v6]:port
        auto close = rest.find(']');
        if (close == std::string_view::npos) throw Error::invalid("url", fmt::format("\"{}\": unclosed '['", url));
        ep.host = std::string(rest.substr(1, close - 1));
        if (rest.size() > close + 1 && rest[close + 1] == ':') ep.port = std::string(rest.substr(close + 2));
    } else {
        auto colon = rest.rfind(':');
        ep.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) ep.port = std::string(rest.substr(colon + 1));
    }
    if (ep.host.empty()) throw Error::invalid("url", fmt::format("\"{}\" has no host", url));
    if (ep.port.empty() || ep.port.find_first_not_of("0123456789") != std::string::npos)
        throw Error::invalid("url", fmt::format("\"{}\" has a bad port", url));
    return ep;
}

std::string url_escape(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::string with_project(std::string path, std::string_view project) {
    if (project.empty()) return path;
    path += path.find('?') == std::string::npos ? '?' : '&';
    return path + "project=" + url_escape(project);
}

// One open connection and the io_context its requests run on.
struct RestTransport::Connection {
    asio::io_context io;
    std::optional<RestStream> stream;  // set once open (ssl streams move but do not assign)
    boost::beast::flat_buffer buffer;
    bool used = false;  // a reused connection may have been closed by the server meanwhile

    template <class Fn>
    auto with_stream(Fn&& fn) {
        if (stream->unix_socket) return fn(*stream->unix_socket);
        return fn(*stream->tls);
    }
};

void RestStream::close() {
    boost::system::error_code ignored;
    if (unix_socket) unix_socket->close(ignored);
    if (tls) tls->lowest_layer().close(ignored);
}

RestTransport::RestTransport(RestConnectionParams params) : params_(std::move(params)), endpoint_(parse_rest_url(params_.url)) {
    // Lets tests (and impatient users) shorten both limits without an API of their own.
    if (const char* env = std::getenv("LIBINSTANCE_REST_TIMEOUT"); env != nullptr && *env != '\0') {
        double seconds = std::strtod(env, nullptr);
        if (seconds > 0) params_.connect_timeout = params_.request_timeout = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    }
}

RestTransport::~RestTransport() = default;

std::shared_ptr<RestTransport> RestTransport::clone() const { return std::make_shared<RestTransport>(params_); }

void RestTransport::close() {
    std::lock_guard lock(mutex_);
    connection_.reset();
}

std::string RestTransport::peer_certificate() {
    std::lock_guard lock(mutex_);
    if (!connection_ && !endpoint_.unix_socket) {
        // Connect to learn it.
        request_locked("GET", "/1.0", {}, {});
    }
    return peer_certificate_;
}

namespace {

// How long one step of an exchange may take: the whole request for plain ones, each chunk for
// streamed ones (which reset it on progress, so a slow but moving transfer is not cut off).
struct StepClock {
    std::chrono::milliseconds limit;
    std::chrono::steady_clock::time_point deadline;
    explicit StepClock(std::chrono::milliseconds l) : limit(l) { reset(); }
    void reset() { deadline = std::chrono::steady_clock::now() + limit; }
    std::chrono::milliseconds left() const {
        if (limit.count() <= 0) return std::chrono::milliseconds(0);
        auto rest = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        return std::max(rest, std::chrono::milliseconds(1));
    }
};

Error timed_out(const RestConnectionParams& params, const char* what, std::chrono::milliseconds limit) {
    return Error(ErrorCode::Timeout,
                 fmt::format("{}: no {} within {} s (is the server up and answering?)", params.url, what,
                             std::chrono::duration_cast<std::chrono::seconds>(limit + std::chrono::milliseconds(999)).count()),
                 "url");
}

void throw_if_failed(const boost::system::error_code& ec) {
    if (ec) throw boost::system::system_error(ec);
}

}  // namespace

// Opens a connection as the parameters say; the server's certificate is checked before
// anything is sent (a token's secret must not reach an impostor).
RestStream open_rest_stream(asio::io_context& io, const RestConnectionParams& params, const RestEndpoint& ep) {
    RestStream s;
    boost::system::error_code ec;
    StepClock clock(params.connect_timeout);  // one deadline for the whole opening
    auto left = [&] { return clock.left(); };
    if (ep.unix_socket) {
        auto& socket = s.unix_socket.emplace(io);
        if (!run_with_limit(io, s, left(), ec, [&](auto handler) {
                socket.async_connect(asio::local::stream_protocol::endpoint(ep.socket_path), handler);
            }))
            throw timed_out(params, "connection", params.connect_timeout);
        throw_if_failed(ec);
        return s;
    }
    auto& ctx = *(s.tls_context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client));
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                    asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    if (!params.client_certificate.empty()) {
        ctx.use_certificate_chain(asio::buffer(params.client_certificate));
        ctx.use_private_key(asio::buffer(params.client_key), asio::ssl::context::pem);
    }
    bool pinned = !params.server_certificate.empty() || !params.server_fingerprint.empty();
    if (pinned) {
        ctx.set_verify_mode(asio::ssl::verify_none);  // compared with the pinned one below
    } else {
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(asio::ssl::verify_peer);
        ctx.set_verify_callback(asio::ssl::host_name_verification(ep.host));
    }
    auto& stream = s.tls.emplace(io, ctx);
    if (!is_ip_literal(ep.host)) SSL_set_tlsext_host_name(stream.native_handle(), ep.host.c_str());
    asio::ip::tcp::resolver resolver(io);
    auto addresses = resolver.resolve(ep.host, ep.port);
    if (!run_with_limit(io, s, left(), ec, [&](auto handler) { asio::async_connect(stream.next_layer(), addresses, handler); }))
        throw timed_out(params, "connection", params.connect_timeout);
    throw_if_failed(ec);
    if (!run_with_limit(io, s, left(), ec, [&](auto handler) { stream.async_handshake(asio::ssl::stream_base::client, handler); }))
        throw timed_out(params, "TLS handshake", params.connect_timeout);
    throw_if_failed(ec);

    X509* peer = SSL_get_peer_certificate(stream.native_handle());
    if (!peer) throw Error(ErrorCode::PermissionDenied, fmt::format("{} presented no certificate", params.url), "server_certificate");
    s.peer_pem = pem_of(peer);
    X509_free(peer);
    if (pinned) {
        std::string fingerprint = tls::sha256_hex(tls::pem_to_der(s.peer_pem, "server_certificate"));
        std::string expected = params.server_fingerprint;
        if (!params.server_certificate.empty())
            expected = tls::sha256_hex(tls::pem_to_der(params.server_certificate, "server_certificate"));
        if (fingerprint != expected)
            throw Error(ErrorCode::PermissionDenied,
                        fmt::format("the certificate of {} (fingerprint {}) is not the trusted one (fingerprint {})", params.url,
                                    fingerprint, expected),
                        params.server_certificate.empty() ? "fingerprint" : "server_certificate");
    }
    return s;
}

namespace {

RestResponse decode(const RestRawResponse& res) {
    RestResponse out;
    out.http_status = res.http_status;
    out.etag = res.header("etag");
    if (out.etag.size() >= 2 && out.etag.front() == '"' && out.etag.back() == '"') out.etag = out.etag.substr(1, out.etag.size() - 2);
    out.location = res.header("location");
    json doc = res.body.empty() ? json() : json::parse(res.body, nullptr, false);
    bool ok_status = out.http_status >= 200 && out.http_status < 300;
    if (doc.is_discarded() || (!doc.is_object() && !ok_status)) {
        std::string text = res.body.substr(0, 200);
        throw Error(code_for_status(out.http_status, text),
                    fmt::format("server answered {} with no LXD response{}{}", out.http_status, text.empty() ? "" : ": ", text));
    }
    if (!doc.is_object()) return out;
    out.type = doc.value("type", "");
    if (out.type == "error" || !ok_status) {
        int status = doc.value("error_code", out.http_status);
        std::string message = doc.value("error", "");
        if (message.empty()) message = fmt::format("server answered {}", status);
        throw Error(code_for_status(status, message), message, status == 412 ? "etag" : "");
    }
    if (doc.contains("metadata")) out.metadata = doc["metadata"];
    if (doc.contains("operation") && doc["operation"].is_string()) out.operation = doc["operation"];
    return out;
}

bool connection_dropped(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

RestResponse RestTransport::request(std::string_view method, std::string_view path, const json* body,
                                    const std::map<std::string, std::string>& headers) {
    std::lock_guard lock(mutex_);
    return request_locked(method, path, body ? body->dump() : std::string(), headers);
}

RestRawResponse RestTransport::request_raw(std::string_view method, std::string_view path, std::string body,
                                          std::string_view content_type, const std::map<std::string, std::string>& headers) {
    if (body.size() > kMaxBodyBytes)
        throw Error(ErrorCode::NotSupported,
                    fmt::format("{}: a request body of {} bytes is over the 64 MiB this client sends", params_.url, body.size()), "body");
    std::lock_guard lock(mutex_);
    RestRawResponse res = exchange_locked(method, path, std::move(body), content_type, headers);
    if (res.http_status < 200 || res.http_status >= 300) decode(res);  // throws the server's error
    return res;
}

RestResponse RestTransport::request_locked(std::string_view method, std::string_view path, const std::string& body,
                                           const std::map<std::string, std::string>& headers) {
    return decode(exchange_locked(method, path, body, body.empty() ? "" : "application/json", headers));
}

namespace {

template <class Fields>
void copy_headers(const Fields& fields, RestRawResponse& out) {
    for (const auto& field : fields) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.headers[name] = std::string(field.value());
    }
}

template <class Message>
void prepare_request(Message& req, std::string_view method, std::string_view path, const RestEndpoint& endpoint,
                     std::string_view content_type, const std::map<std::string, std::string>& headers) {
    req.method(http::string_to_verb(boost::beast::string_view(method.data(), method.size())));
    if (req.method() == http::verb::unknown) throw Error::invalid("method", fmt::format("unknown HTTP method \"{}\"", method));
    req.target(std::string(path));
    req.version(11);
    req.set(http::field::host, endpoint.unix_socket ? std::string("unix.socket") : endpoint.host);
    req.set(http::field::user_agent, "libinstance");
    req.keep_alive(true);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!content_type.empty()) req.set(http::field::content_type, std::string(content_type));
}

// What one exchange works with: the connection's stream and buffer, and its clock.
struct ExchangeContext {
    asio::io_context& io;
    RestStream& rs;
    boost::beast::flat_buffer& buffer;
    StepClock& clock;
    const RestConnectionParams& params;
    bool& delivered;  // set once part of a streamed answer went to its sink: no retry after that

    template <class Start>
    void step(Start&& start) {
        boost::system::error_code ec;
        if (!run_with_limit(io, rs, clock.left(), ec, std::forward<Start>(start))) throw timed_out(params, "answer", clock.limit);
        throw_if_failed(ec);
    }
};

// Reads one answer: whole into memory (64 MiB at most), or with a 2xx body streamed to the sink
// `choose` picks from the head.
template <class Stream>
RestRawResponse read_answer(Stream& stream, ExchangeContext& x, const RestSinkChooser* choose, bool per_chunk, bool& keep_alive) {
    http::response_parser<http::empty_body> head;
    head.header_limit(kMaxHeaderBytes);
    // Beast checks a declared length against the limit while reading the header; the limit is
    // set once the head says where the body goes.
    head.body_limit(std::numeric_limits<std::uint64_t>::max());
    x.step([&](auto handler) { http::async_read_header(stream, x.buffer, head, handler); });
    RestRawResponse out;
    out.http_status = static_cast<int>(head.get().result_int());
    copy_headers(head.get(), out);
    keep_alive = head.get().keep_alive();
    RestChunkSink sink;
    if (choose && out.http_status >= 200 && out.http_status < 300) sink = (*choose)(out);
    if (!sink) {
        http::response_parser<http::string_body> parser(std::move(head));
        parser.body_limit(kMaxBodyBytes);
        // A declared length over the limit is refused before any of the body is read.
        if (auto length = parser.content_length(); length && *length > kMaxBodyBytes)
            throw boost::system::system_error(http::error::body_limit);
        x.step([&](auto handler) { http::async_read(stream, x.buffer, parser, handler); });
        out.body = std::move(parser.get().body());
        return out;
    }
    http::response_parser<http::buffer_body> parser(std::move(head));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    std::vector<char> chunk(256 * 1024);
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        boost::system::error_code ec;
        if (!run_with_limit(x.io, x.rs, x.clock.left(), ec, [&](auto handler) { http::async_read(stream, x.buffer, parser, handler); }))
            throw timed_out(x.params, "answer", x.clock.limit);
        if (ec == http::error::need_buffer) ec = {};
        throw_if_failed(ec);
        size_t n = chunk.size() - parser.get().body().size;
        if (n > 0) {
            x.delivered = true;
            sink(std::string_view(chunk.data(), n));
        }
        if (per_chunk) x.clock.reset();
    }
    return out;
}

}  // namespace

template <class Exchange>
RestRawResponse RestTransport::on_connection(std::chrono::milliseconds limit, bool fresh, Exchange&& exchange) {
    if (fresh) connection_.reset();
    for (int attempt = 0;; attempt++) {
        bool reused = false;
        bool delivered = false;
        try {
            if (!connection_) {
                auto c = std::make_unique<Connection>();
                c->stream.emplace(open_rest_stream(c->io, params_, endpoint_));
                peer_certificate_ = c->stream->peer_pem;
                connection_ = std::move(c);
            }
            reused = connection_->used;
            connection_->used = true;
            StepClock clock(limit);
            ExchangeContext x{connection_->io, *connection_->stream, connection_->buffer, clock, params_, delivered};
            bool keep_alive = true;
            RestRawResponse out = connection_->with_stream([&](auto& stream) { return exchange(stream, x, keep_alive); });
            if (!keep_alive) connection_.reset();
            return out;  // an error envelope keeps the connection
        } catch (const boost::system::system_error& e) {
            connection_.reset();
            // A kept-alive connection the server closed while idle: open a new one, once.
            if (reused && attempt == 0 && !delivered && connection_dropped(e.code())) continue;
            if (e.code() == http::error::body_limit)
                throw Error(ErrorCode::Backend, fmt::format("{}: the response is larger than 64 MiB", params_.url));
            throw Error(ErrorCode::Backend, fmt::format("{}: {}", params_.url, e.code().message()), "url");
        } catch (...) {
            connection_.reset();
            throw;
        }
    }
}

RestRawResponse RestTransport::exchange_locked(std::string_view method, std::string_view path, std::string body,
                                               std::string_view content_type,
                                               const std::map<std::string, std::string>& headers, const RestSinkChooser* choose) {
    http::request<http::string_body> req;
    prepare_request(req, method, path, endpoint_, content_type, headers);
    req.body() = std::move(body);
    req.prepare_payload();

    // Long polls are allowed their own timeout on top of the request's.
    std::chrono::milliseconds limit = params_.request_timeout;
    if (auto at = path.find("/wait?timeout="); limit.count() > 0 && at != std::string_view::npos) {
        long seconds = std::strtol(std::string(path.substr(at + 14)).c_str(), nullptr, 10);
        if (seconds < 0) limit = std::chrono::milliseconds(0);
        else limit += std::chrono::seconds(seconds);
    }
    return on_connection(limit, false, [&](auto& stream, ExchangeContext& x, bool& keep_alive) {
        x.step([&](auto handler) { http::async_write(stream, req, handler); });
        return read_answer(stream, x, choose, choose != nullptr, keep_alive);
    });
}

RestRawResponse RestTransport::request_download(std::string_view method, std::string_view path, const RestSinkChooser& choose,
                                                const std::map<std::string, std::string>& headers) {
    std::lock_guard lock(mutex_);
    RestRawResponse res = exchange_locked(method, path, {}, {}, headers, &choose);
    if (res.http_status < 200 || res.http_status >= 300) decode(res);  // throws the server's error
    return res;
}

RestRawResponse RestTransport::request_upload(std::string_view method, std::string_view path, const std::vector<RestUploadPiece>& body,
                                              std::string_view content_type, const std::map<std::string, std::string>& headers) {
    std::lock_guard lock(mutex_);
    http::request<http::buffer_body> req;
    prepare_request(req, method, path, endpoint_, content_type, headers);
    std::optional<uint64_t> total = 0;
    for (const auto& piece : body) {
        if (piece.fd < 0) *total += piece.bytes.size();
        else if (piece.size && total) *total += *piece.size;
        else total.reset();
    }
    if (total) req.content_length(*total);
    else req.chunked(true);
    RestRawResponse res = on_connection(params_.request_timeout, true, [&](auto& stream, ExchangeContext& x, bool& keep_alive) {
        http::request_serializer<http::buffer_body> serializer(req);
        auto send = [&](const char* data, size_t size, bool more) {
            req.body().data = const_cast<char*>(data);
            req.body().size = size;
            req.body().more = more;
            boost::system::error_code ec;
            if (!run_with_limit(x.io, x.rs, x.clock.left(), ec, [&](auto handler) { http::async_write(stream, serializer, handler); }))
                throw timed_out(x.params, "answer", x.clock.limit);
            if (ec == http::error::need_buffer) ec = {};
            throw_if_failed(ec);
            x.clock.reset();
        };
        try {
            req.body().data = nullptr;
            req.body().more = true;
            x.step([&](auto handler) { http::async_write_header(stream, serializer, handler); });
            std::vector<char> chunk(256 * 1024);
            for (const auto& piece : body) {
                if (piece.fd < 0) {
                    if (!piece.bytes.empty()) send(piece.bytes.data(), piece.bytes.size(), true);
                    continue;
                }
                for (;;) {
                    ssize_t n = ::read(piece.fd, chunk.data(), chunk.size());
                    if (n < 0 && errno == EINTR) continue;
                    if (n < 0) throw Error::from_errno("reading the body to send", errno);
                    if (n == 0) break;
                    send(chunk.data(), static_cast<size_t>(n), true);
                }
            }
            send(nullptr, 0, false);
        } catch (const boost::system::system_error&) {
            // A server that refuses an upload (413, a bad tarball) may answer before it has read
            // it all and close: its answer says more than the broken pipe.
            try {
                return read_answer(stream, x, nullptr, false, keep_alive);
            } catch (...) {
            }
            throw;
        }
        return read_answer(stream, x, nullptr, false, keep_alive);
    });
    if (res.http_status < 200 || res.http_status >= 300) decode(res);  // throws the server's error
    return res;
}

RestResponse envelope_of(const RestRawResponse& raw) {
    RestResponse response;
    auto doc = nlohmann::json::parse(raw.body, nullptr, false);
    if (doc.is_object()) {
        response.type = doc.value("type", "");
        if (doc.contains("metadata")) response.metadata = doc["metadata"];
        if (doc.contains("operation") && doc["operation"].is_string()) response.operation = doc["operation"];
    }
    return response;
}

}  // namespace li
