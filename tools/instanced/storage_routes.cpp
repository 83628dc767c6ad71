#include "storage_routes.hpp"

#include "daemon.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"
#include "storage_volume_routes.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string pool_url(const std::string& name) { return "/1.0/storage-pools/" + name; }

// PATCH: the description when sent, and each config key sent.
api::StoragePoolPut patched(const api::StoragePool& current, const json& body) {
    api::StoragePoolPut put = api::put_of(current);
    api::StoragePoolPut change = api::storage_pool_put_from_json(body.dump());
    if (body.contains("description")) put.description = change.description;
    for (const auto& [key, value] : change.config) put.config[key] = value;
    return put;
}

}  // namespace

void add_storage_routes(Router& router, Daemon& daemon) {
    StoragePoolStore& pools = daemon.manager().storage_pools();
    router.add(http::verb::get, "/1.0/storage-pools", [&pools](const Call& call) -> Reply {
        auto all = pools.list();
        if (call.recursion() > 0) return sync_response(as_json(api::to_json(all)));
        json urls = json::array();
        for (const auto& p : all) urls.push_back(pool_url(p.name));
        return sync_response(urls);
    });
    router.add(http::verb::post, "/1.0/storage-pools", [&pools](const Call& call) -> Reply {
        body_object(call);  // a body that is not a JSON object is a 400 naming "body"
        auto created = pools.create(api::storage_pools_post_from_json(call.request.body()));
        Response res = sync_response(nullptr, http::status::created);
        res.set(http::field::location, pool_url(created.name));
        return res;
    });
    router.add(http::verb::get, "/1.0/storage-pools/{pool}", [&pools](const Call& call) -> Reply {
        const std::string& name = call.params.at("pool");
        auto pool = pools.get(name);
        return sync_with_etag(as_json(api::to_json(pool)), pools.etag(name));
    });
    router.add(http::verb::put, "/1.0/storage-pools/{pool}", [&pools](const Call& call) -> Reply {
        body_object(call);
        pools.update(call.params.at("pool"), api::storage_pool_put_from_json(call.request.body()), call.if_match());
        return sync_response(json::object());
    });
    router.add(http::verb::patch, "/1.0/storage-pools/{pool}", [&pools](const Call& call) -> Reply {
        const std::string& name = call.params.at("pool");
        std::string etag = call.if_match();
        if (etag.empty()) etag = pools.etag(name);  // the state merged into is the one written over
        pools.update(name, patched(pools.get(name), body_object(call)), etag);
        return sync_response(json::object());
    });
    router.add(http::verb::delete_, "/1.0/storage-pools/{pool}", [&pools](const Call& call) -> Reply {
        pools.remove(call.params.at("pool"));
        return sync_response(json::object());
    });
    router.add(http::verb::get, "/1.0/storage-pools/{pool}/resources", [&pools](const Call& call) -> Reply {
        return sync_response(as_json(api::to_json(pools.resources(call.params.at("pool")))));
    });
    add_storage_volume_routes(router, daemon);
}

}  // namespace li::daemon
