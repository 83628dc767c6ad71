// storage volume info: lxc 5.0.2's overview of a volume, with a custom volume's snapshots.
#include <cstdio>
#include <fmt/format.h>

#include "context.hpp"
#include "humanize.hpp"
#include "libinstance/storage_volume.hpp"
#include "output.hpp"
#include "storage_volume_commands.hpp"

namespace li::cli {

namespace {

// lxc leaves an unset time as a blank cell.
std::string info_time(const std::string& rfc3339) {
    auto t = parse_rfc3339(rfc3339);
    return t ? format_info_time(*t) : " ";
}

int run_info(Context& ctx, const ParsedArgs& args) {
    PoolRef at = pool_ref(ctx, args.positional[0]);
    std::string spec = args.positional[1], type = "custom", name = spec;
    if (auto slash = spec.find('/'); slash != std::string::npos) {
        type = spec.substr(0, slash);
        name = spec.substr(slash + 1);
    }
    api::StorageVolume vol = at.volumes.get(at.pool, type, name, ctx.project());
    std::string out = fmt::format("Name: {}\n", vol.name);
    if (!vol.description.empty()) out += fmt::format("Description: {}\n", vol.description);
    out += fmt::format("Type: {}\n", vol.type.empty() ? "custom" : vol.type);
    out += fmt::format("Content type: {}\n", vol.content_type);
    if (vol.type == "custom") {
        std::vector<Row> rows;
        for (const auto& s : at.volumes.list_snapshots(at.pool, vol.name, ctx.project()))
            rows.push_back({s.name, s.description, info_time(s.created_at), info_time(s.expires_at)});
        if (!rows.empty()) out += "\nSnapshots:\n" + render_table({"NAME", "DESCRIPTION", "TAKEN AT", "EXPIRES AT"}, rows);
    }
    std::fputs(out.c_str(), stdout);
    return 0;
}

}  // namespace

Command storage_volume_info_command() {
    return subcommand("info", "<pool> <volume>", "Show storage volume state information", 2, 2, run_info);
}

}  // namespace li::cli
