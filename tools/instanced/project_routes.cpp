#include "project_routes.hpp"

#include <algorithm>

#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string url_of(const std::string& name) { return "/1.0/projects/" + name; }

}  // namespace

void add_project_routes(Router& router, Manager& manager) {
    ProjectStore& projects = manager.projects();
    router.add(http::verb::get, "/1.0/projects", [&projects](const Call& call) {
        auto all = projects.list();
        // A restricted certificate sees its own projects only.
        if (call.identity && call.identity->restricted)
            std::erase_if(all, [&](const api::Project& p) {
                return std::find(call.identity->projects.begin(), call.identity->projects.end(), p.name) == call.identity->projects.end();
            });
        if (call.recursion() > 0) return sync_response(json::parse(api::to_json(all)));
        json urls = json::array();
        for (const auto& p : all) urls.push_back(url_of(p.name));
        return sync_response(urls);
    });
    router.add(http::verb::post, "/1.0/projects", [&projects](const Call& call) {
        auto created = projects.create(api::projects_post_from_json(call.request.body()));
        Response res = sync_response(nullptr, http::status::created);
        res.set(http::field::location, url_of(created.name));
        return res;
    });
    router.add(http::verb::get, "/1.0/projects/{name}", [&projects](const Call& call) {
        const std::string& name = call.params.at("name");
        auto project = projects.get(name);
        Response res = sync_response(json::parse(api::to_json(project)));
        res.set(http::field::etag, "\"" + projects.etag(name) + "\"");
        return res;
    });
    router.add(http::verb::put, "/1.0/projects/{name}", [&projects](const Call& call) {
        projects.update(call.params.at("name"), api::project_put_from_json(call.request.body()), call.if_match());
        return sync_response(json::object());
    });
    router.add(http::verb::patch, "/1.0/projects/{name}", [&projects](const Call& call) {
        // PATCH merges: the description when sent, and each config key sent.
        const std::string& name = call.params.at("name");
        std::string etag = call.if_match();
        if (etag.empty()) etag = projects.etag(name);  // the state merged into is the one written over
        api::ProjectPut current = api::put_of(projects.get(name));
        json body = json::parse(call.request.body(), nullptr, false);
        api::ProjectPut change = api::project_put_from_json(call.request.body());
        if (body.is_object() && body.contains("description")) current.description = change.description;
        for (const auto& [key, value] : change.config) current.config[key] = value;
        projects.update(name, current, etag);
        return sync_response(json::object());
    });
    // LXD's rename: {"name": "<new name>"}. Answered at once (LXD runs it as an operation; its
    // clients accept either).
    router.add(http::verb::post, "/1.0/projects/{name}", [&projects](const Call& call) -> Reply {
        json body = body_object(call);
        if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty())
            throw Error::invalid("name", "field \"name\" is required");
        std::string new_name = body["name"];
        projects.rename(call.params.at("name"), new_name);
        Response res = sync_response(nullptr, http::status::created);
        res.set(http::field::location, url_of(new_name));
        return res;
    });
    router.add(http::verb::delete_, "/1.0/projects/{name}", [&projects](const Call& call) {
        projects.remove(call.params.at("name"));
        return sync_response(json::object());
    });
    router.add(http::verb::get, "/1.0/projects/{name}/state", [&projects](const Call& call) {
        return sync_response(json::parse(api::to_json(projects.state(call.params.at("name")))));
    });
}

}  // namespace li::daemon
