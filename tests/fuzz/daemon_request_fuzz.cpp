// libFuzzer target for instanced's request intake: bytes off the socket go through Beast's HTTP
// parser with the daemon's limits, then the router (path split, %-decoding, query parsing), the
// `filter=` language, and the multipart reader for uploads. Refusals (li::Error, parser errors)
// are the expected outcome; a crash, a sanitizer report or another exception is a finding.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "instance_filter.hpp"
#include "libinstance/error.hpp"
#include "multipart.hpp"
#include "router.hpp"

namespace http = boost::beast::http;
using namespace li::daemon;

namespace {

const Router& router() {
    static Router r = [] {
        Router r;
        Handler none = [](const Call&) -> Reply { return sync_response(nullptr); };
        for (const char* p : {"/1.0", "/1.0/instances", "/1.0/instances/{name}", "/1.0/instances/{name}/files",
                              "/1.0/images/aliases/{name}", "/1.0/storage-pools/{pool}/volumes/{type}/{name}"}) {
            r.add(http::verb::get, p, none);
            r.add(http::verb::post, p, none);
        }
        r.add_websocket("/1.0/operations/{id}/websocket", [](const Call&) { return WebsocketAnswer{}; });
        return r;
    }();
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    parser.header_limit(64 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
    const auto& request = parser.get();
    auto routed = router().route(request);
    const Call* call = nullptr;
    if (auto* plain = std::get_if<Router::Plain>(&routed)) call = &plain->call;
    if (auto* upgrade = std::get_if<Router::Upgrade>(&routed)) call = &upgrade->call;
    try {
        if (call) InstanceFilter::parse(call->query_or("filter")).matches(li::api::Instance{});
    } catch (const li::Error&) {
    }
    try {
        auto it = request.find(http::field::content_type);
        if (it != request.end()) {
            std::string boundary = multipart_boundary(std::string_view(it->value().data(), it->value().size()));
            if (!boundary.empty()) parse_multipart(request.body(), boundary);
        }
    } catch (const li::Error&) {
    }
    return 0;
}
