// publish: an image from an instance, as `lxc publish`.
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "operation_wait.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

constexpr int kRunning = 103;

int run_publish(Context& ctx, const ParsedArgs& args) {
    ImagePublishOptions opts;
    RemoteRef source = instance_ref(ctx, args.positional[0]);  // no prefix: the default remote
    opts.instance = source.name;
    for (size_t i = 1; i < args.positional.size(); ++i) {
        const std::string& a = args.positional[i];
        auto eq = a.find('=');
        if (eq == std::string::npos) {
            // The target server: the image is made on the instance's own server; copying it to
            // another one afterwards (lxc's cross-server publish) is not supported yet.
            if (a == ":" ) continue;
            if (!a.ends_with(':')) throw UsageError(fmt::format("bad key=value pair: {}", a));
            std::string target = parse_remote_ref(ctx, a).remote;
            if (target != source.remote)
                throw UsageError(fmt::format("Publishing {} to another server ({}) is not supported yet: publish to {}:",
                                             args.positional[0], a, source.remote.empty() ? "local" : source.remote));
            continue;
        }
        opts.properties[a.substr(0, eq)] = a.substr(eq + 1);
    }
    auto aliases = args.list("alias");
    if (!aliases.empty()) opts.alias = aliases[0];
    opts.compression = args.string_or("compression", "gzip");
    opts.public_ = args.flag("public");
    opts.expires_at = args.string_or("expire", "");

    Manager& manager = ctx.manager(source.remote);
    auto& images = manager.images();
    if (args.flag("reuse")) {
        for (const auto& alias : aliases) {
            try {
                images.delete_alias(ctx.project(), alias);
            } catch (const Error& e) {
                if (e.code() != ErrorCode::NotFound) throw;
            }
        }
    }

    // --force stops a running instance first and starts it again afterwards, as lxc does. A
    // snapshot ("c1/snap0") never changes, so its instance may keep running.
    const bool from_snapshot = opts.instance.find('/') != std::string::npos;
    std::string instance_name = opts.instance.substr(0, opts.instance.find('/'));
    Instance instance = manager.instances().get(ctx.project(), instance_name);
    bool was_running = false;
    if (!from_snapshot && instance.state().status_code == kRunning) {
        if (!args.flag("force"))
            throw Error(ErrorCode::Conflict, "The instance is currently running. Use --force to have it stopped and restarted");
        if (instance.info().ephemeral)
            throw Error(ErrorCode::Conflict, "The instance is ephemeral: stopping it would delete it");
        StopOptions stop;
        stop.force = true;
        instance.stop(stop);
        was_running = true;
    }

    ProgressRenderer progress("Publishing instance: ", ctx.quiet(), ctx.progress_bars());
    std::string fingerprint;
    try {
        Operation op = run_operation(ctx, progress, [&] { return images.publish_async(ctx.project(), opts); });
        fingerprint = op.info().metadata.at("fingerprint");
    } catch (...) {
        if (was_running) instance.start();
        throw;
    }
    for (size_t i = 1; i < aliases.size(); ++i) images.create_alias(ctx.project(), aliases[i], fingerprint);
    if (was_running) instance.start();
    progress.done(fmt::format("Instance published with fingerprint: {}", fingerprint));
    return 0;
}

}  // namespace

Command publish_command() {
    Command cmd;
    cmd.name = "publish";
    cmd.usage = "[<remote>:]<instance>[/<snapshot>] [<remote>:] [flags] [key=value...]";
    cmd.summary = "Publish instances as images";
    cmd.description = "Publish instances as images\n\n"
                      "The key=value pairs become image properties (over the source image's).";
    cmd.examples = "inst publish c1 --alias my-image description=\"My image\"\n"
                   "inst publish c1 --alias my-image --compression xz --force";
    cmd.min_args = 1;
    cmd.max_args = -1;
    cmd.run = run_publish;
    cmd.flags = {{"alias", 0, FlagKind::StringList, "New alias to define at target"},
                 {"compression", 0, FlagKind::String, "Compression algorithm to use (none for uncompressed)"},
                 {"expire", 0, FlagKind::String, "Image expiration date (format: rfc3339)"},
                 {"force", 'f', FlagKind::Bool, "Stop the instance if currently running"},
                 {"public", 0, FlagKind::Bool, "Make the image public"},
                 {"reuse", 0, FlagKind::Bool, "If the image alias already exists, delete and create a new one"}};
    return cmd;
}

}  // namespace li::cli
