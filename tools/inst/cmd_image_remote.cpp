// image copy and image refresh: images from image servers (simplestreams remotes).
#include <cstdio>
#include <fmt/format.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/error.hpp"
#include "operation_wait.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

std::string fingerprint_in(const Operation& op) {
    auto meta = op.info().metadata;
    auto it = meta.find("fingerprint");
    if (it == meta.end()) throw Error(ErrorCode::Internal, "the operation succeeded but reported no image fingerprint");
    return it->second;
}

// lxc image copy <remote>:<image> local: — only copies into this state directory are possible.
int run_copy(Context& ctx, const ParsedArgs& args) {
    RemoteRef src = parse_remote_ref(ctx, args.positional[0]);
    RemoteRef dst = parse_remote_ref(ctx, args.positional[1]);
    if (src.remote.empty()) throw UsageError("The source of a copy must be a remote image (<remote>:<image>)");
    if (!dst.remote.empty() || !dst.name.empty())
        throw UsageError(fmt::format("Images can only be copied to local: (not \"{}\")", args.positional[1]));
    if (src.name.empty()) throw UsageError("No image given after the remote's name");
    api::ImagesPost post;
    post.source.server = src.remote;
    // A full or partial fingerprint is as good as an alias: the server resolves both.
    post.source.alias = src.name;
    for (const auto& a : args.list("alias")) post.aliases.push_back({a, ""});
    post.copy_aliases = args.flag("copy-aliases");
    post.auto_update = args.flag("auto-update");
    post.public_ = args.flag("public");
    ProgressRenderer progress("Copying the image: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress, [&] { return ctx.manager().images().copy_from_remote_async(ctx.project(), post); });
    progress.done("Image copied successfully!");
    return 0;
}

int run_refresh(Context& ctx, const ParsedArgs& args) {
    int status = 0;
    for (const auto& arg : args.positional) {
        // A daemon's image (`r:img`, or the default remote's) is refreshed by that daemon.
        RemoteRef ref = instance_ref(ctx, arg);
        ImageStore& images = ctx.manager(ref.remote).images();
        std::string before = images.get(ctx.project(), ref.name).fingerprint;
        ProgressRenderer progress("Refreshing the image: ", ctx.quiet(), ctx.progress_bars());
        Operation op = run_operation(ctx, progress, [&] { return images.refresh_async(ctx.project(), ref.name); });
        bool refreshed = fingerprint_in(op) != before;
        progress.done(refreshed ? "Image refreshed successfully!" : "Image already up to date.");
    }
    return status;
}

}  // namespace

std::vector<Command> image_remote_commands() {
    Command copy;
    copy.name = "copy";
    copy.aliases = {"cp"};
    copy.usage = "[<remote>:]<image> <remote>:";
    copy.summary = "Copy images between servers";
    copy.description =
        "Copy images between servers\n\n"
        "The source is an image of a remote (an alias or a fingerprint); the target is local:, the\n"
        "state directory. Every downloaded file is checked against the server's sha256.";
    copy.examples = "inst image copy images:debian/12 local: --alias debian --auto-update";
    copy.flags = {
        {"alias", 0, FlagKind::StringList, "New aliases to add to the image"},
        {"auto-update", 0, FlagKind::Bool, "Keep the image up to date (after initial copy)"},
        {"copy-aliases", 0, FlagKind::Bool, "Copy aliases from source"},
        {"public", 0, FlagKind::Bool, "Make image public"},
    };
    copy.min_args = 2;
    copy.max_args = 2;
    copy.run = run_copy;

    Command refresh;
    refresh.name = "refresh";
    refresh.usage = "[<remote>:]<image> [[<remote>:]<image>...]";
    refresh.summary = "Refresh images";
    refresh.description =
        "Refresh images\n\n"
        "Checks the server an image was copied from for a newer version of it; when there is one it\n"
        "replaces the image and its aliases move to the new one.";
    refresh.min_args = 1;
    refresh.max_args = -1;
    refresh.run = run_refresh;
    return {std::move(copy), std::move(refresh)};
}

}  // namespace li::cli
