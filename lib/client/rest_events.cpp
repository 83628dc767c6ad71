// EventBus::subscribe over REST: GET /1.0/events as a websocket (type=, project= or
// all-projects=true), each text frame (one LXD event) queued to the subscriber as the embedded
// hub does, so the callback runs on the subscription's own thread either way.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <thread>

#include "client/rest_streams.hpp"
#include "client/rest_websocket.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

namespace {

namespace asio = boost::asio;

// The server filters by type and project (an empty project there is the default one); the log
// level is the subscriber's to apply. So the subscription's own project is what the queue checks.
bool wanted(SubscriberQueue& queue, const std::string& text, const std::string& project) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object()) return false;
    std::string type = doc.value("type", "");
    log::Level level = log::Level::Error;
    if (type == "logging" && doc.contains("metadata") && doc["metadata"].is_object()) {
        try {
            level = log::parse_level(doc["metadata"].value("level", "error"));
        } catch (...) {
        }
    }
    return queue.wants(type, project, level);
}

// Runs the websocket until the subscription ends (checked every 200 ms: a Subscription has no
// hook of its own) or the server closes it.
void relay(std::shared_ptr<asio::io_context> io, std::shared_ptr<RestWebsocket> socket, std::shared_ptr<SubscriberQueue> queue,
           std::string project) {
    asio::steady_timer timer(*io);
    std::function<void()> check = [&] {
        timer.expires_after(std::chrono::milliseconds(200));
        timer.async_wait([&](boost::system::error_code ec) {
            if (ec) return;
            if (queue->stopped()) return socket->close();
            check();
        });
    };
    socket->start(
        [queue, project](std::string text, bool binary) {
            if (!binary && wanted(*queue, text, project)) queue->push(text);
        },
        [&timer] { timer.cancel(); });
    check();
    io->run();
    // The websocket before the io_context it was made on (whose services its destructor uses):
    // the parameters' own destruction order is not specified.
    socket.reset();
}

}  // namespace

std::unique_ptr<Subscription> subscribe(const Rest& rest, const EventFilter& filter, EventCallback callback) {
    std::string types;
    for (const auto& type : filter.types) {
        if (type != "lifecycle" && type != "operation" && type != "logging")
            throw Error::invalid("types", fmt::format("unknown event type \"{}\" (lifecycle, operation or logging)", type));
        types += (types.empty() ? "" : ",") + type;
    }
    std::string path = "/1.0/events";
    std::string query;
    if (!types.empty()) query += "type=" + url_escape(types);
    if (filter.all_projects) query += std::string(query.empty() ? "" : "&") + "all-projects=true";
    else if (!filter.project.empty()) query += std::string(query.empty() ? "" : "&") + "project=" + url_escape(filter.project);
    if (!query.empty()) path += "?" + query;

    auto io = std::make_shared<asio::io_context>();
    auto socket = open_websocket(*io, *rest, path);  // a refusal reaches the caller
    auto queue = std::make_shared<SubscriberQueue>(filter, std::move(callback));
    queue->start();
    std::thread(relay, io, socket, queue, filter.project).detach();
    return std::make_unique<Subscription>(queue);
}

}  // namespace li::rest
