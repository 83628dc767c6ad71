// storage volume export/import: custom volume backups as `lxc storage volume export/import`, run
// as operations: live progress, and Ctrl-C cancels (no file, no volume left behind). On a remote
// (`r:pool`) the daemon makes the backup and the file is downloaded, or the file is uploaded.
#include <fmt/format.h>

#include "context.hpp"
#include "libinstance/backup.hpp"
#include "libinstance/storage_volume.hpp"
#include "operation_wait.hpp"
#include "progress.hpp"
#include "storage_volume_commands.hpp"

namespace li::cli {

namespace {

// lxc's target when none is given: a fixed name in the current directory.
constexpr const char* kDefaultTarget = "backup.tar.gz";

// Only custom volumes have backups; lxc accepts the "custom/" prefix as the plain name.
std::string custom_volume_arg(const std::string& arg) {
    if (arg.starts_with("custom/")) return arg.substr(7);
    return arg;
}

int run_volume_export(Context& ctx, const ParsedArgs& args) {
    PoolRef at = pool_ref(ctx, args.positional[0]);
    std::string volume = custom_volume_arg(args.positional[1]);
    std::string target = args.positional.size() > 2 ? args.positional[2] : kDefaultTarget;
    BackupExportOptions opts;
    opts.instance_only = args.flag("volume-only");
    opts.optimized_storage = args.flag("optimized-storage");
    if (auto c = args.string("compression")) opts.compression_algorithm = *c;

    ProgressRenderer progress("Backing up storage volume: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress,
                  [&] { return at.volumes.export_backup_async(at.pool, volume, target, opts, ctx.project()); });
    progress.done("Volume exported successfully!");
    return 0;
}

int run_volume_import(Context& ctx, const ParsedArgs& args) {
    PoolRef at = pool_ref(ctx, args.positional[0]);
    BackupImportOptions opts;
    if (args.positional.size() > 2) opts.name = args.positional[2];

    ProgressRenderer progress("Importing custom volume: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress,
                  [&] { return at.volumes.import_backup_async(at.pool, args.positional[1], opts, ctx.project()); });
    progress.done("");
    return 0;
}

}  // namespace

std::vector<Command> storage_volume_backup_commands() {
    Command exp = subcommand("export", "[<remote>:]<pool> <volume> [<path>]", "Export custom storage volume", 2, 3,
                             run_volume_export);
    exp.description = "Export custom storage volume\n\nWithout a path the backup is written to backup.tar.gz, as lxc does.";
    exp.flags = {{"compression", 0, FlagKind::String, "Define a compression algorithm: for backup or none"},
                 {"optimized-storage", 0, FlagKind::Bool,
                  "Use storage driver optimized format (can only be restored on a similar pool)"},
                 {"volume-only", 0, FlagKind::Bool, "Export the volume without its snapshots"}};

    Command imp = subcommand("import", "[<remote>:]<pool> <backup file> [<volume name>]",
                             "Import custom storage volumes", 2, 3, run_volume_import);
    imp.description = "Import backups of custom volumes including their snapshots.";
    imp.examples = "inst storage volume import default backup0.tar.gz\n"
                   "    Create a new custom volume using backup0.tar.gz as the source.";
    return {exp, imp};
}

}  // namespace li::cli
