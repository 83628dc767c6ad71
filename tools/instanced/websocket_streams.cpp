#include "websocket_streams.hpp"

#include <fmt/format.h>
#include <random>

#include "websocket.hpp"

namespace li::daemon {

using nlohmann::json;

namespace {

std::string random_secret() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string out;
    for (int i = 0; i < 4; i++) out += fmt::format("{:016x}", rng());
    return out;
}

}  // namespace

WebsocketStreams::WebsocketStreams(const std::vector<std::string>& names) {
    for (const auto& name : names) secrets_[random_secret()] = name;
}

json WebsocketStreams::fds() const {
    json fds = json::object();
    for (const auto& [secret, stream] : secrets_) fds[stream] = secret;
    return fds;
}

std::string WebsocketStreams::claim(const std::string& secret) {
    auto it = secrets_.find(secret);
    if (it == secrets_.end() || sockets_.contains(it->second)) return {};
    sockets_[it->second] = nullptr;  // a second connection with the same secret is refused
    return it->second;
}

void WebsocketStreams::attach(const std::string& stream, std::shared_ptr<Websocket> ws) { sockets_[stream] = std::move(ws); }

std::shared_ptr<Websocket> WebsocketStreams::socket(const std::string& stream) const {
    auto it = sockets_.find(stream);
    return it == sockets_.end() ? nullptr : it->second;
}

void WebsocketStreams::close_all() {
    for (auto& [stream, ws] : sockets_)
        if (ws) ws->close();
}

std::pair<int, int> window_resize_of(const json& msg) {
    if (!msg.is_object() || msg.value("command", "") != "window-resize" || !msg.contains("args") || !msg["args"].is_object())
        return {0, 0};
    auto number = [&](const char* key) {
        const json& v = msg["args"][key];
        try {
            return v.is_string() ? std::stoi(v.get<std::string>()) : v.is_number_integer() ? v.get<int>() : 0;
        } catch (const std::exception&) {
            return 0;
        }
    };
    return {number("width"), number("height")};
}

DaemonOperationSpec instance_websocket_spec(const Instance& instance, std::string description, json metadata) {
    DaemonOperationSpec spec;
    spec.class_ = "websocket";
    spec.description = std::move(description);
    spec.project = instance.project();
    spec.resources = json{{"instances", json::array({"/1.0/instances/" + instance.name()})},
                          {"containers", json::array({"/1.0/containers/" + instance.name()})}};
    spec.metadata = std::move(metadata);
    return spec;
}

}  // namespace li::daemon
