#include "operation_routes.hpp"

#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "daemon.hpp"
#include "event_listeners.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"
#include "websocket.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;
namespace asio = boost::asio;

// One operation, whichever side owns it.
struct AnyOperation {
    std::optional<Operation> library;
    std::shared_ptr<DaemonOperation> own;

    json document() const { return library ? operation_document(*library) : own->document(); }
    bool done() const { return library ? library->wait(std::chrono::milliseconds(0)) : own->done(); }
    void cancel() {
        if (library) library->cancel();
        else own->cancel();
    }
};

AnyOperation find_operation(Daemon& daemon, const std::string& id) {
    if (auto own = daemon.operations().get(id)) return AnyOperation{std::nullopt, own};
    return AnyOperation{daemon.manager().operations().get(id), nullptr};  // NotFound when neither has it
}

std::string lowercase(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Polls until the operation ended or the timeout passed, on the I/O context without blocking it.
// The interval starts at 1 ms and doubles up to 20 ms: most operations end within a few
// milliseconds, and a waiting client (pylxd, the library's REST client) should see that at once.
void wait_then_answer(asio::any_io_executor io, AnyOperation op, std::chrono::steady_clock::time_point deadline,
                      std::function<void(Response)> respond, std::chrono::milliseconds interval = std::chrono::milliseconds(1)) {
    if (op.done() || std::chrono::steady_clock::now() >= deadline) return respond(sync_response(op.document()));
    auto timer = std::make_shared<asio::steady_timer>(io, interval);
    auto next = std::min(interval * 2, std::chrono::milliseconds(20));
    timer->async_wait([io, op, deadline, respond, timer, next](const boost::system::error_code&) {
        wait_then_answer(io, op, deadline, respond, next);
    });
}

}  // namespace

void add_operation_routes(Router& router, Daemon& daemon) {
    router.add(http::verb::get, "/1.0/operations", [&daemon](const Call& call) -> Reply {
        bool all = call.query.contains("all-projects") && call.query_or("all-projects") != "false";
        std::string project = call.project();
        bool full = call.recursion() > 0;
        json by_status = json::object();
        auto add = [&](const json& doc, const std::string& op_project) {
            if (!all && op_project != project) return;
            std::string key = lowercase(doc.value("status", std::string("unknown")));
            if (!by_status.contains(key)) by_status[key] = json::array();
            by_status[key].push_back(full ? doc : json("/1.0/operations/" + doc.value("id", std::string())));
        };
        for (const auto& op : daemon.manager().operations().list()) add(as_json(api::to_json(op)), op.project);
        for (const auto& op : daemon.operations().list()) add(op->document(), op->project());
        return sync_response(by_status);
    });
    router.add(http::verb::get, "/1.0/operations/{id}", [&daemon](const Call& call) -> Reply {
        return sync_response(find_operation(daemon, call.params.at("id")).document());
    });
    router.add(http::verb::delete_, "/1.0/operations/{id}", [&daemon](const Call& call) -> Reply {
        find_operation(daemon, call.params.at("id")).cancel();
        return sync_response(json::object());
    });
    router.add(http::verb::get, "/1.0/operations/{id}/wait", [&daemon](const Call& call) -> Reply {
        AnyOperation op = find_operation(daemon, call.params.at("id"));
        std::string timeout = call.query_or("timeout", "-1");
        int seconds = -1;
        try {
            seconds = std::stoi(timeout);
        } catch (const std::exception&) {
            throw Error::invalid("timeout", fmt::format("timeout \"{}\" is not a number of seconds", timeout));
        }
        auto deadline = seconds < 0 ? std::chrono::steady_clock::time_point::max()
                                    : std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        return Deferred([op, deadline](asio::any_io_executor io, std::function<void(Response)> respond) {
            wait_then_answer(io, op, deadline, respond);
        });
    });
    router.add_websocket("/1.0/operations/{id}/websocket", [&daemon](const Call& call) {
        auto op = daemon.operations().get(call.params.at("id"));
        if (!op) return WebsocketAnswer{error_response(http::status::not_found, "Operation not found"), {}};
        auto on_open = op->connect_websocket(call.query_or("secret"));
        if (!on_open) return WebsocketAnswer{error_response(http::status::forbidden, "wrong secret or websocket already connected"), {}};
        return WebsocketAnswer{std::nullopt, std::move(on_open)};
    });
    router.add_websocket("/1.0/events", [&daemon](const Call& call) {
        EventFilter filter;
        std::string types = call.query_or("type");
        for (size_t start = 0; start < types.size();) {
            size_t comma = types.find(',', start);
            std::string type = types.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (type != "lifecycle" && type != "operation" && type != "logging")
                return WebsocketAnswer{error_response(http::status::bad_request, fmt::format("\"{}\" isn't a supported event type", type)), {}};
            filter.types.insert(type);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        filter.project = call.project();
        filter.all_projects = call.query.contains("all-projects") && call.query_or("all-projects") != "false";
        filter.queue_size = 4096;
        return WebsocketAnswer{std::nullopt, [&daemon, filter](std::shared_ptr<Websocket> ws) { daemon.listeners().add(std::move(ws), filter); }};
    });
}

}  // namespace li::daemon
