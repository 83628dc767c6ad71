// profile ...: lxc 5.0.2's profile commands over ProfileStore, and the profile lists of
// instances (add/remove/assign) over Instance::update().
#include <algorithm>
#include <cstdio>
#include <functional>
#include <fmt/format.h>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "output.hpp"
#include "remote_ref.hpp"
#include "yaml_documents.hpp"

namespace li::cli {

namespace {

// `[<remote>:]<profile>` as lxc reads it: no prefix is the default remote, "local:" this state
// directory. `profile list [<remote>:]` names only the remote.
RemoteRef profile_ref(Context& ctx, const ParsedArgs& args, size_t i = 0) {
    return i < args.positional.size() ? instance_ref(ctx, args.positional[i]) : RemoteRef{ctx.default_remote(), ""};
}

std::string profile_arg(Context& ctx, const ParsedArgs& args, size_t i = 0) { return profile_ref(ctx, args, i).name; }

/// The profiles of the server the first argument names.
ProfileStore& profiles(Context& ctx, const ParsedArgs& args) { return ctx.manager(profile_ref(ctx, args).remote).profiles(); }

// A ProfilePut from YAML (what `inst profile show` prints; name and used_by are ignored).
api::ProfilePut put_from_yaml(const std::string& text) {
    api::ProfilePut put;
    read_yaml_document(text, "profile", [&](const YAML::Node& doc) {
        put.description = yaml_description(doc);
        put.config = yaml_string_map(doc["config"], "config");
        if (auto devices = doc["devices"]; devices && !devices.IsNull()) {
            if (!devices.IsMap()) throw Error::invalid("devices", "\"devices\" must be a map of devices");
            for (const auto& d : devices) {
                std::string name = d.first.as<std::string>();
                put.devices[name] = yaml_string_map(d.second, "devices." + name);
            }
        }
    });
    return put;
}

std::string read_stdin() { return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>()); }

// "key=value" pairs, or lxc's "key value" form when there are exactly two words without '='.
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

void modify_profile(Context& ctx, const ParsedArgs& args, const std::string& name, const std::function<void(api::ProfilePut&)>& change) {
    std::string etag = profiles(ctx, args).etag(ctx.project(), name);
    api::ProfilePut put = api::put_of(profiles(ctx, args).get(ctx.project(), name));
    change(put);
    profiles(ctx, args).update(ctx.project(), name, put, etag);
}

int run_create(Context& ctx, const ParsedArgs& args) {
    api::ProfilesPost post;
    post.name = profile_arg(ctx, args);
    if (!::isatty(STDIN_FILENO)) {
        api::ProfilePut put = put_from_yaml(read_stdin());
        post.description = put.description;
        post.config = put.config;
        post.devices = put.devices;
    }
    if (auto d = args.string("description")) post.description = *d;
    profiles(ctx, args).create(ctx.project(), post);
    if (!ctx.quiet()) std::printf("Profile %s created\n", post.name.c_str());
    return 0;
}

// Profiles may be copied between servers (`lxc profile copy local:p R:p`): read from the first
// argument's server, written to the second's.
int run_copy(Context& ctx, const ParsedArgs& args) {
    api::Profile source = profiles(ctx, args).get(ctx.project(), profile_arg(ctx, args, 0));
    std::string target_project = args.string_or("target-project", ctx.project());
    RemoteRef target = profile_ref(ctx, args, 1);
    ProfileStore& target_profiles = ctx.manager(target.remote).profiles();
    api::ProfilesPost post{target.name, source.description, source.config, source.devices};
    if (args.flag("refresh") && target_profiles.exists(target_project, post.name)) {
        target_profiles.update(target_project, post.name, api::ProfilePut{post.description, post.config, post.devices});
        return 0;
    }
    target_profiles.create(target_project, post);
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    for (size_t i = 0; i < args.positional.size(); ++i) {
        RemoteRef ref = profile_ref(ctx, args, i);
        ctx.manager(ref.remote).profiles().remove(ctx.project(), ref.name);
        if (!ctx.quiet()) std::printf("Profile %s deleted\n", ref.name.c_str());
    }
    return 0;
}

int run_edit(Context& ctx, const ParsedArgs& args) {
    std::string name = profile_arg(ctx, args);
    if (::isatty(STDIN_FILENO))
        throw UsageError("inst profile edit reads the new profile YAML from standard input (e.g. inst profile show P | ... | inst profile edit P)");
    std::string etag = profiles(ctx, args).etag(ctx.project(), name);
    profiles(ctx, args).update(ctx.project(), name, put_from_yaml(read_stdin()), etag);
    return 0;
}

int run_get(Context& ctx, const ParsedArgs& args) {
    api::Profile p = profiles(ctx, args).get(ctx.project(), profile_arg(ctx, args));
    auto it = p.config.find(args.positional[1]);
    std::printf("%s\n", it == p.config.end() ? "" : it->second.c_str());
    return 0;
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto list = profiles(ctx, args).list(ctx.project());
    std::vector<Row> rows;
    for (const auto& p : list) rows.push_back({p.name, p.description, std::to_string(p.used_by.size())});
    std::string raw = (format == Format::Json || format == Format::Yaml) ? api::to_json(list) : std::string();
    std::fputs(render(format, {"NAME", "DESCRIPTION", "USED BY"}, rows, raw).c_str(), stdout);
    return 0;
}

int run_rename(Context& ctx, const ParsedArgs& args) {
    std::string name = profile_arg(ctx, args, 0), new_name = profile_arg(ctx, args, 1);
    profiles(ctx, args).rename(ctx.project(), name, new_name);
    if (!ctx.quiet()) std::printf("Profile %s renamed to %s\n", name.c_str(), new_name.c_str());
    return 0;
}

int run_set(Context& ctx, const ParsedArgs& args) {
    api::ConfigMap values = pairs({args.positional.begin() + 1, args.positional.end()});
    modify_profile(ctx, args, profile_arg(ctx, args), [&](api::ProfilePut& put) {
        for (const auto& [k, v] : values) {
            if (v.empty()) put.config.erase(k);
            else put.config[k] = v;
        }
    });
    return 0;
}

int run_show(Context& ctx, const ParsedArgs& args) {
    std::fputs(render_yaml(api::to_json(profiles(ctx, args).get(ctx.project(), profile_arg(ctx, args)))).c_str(), stdout);
    return 0;
}

int run_unset(Context& ctx, const ParsedArgs& args) {
    std::string name = profile_arg(ctx, args), key = args.positional[1];
    modify_profile(ctx, args, name, [&](api::ProfilePut& put) {
        if (put.config.erase(key) == 0)
            throw Error::invalid("config." + key, fmt::format("Can't unset key '{}', it's not currently set", key));
    });
    return 0;
}

// The instance's profile list changed through Instance::update(), so it is validated and applied
// like any other instance change.
void modify_instance_profiles(Context& ctx, const std::string& instance,
                              const std::function<void(std::vector<std::string>&)>& change) {
    RemoteRef ref = instance_ref(ctx, instance);
    Instance inst = ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
    std::string etag = inst.etag();
    api::InstancePut put = api::put_of(inst.info());
    change(put.profiles);
    inst.update(put, etag);
}

int run_add(Context& ctx, const ParsedArgs& args) {
    const std::string& instance = args.positional[0];
    std::string profile = args.positional[1];
    modify_instance_profiles(ctx, instance, [&](std::vector<std::string>& list) {
        if (std::find(list.begin(), list.end(), profile) != list.end())
            throw Error(ErrorCode::AlreadyExists, fmt::format("Profile {} is already applied to {}", profile, instance), "profiles");
        list.push_back(profile);
    });
    if (!ctx.quiet()) std::printf("Profile %s added to %s\n", profile.c_str(), instance.c_str());
    return 0;
}

int run_remove(Context& ctx, const ParsedArgs& args) {
    const std::string& instance = args.positional[0];
    std::string profile = args.positional[1];
    modify_instance_profiles(ctx, instance, [&](std::vector<std::string>& list) {
        auto it = std::find(list.begin(), list.end(), profile);
        if (it == list.end())
            throw Error(ErrorCode::NotFound, fmt::format("Profile {} isn't currently applied to {}", profile, instance), "profiles");
        list.erase(it);
    });
    if (!ctx.quiet()) std::printf("Profile %s removed from %s\n", profile.c_str(), instance.c_str());
    return 0;
}

int run_assign(Context& ctx, const ParsedArgs& args) {
    const std::string& instance = args.positional[0];
    std::vector<std::string> wanted;
    const std::string& spec = args.positional[1];
    for (size_t start = 0; !spec.empty();) {
        size_t comma = spec.find(',', start);
        wanted.push_back(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    modify_instance_profiles(ctx, instance, [&](std::vector<std::string>& list) { list = wanted; });
    if (!ctx.quiet()) {
        if (wanted.empty()) std::printf("Profiles removed from %s\n", instance.c_str());
        else std::printf("Profiles %s applied to %s\n", spec.c_str(), instance.c_str());
    }
    return 0;
}

// profile device ...
api::ConfigMap device_of(const api::ProfilePut& put, const std::string& profile, const std::string& device) {
    auto it = put.devices.find(device);
    if (it == put.devices.end())
        throw Error(ErrorCode::NotFound, fmt::format("Device {} doesn't exist in profile {}", device, profile), "devices." + device);
    return it->second;
}

int run_device_add(Context& ctx, const ParsedArgs& args) {
    std::string profile = profile_arg(ctx, args), device = args.positional[1];
    api::ConfigMap cfg = pairs({args.positional.begin() + 3, args.positional.end()});
    cfg["type"] = args.positional[2];
    modify_profile(ctx, args, profile, [&](api::ProfilePut& put) {
        if (put.devices.count(device))
            throw Error(ErrorCode::AlreadyExists, fmt::format("The device already exists: {}", device), "devices." + device);
        put.devices[device] = cfg;
    });
    if (!ctx.quiet()) std::printf("Device %s added to %s\n", device.c_str(), profile.c_str());
    return 0;
}

int run_device_remove(Context& ctx, const ParsedArgs& args) {
    std::string profile = profile_arg(ctx, args);
    std::vector<std::string> names(args.positional.begin() + 1, args.positional.end());
    modify_profile(ctx, args, profile, [&](api::ProfilePut& put) {
        for (const auto& n : names) {
            device_of(put, profile, n);
            put.devices.erase(n);
        }
    });
    if (!ctx.quiet())
        for (const auto& n : names) std::printf("Device %s removed from %s\n", n.c_str(), profile.c_str());
    return 0;
}

int run_device_list(Context& ctx, const ParsedArgs& args) {
    // As lxc: the names joined by newlines, then a newline (an empty list is one blank line).
    std::string names;
    for (const auto& [name, dev] : profiles(ctx, args).get(ctx.project(), profile_arg(ctx, args)).devices)
        names += (names.empty() ? "" : "\n") + name;
    std::printf("%s\n", names.c_str());
    return 0;
}

int run_device_show(Context& ctx, const ParsedArgs& args) {
    nlohmann::ordered_json doc = nlohmann::ordered_json::object();
    for (const auto& [name, dev] : profiles(ctx, args).get(ctx.project(), profile_arg(ctx, args)).devices) doc[name] = dev;
    std::fputs(render_yaml(doc.dump()).c_str(), stdout);
    return 0;
}

int run_device_get(Context& ctx, const ParsedArgs& args) {
    std::string profile = profile_arg(ctx, args);
    api::Profile p = profiles(ctx, args).get(ctx.project(), profile);
    api::ConfigMap dev = device_of(api::put_of(p), profile, args.positional[1]);
    auto it = dev.find(args.positional[2]);
    std::printf("%s\n", it == dev.end() ? "" : it->second.c_str());
    return 0;
}

int run_device_set(Context& ctx, const ParsedArgs& args) {
    std::string profile = profile_arg(ctx, args), device = args.positional[1];
    api::ConfigMap values = pairs({args.positional.begin() + 2, args.positional.end()});
    modify_profile(ctx, args, profile, [&](api::ProfilePut& put) {
        api::ConfigMap dev = device_of(put, profile, device);
        for (const auto& [k, v] : values) {
            if (v.empty()) dev.erase(k);
            else dev[k] = v;
        }
        put.devices[device] = dev;
    });
    return 0;
}

int run_device_unset(Context& ctx, const ParsedArgs& args) {
    std::string profile = profile_arg(ctx, args), device = args.positional[1], key = args.positional[2];
    modify_profile(ctx, args, profile, [&](api::ProfilePut& put) {
        api::ConfigMap dev = device_of(put, profile, device);
        if (dev.erase(key) == 0)
            throw Error::invalid("devices." + device + "." + key, fmt::format("The device doesn't have key {}", key));
        put.devices[device] = dev;
    });
    return 0;
}

Command device_command() {
    Command cmd;
    cmd.name = "device";
    cmd.summary = "Manage devices";
    cmd.children.push_back(subcommand("add", "<profile> <device> <type> [key=value...]", "Add devices to profiles", 3, -1, run_device_add));
    cmd.children.push_back(subcommand("get", "<profile> <device> <key>", "Get values for device configuration keys", 3, 3, run_device_get));
    Command list = subcommand("list", "<profile>", "List profile devices", 1, 1, run_device_list);
    list.aliases = {"ls"};
    cmd.children.push_back(std::move(list));
    Command remove = subcommand("remove", "<profile> <name>...", "Remove profile devices", 2, -1, run_device_remove);
    remove.aliases = {"rm"};
    cmd.children.push_back(std::move(remove));
    cmd.children.push_back(subcommand("set", "<profile> <device> <key>=<value>...", "Set device configuration keys", 3, -1, run_device_set));
    cmd.children.push_back(subcommand("show", "<profile>", "Show full device configuration for profiles", 1, 1, run_device_show));
    cmd.children.push_back(subcommand("unset", "<profile> <device> <key>", "Unset device configuration keys", 3, 3, run_device_unset));
    return cmd;
}

}  // namespace

Command profile_command() {
    Command cmd;
    cmd.name = "profile";
    cmd.summary = "Manage profiles";
    cmd.description =
        "Manage profiles\n\n"
        "An instance applies its profiles in order, then its own config and devices (later ones win;\n"
        "a device of type none hides an inherited one). Changing a profile changes every instance\n"
        "using it, live on running ones where the change can apply live.";

    cmd.children.push_back(subcommand("add", "<instance> <profile>", "Add profiles to instances", 2, 2, run_add));
    Command assign = subcommand("assign", "<instance> <profiles>", "Assign sets of profiles to instances", 2, 2, run_assign);
    assign.aliases = {"apply"};
    assign.examples = "inst profile assign foo default,bar\n    Set the profiles for \"foo\" to \"default\" and \"bar\".\n\n"
                      "inst profile assign foo \"\"\n    Remove all profile from \"foo\"";
    cmd.children.push_back(std::move(assign));
    Command copy = subcommand("copy", "<profile> <profile>", "Copy profiles", 2, 2, run_copy);
    copy.aliases = {"cp"};
    copy.flags = {{"target-project", 0, FlagKind::String, "Copy to a project different from the source"},
                  {"refresh", 0, FlagKind::Bool, "Update the target profile from the source if it already exists"}};
    cmd.children.push_back(std::move(copy));
    Command create = subcommand("create", "<profile>", "Create profiles", 1, 1, run_create);
    create.examples = "inst profile create p1\n\ninst profile create p1 < config.yaml\n    Create a profile named p1 with the configuration from config.yaml";
    create.flags = {{"description", 0, FlagKind::String, "Profile description"}};
    cmd.children.push_back(std::move(create));
    Command del = subcommand("delete", "<profile>", "Delete profiles", 1, -1, run_delete);
    del.aliases = {"rm"};
    cmd.children.push_back(std::move(del));
    cmd.children.push_back(device_command());
    Command edit = subcommand("edit", "<profile>", "Edit profile configurations as YAML", 1, 1, run_edit);
    edit.examples = "inst profile edit <profile> < profile.yaml\n    Update a profile using the content of profile.yaml";
    cmd.children.push_back(std::move(edit));
    cmd.children.push_back(subcommand("get", "<profile> <key>", "Get values for profile configuration keys", 2, 2, run_get));
    Command list = subcommand("list", "[<remote>:]", "List profiles", 0, 1, run_list);
    list.aliases = {"ls"};
    list.flags = {{"format", 'f', FlagKind::String, "Format (csv|json|table|yaml|compact) (default \"table\")"}};
    cmd.children.push_back(std::move(list));
    cmd.children.push_back(subcommand("remove", "<instance> <profile>", "Remove profiles from instances", 2, 2, run_remove));
    Command rename = subcommand("rename", "<profile> <new-name>", "Rename profiles", 2, 2, run_rename);
    rename.aliases = {"mv"};
    cmd.children.push_back(std::move(rename));
    Command set = subcommand("set", "<profile> <key><value>...", "Set profile configuration keys", 2, -1, run_set);
    set.examples = "inst profile set [<remote>:]<profile> <key> <value>\n\ninst profile set p1 environment.FOO=bar user.x=1";
    cmd.children.push_back(std::move(set));
    cmd.children.push_back(subcommand("show", "<profile>", "Show profile configurations", 1, 1, run_show));
    cmd.children.push_back(subcommand("unset", "<profile> <key>", "Unset profile configuration keys", 2, 2, run_unset));
    return cmd;
}

}  // namespace li::cli
