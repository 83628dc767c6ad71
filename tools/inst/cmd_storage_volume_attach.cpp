// storage volume attach/detach: a custom volume becomes (or stops being) a disk device of an
// instance, through the instance device API, as lxc 5.0.2 does it.
#include <cstdio>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "libinstance/storage_volume.hpp"
#include "output.hpp"

namespace li::cli {

namespace {

std::string pool_arg(const ParsedArgs& args) {
    std::string pool = args.positional.at(0);
    if (pool.starts_with("local:")) pool.erase(0, 6);
    return pool;
}

std::string custom_volume(const std::string& spec) {
    if (auto slash = spec.find('/'); slash != std::string::npos) {
        if (spec.substr(0, slash) != "custom")
            throw Error(ErrorCode::InvalidArgument, "Only \"custom\" volumes can be attached to instances", "type");
        return spec.substr(slash + 1);
    }
    return spec;
}

// attach <pool> <volume> <instance> [<device name>] <path>: the device is named after the
// volume unless a name is given.
int run_attach(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    std::string pool = pool_arg(args), volume = custom_volume(pos[1]);
    std::string device = pos.size() == 5 ? pos[3] : volume;
    std::string path = pos.size() == 5 ? pos[4] : pos.size() == 4 ? pos[3] : "";
    // The volume must exist before the instance is touched (NotFound names it).
    api::StorageVolume vol = ctx.manager().storage_volumes().get(pool, "custom", volume, ctx.project());
    if (vol.content_type == "filesystem" && path.empty()) throw UsageError("Missing target directory");
    Instance inst = ctx.manager().instances().get(ctx.project(), pos[2]);
    api::ConfigMap disk{{"type", "disk"}, {"pool", pool}, {"source", volume}};
    if (!path.empty()) disk["path"] = path;
    inst.add_device(device, disk);
    return 0;
}

// detach <pool> <volume> <instance> [<device name>]: the instance's own disk device using the
// volume; with several, the device name picks one.
int run_detach(Context& ctx, const ParsedArgs& args) {
    const auto& pos = args.positional;
    std::string pool = pool_arg(args), volume = custom_volume(pos[1]);
    std::string wanted = pos.size() == 4 ? pos[3] : "";
    Instance inst = ctx.manager().instances().get(ctx.project(), pos[2]);
    api::Instance info = inst.info();
    std::vector<std::string> matches;
    for (const auto& [name, dev] : info.devices) {
        auto field = [&dev = dev](const char* key) {
            auto it = dev.find(key);
            return it == dev.end() ? std::string() : it->second;
        };
        if (field("type") != "disk" || field("pool") != pool || field("source") != volume) continue;
        if (!wanted.empty() && name != wanted) continue;
        matches.push_back(name);
    }
    if (matches.empty()) throw Error(ErrorCode::NotFound, "No device found for this storage volume", "devices");
    if (matches.size() > 1) throw UsageError("More than one device matches, specify the device name");
    inst.remove_device(matches.front());
    return 0;
}

}  // namespace

std::vector<Command> storage_volume_attach_commands() {
    std::vector<Command> out;
    Command attach = subcommand("attach", "<pool> <volume> <instance> [<device name>] <path>",
                                "Attach new storage volumes to instances", 3, 5, run_attach);
    attach.examples = "inst storage volume attach default data c1 /mnt/data\n"
                      "    Attach the custom volume \"data\" to c1 at /mnt/data, as a disk device named \"data\".";
    out.push_back(std::move(attach));
    out.push_back(subcommand("detach", "<pool> <volume> <instance> [<device name>]", "Detach storage volumes from instances", 3,
                             4, run_detach));
    return out;
}

}  // namespace li::cli
