#include "image_routes.hpp"

#include <fmt/format.h>

#include "body_files.hpp"
#include "daemon.hpp"
#include "image_upload.hpp"
#include "libinstance/error.hpp"
#include "multipart.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string string_field(const json& body, const char* key) {
    if (!body.contains(key) || body[key].is_null()) return {};
    if (!body[key].is_string()) throw Error::invalid(key, fmt::format("field \"{}\" must be a string", key));
    return body[key].get<std::string>();
}

// PATCH: the fields sent replace the image's, properties merge key by key (LXD's imagePatch).
api::ImagePut patched(const api::Image& current, const json& body) {
    api::ImagePut put = api::image_put_of(current);
    api::ImagePut change = api::image_put_from_json(body.dump());
    for (const auto& [key, value] : change.properties) put.properties[key] = value;
    if (body.contains("public")) put.public_ = change.public_;
    if (body.contains("auto_update")) put.auto_update = change.auto_update;
    if (body.contains("expires_at")) put.expires_at = change.expires_at;
    return put;
}

// GET /1.0/images/{fp}/export: the stored file(s) unchanged; a split image as multipart parts
// "metadata" and "rootfs", the shape `lxc image export` reads back.
// Both are sent from scratch files as they are read.
FileResponse export_answer(Daemon& daemon, const std::string& project, const std::string& ref) {
    auto dir = std::make_shared<ScratchPath>(daemon);
    std::filesystem::create_directories(dir->path());
    ImageExportResult files = daemon.manager().images().export_image(project, ref, dir->path());
    if (files.rootfs.empty())
        return file_response(files.metadata, "application/octet-stream", files.metadata.filename().string(), dir);
    auto body = dir->path() / ".multipart";
    std::string boundary = write_multipart(body, {{"metadata", files.metadata.filename().string(), files.metadata},
                                                  {"rootfs", files.rootfs.filename().string(), files.rootfs}});
    return file_response(body, "multipart/form-data; boundary=" + boundary, {}, dir);
}

void add_alias_routes(Router& router, ImageStore& images) {
    router.add(http::verb::get, "/1.0/images/aliases", [&images](const Call& call) -> Reply {
        auto all = images.list_aliases(call.project());
        if (call.recursion() > 0) return sync_response(as_json(api::to_json(all)));
        json urls = json::array();
        for (const auto& alias : all) urls.push_back(project_url("/1.0/images/aliases/" + alias.name, call.project()));
        return sync_response(urls);
    });
    router.add(http::verb::post, "/1.0/images/aliases", [&images](const Call& call) -> Reply {
        json body = body_object(call);
        std::string name = string_field(body, "name"), target = string_field(body, "target");
        if (name.empty()) throw Error::invalid("name", "field \"name\" is required");
        if (target.empty()) throw Error::invalid("target", "field \"target\" is required");
        images.create_alias(call.project(), name, target, string_field(body, "description"));
        Response res = sync_response(nullptr, http::status::created);
        res.set(http::field::location, project_url("/1.0/images/aliases/" + name, call.project()));
        return res;
    });
    router.add(http::verb::get, "/1.0/images/aliases/{name}", [&images](const Call& call) -> Reply {
        return sync_response(as_json(api::to_json(images.get_alias(call.project(), call.params.at("name")))));
    });
    // PUT replaces target and description; PATCH keeps what it does not send.
    auto update = [&images](bool patch) {
        return [&images, patch](const Call& call) -> Reply {
            json body = body_object(call);
            api::ImageAliasesEntry current = images.get_alias(call.project(), call.params.at("name"));
            std::string target = string_field(body, "target"), description = string_field(body, "description");
            if (patch && !body.contains("target")) target = current.target;
            if (patch && !body.contains("description")) description = current.description;
            if (target.empty()) throw Error::invalid("target", "field \"target\" is required");
            images.update_alias(call.project(), current.name, target, description);
            return sync_response(json::object());
        };
    };
    router.add(http::verb::put, "/1.0/images/aliases/{name}", update(false));
    router.add(http::verb::patch, "/1.0/images/aliases/{name}", update(true));
    router.add(http::verb::post, "/1.0/images/aliases/{name}", [&images](const Call& call) -> Reply {
        std::string new_name = string_field(body_object(call), "name");
        if (new_name.empty()) throw Error::invalid("name", "field \"name\" is required");
        images.rename_alias(call.project(), call.params.at("name"), new_name);
        Response res = sync_response(nullptr, http::status::created);
        res.set(http::field::location, project_url("/1.0/images/aliases/" + new_name, call.project()));
        return res;
    });
    router.add(http::verb::delete_, "/1.0/images/aliases/{name}", [&images](const Call& call) -> Reply {
        images.delete_alias(call.project(), call.params.at("name"));
        return sync_response(json::object());
    });
}

}  // namespace

void add_image_routes(Router& router, Daemon& daemon) {
    ImageStore& images = daemon.manager().images();
    clear_scratch(daemon);  // routes are added before the daemon serves: nothing uses it yet
    // Before /1.0/images/{fingerprint}: the first matching pattern wins.
    add_alias_routes(router, images);
    add_image_upload_routes(router, daemon);
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
    router.add(http::verb::put, "/1.0/images/{fingerprint}", [&images](const Call& call) -> Reply {
        body_object(call);  // a JSON object, or 400 before the library parses it
        images.update(call.project(), call.params.at("fingerprint"), api::image_put_from_json(call.request.body()));
        return sync_response(json::object());
    });
    router.add(http::verb::patch, "/1.0/images/{fingerprint}", [&images](const Call& call) -> Reply {
        api::Image current = images.get(call.project(), call.params.at("fingerprint"));
        images.update(call.project(), current.fingerprint, patched(current, body_object(call)));
        return sync_response(json::object());
    });
    router.add(http::verb::delete_, "/1.0/images/{fingerprint}", [&daemon, &images](const Call& call) -> Reply {
        std::string project = call.project();
        api::Image image = images.get(project, call.params.at("fingerprint"));  // NotFound before the operation
        DaemonOperationSpec spec;
        spec.description = "Deleting image";
        spec.project = project;
        spec.resources = json{{"images", json::array({"/1.0/images/" + image.fingerprint})}};
        auto op = daemon.operations().run(spec, [&images, project, fp = image.fingerprint] {
            images.remove(project, fp);
            return json(nullptr);
        });
        return async_response(*op);
    });
    // `lxc image refresh`: only images that came from an image server can (the library says which).
    router.add(http::verb::post, "/1.0/images/{fingerprint}/refresh", [&images](const Call& call) -> Reply {
        return async_response(images.refresh_async(call.project(), call.params.at("fingerprint")));
    });
    router.add(http::verb::get, "/1.0/images/{fingerprint}/export", [&daemon](const Call& call) -> Reply {
        return export_answer(daemon, call.project(), call.params.at("fingerprint"));
    });
}

}  // namespace li::daemon
