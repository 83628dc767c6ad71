// image export/edit/get-property/set-property/unset-property, and import of split images:
// lxc 5.0.2's syntax over ImageStore.
#include <cstdio>
#include <fmt/format.h>
#include <iostream>
#include <iterator>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "commands.hpp"
#include "context.hpp"
#include "libinstance/api/image.hpp"
#include "libinstance/error.hpp"
#include "operation_wait.hpp"
#include "progress.hpp"
#include "remote_ref.hpp"

namespace li::cli {

namespace {

// The store of the server `[<remote>:]<name>` names (no prefix: the default remote, as lxc);
// name gets the bare name.
ImageStore& store_of(Context& ctx, const std::string& arg, std::string& name) {
    RemoteRef ref = instance_ref(ctx, arg);
    name = ref.name;
    return ctx.manager(ref.remote).images();
}

std::string fingerprint_of(const Operation& op) {
    auto meta = op.info().metadata;
    auto it = meta.find("fingerprint");
    if (it == meta.end()) throw Error(ErrorCode::Internal, "the operation succeeded but reported no image fingerprint");
    return it->second;
}

// lxc image import <tarball> [<rootfs tarball>] [key=value...] [--public] [--alias A...]
int run_import(Context& ctx, const ParsedArgs& args) {
    ImageImportOptions opts;
    std::vector<std::string> files;
    std::string remote = ctx.default_remote();
    for (const auto& a : args.positional) {
        if (auto eq = a.find('='); eq != std::string::npos && eq > 0) opts.properties[a.substr(0, eq)] = a.substr(eq + 1);
        else if (a.ends_with(':')) remote = parse_remote_ref(ctx, a).remote;  // the target server
        else files.push_back(a);
    }
    ImageStore& images = ctx.manager(remote).images();
    if (files.empty() || files.size() > 2) throw UsageError("Invalid number of arguments");
    if (files.size() == 2) opts.rootfs_path = files[1];
    auto aliases = args.list("alias");
    if (!aliases.empty()) opts.alias = aliases[0];
    opts.public_ = args.flag("public");
    ProgressRenderer progress("Transferring image: ", ctx.quiet(), ctx.progress_bars());
    Operation op = run_operation(ctx, progress, [&] { return images.import_file_async(ctx.project(), files[0], opts); });
    std::string fingerprint = fingerprint_of(op);
    for (size_t i = 1; i < aliases.size(); ++i) images.create_alias(ctx.project(), aliases[i], fingerprint);
    progress.done(fmt::format("Image imported with fingerprint: {}", fingerprint));
    return 0;
}

int run_export(Context& ctx, const ParsedArgs& args) {
    std::string ref;
    ImageStore& images = store_of(ctx, args.positional[0], ref);
    std::filesystem::path target = args.positional.size() > 1 ? args.positional[1] : ".";
    ProgressRenderer progress("Exporting the image: ", ctx.quiet(), ctx.progress_bars());
    run_operation(ctx, progress, [&] { return images.export_image_async(ctx.project(), ref, target); });
    progress.done("Image exported successfully!");
    return 0;
}

struct ImageOn {
    ImageStore& store;
    api::Image image;
};

ImageOn image_of(Context& ctx, const std::string& arg) {
    std::string name;
    ImageStore& store = store_of(ctx, arg, name);
    return {store, store.get(ctx.project(), name)};
}

// `lxc image edit` reads the ImagePut YAML from stdin when it is not a terminal.
int run_edit(Context& ctx, const ParsedArgs& args) {
    auto [store, image] = image_of(ctx, args.positional[0]);
    if (::isatty(STDIN_FILENO))
        throw UsageError("inst image edit reads the new image YAML from standard input (e.g. inst image show X | ... | inst image edit X)");
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid image YAML: {}", e.what()));
    }
    api::ImagePut put = api::image_put_of(image);
    try {
        if (doc && doc.IsMap()) {
            put.properties.clear();
            if (doc["properties"] && doc["properties"].IsMap())
                for (const auto& kv : doc["properties"]) put.properties[kv.first.as<std::string>()] = kv.second.as<std::string>();
            put.public_ = doc["public"] ? doc["public"].as<bool>() : false;
            put.auto_update = doc["auto_update"] ? doc["auto_update"].as<bool>() : false;
            put.expires_at = doc["expires_at"] ? doc["expires_at"].as<std::string>() : std::string();
            if (put.expires_at.rfind("0001-01-01", 0) == 0) put.expires_at.clear();
        } else if (doc && !doc.IsNull()) {
            throw Error::invalid("yaml", "the image YAML must be a mapping");
        }
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid image YAML: {}", e.what()));
    }
    store.update(ctx.project(), image.fingerprint, put);
    return 0;
}

int run_get_property(Context& ctx, const ParsedArgs& args) {
    auto [store, image] = image_of(ctx, args.positional[0]);
    auto it = image.properties.find(args.positional[1]);
    if (it != image.properties.end()) std::printf("%s\n", it->second.c_str());
    return 0;
}

int run_set_property(Context& ctx, const ParsedArgs& args) {
    auto [store, image] = image_of(ctx, args.positional[0]);
    api::ImagePut put = api::image_put_of(image);
    put.properties[args.positional[1]] = args.positional[2];
    store.update(ctx.project(), image.fingerprint, put);
    return 0;
}

int run_unset_property(Context& ctx, const ParsedArgs& args) {
    auto [store, image] = image_of(ctx, args.positional[0]);
    api::ImagePut put = api::image_put_of(image);
    if (put.properties.erase(args.positional[1]) == 0)
        throw Error::invalid(args.positional[1], fmt::format("image property \"{}\" is not set", args.positional[1]));
    store.update(ctx.project(), image.fingerprint, put);
    return 0;
}

}  // namespace

std::vector<Command> image_edit_commands() {
    std::vector<Command> out;
    Command import = subcommand("import", "<tarball> [<rootfs tarball>] [<remote>:] [key=value...]", "Import images into the image store", 1, -1, run_import);
    import.description =
        "Import images into the image store\n\n"
        "A unified tarball, or a split image: its metadata tarball and its rootfs (tarball or squashfs).\n"
        "key=value arguments set image properties.";
    import.flags = {{"alias", 0, FlagKind::StringList, "New aliases to add to the image"},
                    {"public", 0, FlagKind::Bool, "Make image public"}};
    out.push_back(std::move(import));

    Command exp = subcommand("export", "[<remote>:]<image> [<target>]", "Export and download images", 1, 2, run_export);
    exp.description =
        "Export and download images\n\n"
        "The output target is optional and defaults to the working directory.";
    out.push_back(std::move(exp));

    Command edit = subcommand("edit", "[<remote>:]<image>", "Edit image properties", 1, 1, run_edit);
    edit.examples = "inst image show busybox | sed 's/public: false/public: true/' | inst image edit busybox";
    out.push_back(std::move(edit));
    out.push_back(subcommand("get-property", "[<remote>:]<image> <key>", "Get image properties", 2, 2, run_get_property));
    out.push_back(subcommand("set-property", "[<remote>:]<image> <key> <value>", "Set image properties", 3, 3, run_set_property));
    out.push_back(subcommand("unset-property", "[<remote>:]<image> <key>", "Unset image properties", 2, 2, run_unset_property));
    return out;
}

}  // namespace li::cli
