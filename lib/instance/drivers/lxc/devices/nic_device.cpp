// nic devices of containers: bridged and p2p (a veth pair), macvlan, physical (a host interface
// moved in). At start liblxc creates them from lxc.net.N lines; on a running container they are
// built on the host and moved into the container's network namespace (host_net).
//
// Per device, <devices_dir>/<name>/ records what the host side needs at stop or detach: the
// name inside ("ifname"), the host side of a veth ("host-name"), and for physical nics the
// interface's ifindex ("ifindex"), which survives the namespace moves and finds it again when
// the kernel returned it under another name.
#include <filesystem>
#include <fmt/format.h>
#include <regex>
#include <set>

#include "config/device_keys.hpp"
#include "config/validators.hpp"
#include "core/reverter.hpp"
#include "instance/drivers/lxc/devices/host_net.hpp"
#include "instance/drivers/lxc/devices/lxc_device.hpp"
#include "libinstance/error.hpp"
#include "network/network_nic.hpp"
#include "sys/fs.hpp"
#include "sys/sha256.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

std::string hash_hex(const std::string& text) {
    Sha256 h;
    h.update(text);
    return h.hex_digest();
}

std::string value(const api::ConfigMap& d, const std::string& key) { return config::device_value(d, key); }

bool is_veth(const std::string& nictype) { return nictype == "bridged" || nictype == "p2p"; }

fs::path state_dir(const DeviceEnv& env, const std::string& name) { return env.devices_dir / name; }

std::string recorded(const DeviceEnv& env, const std::string& name, const std::string& what) {
    try {
        return read_file(state_dir(env, name) / what, 256);
    } catch (const Error&) {
        return {};
    }
}

void record(const DeviceEnv& env, const std::string& name, const std::string& what, const std::string& text) {
    fs::create_directories(state_dir(env, name));
    write_file_atomic(state_dir(env, name) / what, text);
}

std::string hwaddr_of(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
    std::string set = value(d, "hwaddr");
    if (!set.empty()) return set;
    return default_nic_hwaddr(env.spec.project, env.spec.name, name);
}

std::string host_name_of(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
    std::string set = value(d, "host_name");
    return set.empty() ? "veth" + hash_hex(env.lxc_name + "/" + name).substr(0, 8) : set;
}

// The ifb device holding back what the container sends (see host_net::set_rate_limits).
std::string ifb_name_of(const std::string& host_name) { return "lif" + hash_hex(host_name).substr(0, 8); }

// A temporary host name for the end that moves into the container (hot-plug).
std::string temp_name_of(const DeviceEnv& env, const std::string& name) {
    return "lit" + hash_hex(env.lxc_name + "/" + name + "/peer").substr(0, 8);
}

// The name inside: the configured one, else the first ethN that no other nic names or uses.
std::string inside_name_of(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
    std::string set = value(d, "name");
    if (!set.empty()) return set;
    std::set<std::string> taken;
    for (const auto& [other, od] : env.spec.devices) {
        if (other == name || value(od, "type") != "nic") continue;
        if (!value(od, "name").empty()) taken.insert(value(od, "name"));
        if (std::string used = recorded(env, other, "ifname"); !used.empty()) taken.insert(used);
    }
    for (int i = 0;; i++)
        if (!taken.count("eth" + std::to_string(i))) return "eth" + std::to_string(i);
}

// The host side the device needs must be there (a bridge for bridged nics).
void check_parent(const std::string& name, const api::ConfigMap& d) {
    std::string nictype = value(d, "nictype");
    // A nic on a managed network was given its nictype when the network was found.
    if (nictype.empty() && !value(d, "network").empty())
        throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": network \"{}\" not found", name, value(d, "network")),
                    "devices." + name + ".network");
    std::string parent = value(d, "parent");
    if (nictype == "bridged" && !host_net::is_bridge(parent))
        throw Error(ErrorCode::NotFound,
                    fmt::format("device \"{}\": parent \"{}\" is not a bridge on the host", name, parent),
                    "devices." + name + ".parent");
    if ((nictype == "macvlan" || nictype == "physical") && !host_net::link_exists(parent))
        throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": parent interface \"{}\" does not exist on the host", name, parent),
                    "devices." + name + ".parent");
}

void check_host_name_free(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
    std::string host = host_name_of(env, name, d);
    if (host_net::link_exists(host))
        throw Error(ErrorCode::Conflict, fmt::format("device \"{}\": host interface \"{}\" already exists", name, host),
                    "devices." + name + ".host_name");
}

// The rates of the host side of a veth: the container's ingress is what the host side sends.
void apply_limits(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
    std::string max = value(d, "limits.max");
    std::string ingress = max.empty() ? value(d, "limits.ingress") : max;
    std::string egress = max.empty() ? value(d, "limits.egress") : max;
    std::string host = host_name_of(env, name, d);
    if (ingress.empty() && egress.empty()) return;
    host_net::set_rate_limits(host, ifb_name_of(host), ingress, egress);
}

// What the nic's managed network (if any) is told about it.
NicUse nic_use(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
    std::string host;
    if (is_veth(value(d, "nictype"))) {
        host = recorded(env, name, "host-name");
        if (host.empty()) host = host_name_of(env, name, d);
    }
    return NicUse{env.spec.project, env.spec.name, name, hwaddr_of(env, name, d), host, d};
}

