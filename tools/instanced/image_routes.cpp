#include "image_routes.hpp"

#include "daemon.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {
using nlohmann::json;
}

void add_image_routes(Router& router, Daemon& daemon) {
    ImageStore& images = daemon.manager().images();
    router.add(http::verb::get, "/1.0/images", [&images](const Call& call) -> Reply {
        auto all = images.list(call.project());
        if (call.recursion() > 0) return sync_response(as_json(api::to_json(all)));
        json urls = json::array();
        for (const auto& image : all) urls.push_back(project_url("/1.0/images/" + image.fingerprint, call.project()));
        return sync_response(urls);
    });
    router.add(http::verb::get, "/1.0/images/{fingerprint}", [&images](const Call& call) -> Reply {
        return sync_response(as_json(api::to_json(images.get(call.project(), call.params.at("fingerprint")))));
    });
    router.add(http::verb::get, "/1.0/images/aliases", [&images](const Call& call) -> Reply {
        auto all = images.list_aliases(call.project());
        if (call.recursion() > 0) return sync_response(as_json(api::to_json(all)));
        json urls = json::array();
        for (const auto& alias : all) urls.push_back(project_url("/1.0/images/aliases/" + alias.name, call.project()));
        return sync_response(urls);
    });
    router.add(http::verb::get, "/1.0/images/aliases/{name}", [&images](const Call& call) -> Reply {
        return sync_response(as_json(api::to_json(images.get_alias(call.project(), call.params.at("name")))));
    });
}

}  // namespace li::daemon
