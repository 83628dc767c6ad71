#include "router.hpp"

#include <cctype>
#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li::daemon {

namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    size_t start = 1;  // paths begin with '/'
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        out.emplace_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    if (!out.empty() && out.back().empty()) out.pop_back();  // "/" and a trailing slash
    return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
    std::map<std::string, std::string> out;
    size_t start = 0;
    while (start < query.size()) {
        size_t amp = query.find('&', start);
        std::string_view pair = query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        size_t eq = pair.find('=');
        if (!pair.empty()) out[unescape(pair.substr(0, eq), true)] = eq == std::string_view::npos ? "" : unescape(pair.substr(eq + 1), true);
        if (amp == std::string_view::npos) break;
        start = amp + 1;
    }
    return out;
}

// li::Error codes as LXD's HTTP statuses.
http::status status_of(ErrorCode code) {
    switch (code) {
    case ErrorCode::NotFound: return http::status::not_found;
    case ErrorCode::AlreadyExists: return http::status::conflict;
    case ErrorCode::InvalidArgument: return http::status::bad_request;
    case ErrorCode::NotSupported: return http::status::not_implemented;
    case ErrorCode::Busy: return http::status::conflict;
    case ErrorCode::Conflict: return http::status::conflict;
    case ErrorCode::PermissionDenied: return http::status::forbidden;
    case ErrorCode::Timeout: return http::status::gateway_timeout;
    case ErrorCode::Cancelled: return http::status::bad_request;
    default: return http::status::internal_server_error;
    }
}

}  // namespace

std::string unescape(std::string_view text, bool plus_is_space) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string Call::query_or(const std::string& key, const std::string& fallback) const {
    auto it = query.find(key);
    return it == query.end() ? fallback : it->second;
}

int Call::recursion() const {
    // Any depth past 2 is LXD's 2; what is not a number is none.
    std::string value = query_or("recursion", "0");
    if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoi(value);
}

std::string Call::if_match() const {
    auto it = request.find(http::field::if_match);
    if (it == request.end()) return {};
    std::string value(it->value().data(), it->value().size());
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
}

Response error_answer(const std::exception& e) {
    if (const auto* err = dynamic_cast<const Error*>(&e)) {
        // A stale If-Match is LXD's 412, whatever store refused it.
        if (err->code() == ErrorCode::Conflict && err->key() == "etag") return error_response(http::status::precondition_failed, err->what());
        return error_response(status_of(err->code()), err->what());
    }
    return error_response(http::status::internal_server_error, e.what());
}

void Router::add(http::verb method, std::string pattern, Handler handler) {
    routes_.push_back(Route{method, split_path(pattern), std::move(handler), {}});
}

void Router::add_websocket(std::string pattern, WebsocketHandler handler) {
    routes_.push_back(Route{http::verb::get, split_path(pattern), {}, std::move(handler)});
}

Reply Router::guarded(const std::function<Reply()>& fn) {
    try {
        return fn();
    } catch (const std::exception& e) {
        return error_answer(e);
    }
}

std::variant<Response, Router::Plain, Router::Upgrade> Router::route(const Request& request) const {
    std::string_view target(request.target().data(), request.target().size());
    size_t question = target.find('?');
    std::string_view path = target.substr(0, question);
    if (path.empty() || path.front() != '/') return error_response(http::status::bad_request, "invalid request target");
    std::vector<std::string> segments = split_path(path);
    bool path_known = false;
    for (const auto& route : routes_) {
        if (route.segments.size() != segments.size()) continue;
        std::map<std::string, std::string> params;
        bool match = true;
        for (size_t i = 0; i < segments.size() && match; ++i) {
            const std::string& want = route.segments[i];
            if (want.size() > 2 && want.front() == '{' && want.back() == '}') params[want.substr(1, want.size() - 2)] = unescape(segments[i]);
            else match = want == segments[i];
        }
        if (!match) continue;
        path_known = true;
        if (route.method != request.method()) continue;
        Call call{request, std::move(params), question == std::string_view::npos ? std::map<std::string, std::string>{}
                                                                                   : parse_query(target.substr(question + 1))};
        if (route.websocket) return Upgrade{&route.websocket, std::move(call)};
        return Plain{&route.handler, std::move(call)};
    }
    if (path_known)
        return error_response(http::status::not_found, fmt::format("Method \"{}\" not found", std::string(request.method_string().data(), request.method_string().size())));
    return error_response(http::status::not_found, "not found");
}

}  // namespace li::daemon
