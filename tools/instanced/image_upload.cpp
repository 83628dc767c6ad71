#include "image_upload.hpp"

#include <fmt/format.h>

#include "body_files.hpp"
#include "daemon.hpp"
#include "libinstance/api/remote.hpp"
#include "libinstance/error.hpp"
#include "multipart.hpp"
#include "route_helpers.hpp"
#include "sys/mapped_file.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string header(const Call& call, const char* name) {
    auto it = call.request.find(name);
    return it == call.request.end() ? std::string() : std::string(it->value());
}

// X-LXD-properties: URL-query encoded key=value pairs.
std::map<std::string, std::string> header_properties(const std::string& text) {
    std::map<std::string, std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t amp = text.find('&', start);
        std::string pair = text.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        size_t eq = pair.find('=');
        if (!pair.empty()) {
            std::string key = unescape(pair.substr(0, eq), true);
            if (key.empty()) throw Error::invalid("X-LXD-properties", "a property has an empty name");
            out[key] = eq == std::string::npos ? "" : unescape(pair.substr(eq + 1), true);
        }
        if (amp == std::string::npos) break;
        start = amp + 1;
    }
    return out;
}

// The operation LXD answers an upload with; the image is in the store already (the import ran
// in the handler, so a bad tarball is a 400 on the POST itself and nothing is kept).
Reply finished_upload(Daemon& daemon, const std::string& project, const api::Image& image) {
    DaemonOperationSpec spec;
    spec.description = "Downloading image";
    spec.project = project;
    spec.resources = json{{"images", json::array({"/1.0/images/" + image.fingerprint})}};
    // size is a string in LXD's upload metadata (and the library's operation metadata).
    json result{{"fingerprint", image.fingerprint}, {"size", std::to_string(image.size)}};
    auto op = daemon.operations().run(spec, [result] { return result; });
    return async_response(*op);
}

Reply upload(Daemon& daemon, const Call& call, const std::string& boundary) {
    std::string project = call.project();
    ImageImportOptions opts;
    opts.public_ = header_true(header(call, "X-LXD-public"));
    opts.properties = header_properties(header(call, "X-LXD-properties"));
    if (!has_body(call)) throw Error::invalid("body", "the request body is empty: no image to import");
    auto body = body_file(daemon, call);
    fs::path metadata = body->path();
    ScratchPath meta(daemon), rootfs(daemon);
    if (!boundary.empty()) {
        // The parts are copied out of the mapped body: the library imports files.
        MappedFile mapped(body->path());
        auto parts = parse_multipart(mapped.view(), boundary);
        if (parts.size() != 2 || parts[0].name != "metadata" || (parts[1].name != "rootfs" && parts[1].name != "rootfs.img"))
            throw Error::invalid("body", "a split image upload must have the parts \"metadata\" then \"rootfs\"");
        write_file(meta.path(), parts[0].data);
        write_file(rootfs.path(), parts[1].data);
        metadata = meta.path();
        opts.rootfs_path = rootfs.path();
    }
    api::Image image = daemon.manager().images().import_file(project, metadata, opts);
    return finished_upload(daemon, project, image);
}

std::string string_field(const json& obj, const char* key, const std::string& field) {
    if (!obj.contains(key) || obj[key].is_null()) return {};
    if (!obj[key].is_string()) throw Error::invalid(field, fmt::format("field \"{}\" must be a string", field));
    return obj[key].get<std::string>();
}

