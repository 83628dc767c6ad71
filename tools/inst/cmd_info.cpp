// info: one instance in the layout of `lxc info <instance>`.
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "remote_ref.hpp"
#include "humanize.hpp"
#include "instance_snapshot_commands.hpp"

namespace li::cli {

namespace {

std::string instance_info_text(const api::Instance& inst, const api::InstanceState& state) {
    std::string status = state.status;  // live, unlike the stored document
    std::transform(status.begin(), status.end(), status.begin(), ::toupper);
    std::string out;
    out += fmt::format("Name: {}\n", inst.name);
    out += fmt::format("Status: {}\n", status);
    std::string type = inst.type.empty() ? "container" : inst.type;
    out += inst.ephemeral ? fmt::format("Type: {} (ephemeral)\n", type) : fmt::format("Type: {}\n", type);
    out += fmt::format("Architecture: {}\n", inst.architecture);
    if (state.pid != 0) out += fmt::format("PID: {}\n", state.pid);
    // A running VM's accelerator (kvm, or tcg when KVM is unusable); LXD prints none.
    if (!state.accelerator.empty()) out += fmt::format("Accelerator: {}\n", state.accelerator);
    if (auto t = parse_rfc3339(inst.created_at)) out += fmt::format("Created: {}\n", format_info_time(*t));
    if (auto t = parse_rfc3339(inst.last_used_at)) out += fmt::format("Last Used: {}\n", format_info_time(*t));
    if (state.pid != 0) {
        out += "\nResources:\n";
        out += fmt::format("  Processes: {}\n", state.processes);
        std::string disk;
        for (const auto& [device, usage] : state.disk) {
            if (usage.usage != 0) disk += fmt::format("    {}: {}\n", device, size_iec(usage.usage));
        }
        if (!disk.empty()) out += "  Disk usage:\n" + disk;
        if (state.cpu.usage != 0)
            out += fmt::format("  CPU usage:\n    CPU usage (in seconds): {}\n", state.cpu.usage / 1000000000);
        std::string memory;
        if (state.memory.usage != 0) memory += fmt::format("    Memory (current): {}\n", size_iec(state.memory.usage));
        if (state.memory.usage_peak != 0) memory += fmt::format("    Memory (peak): {}\n", size_iec(state.memory.usage_peak));
        if (state.memory.swap_usage != 0) memory += fmt::format("    Swap (current): {}\n", size_iec(state.memory.swap_usage));
        if (state.memory.swap_usage_peak != 0) memory += fmt::format("    Swap (peak): {}\n", size_iec(state.memory.swap_usage_peak));
        if (!memory.empty()) out += "  Memory usage:\n" + memory;
        std::string network;
        for (const auto& [nic_name, nic] : state.network) {
            network += fmt::format("    {}:\n", nic_name);
            std::string nic_state = nic.state;
            std::transform(nic_state.begin(), nic_state.end(), nic_state.begin(), ::toupper);
            network += fmt::format("      Type: {}\n      State: {}\n", nic.type, nic_state);
            if (!nic.host_name.empty()) network += fmt::format("      Host interface: {}\n", nic.host_name);
            if (!nic.hwaddr.empty()) network += fmt::format("      MAC address: {}\n", nic.hwaddr);
            if (nic.mtu != 0) network += fmt::format("      MTU: {}\n", nic.mtu);
            network += fmt::format("      Bytes received: {}\n      Bytes sent: {}\n", size_si(nic.counters.bytes_received),
                                   size_si(nic.counters.bytes_sent));
            network += fmt::format("      Packets received: {}\n      Packets sent: {}\n", nic.counters.packets_received,
                                   nic.counters.packets_sent);
            network += "      IP addresses:\n";
            for (const auto& a : nic.addresses)
                network += fmt::format("        {}:{}{}/{} ({})\n", a.family, a.family == "inet" ? "  " : " ", a.address, a.netmask, a.scope);
        }
        if (!network.empty()) out += "  Network usage:\n" + network;
    }
    return out;
}

int run_info(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = instance_ref(ctx, args.positional[0]);
    Instance instance = ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
    api::Instance inst = instance.info();
    api::InstanceState state = instance.state();
    std::fputs(instance_info_text(inst, state).c_str(), stdout);
    std::fputs(snapshots_info_text(instance.snapshots()).c_str(), stdout);
    // As lxc: the container's liblxc log after the information.
    if (args.flag("show-log")) std::fputs(fmt::format("\nLog:\n\n{}\n", instance.log_file("lxc.log")).c_str(), stdout);
    return 0;
}

}  // namespace

Command info_command() {
    Command cmd;
    cmd.name = "info";
    cmd.usage = "[<remote>:]<instance>";
    cmd.summary = "Show instance information";
    cmd.min_args = 1;
    cmd.max_args = 1;
    cmd.flags = {{"show-log", 0, FlagKind::Bool, "Show the instance's last 100 log lines?"}};
    cmd.run = run_info;
    return cmd;
}

}  // namespace li::cli
