#include "profile_routes.hpp"

#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string profile_url(const std::string& name, const std::string& project) {
    return project_url("/1.0/profiles/" + name, project);
}

Response created_at(const std::string& location) {
    Response res = sync_response(nullptr, http::status::created);
    res.set(http::field::location, location);
    return res;
}

// PATCH: the description when sent; config keys and devices merge one by one (a device sent
// replaces that device whole, as in LXD).
api::ProfilePut patched(const api::Profile& current, const json& body) {
    api::ProfilePut put = api::put_of(current);
    api::ProfilePut change = api::profile_put_from_json(body.dump());
    if (body.contains("description")) put.description = change.description;
    for (const auto& [key, value] : change.config) put.config[key] = value;
    for (const auto& [name, device] : change.devices) put.devices[name] = device;
    return put;
}

}  // namespace

void add_profile_routes(Router& router, Manager& manager) {
    ProfileStore& profiles = manager.profiles();
    router.add(http::verb::get, "/1.0/profiles", [&profiles](const Call& call) -> Reply {
        auto all = profiles.list(call.project());
        if (call.recursion() > 0) return sync_response(as_json(api::to_json(all)));
        json urls = json::array();
        for (const auto& p : all) urls.push_back(profile_url(p.name, call.project()));
        return sync_response(urls);
    });
    router.add(http::verb::post, "/1.0/profiles", [&profiles](const Call& call) -> Reply {
        body_object(call);  // a body that is not a JSON object is a 400 naming "body"
        auto created = profiles.create(call.project(), api::profiles_post_from_json(call.request.body()));
        return created_at(profile_url(created.name, call.project()));
    });
    router.add(http::verb::get, "/1.0/profiles/{name}", [&profiles](const Call& call) -> Reply {
        const std::string& name = call.params.at("name");
        auto profile = profiles.get(call.project(), name);
        return sync_with_etag(as_json(api::to_json(profile)), profiles.etag(call.project(), name));
    });
    router.add(http::verb::put, "/1.0/profiles/{name}", [&profiles](const Call& call) -> Reply {
        body_object(call);
        profiles.update(call.project(), call.params.at("name"), api::profile_put_from_json(call.request.body()),
                        call.if_match());
        return sync_response(json::object());
    });
    router.add(http::verb::patch, "/1.0/profiles/{name}", [&profiles](const Call& call) -> Reply {
        const std::string& name = call.params.at("name");
        std::string etag = call.if_match();
        if (etag.empty()) etag = profiles.etag(call.project(), name);  // the state merged into is the one written over
        api::ProfilePut put = patched(profiles.get(call.project(), name), body_object(call));
        profiles.update(call.project(), name, put, etag);
        return sync_response(json::object());
    });
    router.add(http::verb::post, "/1.0/profiles/{name}", [&profiles](const Call& call) -> Reply {
        json body = body_object(call);
        if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty())
            throw Error::invalid("name", "field \"name\" is required");
        std::string new_name = body["name"];
        profiles.rename(call.project(), call.params.at("name"), new_name);
        return created_at(profile_url(new_name, call.project()));
    });
    router.add(http::verb::delete_, "/1.0/profiles/{name}", [&profiles](const Call& call) -> Reply {
        profiles.remove(call.project(), call.params.at("name"));
        return sync_response(json::object());
    });
}

}  // namespace li::daemon