ImagePublishOptions publish_options(const json& body, std::vector<api::ImageAliasRef>& aliases) {
    const json& source = body["source"];
    ImagePublishOptions opts;
    opts.instance = string_field(source, "name", "source.name");
    if (opts.instance.empty()) throw Error::invalid("source.name", "field \"source.name\" is required");
    std::string type = string_field(source, "type", "source.type");
    if (type == "snapshot" && opts.instance.find('/') == std::string::npos)
        throw Error::invalid("source.name", "a snapshot source is named \"instance/snapshot\"");
    if (body.contains("properties") && !body["properties"].is_null())
        opts.properties = api::string_map_from_json(body["properties"].dump(), "properties");
    std::string compression = string_field(body, "compression_algorithm", "compression_algorithm");
    if (!compression.empty()) opts.compression = compression;
    if (body.contains("public")) {
        if (!body["public"].is_boolean()) throw Error::invalid("public", "field \"public\" must be a boolean");
        opts.public_ = body["public"].get<bool>();
    }
    opts.expires_at = string_field(body, "expires_at", "expires_at");
    if (opts.expires_at.starts_with("0001-01-01")) opts.expires_at.clear();
    if (body.contains("aliases") && !body["aliases"].is_null()) {
        if (!body["aliases"].is_array()) throw Error::invalid("aliases", "field \"aliases\" must be an array");
        for (const auto& a : body["aliases"]) {
            if (!a.is_object()) throw Error::invalid("aliases", "an alias must be an object");
            api::ImageAliasRef ref{string_field(a, "name", "aliases.name"), string_field(a, "description", "aliases.description")};
            if (ref.name.empty()) throw Error::invalid("aliases.name", "an alias needs a name");
            aliases.push_back(ref);
        }
    }
    return opts;
}

// Publishing: the library's publish, then any further aliases (it takes one).
Reply publish(Daemon& daemon, const Call& call, const json& body) {
    std::string project = call.project();
    std::vector<api::ImageAliasRef> aliases;
    ImagePublishOptions opts = publish_options(body, aliases);
    DaemonOperationSpec spec;
    spec.description = "Creating image from instance";
    spec.project = project;
    std::string instance = opts.instance.substr(0, opts.instance.find('/'));
    spec.resources = json{{"instances", json::array({"/1.0/instances/" + instance})}};
    auto op = daemon.operations().run(spec, [&daemon, project, opts, aliases]() mutable {
        ImageStore& images = daemon.manager().images();
        if (!aliases.empty()) opts.alias = aliases.front().name;
        api::Image image = images.publish(project, opts);
        for (size_t i = 0; i < aliases.size(); ++i) {
            if (i > 0) images.create_alias(project, aliases[i].name, image.fingerprint, aliases[i].description);
            else if (!aliases[i].description.empty())
                images.update_alias(project, aliases[i].name, image.fingerprint, aliases[i].description);
        }
        return json{{"fingerprint", image.fingerprint}, {"size", std::to_string(image.size)}};
    });
    return async_response(*op);
}

Reply json_post(Daemon& daemon, const Call& call, const json& body) {
    if (!body.contains("source") || !body["source"].is_object())
        throw Error::invalid("source", "field \"source\" is required (an upload needs a tarball body)");
    std::string type = string_field(body["source"], "type", "source.type");
    if (type == "instance" || type == "container" || type == "virtual-machine" || type == "snapshot")
        return publish(daemon, call, body);
    if (type == "image") {
        std::string mode = string_field(body["source"], "mode", "source.mode");
        if (!mode.empty() && mode != "pull") throw Error(ErrorCode::NotSupported, "only pull mode copies are supported", "source.mode");
        return async_response(daemon.manager().images().copy_from_remote_async(call.project(), api::images_post_from_json(call.request.body())));
    }
    if (type == "url") throw Error(ErrorCode::NotSupported, "images from URLs are not supported", "source.type");
    throw Error::invalid("source.type", fmt::format("unknown source.type \"{}\"", type));
}

}  // namespace

void add_image_upload_routes(Router& router, Daemon& daemon) {
    router.add(http::verb::post, "/1.0/images", [&daemon](const Call& call) -> Reply {
        std::string content_type = header(call, "Content-Type");
        std::string boundary = multipart_boundary(content_type);
        if (!boundary.empty() || content_type.starts_with("multipart/")) {
            if (boundary.empty()) throw Error::invalid("Content-Type", "multipart upload without a boundary");
            return upload(daemon, call, boundary);
        }
        // LXD tells JSON from a tarball by trying to decode it: pylxd sends no Content-Type.
        if (content_type.starts_with("application/octet-stream")) return upload(daemon, call, {});
        json body = json::parse(call.request.body(), nullptr, false);
        if (!body.is_discarded() && body.is_object()) return json_post(daemon, call, body);
        if (content_type.starts_with("application/json")) throw Error::invalid("body", "the request body is not a JSON object");
        return upload(daemon, call, {});
    });
}

}  // namespace li::daemon
