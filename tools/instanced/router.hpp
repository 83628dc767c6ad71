#pragma once
// The route table: (method, path pattern) -> handler. Patterns are LXD's paths with `{name}`
// segments, matched against the encoded path (a segment is unescaped for the handler), as LXD's
// router does; an unknown path is 404 "not found", a known path with another method 404
// `Method "X" not found`.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "response.hpp"

namespace li::daemon {

using Request = http::request<http::string_body>;

/// What a handler gets: the request, its path parameters and its query parameters.
struct Call {
    const Request& request;
    std::map<std::string, std::string> params;  ///< from the pattern's {name} segments, unescaped
    std::map<std::string, std::string> query;   ///< unescaped
};

using Handler = std::function<Response(const Call&)>;

class Router {
public:
    void add(http::verb method, std::string pattern, Handler handler);
    /// The handler's answer, or LXD's 404s; a handler's li::Error becomes its HTTP status.
    Response dispatch(const Request& request) const;

private:
    struct Route {
        http::verb method;
        std::vector<std::string> segments;
        Handler handler;
    };
    std::vector<Route> routes_;
};

/// %XX-decoding of a path segment or query value ('+' stays '+' in paths, is ' ' in queries).
std::string unescape(std::string_view text, bool plus_is_space = false);

}  // namespace li::daemon
