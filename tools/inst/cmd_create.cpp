// launch and init: create an instance from an image, and for launch start it.
#include <cstdio>
#include <map>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "operation_wait.hpp"
#include "petname.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

const std::vector<FlagSpec> create_flags = {
    {"config", 'c', FlagKind::StringList, "Config key/value to apply to the new instance"},
    {"device", 'd', FlagKind::StringList, "New key/value to apply to a specific device"},
    {"ephemeral", 'e', FlagKind::Bool, "Ephemeral instance"},
    {"network", 'n', FlagKind::String, "Network name"},
    {"no-profiles", 0, FlagKind::Bool, "Create the instance with no profiles applied"},
    {"profile", 'p', FlagKind::StringList, "Profile to apply to the new instance"},
    {"storage", 's', FlagKind::String, "Storage pool name"},
    {"vm", 0, FlagKind::Bool, "Create a virtual machine"},
};

// -d DEVICE,KEY=VALUE as lxc's: sets a key of one of the new instance's own devices, or of a
// device its profiles give it, which then becomes its own (the profile's keys plus the override),
// e.g. -d root,size=32MiB.
void apply_device_overrides(Manager& manager, Context& ctx, const std::vector<std::string>& entries, api::InstancesPost& post) {
    if (entries.empty()) return;
    std::map<std::string, api::ConfigMap> overrides;
    for (const auto& entry : entries) {
        auto comma = entry.find(',');
        auto eq = comma == std::string::npos ? std::string::npos : entry.find('=', comma);
        if (comma == std::string::npos || eq == std::string::npos)
            throw UsageError(fmt::format("Bad device override syntax, expecting <device>,<key>=<value>: {}", entry));
        overrides[entry.substr(0, comma)][entry.substr(comma + 1, eq - comma - 1)] = entry.substr(eq + 1);
    }
    api::DeviceMap from_profiles;
    for (const auto& name : post.profiles.value_or(std::vector<std::string>{"default"}))
        for (const auto& [device, config] : manager.profiles().get(ctx.project(), name).devices) from_profiles[device] = config;
    for (const auto& [device, keys] : overrides) {
        if (!post.devices.count(device)) {
            auto inherited = from_profiles.find(device);
            if (inherited == from_profiles.end())
                throw Error::invalid("devices." + device,
                                     fmt::format("Cannot override config for device \"{}\": Device not found in profile devices", device));
            post.devices[device] = inherited->second;
        }
        for (const auto& [key, value] : keys) post.devices[device][key] = value;
    }
}

// -n NETWORK as lxc's: the instance's own eth0 on a managed network, or on a host bridge or
// interface by nictype and parent.
api::ConfigMap eth0_on(Manager& manager, Context& ctx, const std::string& name) {
    api::Network network = manager.networks().get(ctx.project(), name);
    if (network.managed) return {{"type", "nic"}, {"network", network.name}, {"name", "eth0"}};
    return {{"type", "nic"}, {"nictype", network.type == "bridge" ? "bridged" : "macvlan"}, {"parent", network.name}, {"name", "eth0"}};
}

// lxc's `[<remote>:]<image> [<remote>:][<name>]`: the instance goes to the second argument's
// remote (the default remote without one).
api::InstancesPost make_post(Context& ctx, const ParsedArgs& args, const RemoteRef& target) {
    Manager& manager = ctx.manager(target.remote);
    api::InstancesPost post;
    set_instance_source(ctx, args.positional[0], post.source, target.remote);  // REMOTE:ALIAS is pulled at create
    post.name = target.name;
    post.ephemeral = args.flag("ephemeral");
    if (args.flag("vm")) post.type = "virtual-machine";
    for (const auto& kv : args.list("config")) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) throw UsageError(fmt::format("Bad key=value pair: {}", kv));
        post.config[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (args.flag("no-profiles")) post.profiles = std::vector<std::string>{};
    if (auto profiles = args.list("profile"); !profiles.empty()) post.profiles = profiles;
    // As lxc: the instance gets its own root disk device on that pool, over the profiles' one.
    if (auto pool = args.string("storage")) post.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", *pool}};
    if (auto network = args.string("network")) post.devices["eth0"] = eth0_on(manager, ctx, *network);
    apply_device_overrides(manager, ctx, args.list("device"), post);
    return post;
}

int create(Context& ctx, const ParsedArgs& args, bool start) {
    RemoteRef target = instance_ref(ctx, args.positional.size() > 1 ? args.positional[1] : std::string());
    if (target.remote == "local") target.remote.clear();
    api::InstancesPost post = make_post(ctx, args, target);
    bool generated = post.name.empty();
    if (generated) post.name = random_instance_name();
    if (!ctx.quiet()) {
        std::puts(generated ? "Creating the instance" : fmt::format("Creating {}", post.name).c_str());
        if (generated) std::printf("Instance name is: %s\n", post.name.c_str());
        std::fflush(stdout);
    }
    auto& instances = ctx.manager(target.remote).instances();
    {
        // lxc's wording: its progress comes from fetching and unpacking the image.
        ProgressRenderer progress("Retrieving image: ", ctx.quiet(), ctx.progress_bars());
        run_operation(ctx, progress, [&] { return instances.create_async(ctx.project(), post); });
        progress.done("");
    }
    if (start) {
        if (!ctx.quiet()) {
            std::printf("Starting %s\n", post.name.c_str());
            std::fflush(stdout);
        }
        Instance instance = instances.get(ctx.project(), post.name);
        ProgressRenderer progress("", ctx.quiet(), ctx.progress_bars());
        run_operation(ctx, progress, [&] { return instance.start_async(); });
        progress.done("");
    }
    return 0;
}

Command make(std::string name, std::string summary, bool start) {
    Command cmd;
    cmd.name = std::move(name);
    cmd.usage = "[<remote>:]<image> [<remote>:][<name>]";
    cmd.summary = std::move(summary);
    cmd.examples = fmt::format("inst {0} busybox c1\n\ninst {0} busybox c1 -c limits.memory=256MiB -e\n\ninst {0} busybox c1 -s pool1 -d root,size=1GiB\n\ninst {0} busybox c1 -n instbr0", cmd.name);
    cmd.flags = create_flags;
    cmd.min_args = 1;
    cmd.max_args = 2;
    cmd.run = [start](Context& ctx, const ParsedArgs& args) { return create(ctx, args, start); };
    return cmd;
}

}  // namespace

std::vector<Command> create_commands() {
    return {make("init", "Create instances from images", false),
            make("launch", "Create and start instances from images", true)};
}

}  // namespace li::cli
