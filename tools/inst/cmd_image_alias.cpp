// image alias create/delete/list.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "output.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

// `[<remote>:]<alias>`: the alias on its server (no prefix: the default remote, as lxc).
int run_create(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = instance_ref(ctx, args.positional[0]);
    ctx.manager(ref.remote).images().create_alias(ctx.project(), ref.name, args.positional[1], args.string_or("description", ""));
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = instance_ref(ctx, args.positional[0]);
    ctx.manager(ref.remote).images().delete_alias(ctx.project(), ref.name);
    return 0;
}

int run_rename(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = instance_ref(ctx, args.positional[0]);
    ctx.manager(ref.remote).images().rename_alias(ctx.project(), ref.name, args.positional[1]);
    return 0;
}

// Aliases as LXD lists them (api.ImageAliasesEntry), gathered from the images that carry them.
int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    nlohmann::ordered_json raw = nlohmann::ordered_json::array();
    std::vector<Row> rows;
    std::vector<std::string> filters = args.positional;
    std::string remote = ctx.default_remote();
    if (!filters.empty() && filters.front().ends_with(":")) {
        remote = parse_remote_ref(ctx, filters.front()).remote;
        filters.erase(filters.begin());
    }
    for (const auto& img : ctx.manager(remote).images().list(ctx.project())) {
        std::string type = img.type.empty() ? "container" : img.type;
        for (const auto& a : img.aliases) {
            bool keep = std::all_of(filters.begin(), filters.end(), [&](const std::string& f) {
                return a.name.find(f) != std::string::npos;
            });
            if (!keep) continue;
            raw.push_back({{"name", a.name}, {"description", a.description}, {"target", img.fingerprint}, {"type", type}});
            std::string upper = type;
            std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
            rows.push_back({a.name, img.fingerprint.substr(0, 12), upper, a.description});
        }
    }
    std::sort(rows.begin(), rows.end());
    std::fputs(render(format, {"ALIAS", "FINGERPRINT", "TYPE", "DESCRIPTION"}, rows, raw.dump()).c_str(), stdout);
    return 0;
}

}  // namespace

Command image_alias_command() {
    Command group;
    group.name = "alias";
    group.summary = "Manage image aliases";

    Command create;
    create.name = "create";
    create.usage = "[<remote>:]<alias> <fingerprint>";
    create.summary = "Create aliases for existing images";
    create.flags = {{"description", 0, FlagKind::String, "Alias description"}};
    create.min_args = create.max_args = 2;
    create.run = run_create;
    group.children.push_back(std::move(create));

    Command del;
    del.name = "delete";
    del.aliases = {"rm"};
    del.usage = "[<remote>:]<alias>";
    del.summary = "Delete image aliases";
    del.min_args = del.max_args = 1;
    del.run = run_delete;
    group.children.push_back(std::move(del));

    Command list;
    list.name = "list";
    list.aliases = {"ls"};
    list.usage = "[<remote>:] [<filters>...]";
    list.summary = "List image aliases";
    list.flags = {{"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"}};
    list.run = run_list;
    group.children.push_back(std::move(list));

    Command rename;
    rename.name = "rename";
    rename.aliases = {"mv"};
    rename.usage = "[<remote>:]<alias> <new-name>";
    rename.summary = "Rename aliases";
    rename.min_args = rename.max_args = 2;
    rename.run = run_rename;
    group.children.push_back(std::move(rename));
    return group;
}

}  // namespace li::cli
