#pragma once
// The route table: (method, path pattern) -> handler. Patterns are LXD's paths with `{name}`
// segments, matched against the encoded path (a segment is unescaped for the handler), as LXD's
// router does; an unknown path is 404 "not found", a known path with another method 404
// `Method "X" not found`.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "response.hpp"
#include "uploaded_body.hpp"

namespace li::daemon {

using Request = http::request<http::string_body>;
class Websocket;

/// Who is asking. The unix socket is trusted (as in LXD); over HTTPS a client is trusted when its
/// certificate is in the trust store, and a restricted one only for its projects.
struct Identity {
    bool trusted = true;
    bool restricted = false;
    std::vector<std::string> projects;
    bool tls = false;
    std::string certificate_der;  ///< the HTTPS client's certificate ("" on the unix socket)
    std::string fingerprint;      ///< its SHA-256
};

/// What a handler gets: the request, its path parameters and its query parameters.
struct Call {
    const Request& request;
    std::map<std::string, std::string> params;  ///< from the pattern's {name} segments, unescaped
    std::map<std::string, std::string> query;   ///< unescaped
    const Identity* identity = nullptr;          ///< set by the session; never null in a handler
    /// The body when the session streamed it to a file (request.body() is then empty); read
    /// bodies through body_file() / body_text(), which serve both kinds.
    std::shared_ptr<const UploadedBody> upload;

    /// A query parameter, or fallback when absent.
    std::string query_or(const std::string& key, const std::string& fallback = {}) const;
    /// The project the request names (?project=), "default" when none.
    std::string project() const { return query_or("project", "default"); }
    /// recursion=N as a number (0 when absent or not a number).
    int recursion() const;
    /// The If-Match value without its quotes ("" when absent).
    std::string if_match() const;
};

/// An answer that is not ready yet: run on the I/O context (io), it starts waiting without blocking
/// and calls respond once, on that context.
using Deferred = std::function<void(boost::asio::any_io_executor io, std::function<void(Response)> respond)>;
using Reply = std::variant<Response, Deferred, FileResponse>;

/// A plain route's handler. It runs on the worker pool, never on the I/O thread, so it may read the
/// database; work longer than that goes to an operation.
using Handler = std::function<Reply(const Call&)>;

/// A websocket route's answer: a refusal, or what to do with the websocket once it is open.
struct WebsocketAnswer {
    std::optional<Response> refusal;
    std::function<void(std::shared_ptr<Websocket>)> on_open;
};
/// A websocket route's handler; it runs on the I/O thread and must not block.
using WebsocketHandler = std::function<WebsocketAnswer(const Call&)>;

class Router {
public:
    void add(http::verb method, std::string pattern, Handler handler);
    void add_websocket(std::string pattern, WebsocketHandler handler);

    /// Where a request goes: an answer right away (LXD's 404s), or a handler with its call.
    struct Plain {
        const Handler* handler;
        Call call;
    };
    struct Upgrade {
        const WebsocketHandler* handler;
        Call call;
    };
    std::variant<Response, Plain, Upgrade> route(const Request& request) const;

    /// Runs fn, turning a li::Error (or any exception) into LXD's error answer.
    static Reply guarded(const std::function<Reply()>& fn);

private:
    struct Route {
        http::verb method;
        std::vector<std::string> segments;
        Handler handler;
        WebsocketHandler websocket;
    };
    std::vector<Route> routes_;
};

/// The answer for a li::Error: its HTTP status (412 for a stale ETag) in LXD's envelope.
Response error_answer(const std::exception& e);

/// %XX-decoding of a path segment or query value ('+' stays '+' in paths, is ' ' in queries).
std::string unescape(std::string_view text, bool plus_is_space = false);

}  // namespace li::daemon
