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

std::vector<api::Image> images_for_listing(Context& ctx, std::vector<std::string>& filters) {
    if (!filters.empty() && filters.front().find(':') != std::string::npos) {
        RemoteRef ref = parse_remote_ref(ctx, filters.front());
        if (ref.name.empty()) filters.erase(filters.begin());
        else filters.front() = ref.name;
        if (!ref.remote.empty()) return ctx.manager().remotes().images(ref.remote);
    }
    return ctx.manager().images().list(ctx.project());
}

api::Image image_for_ref(Context& ctx, const std::string& arg) {
    RemoteRef ref = parse_remote_ref(ctx, arg);
    if (!ref.remote.empty()) return ctx.manager().remotes().image(ref.remote, ref.name);
    return ctx.manager().images().get(ctx.project(), ref.name);
}

void set_instance_source(Context& ctx, const std::string& arg, api::InstanceSource& source) {
    RemoteRef ref = parse_remote_ref(ctx, arg);
    source.type = "image";
    source.alias = ref.name;  // the store (or the server) resolves aliases and fingerprints
    if (!ref.remote.empty()) source.server = ref.remote;
}

}  // namespace li::cli
