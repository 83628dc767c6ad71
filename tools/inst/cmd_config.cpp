// config get/set/unset/show/edit, like lxc: an instance's configuration when one is named, else
// the state directory's own settings (lxc's server config, e.g. images.remote_cache_expiry).
// lxc tells them apart by the arguments alone (see is_server_set); so does this file.
// Also image prune (expired cached images).
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "commands.hpp"
#include "config_args.hpp"
#include "context.hpp"
#include "editor.hpp"
#include "instance_snapshot_commands.hpp"
#include "libinstance/error.hpp"
#include "output.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

// As lxc (where the server refuses the name): a snapshot's config is read-only, shown by `config show` only.
Instance instance_of(Context& ctx, const std::string& name) {
    if (instance_snapshot_ref(name)) throw Error::invalid("instance", fmt::format("Invalid instance name: {}", name));
    RemoteRef ref = instance_ref(ctx, name);
    return ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
}

// A leading "REMOTE:" argument names that server (and is removed); otherwise the server is the
// default remote's.
Manager& server_of(Context& ctx, std::vector<std::string>& pos) {
    if (!pos.empty() && pos[0].size() > 1 && pos[0].back() == ':' && pos[0].find(':') == pos[0].size() - 1) {
        std::string remote = parse_remote_ref(ctx, pos[0]).remote;
        pos.erase(pos.begin());
        return ctx.manager(remote);
    }
    return ctx.manager(ctx.default_remote());
}

std::string read_stdin() {
    return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
}

// lxc config set: the server's keys when every argument is key=value, or when the first word
// looks like a key (it has a '.'); otherwise the first word names the instance.
bool is_server_set(const std::vector<std::string>& args) {
    bool only_key_value = true;
    for (const auto& a : args)
        if (a.find('=') == std::string::npos) only_key_value = false;
    return only_key_value || args[0].find('.') != std::string::npos;
}

void require_not_expanded(const ParsedArgs& args) {
    if (args.flag("expanded")) throw UsageError("--expanded cannot be used with a server");
}

int run_get(Context& ctx, const ParsedArgs& args) {
    auto pos = args.positional;
    Manager& server = server_of(ctx, pos);
    if (pos.size() == 1) {
        require_not_expanded(args);
        std::printf("%s\n", server.get_config(pos[0]).c_str());
        return 0;
    }
    api::Instance info = instance_of(ctx, pos[0]).info();
    const auto& config = args.flag("expanded") ? info.expanded_config : info.config;
    auto it = config.find(pos[1]);
    std::printf("%s\n", it == config.end() ? "" : it->second.c_str());
    return 0;
}

int run_set(Context& ctx, const ParsedArgs& args) {
    auto pos = args.positional;
    Manager& server = server_of(ctx, pos);
    if (pos.empty()) throw UsageError("Invalid number of arguments");
    if (is_server_set(pos)) {
        for (const auto& [key, value] : key_values(pos)) server.set_config(key, value);
        return 0;
    }
    if (pos.size() < 2) throw UsageError("Invalid number of arguments");
    auto values = key_values({pos.begin() + 1, pos.end()});
    instance_of(ctx, pos[0]).set_config(values);
    return 0;
}

int run_unset(Context& ctx, const ParsedArgs& args) {
    auto pos = args.positional;
    Manager& server = server_of(ctx, pos);
    if (pos.empty()) throw UsageError("Invalid number of arguments");
    if (pos.size() == 1) {
        server.set_config(pos[0], "");
        return 0;
    }
    Instance inst = instance_of(ctx, pos[0]);
    if (!inst.get_config(pos[1])) throw UsageError(fmt::format("Can't unset key '{}', it's not currently set", pos[1]));
    inst.unset_config(pos[1]);
    return 0;
}

int run_show(Context& ctx, const ParsedArgs& args) {
    auto pos = args.positional;
    Manager& server = server_of(ctx, pos);
    if (pos.empty()) {
        require_not_expanded(args);
        nlohmann::ordered_json doc{{"config", server.config()}};
        std::fputs(render_yaml(doc.dump()).c_str(), stdout);
        return 0;
    }
    if (auto snap = instance_snapshot_ref(args.positional[0])) {
        show_instance_snapshot(ctx, *snap, args.flag("expanded"));
        return 0;
    }
    std::fputs(instance_put_yaml(instance_of(ctx, args.positional[0]).info(), args.flag("expanded")).c_str(), stdout);
    return 0;
}

// ---- edit -------------------------------------------------------------------------------------

constexpr const char* kEditHelp =
    "### This is a YAML representation of the configuration.\n"
    "### Any line starting with a '# will be ignored.\n"
    "###\n"
    "### A sample configuration looks like:\n"
    "### name: instance1\n"
    "### profiles:\n"
    "### - default\n"
    "### config:\n"
    "###   volatile.eth0.hwaddr: 00:16:3e:e9:f8:7f\n"
    "### devices:\n"
    "###   homedir:\n"
    "###     path: /extra\n"
    "###     source: /home/user\n"
    "###     type: disk\n"
    "### ephemeral: false\n"
    "###\n"
    "### Note that the name is shown but cannot be changed\n\n";

