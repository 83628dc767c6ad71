// admin init: `lxd init --auto` over Manager::init — a managed NATed bridge and the default
// profile's eth0 on it. There is no interactive mode; the flags say everything.
#include <cstdio>
#include <string>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/manager.hpp"

namespace li::cli {

namespace {

int run_init(Context& ctx, const ParsedArgs& args) {
    InitOptions opts;
    opts.network_name = args.string_or("network-name", opts.network_name);
    opts.ipv4_address = args.string_or("network-ipv4", opts.ipv4_address);
    opts.ipv6_address = args.string_or("network-ipv6", opts.ipv6_address);
    InitResult done = ctx.manager().init(opts);
    if (ctx.quiet()) return 0;
    // Says what it did and what it found already there, so that a second run is plainly a no-op.
    if (done.network_created)
        std::printf("Network %s created\n", done.network_name.c_str());
    else if (!opts.network_name.empty())
        std::printf("Network %s already exists, kept as it is\n", opts.network_name.c_str());
    if (done.profile_nic_added)
        std::printf("Device eth0 added to profile default (network %s)\n", done.network_name.c_str());
    else if (!opts.network_name.empty())
        std::printf("Profile default already has an eth0 device, kept as it is\n");
    if (!done.network_created && !done.profile_nic_added) std::printf("Nothing new was created\n");
    return 0;
}

}  // namespace

Command admin_init_command() {
    Command cmd = subcommand("init", "", "Set up the state directory for first use (lxd init --auto)", 0, 0, run_init);
    cmd.description =
        "Set up the state directory for first use (lxd init --auto)\n\n"
        "Creates a managed bridge (--network-name, default instbr0; \"\" for none) with\n"
        "ipv4.address/ipv6.address from --network-ipv4/--network-ipv6 (a CIDR, auto for a free\n"
        "private subnet, or none; default auto) and NAT, and adds an eth0 nic on it to the default\n"
        "profile. The default storage pool and profile always exist already. Running it again\n"
        "changes nothing: an existing network of that name and an existing eth0 are kept.\n\n"
        "There is no interactive mode: without --auto it does the same as with it.";
    cmd.examples =
        "inst admin init --auto\n\n"
        "inst admin init --auto --network-name br1 --network-ipv4 10.20.0.1/24 --network-ipv6 none";
    cmd.flags = {{"auto", 0, FlagKind::Bool, "Automatic (non-interactive) mode (the only mode)"},
                 {"network-name", 0, FlagKind::String, "Name of the managed bridge to create (default \"instbr0\"; \"\" for none)"},
                 {"network-ipv4", 0, FlagKind::String, "Its ipv4.address: a CIDR, auto or none (default \"auto\")"},
                 {"network-ipv6", 0, FlagKind::String, "Its ipv6.address: a CIDR, auto or none (default \"auto\")"}};
    return cmd;
}

}  // namespace li::cli
