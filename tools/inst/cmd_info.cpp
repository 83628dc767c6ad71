// info: one instance in the layout of `lxc info <instance>`.
#include <algorithm>
#include <cstdio>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "humanize.hpp"

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
    if (auto t = parse_rfc3339(inst.created_at)) out += fmt::format("Created: {}\n", format_info_time(*t));
    if (auto t = parse_rfc3339(inst.last_used_at)) out += fmt::format("Last Used: {}\n", format_info_time(*t));
    if (state.pid != 0) {
        out += "\nResources:\n";
        out += fmt::format("  Processes: {}\n", state.processes);
        if (state.cpu_usage_ns != 0)
            out += fmt::format("  CPU usage:\n    CPU usage (in seconds): {}\n", state.cpu_usage_ns / 1000000000);
        std::string memory;
        if (state.memory.usage != 0) memory += fmt::format("    Memory (current): {}\n", size_iec(state.memory.usage));
        if (state.memory.usage_peak != 0) memory += fmt::format("    Memory (peak): {}\n", size_iec(state.memory.usage_peak));
        if (!memory.empty()) out += "  Memory usage:\n" + memory;
    }
    return out;
}

int run_info(Context& ctx, const ParsedArgs& args) {
    std::string name = args.positional[0];
    if (name.starts_with("local:")) name.erase(0, 6);
    Instance instance = ctx.manager().instances().get(ctx.project(), name);
    api::Instance inst = instance.info();
    api::InstanceState state = instance.state();
    std::fputs(instance_info_text(inst, state).c_str(), stdout);
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
    cmd.run = run_info;
    return cmd;
}

}  // namespace li::cli
