// storage create/list/show/delete: the storage pools of the state directory (lxc storage).
#include <cstdio>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "output.hpp"

namespace li::cli {

namespace {

int run_create(Context& ctx, const ParsedArgs& args) {
    api::StoragePoolsPost post;
    post.name = args.positional[0];
    post.driver = args.positional[1];
    post.description = args.string_or("description", "");
    for (size_t i = 2; i < args.positional.size(); ++i) {
        const auto& kv = args.positional[i];
        auto eq = kv.find('=');
        if (eq == std::string::npos) throw UsageError(fmt::format("Bad key=value pair: {}", kv));
        post.config[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    ctx.manager().storage_pools().create(post);
    if (!ctx.quiet()) std::printf("Storage pool %s created\n", post.name.c_str());
    return 0;
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto pools = ctx.manager().storage_pools().list();
    std::vector<Row> rows;
    for (const auto& p : pools) {
        auto source = p.config.find("source");
        rows.push_back({p.name, p.driver, source == p.config.end() ? "" : source->second, p.description,
                        std::to_string(p.used_by.size()), p.status == "Created" ? "CREATED" : p.status});
    }
    std::string raw = (format == Format::Json || format == Format::Yaml) ? api::to_json(pools) : std::string();
    std::fputs(render(format, {"NAME", "DRIVER", "SOURCE", "DESCRIPTION", "USED BY", "STATE"}, rows, raw).c_str(), stdout);
    return 0;
}

int run_show(Context& ctx, const ParsedArgs& args) {
    std::fputs(render_yaml(api::to_json(ctx.manager().storage_pools().get(args.positional[0]))).c_str(), stdout);
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    for (const auto& name : args.positional) {
        ctx.manager().storage_pools().remove(name);
        if (!ctx.quiet()) std::printf("Storage pool %s deleted\n", name.c_str());
    }
    return 0;
}

}  // namespace

Command storage_command() {
    Command cmd;
    cmd.name = "storage";
    cmd.summary = "Manage storage pools and volumes";
    cmd.description =
        "Manage storage pools and volumes\n\n"
        "Drivers: dir (a directory; instances are overlayfs layers over their image) and btrfs (a\n"
        "sparse loop file <state>/disks/<pool>.img of size=..., default 5GiB, or source=<btrfs dir>;\n"
        "instances are snapshots of their image). Launch on a pool with inst launch -s <pool>.";

    Command create = subcommand("create", "<pool> <driver> [key=value...]", "Create storage pools", 2, -1, run_create);
    create.examples = "inst storage create pool1 btrfs size=10GiB\n\ninst storage create pool2 dir source=/data/lxd";
    create.flags = {{"description", 0, FlagKind::String, "Description of the storage pool"}};
    cmd.children.push_back(std::move(create));

    Command list = subcommand("list", "", "List available storage pools", 0, 0, run_list);
    list.aliases = {"ls"};
    list.flags = {{"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"}};
    cmd.children.push_back(std::move(list));

    cmd.children.push_back(subcommand("show", "<pool>", "Show storage pool configurations and resources", 1, 1, run_show));

    Command del = subcommand("delete", "<pool>", "Delete storage pools", 1, -1, run_delete);
    del.aliases = {"rm"};
    cmd.children.push_back(std::move(del));
    return cmd;
}

}  // namespace li::cli
