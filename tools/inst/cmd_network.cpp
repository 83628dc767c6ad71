// network list/create/delete/rename/show/edit/get/set/unset/info/list-leases: the managed
// networks of the state directory over NetworkStore, with lxc 5.0.2's syntax and output.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fmt/format.h>
#include <functional>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "commands.hpp"
#include "config_args.hpp"
#include "context.hpp"
#include "editor.hpp"
#include "humanize.hpp"
#include "libinstance/error.hpp"
#include "libinstance/network.hpp"
#include "network_commands.hpp"
#include "output.hpp"
#include "remote_ref.hpp"
#include "yaml_documents.hpp"

namespace li::cli {

std::string network_arg(const std::string& arg) { return arg.starts_with("local:") ? arg.substr(6) : arg; }

namespace {

// `[<remote>:]<network>` as lxc reads it: no prefix is the default remote, "local:" this state
// directory. `network list [<remote>:]` names only the remote.
RemoteRef network_ref(Context& ctx, const ParsedArgs& args, size_t i = 0) {
    return i < args.positional.size() ? instance_ref(ctx, args.positional[i]) : RemoteRef{ctx.default_remote(), ""};
}

std::string network_name(Context& ctx, const ParsedArgs& args, size_t i = 0) { return network_ref(ctx, args, i).name; }

/// The networks of the server the first argument names.
NetworkStore& networks(Context& ctx, const ParsedArgs& args) { return ctx.manager(network_ref(ctx, args).remote).networks(); }

std::string read_stdin() { return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>()); }

// api.Network in Go's field order (what lxc's YAML and JSON show), used_by sorted as lxc sorts it.
nlohmann::ordered_json network_doc(api::Network n) {
    std::sort(n.used_by.begin(), n.used_by.end());
    return nlohmann::ordered_json{{"config", n.config},   {"description", n.description}, {"name", n.name},
                                  {"type", n.type},       {"used_by", n.used_by},         {"managed", n.managed},
                                  {"status", n.status},   {"locations", n.locations}};
}

// A NetworkPut from YAML: description and config; what `show` prints besides (name, type,
// used_by, ...) is read-only and ignored.
api::NetworkPut put_from_yaml(const std::string& text) {
    api::NetworkPut put;
    read_yaml_document(text, "network", [&](const YAML::Node& doc) {
        put.description = yaml_description(doc);
        put.config = yaml_string_map(doc["config"], "config");
    });
    return put;
}

// Read, change, write back with the ETag read, so a concurrent change is refused, not lost.
void modify_network(Context& ctx, const ParsedArgs& args, const std::string& name, const std::function<void(api::NetworkPut&)>& change) {
    std::string etag = networks(ctx, args).etag(ctx.project(), name);
    api::NetworkPut put = api::put_of(networks(ctx, args).get(ctx.project(), name));
    change(put);
    networks(ctx, args).update(ctx.project(), name, put, etag);
}

int run_list(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto list = networks(ctx, args).list(ctx.project());
    std::vector<Row> rows;
    nlohmann::ordered_json raw = nlohmann::ordered_json::array();
    for (const auto& n : list) {
        raw.push_back(network_doc(n));
        // As lxc: the documents have every interface, the table not loopback ones.
        if (n.type == "loopback" || n.type == "unknown") continue;
        auto config = [&](const char* key) {
            auto it = n.config.find(key);
            return it == n.config.end() ? std::string() : it->second;
        };
        std::string state = n.status;
        std::transform(state.begin(), state.end(), state.begin(), ::toupper);
        rows.push_back({n.name, n.type, n.managed ? "YES" : "NO", config("ipv4.address"), config("ipv6.address"),
                        n.description, std::to_string(n.used_by.size()), state});
    }
    std::fputs(render(format, {"NAME", "TYPE", "MANAGED", "IPV4", "IPV6", "DESCRIPTION", "USED BY", "STATE"}, rows, raw.dump()).c_str(),
               stdout);
    return 0;
}

int run_create(Context& ctx, const ParsedArgs& args) {
    api::NetworksPost post;
    post.name = network_name(ctx, args, 0);
    // As lxc: YAML (description, config) from stdin when it is not a terminal, then the arguments.
    if (!::isatty(STDIN_FILENO)) {
        api::NetworkPut put = put_from_yaml(read_stdin());
        post.description = put.description;
        post.config = put.config;
    }
    if (auto type = args.string("type"); type && !type->empty()) post.type = *type;
    if (auto d = args.string("description")) post.description = *d;
    for (size_t i = 1; i < args.positional.size(); ++i) {
        const auto& kv = args.positional[i];
        auto eq = kv.find('=');
        if (eq == std::string::npos) throw UsageError(fmt::format("Bad key/value pair: {}", kv));
        post.config[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    networks(ctx, args).create(ctx.project(), post);
    if (!ctx.quiet()) std::printf("Network %s created\n", post.name.c_str());
    return 0;
}

int run_delete(Context& ctx, const ParsedArgs& args) {
    std::string name = network_name(ctx, args, 0);
    networks(ctx, args).remove(ctx.project(), name);
    if (!ctx.quiet()) std::printf("Network %s deleted\n", name.c_str());
    return 0;
}

int run_rename(Context& ctx, const ParsedArgs& args) {
    std::string name = network_name(ctx, args, 0), new_name = network_name(ctx, args, 1);
    networks(ctx, args).rename(ctx.project(), name, new_name);
    if (!ctx.quiet()) std::printf("Network %s renamed to %s\n", name.c_str(), new_name.c_str());
    return 0;
}

int run_show(Context& ctx, const ParsedArgs& args) {
    std::fputs(render_yaml(network_doc(networks(ctx, args).get(ctx.project(), network_name(ctx, args, 0))).dump()).c_str(), stdout);
    return 0;
}

const char* const edit_help =
    "### This is a YAML representation of the network.\n"
    "### Any line starting with a '# will be ignored.\n"
    "###\n"
    "### A network consists of a set of configuration items.\n"
    "###\n"
    "### An example would look like:\n"
    "### name: instbr0\n"
    "### config:\n"
    "###   ipv4.address: 10.62.42.1/24\n"
    "###   ipv4.nat: true\n"
    "###   ipv6.address: fd00:56ad:9f7a:9800::1/64\n"
    "###   ipv6.nat: true\n"
    "### managed: true\n"
    "### type: bridge\n"
    "###\n"
    "### Note that only the configuration can be changed.\n\n";

int run_edit(Context& ctx, const ParsedArgs& args) {
    std::string name = network_name(ctx, args, 0);
    std::string etag = networks(ctx, args).etag(ctx.project(), name);
    if (!::isatty(STDIN_FILENO)) {
        networks(ctx, args).update(ctx.project(), name, put_from_yaml(read_stdin()), etag);
        return 0;
    }
    api::NetworkPut current = api::put_of(networks(ctx, args).get(ctx.project(), name));
    nlohmann::ordered_json doc{{"config", current.config}, {"description", current.description}};
    edit_until_accepted(edit_help + render_yaml(doc.dump()),
                        [&](const std::string& text) { networks(ctx, args).update(ctx.project(), name, put_from_yaml(text), etag); });
    return 0;
}

// As lxc 5.0.2: the value and a newline when the key is set, nothing otherwise.
int run_get(Context& ctx, const ParsedArgs& args) {
    api::Network n = networks(ctx, args).get(ctx.project(), network_name(ctx, args, 0));
    if (auto it = n.config.find(args.positional[1]); it != n.config.end()) std::printf("%s\n", it->second.c_str());
    return 0;
}

// lxc's forms: "<key>=<value>..." or "<key> <value>"; an empty value unsets the key.
int run_set(Context& ctx, const ParsedArgs& args) {
    api::ConfigMap values = key_values({args.positional.begin() + 1, args.positional.end()});
    modify_network(ctx, args, network_name(ctx, args, 0), [&](api::NetworkPut& put) {
        for (const auto& [k, v] : values) {
            if (v.empty()) put.config.erase(k);
            else put.config[k] = v;
        }
    });
    return 0;
}

// As lxc (set with an empty value): unsetting a key that is not set is not an error.
int run_unset(Context& ctx, const ParsedArgs& args) {
    modify_network(ctx, args, network_name(ctx, args, 0), [&](api::NetworkPut& put) { put.config.erase(args.positional[1]); });
    return 0;
}

// lxc 5.0.2's layout: the interface, its addresses, its counters, then its bridge.
int run_info(Context& ctx, const ParsedArgs& args) {
    std::string name = network_name(ctx, args, 0);
    api::NetworkState s = networks(ctx, args).state(ctx.project(), name);
    std::printf("Name: %s\n", name.c_str());
    std::printf("MAC address: %s\n", s.hwaddr.c_str());
    std::printf("MTU: %lld\n", static_cast<long long>(s.mtu));
    std::printf("State: %s\n", s.state.c_str());
    std::printf("Type: %s\n", s.type.c_str());
    if (!s.addresses.empty()) {
        std::printf("\nIP addresses:\n");
        for (const auto& a : s.addresses)
            std::printf("  %s\t%s/%s (%s)\n", a.family.c_str(), a.address.c_str(), a.netmask.c_str(), a.scope.c_str());
    }
    std::printf("\nNetwork usage:\n");
    std::printf("  Bytes received: %s\n", size_si(s.counters.bytes_received).c_str());
    std::printf("  Bytes sent: %s\n", size_si(s.counters.bytes_sent).c_str());
    std::printf("  Packets received: %lld\n", static_cast<long long>(s.counters.packets_received));
    std::printf("  Packets sent: %lld\n", static_cast<long long>(s.counters.packets_sent));
    if (s.has_bridge) {
        const auto& b = s.bridge;
        std::printf("\nBridge:\n");
        std::printf("  ID: %s\n", b.id.c_str());
        std::printf("  STP: %s\n", b.stp ? "true" : "false");
        std::printf("  Forward delay: %llu\n", static_cast<unsigned long long>(b.forward_delay));
        std::printf("  Default VLAN ID: %llu\n", static_cast<unsigned long long>(b.vlan_default));
        std::printf("  VLAN filtering: %s\n", b.vlan_filtering ? "true" : "false");
        std::string upper;
        for (const auto& d : b.upper_devices) upper += (upper.empty() ? "" : ", ") + d;
        std::printf("  Upper devices: %s\n", upper.c_str());
    }
    return 0;
}

int run_list_leases(Context& ctx, const ParsedArgs& args) {
    Format format = parse_format(args.string_or("format", "table"));
    auto leases = networks(ctx, args).leases(ctx.project(), network_name(ctx, args, 0));
    std::vector<Row> rows;
    for (const auto& l : leases) {
        std::string type = l.type;
        std::transform(type.begin(), type.end(), type.begin(), ::toupper);
        rows.push_back({l.hostname, l.hwaddr, l.address, type});
    }
    std::string raw = (format == Format::Json || format == Format::Yaml) ? api::to_json(leases) : std::string();
    std::fputs(render(format, {"HOSTNAME", "MAC ADDRESS", "IP ADDRESS", "TYPE"}, rows, raw).c_str(), stdout);
    return 0;
}

const char* const format_help = "Format (csv|json|table|yaml|compact) (default \"table\")";

}  // namespace

Command network_command() {
    Command cmd;
    cmd.name = "network";
    cmd.summary = "Manage and attach instances to networks";
    cmd.description =
        "Manage and attach instances to networks\n\n"
        "Types: bridge (a Linux bridge with its own dnsmasq for DHCP and DNS, and NAT when\n"
        "ipv4.nat/ipv6.nat are true; ipv4.address/ipv6.address take a CIDR, auto or none), macvlan\n"
        "and physical (parent=<host interface>). Instances use a network through a nic device with\n"
        "network=<name> (network attach, or attach-profile for every instance of a profile).\n"
        "The host's other interfaces are listed too, as unmanaged.";

    for (auto& c : network_attach_commands()) cmd.children.push_back(std::move(c));

    Command create = subcommand("create", "<network> [key=value...]", "Create new networks", 1, -1, run_create);
    create.flags = {{"type", 't', FlagKind::String, "Network type (bridge, macvlan or physical; default bridge)"},
                    {"description", 0, FlagKind::String, "Network description"}};
    create.examples = "inst network create instbr1 ipv4.address=10.10.10.1/24 ipv4.nat=true ipv6.address=none\n\n"
                      "inst network create mv1 --type macvlan parent=eth0\n\n"
                      "inst network create n1 < network.yaml\n    Create network n1 with the configuration from network.yaml";
    cmd.children.push_back(std::move(create));

    Command del = subcommand("delete", "<network>", "Delete networks", 1, 1, run_delete);
    del.aliases = {"rm"};
    cmd.children.push_back(std::move(del));

    Command edit = subcommand("edit", "<network>", "Edit network configurations as YAML", 1, 1, run_edit);
    edit.examples = "inst network edit <network> < network.yaml\n    Update a network using the content of network.yaml";
    cmd.children.push_back(std::move(edit));

    cmd.children.push_back(subcommand("get", "<network> <key>", "Get values for network configuration keys", 2, 2, run_get));
    cmd.children.push_back(subcommand("info", "<network>", "Get runtime information on networks", 1, 1, run_info));

    Command list = subcommand("list", "[<remote>:]", "List available networks", 0, 1, run_list);
    list.aliases = {"ls"};
    list.flags = {{"format", 'f', FlagKind::String, format_help}};
    cmd.children.push_back(std::move(list));

    Command leases = subcommand("list-leases", "<network>", "List DHCP leases", 1, 1, run_list_leases);
    leases.flags = {{"format", 'f', FlagKind::String, format_help}};
    cmd.children.push_back(std::move(leases));

    Command rename = subcommand("rename", "<network> <new-name>", "Rename networks", 2, 2, run_rename);
    rename.aliases = {"mv"};
    cmd.children.push_back(std::move(rename));

    Command set = subcommand("set", "<network> <key>=<value>...", "Set network configuration keys", 2, -1, run_set);
    set.description =
        "Set network configuration keys\n\n"
        "For backward compatibility, a single configuration key may still be set with:\n"
        "    inst network set <network> <key> <value>";
    cmd.children.push_back(std::move(set));

    cmd.children.push_back(subcommand("show", "<network>", "Show network configurations", 1, 1, run_show));
    cmd.children.push_back(subcommand("unset", "<network> <key>", "Unset network configuration keys", 2, 2, run_unset));
    // Listed by name in help, as lxc lists them (attach/detach come from their own file).
    std::sort(cmd.children.begin(), cmd.children.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return cmd;
}

}  // namespace li::cli
