// storage create/list/show/get/set/unset/edit/info/delete: the storage pools of the state directory
// (lxc storage).
#include <cstdio>
#include <fmt/format.h>
#include <functional>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "commands.hpp"
#include "context.hpp"
#include "humanize.hpp"
#include "libinstance/error.hpp"
#include "output.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

// `[<remote>:]<pool>` as lxc reads it: no prefix is the default remote, "local:" this state
// directory. `storage list [<remote>:]` names only the remote.
RemoteRef pool_at(Context& ctx, const ParsedArgs& args, size_t i = 0) {
    return i < args.positional.size() ? instance_ref(ctx, args.positional[i]) : RemoteRef{ctx.default_remote(), ""};
}

std::string pool_name(Context& ctx, const ParsedArgs& args, size_t i = 0) { return pool_at(ctx, args, i).name; }

/// The storage pools of the server the first argument names.
StoragePoolStore& pools(Context& ctx, const ParsedArgs& args) { return ctx.manager(pool_at(ctx, args).remote).storage_pools(); }

int run_create(Context& ctx, const ParsedArgs& args) {
    api::StoragePoolsPost post;
    post.name = pool_name(ctx, args);
    post.driver = args.positional[1];
    post.description = args.string_or("description", "");
    for (size_t i = 2; i < args.positional.size(); ++i) {
        const auto& kv = args.positional[i];
        auto eq = kv.find('=');
        if (eq == std::string::npos) throw UsageError(fmt::format("Bad key=value pair: {}", kv));
        post.config[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    pools(ctx, args).create(post);
    if (!ctx.quiet()) std::printf("Storage pool %s created\n", post.name.c_str());
    return 0;
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto listed = pools(ctx, args).list();
    std::vector<Row> rows;
    for (const auto& p : listed) {
        auto source = p.config.find("source");
        rows.push_back({p.name, p.driver, source == p.config.end() ? "" : source->second, p.description,
                        std::to_string(p.used_by.size()), p.status == "Created" ? "CREATED" : p.status});
    }
    std::string raw = (format == Format::Json || format == Format::Yaml) ? api::to_json(listed) : std::string();
    std::fputs(render(format, {"NAME", "DRIVER", "SOURCE", "DESCRIPTION", "USED BY", "STATE"}, rows, raw).c_str(), stdout);
    return 0;
}

int run_show(Context& ctx, const ParsedArgs& args) {
    std::fputs(render_yaml(api::to_json(pools(ctx, args).get(pool_name(ctx, args)))).c_str(), stdout);
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    for (size_t i = 0; i < args.positional.size(); ++i) {
        RemoteRef ref = pool_at(ctx, args, i);
        ctx.manager(ref.remote).storage_pools().remove(ref.name);
        if (!ctx.quiet()) std::printf("Storage pool %s deleted\n", ref.name.c_str());
    }
    return 0;
}

// Read, change, write back with the ETag read, so a concurrent change is refused, not lost.
void modify_pool(Context& ctx, const ParsedArgs& args, const std::string& name, const std::function<void(api::StoragePoolPut&)>& change) {
    std::string etag = pools(ctx, args).etag(name);
    api::StoragePoolPut put = api::put_of(pools(ctx, args).get(name));
    change(put);
    pools(ctx, args).update(name, put, etag);
}

// A StoragePoolPut from YAML (what `inst storage show` prints; name, driver, used_by... ignored).
api::StoragePoolPut pool_put_from_yaml(const std::string& text) {
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid storage pool YAML: {}", e.what()));
    }
    api::StoragePoolPut put;
    if (!doc || doc.IsNull()) return put;
    if (!doc.IsMap()) throw Error::invalid("yaml", "the storage pool YAML must be a map");
    try {
        if (doc["description"] && !doc["description"].IsNull()) put.description = doc["description"].as<std::string>();
        if (auto config = doc["config"]; config && !config.IsNull()) {
            if (!config.IsMap()) throw Error::invalid("config", "\"config\" must be a map of strings");
            for (const auto& kv : config) {
                if (!kv.second.IsScalar() && !kv.second.IsNull())
                    throw Error::invalid(kv.first.as<std::string>(), "the value must be a string");
                put.config[kv.first.as<std::string>()] = kv.second.IsNull() ? "" : kv.second.as<std::string>();
            }
        }
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid storage pool YAML: {}", e.what()));
    }
    return put;
}

int run_get(Context& ctx, const ParsedArgs& args) {
    api::StoragePool pool = pools(ctx, args).get(pool_name(ctx, args));
    auto it = pool.config.find(args.positional[1]);
    std::printf("%s\n", it == pool.config.end() ? "" : it->second.c_str());
    return 0;
}

// lxc's forms: "<key> <value>" or "<key>=<value>...".
int run_set(Context& ctx, const ParsedArgs& args) {
    std::map<std::string, std::string> values;
    std::vector<std::string> words(args.positional.begin() + 1, args.positional.end());
    if (words.size() == 2 && words[0].find('=') == std::string::npos) {
        values[words[0]] = words[1];
    } else {
        for (const auto& w : words) {
            auto eq = w.find('=');
            if (eq == std::string::npos || eq == 0) throw UsageError(fmt::format("Bad key=value pair: {}", w));
            values[w.substr(0, eq)] = w.substr(eq + 1);
        }
    }
    modify_pool(ctx, args, pool_name(ctx, args), [&](api::StoragePoolPut& put) {
        for (const auto& [k, v] : values) {
            if (v.empty()) put.config.erase(k);
            else put.config[k] = v;
        }
    });
    return 0;
}

// As lxc: unsetting a key that is not set is not an error.
int run_unset(Context& ctx, const ParsedArgs& args) {
    modify_pool(ctx, args, pool_name(ctx, args), [&](api::StoragePoolPut& put) { put.config.erase(args.positional[1]); });
    return 0;
}

int run_edit(Context& ctx, const ParsedArgs& args) {
    const std::string name = pool_name(ctx, args);
    if (::isatty(STDIN_FILENO))
        throw UsageError("inst storage edit reads the new pool YAML from standard input (e.g. inst storage show P | ... | inst storage edit P)");
    std::string etag = pools(ctx, args).etag(name);
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    pools(ctx, args).update(name, pool_put_from_yaml(text), etag);
    return 0;
}

// lxc storage info: an "info" map and a "used by" map (type -> names), each marshalled with
// sorted keys; sizes human (IEC) unless --bytes.
int run_info(Context& ctx, const ParsedArgs& args) {
    api::StoragePool pool = pools(ctx, args).get(pool_name(ctx, args));
    api::ResourcesStoragePool res = pools(ctx, args).resources(pool.name);
    bool bytes = args.flag("bytes");
    auto size = [&](uint64_t n) { return bytes ? std::to_string(n) : size_iec(static_cast<int64_t>(n)); };
    nlohmann::json info = {{"name", pool.name},
                           {"driver", pool.driver},
                           {"description", pool.description},
                           {"total space", size(res.space.total)},
                           {"space used", size(res.space.used)}};
    nlohmann::json used_by = nlohmann::json::object();
    for (const auto& url : pool.used_by) {
        std::string rest = url.size() > 5 ? url.substr(5) : url;  // past "/1.0/"
        auto slash = rest.find('/');
        if (slash == std::string::npos) continue;
        std::string kind = rest.substr(0, slash), what = rest.substr(slash + 1);
        if (auto next = what.find('/'); next != std::string::npos) what = what.substr(0, next);
        used_by[kind].push_back(what);
    }
    std::fputs(render_yaml(nlohmann::json{{"info", info}}.dump()).c_str(), stdout);
    // yaml.v2 style for this map: sequences at their key's indentation.
    if (used_by.empty()) {
        std::fputs("used by: {}\n", stdout);
    } else {
        std::fputs("used by:\n", stdout);
        for (const auto& [kind, names] : used_by.items()) {
            std::printf("  %s:\n", kind.c_str());
            for (const auto& n : names) std::printf("  - %s\n", n.get<std::string>().c_str());
        }
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

    Command list = subcommand("list", "[<remote>:]", "List available storage pools", 0, 1, run_list);
    list.aliases = {"ls"};
    list.flags = {{"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"}};
    cmd.children.push_back(std::move(list));

    cmd.children.push_back(subcommand("show", "<pool>", "Show storage pool configurations and resources", 1, 1, run_show));

    Command edit = subcommand("edit", "<pool>", "Edit storage pool configurations as YAML", 1, 1, run_edit);
    edit.examples = "inst storage edit [<remote>:]<pool> < pool.yaml\n    Update a storage pool using the content of pool.yaml.";
    cmd.children.push_back(std::move(edit));
    cmd.children.push_back(subcommand("get", "<pool> <key>", "Get values for storage pool configuration keys", 2, 2, run_get));
    Command info = subcommand("info", "<pool>", "Show useful information about storage pools", 1, 1, run_info);
    info.flags = {{"bytes", 0, FlagKind::Bool, "Show the used and free space in bytes"}};
    cmd.children.push_back(std::move(info));
    Command set = subcommand("set", "<pool> <key> <value>", "Set storage pool configuration keys", 2, -1, run_set);
    set.examples = "inst storage set [<remote>:]<pool> <key> <value>\n\ninst storage set pool1 size=20GiB";
    cmd.children.push_back(std::move(set));
    cmd.children.push_back(subcommand("unset", "<pool> <key>", "Unset storage pool configuration keys", 2, 2, run_unset));

    Command del = subcommand("delete", "<pool>", "Delete storage pools", 1, -1, run_delete);
    del.aliases = {"rm"};
    cmd.children.push_back(std::move(del));
    return cmd;
}

}  // namespace li::cli
