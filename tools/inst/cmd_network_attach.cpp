// network attach/detach (an instance's own devices) and attach-profile/detach-profile (a
// profile's devices): a nic device on the network is added or removed, as lxc 5.0.2 does it.
// Each is one read-modify-write sent with the ETag it was read under. As in lxc, the network's
// remote (`[<remote>:]<network>`, no prefix the default remote) holds the instance or profile.
#include <fmt/format.h>
#include <functional>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "libinstance/network.hpp"
#include "libinstance/profile.hpp"
#include "network_commands.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

using Devices = std::map<std::string, api::ConfigMap>;

// The server of the network argument, and the network's name on it.
struct Where {
    std::string remote;
    std::string network;
};

Where where_of(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = instance_ref(ctx, args.positional[0]);
    return {ref.remote, ref.name};
}

// The instance or profile argument: a plain name on the network's server; lxc takes no prefix
// there, one naming that same server is accepted, another server refused.
std::string object_name(Context& ctx, const Where& where, const std::string& arg) {
    if (arg.find(':') == std::string::npos) return arg;
    RemoteRef ref = parse_remote_ref(ctx, arg);
    if (ref.remote != where.remote)
        throw UsageError(fmt::format("\"{}\" is not on the network's server: both must be on the same remote", arg));
    return ref.name;
}

// lxc's device for a network: a managed one by network=NAME (the NIC then takes the network's
// settings when it starts); a host interface as a macvlan of it, or bridged for a host bridge.
api::ConfigMap nic_for(Context& ctx, const ParsedArgs& args, const Where& where) {
    api::Network network = ctx.manager(where.remote).networks().get(ctx.project(), where.network);
    api::ConfigMap device{{"type", "nic"}};
    if (network.managed) {
        device["network"] = network.name;
    } else {
        device["nictype"] = network.type == "bridge" ? "bridged" : "macvlan";
        device["parent"] = network.name;
    }
    if (args.positional.size() > 3) device["name"] = args.positional[3];
    return device;
}

// The device is named after the network unless a name is given.
void add_nic(Devices& devices, const ParsedArgs& args, const Where& where, const api::ConfigMap& device) {
    std::string name = args.positional.size() > 2 ? args.positional[2] : where.network;
    if (devices.count(name)) throw Error(ErrorCode::AlreadyExists, fmt::format("Device already exists: {}", name), "devices." + name);
    devices[name] = device;
}

// lxc's detach: the named device, else the only nic on the network; it must be a nic on it.
void remove_nic(Devices& devices, const ParsedArgs& args, const Where& where) {
    const std::string& network = where.network;
    auto on_network = [&](const api::ConfigMap& d) {
        auto get = [&](const char* key) {
            auto it = d.find(key);
            return it == d.end() ? std::string() : it->second;
        };
        return get("type") == "nic" && (get("parent") == network || get("network") == network);
    };
    std::string name = args.positional.size() > 2 ? args.positional[2] : "";
    if (name.empty()) {
        for (const auto& [n, d] : devices) {
            if (!on_network(d)) continue;
            if (!name.empty())
                throw Error(ErrorCode::InvalidArgument, "More than one device matches, specify the device name", "devices");
            name = n;
        }
    }
    if (name.empty()) throw Error(ErrorCode::NotFound, fmt::format("No device found for this network: {}", network), "devices");
    auto it = devices.find(name);
    if (it == devices.end())
        throw Error(ErrorCode::NotFound, fmt::format("The specified device doesn't exist: {}", name), "devices." + name);
    if (!on_network(it->second))
        throw Error(ErrorCode::InvalidArgument, fmt::format("The specified device doesn't match the network: {}", name), "devices." + name);
    devices.erase(it);
}

void modify_instance_devices(Context& ctx, const Where& where, const std::string& instance,
                             const std::function<void(Devices&)>& change) {
    Instance inst = ctx.manager(where.remote).instances().get(ctx.project(), object_name(ctx, where, instance));
    std::string etag = inst.etag();
    api::InstancePut put = api::put_of(inst.info());
    change(put.devices);
    inst.update(put, etag);
}

void modify_profile_devices(Context& ctx, const Where& where, const std::string& profile,
                            const std::function<void(Devices&)>& change) {
    ProfileStore& profiles = ctx.manager(where.remote).profiles();
    std::string name = object_name(ctx, where, profile);
    std::string etag = profiles.etag(ctx.project(), name);
    api::ProfilePut put = api::put_of(profiles.get(ctx.project(), name));
    change(put.devices);
    profiles.update(ctx.project(), name, put, etag);
}

int run_attach(Context& ctx, const ParsedArgs& args) {
    Where where = where_of(ctx, args);
    api::ConfigMap device = nic_for(ctx, args, where);
    modify_instance_devices(ctx, where, args.positional[1], [&](Devices& d) { add_nic(d, args, where, device); });
    return 0;
}

int run_detach(Context& ctx, const ParsedArgs& args) {
    Where where = where_of(ctx, args);
    modify_instance_devices(ctx, where, args.positional[1], [&](Devices& d) { remove_nic(d, args, where); });
    return 0;
}

int run_attach_profile(Context& ctx, const ParsedArgs& args) {
    Where where = where_of(ctx, args);
    api::ConfigMap device = nic_for(ctx, args, where);
    modify_profile_devices(ctx, where, args.positional[1], [&](Devices& d) { add_nic(d, args, where, device); });
    return 0;
}

int run_detach_profile(Context& ctx, const ParsedArgs& args) {
    Where where = where_of(ctx, args);
    modify_profile_devices(ctx, where, args.positional[1], [&](Devices& d) { remove_nic(d, args, where); });
    return 0;
}

}  // namespace

std::vector<Command> network_attach_commands() {
    std::vector<Command> out;
    Command attach = subcommand("attach", "[<remote>:]<network> <instance> [<device name>] [<interface name>]",
                                "Attach network interfaces to instances", 2, 4, run_attach);
    attach.description = "Attach new network interfaces to instances";
    out.push_back(std::move(attach));
    out.push_back(subcommand("attach-profile", "[<remote>:]<network> <profile> [<device name>] [<interface name>]",
                             "Attach network interfaces to profiles", 2, 4, run_attach_profile));
    out.push_back(subcommand("detach", "[<remote>:]<network> <instance> [<device name>]", "Detach network interfaces from instances", 2, 3,
                             run_detach));
    out.push_back(subcommand("detach-profile", "[<remote>:]<network> <profile> [<device name>]", "Detach network interfaces from profiles", 2,
                             3, run_detach_profile));
    return out;
}

}  // namespace li::cli
