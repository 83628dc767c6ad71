#include "libinstance/image.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <unistd.h>

#include "client/rest_images_files.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/operations.hpp"
#include "core/names.hpp"
#include "core/reverter.hpp"
#include "image/busybox_builder.hpp"
#include "image/debian_builder.hpp"
#include "image/debian_vm_builder.hpp"
#include "image/image_add.hpp"
#include "image/image_files.hpp"
#include "image/tarball.hpp"
#include "libinstance/error.hpp"
#include "storage/image_volumes.hpp"
#include "store/image_repo.hpp"
#include "sys/fs.hpp"
#include "sys/sha256.hpp"
#include "project/project_scope.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// LXD's fingerprint of the files, reported as the first half of an import's progress, cancellable.
std::string hash_with_progress(const ImageFiles& files, OperationContext& ctx, const std::string& key, const char* label) {
    return image_fingerprint(files, [&](uint64_t done, uint64_t total) {
        ctx.check_cancelled();
        ctx.progress(key, label, static_cast<int>(50.0 * static_cast<double>(done) / static_cast<double>(std::max<uint64_t>(total, 1))));
    });
}

bool is_fingerprint(std::string_view s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Operation run_image_op(const std::shared_ptr<ManagerCore>& core, const std::string& project, const char* description,
                       bool async, std::function<void(OperationContext&)> work) {
    OperationSpec spec{description, project, {{"images", {}}}, true};
    return core->operations().run(spec, std::move(work), async, core);
}

std::string fingerprint_of(const Operation& op) {
    op.get();
    return op.info().metadata.at("fingerprint");
}

}  // namespace

ImageStore::ImageStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

api::Image ImageStore::build(std::string_view project, const ImageBuildOptions& opts) {
    core_->refuse_remote("images (ImageStore::build)");
    return get(project, fingerprint_of(build_impl(project, opts, false)));
}

Operation ImageStore::build_async(std::string_view project, const ImageBuildOptions& opts) {
    core_->refuse_remote("images (ImageStore::build_async)");
    return build_impl(project, opts, true);
}

Operation ImageStore::build_impl(std::string_view project_in, const ImageBuildOptions& opts, bool async) {
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    if (opts.builder != "busybox" && opts.builder != "debian" && opts.builder != "debian-vm")
        throw Error(ErrorCode::NotSupported,
                    fmt::format("unknown image builder \"{}\" (available: busybox, debian, debian-vm)", opts.builder), "builder");
    if (!opts.alias.empty()) validate_alias_name(opts.alias);
    auto core = core_;
    if (opts.builder == "debian") {
        debian_spec_of(opts);  // bad options are refused before any operation exists
        return run_image_op(core_, project, "Building image", async,
                            [core, project, opts](OperationContext& ctx) { add_debian_image(core, project, opts, ctx); });
    }
    if (opts.builder == "debian-vm") {
        check_debian_vm_options(opts);
        return run_image_op(core_, project, "Building image", async,
                            [core, project, opts](OperationContext& ctx) { add_debian_vm_image(core, project, opts, ctx); });
    }
    return run_image_op(core_, project, "Building image", async, [core, project, opts](OperationContext& ctx) {
        const std::string key = "image_build_progress";
        ctx.progress(key, "Build", 0);
        fs::path tmp = core->images_dir() / fmt::format("build-{}.tar.gz", random_uuid());
        Reverter revert;
        revert.add([tmp] { std::error_code e; fs::remove(tmp, e); });
        build_busybox_image(tmp);
        ctx.progress(key, "Build", 40);
        ctx.check_cancelled();
        if (!opts.output_path.empty()) fs::copy_file(tmp, opts.output_path, fs::copy_options::overwrite_existing);
        std::string fingerprint = sha256_file(tmp);
        ctx.progress(key, "Build", 50);

        fs::path named = tmp.parent_path() / fmt::format("busybox-{}.tar.gz", fingerprint.substr(0, 12));
        fs::rename(tmp, named);
        revert.add([named] { std::error_code e; fs::remove(named, e); });
        add_built_image(core, project, ImageFiles{named, {}}, fingerprint, opts.alias, true, ctx, key, "Build");
    });
}

api::Image ImageStore::import_file(std::string_view project, const fs::path& path, const ImageImportOptions& opts) {
    if (auto rest = core_->rest()) return rest::get_image(rest, project, rest::image_fingerprint_of(rest::import_image(rest, project, path, opts)));
    return get(project, fingerprint_of(import_impl(project, path, opts, false)));
}

Operation ImageStore::import_file_async(std::string_view project, const fs::path& path, const ImageImportOptions& opts) {
    if (auto rest = core_->rest()) return rest::import_image(rest, project, path, opts);
    return import_impl(project, path, opts, true);
}

