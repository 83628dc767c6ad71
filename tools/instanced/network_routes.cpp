#include "network_routes.hpp"

#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string network_url(const std::string& name, const std::string& project) {
    return project_url("/1.0/networks/" + name, project);
}

Response created_at(const std::string& location) {
    Response res = sync_response(nullptr, http::status::created);
    res.set(http::field::location, location);
    return res;
}

// PATCH: the description when sent, and each config key sent.
api::NetworkPut patched(const api::Network& current, const json& body) {
    api::NetworkPut put = api::put_of(current);
    api::NetworkPut change = api::network_put_from_json(body.dump());
    if (body.contains("description")) put.description = change.description;
    for (const auto& [key, value] : change.config) put.config[key] = value;
    return put;
}

}  // namespace

void add_network_routes(Router& router, Manager& manager) {
    NetworkStore& networks = manager.networks();
    router.add(http::verb::get, "/1.0/networks", [&networks](const Call& call) -> Reply {
        auto all = networks.list(call.project());
        if (call.recursion() > 0) return sync_response(as_json(api::to_json(all)));
        json urls = json::array();
        for (const auto& n : all) urls.push_back(network_url(n.name, call.project()));
        return sync_response(urls);
    });
    router.add(http::verb::post, "/1.0/networks", [&networks](const Call& call) -> Reply {
        body_object(call);  // a body that is not a JSON object is a 400 naming "body"
        auto created = networks.create(call.project(), api::networks_post_from_json(call.request.body()));
        return created_at(network_url(created.name, call.project()));
    });
    router.add(http::verb::get, "/1.0/networks/{name}", [&networks](const Call& call) -> Reply {
        const std::string& name = call.params.at("name");
        auto network = networks.get(call.project(), name);
        return sync_with_etag(as_json(api::to_json(network)), networks.etag(call.project(), name));
    });
    router.add(http::verb::put, "/1.0/networks/{name}", [&networks](const Call& call) -> Reply {
        body_object(call);
        networks.update(call.project(), call.params.at("name"), api::network_put_from_json(call.request.body()),
                        call.if_match());
        return sync_response(json::object());
    });
    router.add(http::verb::patch, "/1.0/networks/{name}", [&networks](const Call& call) -> Reply {
        const std::string& name = call.params.at("name");
        std::string etag = call.if_match();
        if (etag.empty()) etag = networks.etag(call.project(), name);  // the state merged into is the one written over
        networks.update(call.project(), name, patched(networks.get(call.project(), name), body_object(call)), etag);
        return sync_response(json::object());
    });
    router.add(http::verb::post, "/1.0/networks/{name}", [&networks](const Call& call) -> Reply {
        body_object(call);
        api::NetworkPost post = api::network_post_from_json(call.request.body());
        if (post.name.empty()) throw Error::invalid("name", "field \"name\" is required");
        networks.rename(call.project(), call.params.at("name"), post.name);
        return created_at(network_url(post.name, call.project()));
    });
    router.add(http::verb::delete_, "/1.0/networks/{name}", [&networks](const Call& call) -> Reply {
        networks.remove(call.project(), call.params.at("name"));
        return sync_response(json::object());
    });
    router.add(http::verb::get, "/1.0/networks/{name}/state", [&networks](const Call& call) -> Reply {
        return sync_response(as_json(api::to_json(networks.state(call.project(), call.params.at("name")))));
    });
    router.add(http::verb::get, "/1.0/networks/{name}/leases", [&networks](const Call& call) -> Reply {
        return sync_response(as_json(api::to_json(networks.leases(call.project(), call.params.at("name")))));
    });
}

}  // namespace li::daemon
