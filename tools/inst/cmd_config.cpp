// config get/set/unset/show for the state directory's own settings (lxc's server config, e.g.
// images.remote_cache_expiry), and image prune (expired cached images).
#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "output.hpp"

namespace li::cli {

namespace {

// lxc takes "key value" or "key=value".
std::pair<std::string, std::string> key_value(const ParsedArgs& args) {
    if (args.positional.size() == 2) return {args.positional[0], args.positional[1]};
    auto eq = args.positional[0].find('=');
    if (args.positional.size() != 1 || eq == std::string::npos) throw UsageError("Invalid number of arguments");
    return {args.positional[0].substr(0, eq), args.positional[0].substr(eq + 1)};
}

int run_get(Context& ctx, const ParsedArgs& args) {
    std::printf("%s\n", ctx.manager().get_config(args.positional[0]).c_str());
    return 0;
}

int run_set(Context& ctx, const ParsedArgs& args) {
    auto [key, value] = key_value(args);
    ctx.manager().set_config(key, value);
    return 0;
}

int run_unset(Context& ctx, const ParsedArgs& args) {
    ctx.manager().set_config(args.positional[0], "");
    return 0;
}

int run_show(Context& ctx, const ParsedArgs&) {
    nlohmann::ordered_json doc{{"config", ctx.manager().config()}};
    std::fputs(render_yaml(doc.dump()).c_str(), stdout);
    return 0;
}

int run_prune(Context& ctx, const ParsedArgs&) {
    for (const auto& fp : ctx.manager().images().prune_expired())
        if (!ctx.quiet()) std::printf("Expired image %s deleted\n", fp.substr(0, 12).c_str());
    return 0;
}

}  // namespace

Command config_command() {
    Command cmd;
    cmd.name = "config";
    cmd.summary = "Manage the state directory's configuration";
    cmd.description =
        "Manage the state directory's configuration (lxc's server configuration)\n\n"
        "Keys: images.remote_cache_expiry (days an unused cached image is kept, default 10),\n"
        "images.unpack_max_ratio (default 100) and images.unpack_max_size (default 64GiB):\n"
        "the decompression-bomb limits of image imports.";
    cmd.children.push_back(subcommand("get", "<key>", "Get values for configuration keys", 1, 1, run_get));
    cmd.children.push_back(subcommand("set", "<key> <value>", "Set configuration keys", 1, 2, run_set));
    cmd.children.push_back(subcommand("unset", "<key>", "Unset configuration keys", 1, 1, run_unset));
    cmd.children.push_back(subcommand("show", "", "Show the configuration", 0, 0, run_show));
    return cmd;
}

Command image_prune_command() {
    return subcommand("prune", "", "Delete cached images unused for images.remote_cache_expiry days", 0, 0, run_prune);
}

}  // namespace li::cli