// The next free lxc.net index of the rendered config.
int next_net_index(const LxcLines& lines) {
    static const std::regex type_key(R"(lxc\.net\.(\d+)\.type)");
    int next = 0;
    for (const auto& [key, v] : lines) {
        std::smatch m;
        if (std::regex_match(key, m, type_key)) next = std::max(next, std::stoi(m[1]) + 1);
    }
    return next;
}

class NicDevice final : public LxcDevice {
public:
    void start(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d, LxcLines& lines) override {
        std::string nictype = value(d, "nictype");
        check_parent(name, d);
        if (is_veth(nictype)) check_host_name_free(env, name, d);
        std::string prefix = fmt::format("lxc.net.{}.", next_net_index(lines));
        std::string inside = inside_name_of(env, name, d);
        if (nictype == "bridged" || nictype == "p2p") {
            lines.emplace_back(prefix + "type", "veth");
            if (nictype == "bridged") lines.emplace_back(prefix + "link", value(d, "parent"));
            lines.emplace_back(prefix + "veth.pair", host_name_of(env, name, d));
            record(env, name, "host-name", host_name_of(env, name, d));
        } else if (nictype == "macvlan") {
            lines.emplace_back(prefix + "type", "macvlan");
            lines.emplace_back(prefix + "link", value(d, "parent"));
            lines.emplace_back(prefix + "macvlan.mode", "bridge");
        } else {
            lines.emplace_back(prefix + "type", "phys");
            lines.emplace_back(prefix + "link", value(d, "parent"));
            record(env, name, "ifindex", std::to_string(host_net::ifindex(value(d, "parent")).value_or(0)));
        }
        lines.emplace_back(prefix + "name", inside);
        if (nictype != "physical" || !value(d, "hwaddr").empty()) lines.emplace_back(prefix + "hwaddr", hwaddr_of(env, name, d));
        if (!value(d, "mtu").empty()) lines.emplace_back(prefix + "mtu", value(d, "mtu"));
        lines.emplace_back(prefix + "flags", "up");
        record(env, name, "ifname", inside);
        network_nic_started(env.core, nic_use(env, name, d));
    }

    void post_start(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        if (is_veth(value(d, "nictype"))) apply_limits(env, name, d);
    }

    void stop(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        std::string nictype = value(d, "nictype");
        network_nic_released(env.core, nic_use(env, name, d));
        if (std::string host = recorded(env, name, "host-name"); !host.empty()) {
            host_net::delete_link(host);
            host_net::delete_link(ifb_name_of(host));
        }
        if (nictype == "physical") return_physical(env, name, d);
        remove_tree(state_dir(env, name));
    }

    void attach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        std::string nictype = value(d, "nictype");
        check_parent(name, d);
        host_net::InsideSetup setup{inside_name_of(env, name, d), hwaddr_of(env, name, d), value(d, "mtu")};
        Reverter revert;
        revert.add([&] { remove_tree(state_dir(env, name)); });
        if (is_veth(nictype)) {
            check_host_name_free(env, name, d);
            std::string host = host_name_of(env, name, d);
            std::string peer = temp_name_of(env, name);
            host_net::add_veth(host, peer);
            revert.add([host] { host_net::delete_link(host); });
            record(env, name, "host-name", host);
            if (!setup.mtu.empty()) host_net::set_mtu(host, setup.mtu);
            host_net::attach_to_bridge(host, nictype == "bridged" ? value(d, "parent") : std::string());
            host_net::move_into(peer, env.init_pid, setup);
            apply_limits(env, name, d);
        } else if (nictype == "macvlan") {
            std::string temp = temp_name_of(env, name);
            host_net::add_macvlan(temp, value(d, "parent"));
            revert.add([temp] { host_net::delete_link(temp); });
            host_net::move_into(temp, env.init_pid, setup);
        } else {
            if (value(d, "hwaddr").empty()) setup.hwaddr.clear();
            record(env, name, "ifindex", std::to_string(host_net::ifindex(value(d, "parent")).value_or(0)));
            host_net::move_into(value(d, "parent"), env.init_pid, setup);
        }
        record(env, name, "ifname", setup.name);
        network_nic_started(env.core, nic_use(env, name, d));
        revert.success();
    }

    void detach(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) override {
        std::string nictype = value(d, "nictype");
        std::string inside = recorded(env, name, "ifname");
        if (inside.empty()) inside = inside_name_of(env, name, d);
        network_nic_released(env.core, nic_use(env, name, d));
        if (is_veth(nictype)) {
            // Deleting one end of a veth pair deletes the other, inside the container.
            std::string host = recorded(env, name, "host-name");
            if (host.empty()) host = host_name_of(env, name, d);
            host_net::delete_link(host);
            host_net::delete_link(ifb_name_of(host));
        } else if (nictype == "macvlan") {
            host_net::delete_inside(inside, env.init_pid);
        } else {
            host_net::move_out(inside, env.init_pid, value(d, "parent"));
        }
        remove_tree(state_dir(env, name));
    }

private:
    // A physical interface goes back to the host when the container's namespace ends, under the
    // name it had inside (or a kernel-chosen one); it gets its own name back.
    static void return_physical(const DeviceEnv& env, const std::string& name, const api::ConfigMap& d) {
        std::string parent = value(d, "parent");
        if (host_net::link_exists(parent)) return;
        std::string index = recorded(env, name, "ifindex");
        if (index.empty() || index == "0") return;
        if (auto now = host_net::name_of_ifindex(std::stoi(index))) host_net::rename(*now, parent);
    }
};

}  // namespace

LxcDevice& lxc_nic_device() {
    static NicDevice device;
    return device;
}

}  // namespace li
