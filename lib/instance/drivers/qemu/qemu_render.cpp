#include "instance/drivers/qemu/qemu_render.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include "instance/drivers/lxc/lxc_limits.hpp"
#include "libinstance/error.hpp"

namespace li {

namespace {

std::string value_of(const api::ConfigMap& config, const std::string& key) {
    auto it = config.find(key);
    return it == config.end() ? std::string() : it->second;
}

// Text and attribute values of the XML: names and paths come from users.
std::string xml_escape(const std::string& in) {
    std::string out;
    out.reserve(in.size());
    for (char c : in) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '\'': out += "&apos;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string esc(const std::filesystem::path& p) { return xml_escape(p.string()); }

// virtio disks are vda, vdb, ... vdz, vdaa: the root disk always vda.
std::string disk_target(size_t index) {
    std::string name;
    for (size_t i = index + 1; i > 0; i = (i - 1) / 26) name.insert(name.begin(), static_cast<char>('a' + (i - 1) % 26));
    return "vd" + name;
}

void render_os(const QemuRenderInput& in, std::string& out) {
    out += "  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n";
    if (!in.kernel.empty()) {
        out += fmt::format("    <kernel>{}</kernel>\n", esc(in.kernel));
        if (!in.initrd.empty()) out += fmt::format("    <initrd>{}</initrd>\n", esc(in.initrd));
        out += fmt::format("    <cmdline>{}</cmdline>\n", xml_escape(vm_kernel_cmdline(in.instance_name, in.shares)));
    } else {
        out += fmt::format("    <loader readonly='yes' type='pflash'>{}</loader>\n", esc(in.firmware));
        out += fmt::format("    <nvram>{}</nvram>\n", esc(in.firmware_vars));
        out += "    <boot dev='hd'/>\n";
    }
    out += "  </os>\n";
}

void render_disks(const QemuRenderInput& in, std::string& out) {
    for (size_t i = 0; i < in.disks.size(); ++i) {
        const QemuDiskSource& d = in.disks[i];
        out += fmt::format("    <disk type='{}' device='disk'>\n", d.block ? "block" : "file");
        out += "      <driver name='qemu' type='raw' discard='unmap'/>\n";
        out += fmt::format("      <source {}='{}'/>\n", d.block ? "dev" : "file", esc(d.path));
        out += fmt::format("      <target dev='{}' bus='virtio'/>\n", disk_target(i));
        out += fmt::format("      <serial>{}</serial>\n", xml_escape(d.device.substr(0, 20)));
        if (d.readonly) out += "      <readonly/>\n";
        out += "    </disk>\n";
    }
    for (const QemuShareSource& s : in.shares) {
        out += "    <filesystem type='mount' accessmode='passthrough'>\n";
        out += fmt::format("      <source dir='{}'/>\n      <target dir='{}'/>\n", esc(s.path), xml_escape(s.mount_tag));
        if (s.readonly) out += "      <readonly/>\n";
        out += "    </filesystem>\n";
    }
}

void render_nics(const QemuRenderInput& in, std::string& out) {
    for (const QemuNicSource& n : in.nics) {
        out += "    <interface type='bridge'>\n";
        out += fmt::format("      <source bridge='{}'/>\n", xml_escape(n.bridge));
        out += fmt::format("      <mac address='{}'/>\n", xml_escape(n.hwaddr));
        if (!n.tap.empty()) out += fmt::format("      <target dev='{}'/>\n", xml_escape(n.tap));
        out += "      <model type='virtio'/>\n";
        if (!n.mtu.empty()) out += fmt::format("      <mtu size='{}'/>\n", xml_escape(n.mtu));
        out += "    </interface>\n";
    }
}

}  // namespace

uint64_t vm_memory_bytes(const api::ConfigMap& config, uint64_t host_memory) {
    std::string limit = value_of(config, "limits.memory");
    uint64_t bytes = limit.empty() ? kVmDefaultMemory : memory_limit_bytes(limit, host_memory);
    if (bytes < kVmMinimumMemory)
        throw Error::invalid("config.limits.memory",
                             fmt::format("limits.memory {} is below the {} MiB a virtual machine needs", limit, kVmMinimumMemory >> 20));
    return bytes;
}

std::pair<unsigned, std::string> vm_cpus(const api::ConfigMap& config, const std::string& host_cpus) {
    std::string limit = value_of(config, "limits.cpu");
    if (limit.empty()) return {1, ""};
    if (limit.find_first_not_of("0123456789") == std::string::npos) {
        unsigned count = static_cast<unsigned>(std::stoul(limit));
        if (count == 0) throw Error::invalid("config.limits.cpu", "limits.cpu must give a virtual machine at least one CPU");
        return {count, ""};
    }
    std::vector<unsigned> set = parse_cpu_set(limit);
    std::vector<unsigned> host = parse_cpu_set(host_cpus);
    for (unsigned cpu : set)
        if (std::find(host.begin(), host.end(), cpu) == host.end())
            throw Error::invalid("config.limits.cpu", fmt::format("limits.cpu {} names CPU {}, which the host does not have", limit, cpu));
    if (set.empty()) throw Error::invalid("config.limits.cpu", fmt::format("limits.cpu {} names no CPU", limit));
    return {static_cast<unsigned>(set.size()), limit};
}

std::string vm_kernel_cmdline(const std::string& hostname, const std::vector<QemuShareSource>& shares) {
    // ttyS0 is the console the console calls and console.log see; quiet keeps TCG boots short.
    // Instance names are valid host names, so the name goes as it is.
    std::string out = "root=/dev/vda rw console=ttyS0 panic=-1 quiet libinstance.hostname=" + hostname;
    for (const QemuShareSource& s : shares) {
        // The path is percent-encoded: the command line splits on spaces, the entry on colons.
        std::string path;
        for (unsigned char c : s.guest_path)
            path += std::isalnum(c) || c == '/' || c == '_' || c == '-' || c == '.' ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
        out += fmt::format(" libinstance.mount={}:{}{}", s.mount_tag, path, s.readonly ? ":ro" : "");
    }
    return out;
}

std::string render_domain_xml(const QemuRenderInput& in) {
    uint64_t memory = vm_memory_bytes(in.config, in.host_memory);
    auto [vcpus, cpuset] = vm_cpus(in.config, in.host_cpus);
    std::string out;
    out += fmt::format("<domain type='{}'>\n", in.kvm ? "kvm" : "qemu");
    out += fmt::format("  <name>{}</name>\n", xml_escape(in.domain_name));
    out += fmt::format("  <title>{}</title>\n", xml_escape(in.instance_name));
    out += fmt::format("  <memory unit='KiB'>{}</memory>\n", memory >> 10);
    if (cpuset.empty())
        out += fmt::format("  <vcpu placement='static'>{}</vcpu>\n", vcpus);
    else
        out += fmt::format("  <vcpu placement='static' cpuset='{}'>{}</vcpu>\n", xml_escape(cpuset), vcpus);
    render_os(in, out);
    out += "  <features>\n    <acpi/>\n  </features>\n";
    out += in.kvm ? "  <cpu mode='host-passthrough'/>\n" : "  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>\n";
    out += "  <clock offset='utc'/>\n";
    // A reboot inside the guest restarts it; a power-off or a crash ends the (transient) domain.
    out += "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n";
    out += "  <devices>\n";
    render_disks(in, out);
    render_nics(in, out);
    out += "    <serial type='unix'>\n";
    out += fmt::format("      <source mode='bind' path='{}'/>\n", esc(in.console_socket));
    out += fmt::format("      <log file='{}' append='on'/>\n", esc(in.console_log));
    out += "      <target port='0'/>\n    </serial>\n";
    out += "    <channel type='unix'>\n";
    out += fmt::format("      <source mode='bind' path='{}'/>\n", esc(in.agent_socket));
    out += fmt::format("      <target type='virtio' name='{}'/>\n", kVmAgentPortName);
    out += "    </channel>\n";
    out += "    <rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n    </rng>\n";
    out += "    <memballoon model='none'/>\n";
    out += "  </devices>\n";
    if (in.static_root_label) out += "  <seclabel type='static' model='dac' relabel='no'>\n    <label>+0:+0</label>\n  </seclabel>\n";
    out += "</domain>\n";
    return out;
}

}  // namespace li
