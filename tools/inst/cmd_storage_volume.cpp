// storage volume create/list/show/get/set/unset/edit/rename/delete: lxc 5.0.2's custom volume
// commands over StorageVolumeStore (attach/detach are in cmd_storage_volume_attach.cpp).
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <iostream>
#include <iterator>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "libinstance/storage_volume.hpp"
#include "output.hpp"
#include "storage_volume_commands.hpp"

namespace li::cli {

namespace {

// "[TYPE/]NAME": lxc addresses instance and image volumes as "container/c1", "image/<fp>".
std::pair<std::string, std::string> type_and_name(const std::string& spec) {
    auto slash = spec.find('/');
    if (slash == std::string::npos) return {"custom", spec};
    std::string type = spec.substr(0, slash);
    if (type == "custom" || type == "container" || type == "image" || type == "virtual-machine")
        return {type, spec.substr(slash + 1)};
    // "vol/snap" is a snapshot: callers that take snapshots check snapshot_spec() first.
    return {"custom", spec};
}

// A custom volume name; lxc refuses other types for changes.
std::string custom_name(const std::string& spec) {
    auto [type, name] = type_and_name(spec);
    if (type != "custom")
        throw Error(ErrorCode::InvalidArgument, fmt::format("Only custom volumes can be changed, not {} volume \"{}\"", type, name),
                    "type");
    return name;
}

std::string read_stdin() { return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>()); }

// "key=value" pairs, or lxc's older "key value" form when there are exactly two words without '='.
api::ConfigMap pairs(const std::vector<std::string>& words) {
    api::ConfigMap out;
    if (words.size() == 2 && words[0].find('=') == std::string::npos) {
        out[words[0]] = words[1];
        return out;
    }
    for (const auto& w : words) {
        auto eq = w.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError(fmt::format("Bad key=value pair: {}", w));
        out[w.substr(0, eq)] = w.substr(eq + 1);
    }
    return out;
}

// A StorageVolumePut from YAML (what `inst storage volume show` prints; the read-only fields
// are ignored, as LXD's PUT ignores them).
api::StorageVolumePut put_from_yaml(const std::string& text) {
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid storage volume YAML: {}", e.what()));
    }
    api::StorageVolumePut put;
    if (!doc || doc.IsNull()) return put;
    if (!doc.IsMap()) throw Error::invalid("yaml", "the storage volume YAML must be a map");
    try {
        if (doc["description"] && !doc["description"].IsNull()) put.description = doc["description"].as<std::string>();
        if (auto config = doc["config"]; config && !config.IsNull()) {
            if (!config.IsMap()) throw Error::invalid("config", "\"config\" must be a map of strings");
            for (const auto& kv : config) {
                std::string key = kv.first.as<std::string>();
                if (!kv.second.IsScalar() && !kv.second.IsNull())
                    throw Error::invalid("config." + key, "the value must be a string");
                put.config[key] = kv.second.IsNull() ? "" : kv.second.as<std::string>();
            }
        }
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid storage volume YAML: {}", e.what()));
    }
    return put;
}

void modify_volume(Context& ctx, const PoolRef& at, const std::string& name,
                   const std::function<void(api::StorageVolumePut&)>& change) {
    api::StorageVolume vol = at.volumes.get(at.pool, "custom", name, ctx.project());
    api::StorageVolumePut put{vol.description, vol.config};
    change(put);
    at.volumes.update(at.pool, name, put, ctx.project());
}