Operation ImageStore::import_impl(std::string_view project_in, const fs::path& path, const ImageImportOptions& opts_in,
                                  bool async) {
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    ImageImportOptions opts = opts_in;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(ErrorCode::NotFound, fmt::format("image file {} not found", path.string()), "path");
    if (!opts.rootfs_path.empty() && !fs::is_regular_file(opts.rootfs_path, ec))
        throw Error(ErrorCode::NotFound, fmt::format("image rootfs file {} not found", opts.rootfs_path.string()), "rootfs_path");
    if (!opts.alias.empty()) validate_alias_name(opts.alias);
    std::transform(opts.expected_fingerprint.begin(), opts.expected_fingerprint.end(), opts.expected_fingerprint.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!opts.expected_fingerprint.empty() && !is_fingerprint(opts.expected_fingerprint))
        throw Error::invalid("expected_fingerprint", fmt::format("expected fingerprint \"{}\" is not a sha256 (64 hex digits)",
                                                                 opts_in.expected_fingerprint));
    auto core = core_;
    ImageFiles files{path, opts.rootfs_path};
    return run_image_op(core_, project, "Importing image", async, [core, project, files, opts](OperationContext& ctx) {
        const std::string key = "image_import_progress";
        try {
            std::string fingerprint = hash_with_progress(files, ctx, key, "Import");
            if (!opts.expected_fingerprint.empty() && fingerprint != opts.expected_fingerprint)
                throw Error::invalid("expected_fingerprint",
                                     fmt::format("fingerprint mismatch: expected {}, the image's files hash to {}",
                                                 opts.expected_fingerprint, fingerprint));
            add_image_files(*core, project, files, fingerprint, opts, false, ctx, key, "Import");
        } catch (const Error& e) {
            throw e.with_context(fmt::format("importing {}", files.metadata.string()));
        }
    });
}

std::vector<api::Image> ImageStore::list(std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::list_images(rest, project_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    auto records = core_->db().read([&](SQLite::Database& db) { return repo::list_images(db, project); });
    std::vector<api::Image> out;
    for (auto& r : records) out.push_back(std::move(r.image));
    return out;
}

api::Image ImageStore::get(std::string_view project_in, std::string_view ref) {
    if (auto rest = core_->rest()) return rest::get_image(rest, project_in, ref);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    return core_->db().read([&](SQLite::Database& db) { return repo::resolve_image(db, project, std::string(ref)).image; });
}

void ImageStore::remove(std::string_view project_in, std::string_view ref) {
    if (auto rest = core_->rest()) return rest::delete_image(rest, project_in, ref);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    auto record = core_->db().read([&](SQLite::Database& db) { return repo::resolve_image(db, project, std::string(ref)); });
    auto lock = core_->locks().lock_image(project, record.image.fingerprint);
    core_->db().transaction([&](SQLite::Database& db) { repo::delete_image(db, record.id); });
    // The file is shared by every project holding this fingerprint.
    bool still_used = core_->db().read([&](SQLite::Database& db) {
        SQLite::Statement q(db, "SELECT 1 FROM images WHERE fingerprint = ?");
        q.bind(1, record.image.fingerprint);
        return q.executeStep();
    });
    if (!still_used) {
        std::error_code ec;
        fs::remove(core_->images_dir() / record.image.fingerprint, ec);
        fs::remove(core_->images_dir() / (record.image.fingerprint + ".rootfs"), ec);
        // Its unpacked volumes go too, except where instances still layer over them (they go
        // with the last such instance).
        release_image_volumes(*core_, record.image.fingerprint);
    }
    core_->events().lifecycle(project, "image-deleted", api_source("images", record.image.fingerprint, project));
}

void ImageStore::create_alias(std::string_view project_in, std::string_view alias, std::string_view ref,
                              std::string_view description) {
    if (auto rest = core_->rest()) return rest::create_image_alias(rest, project_in, alias, ref, description);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    validate_alias_name(alias);
    core_->db().transaction([&](SQLite::Database& db) {
        auto record = repo::resolve_image(db, project, std::string(ref));
        if (repo::alias_exists(db, project, std::string(alias)))
            throw Error(ErrorCode::AlreadyExists, fmt::format("image alias \"{}\" already exists", alias), "alias");
        repo::insert_alias(db, project, std::string(alias), record.id, std::string(description));
    });
    core_->events().lifecycle(project, "image-alias-created", api_source("images/aliases", std::string(alias), project));
}

void ImageStore::delete_alias(std::string_view project_in, std::string_view alias) {
    if (auto rest = core_->rest()) return rest::delete_image_alias(rest, project_in, alias);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    bool deleted = core_->db().transaction([&](SQLite::Database& db) { return repo::delete_alias(db, project, std::string(alias)); });
    if (!deleted) throw Error(ErrorCode::NotFound, fmt::format("image alias \"{}\" not found", alias), "alias");
    core_->events().lifecycle(project, "image-alias-deleted", api_source("images/aliases", std::string(alias), project));
}

}  // namespace li
