#include "instance/drivers/qemu/vm_devices.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "backend/libvirt/libvirt_connection.hpp"
#include "config/device_keys.hpp"
#include "core/manager_core.hpp"
#include "instance/drivers/lxc/devices/host_net.hpp"
#include "instance/drivers/qemu/kvm_probe.hpp"
#include "instance/drivers/qemu/qemu_paths.hpp"
#include "instance/drivers/qemu/qemu_render.hpp"
#include "instance/instance_driver.hpp"
#include "libinstance/error.hpp"
#include "network/dnsmasq.hpp"
#include "network/network_nic.hpp"
#include "storage/custom_volume.hpp"
#include "storage/storage_driver.hpp"
#include "sys/sha256.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

using config::device_value;

bool is_root_disk(const api::ConfigMap& d) { return device_value(d, "type") == "disk" && device_value(d, "path") == "/"; }

// The nics in a stable order with the names the guest gives them (eth0, eth1, ... by device
// name unless set), as the container driver names them.
std::vector<std::pair<std::string, std::string>> nics_of(const InstanceSpec& spec) {
    std::vector<std::pair<std::string, std::string>> out;
    int next = 0;
    for (const auto& [name, d] : spec.devices) {
        if (device_value(d, "type") != "nic") continue;
        std::string inside = device_value(d, "name");
        out.emplace_back(name, inside.empty() ? "eth" + std::to_string(next++) : inside);
    }
    return out;
}

// A 9p mount tag: the device name when short and plain, else a digest of it (QEMU's limit).
std::string mount_tag(const std::string& device) {
    bool plain = device.size() <= 31 && device.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
    if (plain) return device;
    Sha256 h;
    h.update(device);
    return "li" + h.hex_digest().substr(0, 16);
}

// Where a disk device's data is on the host: a custom volume's folder (or its root.img, for a
// block volume), or the host path. NotFound naming devices.<name>.source when missing.
fs::path disk_source(ManagerCore& core, const InstanceSpec& spec, const std::string& name, const api::ConfigMap& d) {
    std::string pool = device_value(d, "pool");
    std::string source = device_value(d, "source");
    if (!pool.empty()) {
        core.db().read([&](SQLite::Database& db) { return attached_custom_volume(db, spec.project, name, pool, source); });
        fs::path dir = core.pool(pool).mount_volume(custom_volume_ref(spec.project, source));
        return fs::exists(dir / "root.img") ? dir / "root.img" : dir;
    }
    if (source.empty())
        throw Error::invalid("devices." + name + ".source", fmt::format("device \"{}\": a VM's disk needs a source", name));
    std::error_code ec;
    if (!fs::exists(source, ec))
        throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": source \"{}\" does not exist", name, source), "devices." + name + ".source");
    return source;
}

void check_nic(const std::string& name, const api::ConfigMap& d) {
    std::string nictype = device_value(d, "nictype");
    if (nictype.empty() && !device_value(d, "network").empty())
        throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": network \"{}\" not found", name, device_value(d, "network")),
                    "devices." + name + ".network");
    if (nictype != "bridged")
        throw Error(ErrorCode::NotSupported,
                    fmt::format("device \"{}\": nictype \"{}\" is not supported for virtual machines (use bridged or a managed network)", name, nictype),
                    "devices." + name + ".nictype");
    std::string parent = device_value(d, "parent");
    if (!host_net::is_bridge(parent))
        throw Error(ErrorCode::NotFound, fmt::format("device \"{}\": parent \"{}\" is not a bridge on the host", name, parent),
                    "devices." + name + ".parent");
}

NicUse nic_use(const InstanceSpec& spec, const std::string& name, const api::ConfigMap& d) {
    std::string hwaddr = device_value(d, "hwaddr");
    if (hwaddr.empty()) hwaddr = default_nic_hwaddr(spec.project, spec.name, name);
    return NicUse{spec.project, spec.name, name, hwaddr, vm_tap_name(spec, name), d};
}

}  // namespace

uint64_t host_memory_bytes() {
    long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(size) : 0;
}