int run_create(Context& ctx, const ParsedArgs& args) {
    api::StorageVolumesPost post;
    post.name = args.positional[1];
    post.content_type = args.string_or("type", "filesystem");
    if (auto d = args.string("description")) post.description = *d;
    for (size_t i = 2; i < args.positional.size(); ++i) {
        const auto& kv = args.positional[i];
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError(fmt::format("Bad key=value pair: {}", kv));
        post.config[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    PoolRef at = pool_ref(ctx, args.positional[0]);
    at.volumes.create(at.pool, post, ctx.project());
    if (!ctx.quiet()) std::printf("Storage volume %s created\n", post.name.c_str());
    return 0;
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    PoolRef at = pool_ref(ctx, args.positional[0]);
    auto list = at.volumes.list(at.pool, ctx.project());
    std::vector<Row> rows;
    for (const auto& v : list)
        rows.push_back({v.type, v.name, v.description, v.content_type, std::to_string(v.used_by.size())});
    std::string raw = (format == Format::Json || format == Format::Yaml) ? api::to_json(list) : std::string();
    std::fputs(render(format, {"TYPE", "NAME", "DESCRIPTION", "CONTENT-TYPE", "USED BY"}, rows, raw).c_str(), stdout);
    return 0;
}

int run_show(Context& ctx, const ParsedArgs& args) {
    if (auto snap = snapshot_spec(args.positional[1])) {
        show_volume_snapshot(ctx, args.positional[0], *snap);
        return 0;
    }
    auto [type, name] = type_and_name(args.positional[1]);
    PoolRef at = pool_ref(ctx, args.positional[0]);
    std::fputs(render_yaml(api::to_json(at.volumes.get(at.pool, type, name, ctx.project()))).c_str(), stdout);
    return 0;
}

int run_get(Context& ctx, const ParsedArgs& args) {
    auto [type, name] = type_and_name(args.positional[1]);
    PoolRef at = pool_ref(ctx, args.positional[0]);
    api::StorageVolume vol = at.volumes.get(at.pool, type, name, ctx.project());
    auto it = vol.config.find(args.positional[2]);
    std::printf("%s\n", it == vol.config.end() ? "" : it->second.c_str());
    return 0;
}

int run_set(Context& ctx, const ParsedArgs& args) {
    api::ConfigMap values = pairs({args.positional.begin() + 2, args.positional.end()});
    modify_volume(ctx, pool_ref(ctx, args.positional[0]), custom_name(args.positional[1]), [&](api::StorageVolumePut& put) {
        for (const auto& [k, v] : values) {
            if (v.empty()) put.config.erase(k);
            else put.config[k] = v;
        }
    });
    return 0;
}

// As lxc 5.0.2: unsetting a key that is not set is not an error (it is `set KEY ""`).
int run_unset(Context& ctx, const ParsedArgs& args) {
    const std::string& key = args.positional[2];
    modify_volume(ctx, pool_ref(ctx, args.positional[0]), custom_name(args.positional[1]), [&](api::StorageVolumePut& put) { put.config.erase(key); });
    return 0;
}

int run_edit(Context& ctx, const ParsedArgs& args) {
    PoolRef at = pool_ref(ctx, args.positional[0]);
    std::string name = args.positional[1];
    if (!snapshot_spec(name)) name = custom_name(name);
    if (::isatty(STDIN_FILENO))
        throw UsageError("inst storage volume edit reads the new volume YAML from standard input "
                         "(e.g. inst storage volume show P V | ... | inst storage volume edit P V)");
    if (auto snap = snapshot_spec(args.positional[1])) {
        edit_volume_snapshot(ctx, args.positional[0], *snap, read_stdin());
        return 0;
    }
    api::StorageVolumePut put = put_from_yaml(read_stdin());
    at.volumes.get(at.pool, "custom", name, ctx.project());  // NotFound before anything else
    at.volumes.update(at.pool, name, put, ctx.project());
    return 0;
}

int run_rename(Context& ctx, const ParsedArgs& args) {
    if (auto snap = snapshot_spec(args.positional[1])) {
        rename_volume_snapshot(ctx, args.positional[0], *snap, args.positional[1], args.positional[2]);
        return 0;
    }
    PoolRef at = pool_ref(ctx, args.positional[0]);
    std::string name = custom_name(args.positional[1]), new_name = custom_name(args.positional[2]);
    at.volumes.rename(at.pool, name, new_name, ctx.project());
    if (!ctx.quiet()) std::printf("Renamed storage volume from \"%s\" to \"%s\"\n", name.c_str(), new_name.c_str());
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    if (auto snap = snapshot_spec(args.positional[1])) {
        delete_volume_snapshot(ctx, args.positional[0], *snap, args.positional[1]);
        return 0;
    }
    PoolRef at = pool_ref(ctx, args.positional[0]);
    std::string name = custom_name(args.positional[1]);
    at.volumes.remove(at.pool, name, ctx.project());
    if (!ctx.quiet()) std::printf("Storage volume %s deleted\n", name.c_str());
    return 0;
}

}  // namespace

Command storage_volume_command() {
    Command cmd;
    cmd.name = "volume";
    cmd.summary = "Manage storage volumes";
    cmd.description =
        "Manage storage volumes\n\n"
        "Unless specified through a prefix, all volume operations affect \"custom\" (user created) volumes.\n"
        "Container volumes are listed and shown as \"container/<name>\". A custom volume is attached to\n"
        "instances as a disk device (inst storage volume attach), shared by all of them.";

    for (auto& c : storage_volume_attach_commands()) cmd.children.push_back(std::move(c));
    for (auto& c : storage_volume_snapshot_commands()) cmd.children.push_back(std::move(c));
    for (auto& c : storage_volume_copy_commands()) cmd.children.push_back(std::move(c));
    cmd.children.push_back(storage_volume_info_command());
    for (auto& c : storage_volume_backup_commands()) cmd.children.push_back(std::move(c));
    Command create = subcommand("create", "<pool> <volume> [key=value...]", "Create new custom storage volumes", 2, -1, run_create);
    create.examples = "inst storage volume create default data size=1GiB";
    create.flags = {{"type", 0, FlagKind::String, "Content type, block or filesystem (default \"filesystem\")"},
                    {"description", 0, FlagKind::String, "Description of the storage volume"}};
    cmd.children.push_back(std::move(create));
    Command del = subcommand("delete", "<pool> <volume>[/<snapshot>]", "Delete storage volumes", 2, 2, run_delete);
    del.aliases = {"rm"};
    cmd.children.push_back(std::move(del));
    Command edit = subcommand("edit", "<pool> <volume>[/<snapshot>]", "Edit storage volume configurations as YAML", 2, 2, run_edit);
    edit.examples = "inst storage volume edit <pool> <volume> < volume.yaml\n    Update a storage volume using the content of volume.yaml.";
    cmd.children.push_back(std::move(edit));
    cmd.children.push_back(
        subcommand("get", "<pool> <volume> <key>", "Get values for storage volume configuration keys", 3, 3, run_get));
    Command list = subcommand("list", "<pool>", "List storage volumes", 1, 1, run_list);
    list.aliases = {"ls"};
    list.flags = {{"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"}};
    cmd.children.push_back(std::move(list));
    Command rename = subcommand("rename", "<pool> <old name>[/<old snapshot name>] <new name>[/<new snapshot name>]",
                                "Rename storage volumes and storage volume snapshots", 3, 3, run_rename);
    rename.description = "Rename storage volumes";
    cmd.children.push_back(std::move(rename));
    Command set = subcommand("set", "<pool> <volume> <key>=<value>...", "Set storage volume configuration keys", 3, -1, run_set);
    set.examples = "inst storage volume set default data size=1GiB\n\ninst storage volume set default data user.x 1";
    cmd.children.push_back(std::move(set));
    Command show = subcommand("show", "<pool> <volume>[/<snapshot>]", "Show storage volume configurations", 2, 2, run_show);
    show.examples = "inst storage volume show default data\n    Will show the properties of a custom volume called \"data\" in the \"default\" pool.\n\n"
                    "inst storage volume show default container/data\n    Will show the properties of the filesystem for a container called \"data\" in the \"default\" pool.";
    cmd.children.push_back(std::move(show));
    cmd.children.push_back(subcommand("unset", "<pool> <volume> <key>", "Unset storage volume configuration keys", 3, 3, run_unset));
    // Listed alphabetically in help, as lxc does.
    std::sort(cmd.children.begin(), cmd.children.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return cmd;
}

}  // namespace li::cli
