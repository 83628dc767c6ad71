#include "remote_ref.hpp"

#include <fmt/format.h>

#include "cli.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"

namespace li::cli {

RemoteRef parse_remote_ref(Context& ctx, const std::string& arg) {
    auto colon = arg.find(':');
    if (colon == std::string::npos) return {"", arg};
    std::string prefix = arg.substr(0, colon);
    std::string rest = arg.substr(colon + 1);
    if (prefix == "local") return {"", rest};
    try {
        ctx.manager().remotes().get(prefix);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::NotFound) throw UsageError(fmt::format("The remote \"{}\" doesn't exist", prefix));
        throw;
    }
    return {prefix, rest};
}

RemoteRef instance_ref(Context& ctx, const std::string& arg) {
    if (arg.find(':') == std::string::npos) return {ctx.default_remote(), arg};
    return parse_remote_ref(ctx, arg);
}

namespace {

// An lxd remote is a daemon whose image store its connected Manager has; others are image servers.
bool is_daemon(Context& ctx, const std::string& remote) {
    return !remote.empty() && ctx.manager().remotes().get(remote).protocol == "lxd";
}

}  // namespace

std::vector<api::Image> images_for_listing(Context& ctx, std::vector<std::string>& filters) {
    std::string remote = ctx.default_remote();
    if (!filters.empty() && filters.front().find(':') != std::string::npos) {
        RemoteRef ref = parse_remote_ref(ctx, filters.front());
        if (ref.name.empty()) filters.erase(filters.begin());
        else filters.front() = ref.name;
        remote = ref.remote;
    }
    if (!remote.empty() && !is_daemon(ctx, remote)) return ctx.manager().remotes().images(remote);
    return ctx.manager(remote).images().list(ctx.project());
}

api::Image image_for_ref(Context& ctx, const std::string& arg) {
    RemoteRef ref = instance_ref(ctx, arg);
    if (!ref.remote.empty() && !is_daemon(ctx, ref.remote)) return ctx.manager().remotes().image(ref.remote, ref.name);
    return ctx.manager(ref.remote).images().get(ctx.project(), ref.name);
}

void set_instance_source(Context& ctx, const std::string& arg, api::InstanceSource& source, const std::string& target_remote) {
    RemoteRef ref = arg.find(':') == std::string::npos ? RemoteRef{ctx.default_remote(), arg} : parse_remote_ref(ctx, arg);
    if (ref.remote == "local") ref.remote.clear();
    source.type = "image";
    source.alias = ref.name;  // the store (or the server) resolves aliases and fingerprints
    if (ref.remote == target_remote) return;  // the target's own image
    api::Remote image_remote;
    if (!ref.remote.empty()) image_remote = ctx.manager().remotes().get(ref.remote);
    if (ref.remote.empty() || image_remote.protocol == "lxd")
        throw UsageError(fmt::format("Creating an instance on \"{}\" from an image of \"{}\" is not supported yet: use {}:{}",
                                     target_remote.empty() ? "local" : target_remote, ref.remote.empty() ? "local" : ref.remote,
                                     target_remote.empty() ? "local" : target_remote, ref.name));
    if (target_remote.empty()) {
        source.server = ref.remote;  // the library resolves its own remotes' names
        return;
    }
    // A daemon does not know this state directory's remotes: it gets the server itself.
    source.server = image_remote.url;
    source.protocol = image_remote.protocol;
    source.certificate = image_remote.certificate;
}

}  // namespace li::cli