std::string host_cpu_set() {
    long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 1 ? fmt::format("0-{}", n - 1) : "0";
}

std::string vm_tap_name(const InstanceSpec& spec, const std::string& device) {
    Sha256 h;
    h.update(spec.volume_dir.string() + "/" + device);
    return "tap" + h.hex_digest().substr(0, 8);
}

void check_vm_config(ManagerCore& core, const InstanceSpec& spec) {
    vm_memory_bytes(spec.config, host_memory_bytes());
    vm_cpus(spec.config, host_cpu_set());
    for (const auto& [name, d] : spec.devices) {
        std::string type = device_value(d, "type");
        if (type == "disk") {
            if (!is_root_disk(d)) disk_source(core, spec, name, d);
        } else if (type == "nic") {
            check_nic(name, d);
        } else if (type != "none") {
            throw Error(ErrorCode::NotSupported, fmt::format("device \"{}\": {} devices are not supported for virtual machines", name, type),
                        "devices." + name + ".type");
        }
    }
}

void prepare_vm_devices(ManagerCore& core, const InstanceSpec& spec, QemuRenderInput& in, Reverter& revert) {
    for (const auto& [name, d] : spec.devices) {
        if (device_value(d, "type") != "disk" || is_root_disk(d)) continue;
        fs::path source = disk_source(core, spec, name, d);
        bool readonly = config::device_value(d, "readonly") == "true";
        if (fs::is_directory(source)) {
            in.shares.push_back({name, source, mount_tag(name), device_value(d, "path"), readonly});
        } else {
            in.disks.push_back({name, source, fs::is_block_file(source), readonly});
        }
    }
    for (const auto& [name, inside] : nics_of(spec)) {
        const api::ConfigMap& d = spec.devices.at(name);
        NicUse use = nic_use(spec, name, d);
        in.nics.push_back({name, device_value(d, "parent"), use.hwaddr, use.host_name, device_value(d, "mtu")});
        network_nic_started(core, use);
        revert.add([&core, use] { network_nic_released(core, use); });
    }
}

void release_vm_devices(ManagerCore& core, const InstanceSpec& spec) {
    for (const auto& [name, inside] : nics_of(spec)) network_nic_released(core, nic_use(spec, name, spec.devices.at(name)));
}

void vm_device_counters(ManagerCore& core, const InstanceSpec& spec, const LibvirtDomain& dom, api::InstanceState& st) {
    for (const auto& [name, inside] : nics_of(spec)) {
        const api::ConfigMap& d = spec.devices.at(name);
        NicUse use = nic_use(spec, name, d);
        LibvirtDeviceStats s = dom.interface_stats(use.host_name);
        api::InstanceStateNetwork& net = st.network[inside];
        net.hwaddr = use.hwaddr;
        net.host_name = use.host_name;
        net.state = "up";
        net.type = "broadcast";
        // libvirt reports a bridged tap's counters as the guest sees them.
        net.counters.bytes_received = s.rx_bytes;
        net.counters.bytes_sent = s.tx_bytes;
        net.counters.packets_received = s.rx_packets;
        net.counters.packets_sent = s.tx_packets;
        net.counters.errors_received = s.rx_errs;
        net.counters.errors_sent = s.tx_errs;
        net.counters.packets_dropped_inbound = s.rx_drop;
        net.counters.packets_dropped_outbound = s.tx_drop;
        // The host sees no addresses inside a VM; a managed network's DHCP server knows what it
        // gave the nic's MAC.
        if (std::string network = device_value(d, "network"); !network.empty()) {
            for (const api::NetworkLease& lease : net::read_leases(core.networks_dir() / network)) {
                if (lease.hwaddr != use.hwaddr || lease.address.empty()) continue;
                bool v6 = lease.address.find(':') != std::string::npos;
                bool seen = std::any_of(net.addresses.begin(), net.addresses.end(), [&](const auto& a) { return a.address == lease.address; });
                if (!seen) net.addresses.push_back({v6 ? "inet6" : "inet", lease.address, "", "global"});
            }
        }
    }
}

}  // namespace li
