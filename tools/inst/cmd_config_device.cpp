// config device add/get/list/override/remove/set/show/unset: an instance's devices, with lxc
// 5.0.2's syntax and messages. Each change is one read-modify-write of the instance's
// configuration, sent with the ETag it was read under (a concurrent change is a Conflict).
#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "config_args.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "output.hpp"

namespace li::cli {

namespace {

Instance instance_of(Context& ctx, const std::string& name) {
    return ctx.manager().instances().get(ctx.project(), name);
}

// Reads the instance (ETag first: a change in between then fails as a Conflict instead of
// being overwritten), lets change() edit its devices, and writes it back.
void modify(Instance& inst, const std::function<void(const api::Instance&, api::InstancePut&)>& change) {
    std::string etag = inst.etag();
    api::Instance info = inst.info();
    api::InstancePut put = api::put_of(info);
    change(info, put);
    inst.update(put, etag);
}

// key=value words (lxc: "No value found in %q" for a word without '=').
api::ConfigMap device_keys(const std::vector<std::string>& words, size_t from) {
    api::ConfigMap out;
    for (size_t i = from; i < words.size(); ++i) {
        auto eq = words[i].find('=');
        if (eq == std::string::npos) throw UsageError(fmt::format("No value found in \"{}\"", words[i]));
        out[words[i].substr(0, eq)] = words[i].substr(eq + 1);
    }
    return out;
}

// The instance's own device, with lxc's messages for one that is missing or a profile's.
api::ConfigMap& own_device(const api::Instance& info, api::InstancePut& put, const std::string& name, const char* profile_msg) {
    auto it = put.devices.find(name);
    if (it != put.devices.end()) return it->second;
    if (info.expanded_devices.count(name)) throw Error::invalid("devices." + name, fmt::format("{} ({})", profile_msg, name));
    throw Error(ErrorCode::NotFound, fmt::format("Device doesn't exist: {}", name), "devices." + name);
}

int run_add(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    Instance inst = instance_of(ctx, pos[0]);
    api::ConfigMap device = device_keys(pos, 3);
    device["type"] = pos[2];
    modify(inst, [&](const api::Instance&, api::InstancePut& put) {
        if (put.devices.count(pos[1]))
            throw Error(ErrorCode::AlreadyExists, fmt::format("The device already exists: {}", pos[1]), "devices." + pos[1]);
        put.devices[pos[1]] = device;
    });
    if (!ctx.quiet()) std::printf("Device %s added to %s\n", pos[1].c_str(), pos[0].c_str());
    return 0;
}

int run_get(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    api::Instance info = instance_of(ctx, pos[0]).info();
    api::InstancePut put = api::put_of(info);
    const auto& dev = own_device(info, put, pos[1], "Device from profile(s) cannot be retrieved for individual instance");
    auto it = dev.find(pos[2]);
    std::printf("%s\n", it == dev.end() ? "" : it->second.c_str());
    return 0;
}

int run_list(Context& ctx, const ParsedArgs& args) {
    // lxc joins the names with newlines and prints a newline after: an empty list is one blank line.
    std::string names;
    for (const auto& [name, dev] : instance_of(ctx, args.positional[0]).info().devices) names += (names.empty() ? "" : "\n") + name;
    std::printf("%s\n", names.c_str());
    return 0;
}

int run_show(Context& ctx, const ParsedArgs& args) {
    nlohmann::ordered_json doc = nlohmann::ordered_json::object();
    for (const auto& [name, dev] : instance_of(ctx, args.positional[0]).info().devices) doc[name] = dev;
    std::fputs(render_yaml(doc.dump()).c_str(), stdout);
    return 0;
}

int run_override(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    Instance inst = instance_of(ctx, pos[0]);
    api::ConfigMap overrides = device_keys(pos, 2);
    modify(inst, [&](const api::Instance& info, api::InstancePut& put) {
        if (put.devices.count(pos[1]))
            throw Error(ErrorCode::AlreadyExists, fmt::format("The device already exists: {}", pos[1]), "devices." + pos[1]);
        auto it = info.expanded_devices.find(pos[1]);
        if (it == info.expanded_devices.end())
            throw Error(ErrorCode::NotFound, fmt::format("The profile device doesn't exist: {}", pos[1]), "devices." + pos[1]);
        api::ConfigMap device = it->second;
        for (const auto& [k, v] : overrides) device[k] = v;
        put.devices[pos[1]] = device;
    });
    if (!ctx.quiet()) std::printf("Device %s overridden for %s\n", pos[1].c_str(), pos[0].c_str());
    return 0;
}

int run_remove(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    Instance inst = instance_of(ctx, pos[0]);
    std::vector<std::string> names(pos.begin() + 1, pos.end());
    modify(inst, [&](const api::Instance& info, api::InstancePut& put) {
        for (const auto& name : names) {
            own_device(info, put, name, "Device from profile(s) cannot be removed from individual instance. Override device or modify profile instead");
            put.devices.erase(name);
        }
    });
    if (!ctx.quiet()) {
        std::string joined;
        for (const auto& n : names) joined += (joined.empty() ? "" : ", ") + n;
        std::printf("Device %s removed from %s\n", joined.c_str(), pos[0].c_str());
    }
    return 0;
}

// set and unset: unset is set with an empty value, which removes the key.
void set_device_keys(Context& ctx, const std::string& instance, const std::string& device, const api::ConfigMap& keys) {
    Instance inst = instance_of(ctx, instance);
    modify(inst, [&](const api::Instance& info, api::InstancePut& put) {
        auto& dev = own_device(info, put, device, "Device from profile(s) cannot be modified for individual instance. Override device or modify profile instead");
        for (const auto& [k, v] : keys) {
            if (v.empty()) dev.erase(k);
            else dev[k] = v;
        }
    });
}

int run_set(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    set_device_keys(ctx, pos[0], pos[1], key_values({pos.begin() + 2, pos.end()}));
    return 0;
}

int run_unset(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    set_device_keys(ctx, pos[0], pos[1], {{pos[2], ""}});
    return 0;
}

}  // namespace

Command config_device_command() {
    Command cmd;
    cmd.name = "device";
    cmd.summary = "Manage devices";

    Command add = subcommand("add", "<instance> <device> <type> [key=value...]", "Add instance devices", 3, -1, run_add);
    add.examples =
        "inst config device add instance1 <device-name> disk source=/share/c1 path=/opt\n"
        "    Will mount the host's /share/c1 onto /opt in the instance.";
    cmd.children.push_back(std::move(add));
    cmd.children.push_back(subcommand("get", "<instance> <device> <key>", "Get values for device configuration keys", 3, 3, run_get));
    Command list = subcommand("list", "<instance>", "List instance devices", 1, 1, run_list);
    list.aliases = {"ls"};
    cmd.children.push_back(std::move(list));
    cmd.children.push_back(subcommand("override", "<instance> <device> [key=value...]",
                                      "Copy profile inherited devices and override configuration keys", 2, -1, run_override));
    Command remove = subcommand("remove", "<instance> <name>...", "Remove instance devices", 2, -1, run_remove);
    remove.aliases = {"rm"};
    cmd.children.push_back(std::move(remove));
    Command set = subcommand("set", "<instance> <device> <key>=<value>...", "Set device configuration keys", 3, -1, run_set);
    set.description =
        "Set device configuration keys\n\n"
        "For backward compatibility, a single configuration key may still be set with:\n"
        "    inst config device set <instance> <device> <key> <value>";
    cmd.children.push_back(std::move(set));
    cmd.children.push_back(subcommand("show", "<instance>", "Show full device configuration", 1, 1, run_show));
    cmd.children.push_back(subcommand("unset", "<instance> <device> <key>", "Unset device configuration keys", 3, 3, run_unset));
    return cmd;
}

}  // namespace li::cli
