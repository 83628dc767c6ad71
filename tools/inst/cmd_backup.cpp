// export, import: instance backups as `lxc export` / `lxc import` (one file, with the snapshots).
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/backup.hpp"
#include "libinstance/error.hpp"
#include "libinstance/instance.hpp"
#include "operation_wait.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

// lxc's target when none is given: a fixed name in the current directory.
constexpr const char* kDefaultTarget = "backup.tar.gz";

int run_export(Context& ctx, const ParsedArgs& args) {
    RemoteRef ref = instance_ref(ctx, args.positional[0]);  // no prefix: the default remote
    std::string target = args.positional.size() > 1 ? args.positional[1] : kDefaultTarget;
    BackupExportOptions opts;
    opts.instance_only = args.flag("instance-only");
    opts.optimized_storage = args.flag("optimized-storage");
    if (auto c = args.string("compression")) opts.compression_algorithm = *c;

    Instance instance = ctx.manager(ref.remote).instances().get(ctx.project(), ref.name);
    // lxc shows two phases (the server builds the backup, then it is downloaded); here the file
    // is written in place, so the second phase is the rename the library does at the end.
    ProgressRenderer progress("Backing up instance: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress, [&] { return instance.export_backup_async(target, opts); });
    progress.done("Backup exported successfully!");
    return 0;
}

int run_import(Context& ctx, const ParsedArgs& args) {
    std::vector<std::string> pos = args.positional;
    // `lxc import [<remote>:] <backup file> [<instance name>]` (no remote: the default one).
    std::string remote = ctx.default_remote();
    if (pos.size() > 1 && pos[0].ends_with(':')) {
        if (pos[0] != ":") remote = parse_remote_ref(ctx, pos[0]).remote;
        pos.erase(pos.begin());
    }
    if (pos.size() > 2) throw UsageError(fmt::format("unexpected argument: {}", pos[2]));
    BackupImportOptions opts;
    if (pos.size() > 1) opts.name = pos[1];
    opts.pool = args.string_or("storage", "");

    ProgressRenderer progress("Importing instance: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress,
                  [&] { return ctx.manager(remote).instances().import_backup_async(ctx.project(), pos[0], opts); });
    progress.done("");
    return 0;
}

}  // namespace

std::vector<Command> backup_commands() {
    Command exp;
    exp.name = "export";
    exp.usage = "[<remote>:]<instance> [target] [--instance-only] [--optimized-storage]";
    exp.summary = "Export instances as backup tarballs.";
    exp.description = "Export instances as backup tarballs.\n\n"
                      "Without a target the backup is written to backup.tar.gz, as lxc does.";
    exp.examples = "inst export u1 backup0.tar.gz\n    Download a backup tarball of the u1 instance.";
    exp.min_args = 1;
    exp.max_args = 2;
    exp.run = run_export;
    exp.flags = {{"compression", 0, FlagKind::String, "Compression algorithm to use (none for uncompressed)"},
                 {"instance-only", 0, FlagKind::Bool, "Whether or not to only backup the instance (without snapshots)"},
                 {"optimized-storage", 0, FlagKind::Bool,
                  "Use storage driver optimized format (can only be restored on a similar pool)"}};

    Command imp;
    imp.name = "import";
    imp.usage = "[<remote>:] <backup file> [<instance name>]";
    imp.summary = "Import backups of instances including their snapshots.";
    imp.examples = "inst import backup0.tar.gz\n    Create a new instance using backup0.tar.gz as the source.";
    imp.min_args = 1;
    imp.max_args = 3;
    imp.run = run_import;
    imp.flags = {{"storage", 's', FlagKind::String, "Storage pool name"}};
    return {exp, imp};
}

}  // namespace li::cli