api::ConfigMap server_config_from_yaml(const std::string& text) {
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid YAML: {}", e.what()));
    }
    api::ConfigMap out;
    if (!doc || doc.IsNull() || !doc["config"] || doc["config"].IsNull()) return out;
    if (!doc["config"].IsMap()) throw Error::invalid("config", "\"config\" must be a map");
    for (const auto& kv : doc["config"]) out[kv.first.as<std::string>()] = kv.second.as<std::string>();
    return out;
}

void apply_server_config(Context& ctx, const api::ConfigMap& wanted) {
    // A PUT: keys left out are unset.
    for (const auto& [key, value] : ctx.manager().config())
        if (!wanted.count(key)) ctx.manager().set_config(key, "");
    for (const auto& [key, value] : wanted) ctx.manager().set_config(key, value);
}

int run_edit(Context& ctx, const ParsedArgs& args) {
    bool piped = !::isatty(STDIN_FILENO);
    if (args.positional.empty()) {
        if (piped) {
            apply_server_config(ctx, server_config_from_yaml(read_stdin()));
            return 0;
        }
        nlohmann::ordered_json doc{{"config", ctx.manager().config()}};
        edit_until_accepted(render_yaml(doc.dump()), [&](const std::string& text) { apply_server_config(ctx, server_config_from_yaml(text)); });
        return 0;
    }
    if (auto snap = instance_snapshot_ref(args.positional[0])) {
        if (piped) edit_instance_snapshot(ctx, *snap, read_stdin());
        else edit_until_accepted(instance_snapshot_yaml(ctx, *snap), [&](const std::string& t) { edit_instance_snapshot(ctx, *snap, t); });
        return 0;
    }
    Instance inst = instance_of(ctx, args.positional[0]);
    if (piped) {
        inst.update(instance_put_from_yaml(read_stdin()));
        return 0;
    }
    // The ETag is read before the document, so a change made while the editor is open is caught.
    std::string etag = inst.etag();
    std::string text = std::string(kEditHelp) + instance_put_yaml(inst.info(), false);
    edit_until_accepted(text, [&](const std::string& edited) { inst.update(instance_put_from_yaml(edited), etag); });
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
    cmd.summary = "Manage instance and server configuration options";
    cmd.description =
        "Manage instance and server configuration options\n\n"
        "With an instance name: the instance's configuration keys and devices, validated against\n"
        "the key registry (docs/reference/config-keys.md); a refused change changes nothing.\n"
        "Without one: the state directory's settings (lxc's server configuration):\n"
        "images.remote_cache_expiry (days an unused cached image is kept, default 10),\n"
        "images.unpack_max_ratio (default 100) and images.unpack_max_size (default 64GiB):\n"
        "the decompression-bomb limits of image imports, images.auto_update_interval (hours\n"
        "between refreshes of auto-update images, default 6, 0: never) and\n"
        "images.auto_update_cached (whether cached images are auto-updated too, default true).";
    const FlagSpec expanded_get{"expanded", 'e', FlagKind::Bool, "Access the expanded configuration"};
    const FlagSpec expanded_show{"expanded", 'e', FlagKind::Bool, "Show the expanded configuration"};

    cmd.children.push_back(config_device_command());

    Command edit = subcommand("edit", "[<instance>[/<snapshot>]]", "Edit instance or server configurations as YAML", 0, 1, run_edit);
    edit.examples = "inst config edit <instance> < instance.yaml\n    Update the instance configuration from config.yaml.";
    cmd.children.push_back(std::move(edit));

    Command get = subcommand("get", "[<instance>] <key>", "Get values for instance or server configuration keys", 1, 2, run_get);
    get.flags = {expanded_get};
    cmd.children.push_back(std::move(get));

    Command set = subcommand("set", "[<instance>] <key>=<value>...", "Set instance or server configuration keys", 1, -1, run_set);
    set.description =
        "Set instance or server configuration keys\n\n"
        "For backward compatibility, a single configuration key may still be set with:\n"
        "    inst config set [<instance>] <key> <value>";
    set.examples =
        "inst config set <instance> limits.cpu=2\n"
        "    Will set a CPU limit of \"2\" for the instance.\n\n"
        "inst config set images.remote_cache_expiry=5\n"
        "    Will keep unused cached images for 5 days.";
    cmd.children.push_back(std::move(set));

    Command show = subcommand("show", "[<instance>[/<snapshot>]]", "Show instance or server configurations", 0, 1, run_show);
    show.flags = {expanded_show};
    cmd.children.push_back(std::move(show));

    cmd.children.push_back(subcommand("unset", "[<instance>] <key>", "Unset instance or server configuration keys", 1, 2, run_unset));
    return cmd;
}

Command image_prune_command() {
    return subcommand("prune", "", "Delete cached images unused for images.remote_cache_expiry days", 0, 0, run_prune);
}

}  // namespace li::cli
