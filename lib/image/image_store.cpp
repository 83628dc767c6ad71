#include "libinstance/image.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <unistd.h>

#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/operations.hpp"
#include "core/names.hpp"
#include "core/reverter.hpp"
#include "image/busybox_builder.hpp"
#include "image/tarball.hpp"
#include "libinstance/error.hpp"
#include "store/image_repo.hpp"
#include "sys/fs.hpp"
#include "sys/sha256.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// Adds a file already hashed to the store: copied under images/<fingerprint>, then recorded.
api::Image add_image_file(ManagerCore& core, const std::string& project, const fs::path& file,
                          const std::string& fingerprint, const std::string& alias, bool move_file,
                          OperationContext& ctx, const std::string& progress_key, const char* label) {
    if (!alias.empty()) validate_alias_name(alias);
    ImageMetadata md = inspect_unified_tarball(file);
    ctx.progress(progress_key, label, 70);
    ctx.check_cancelled();
    auto lock = core.locks().lock_image(project, fingerprint);

    Reverter revert;
    fs::path stored = core.images_dir() / fingerprint;
    bool file_existed = fs::exists(stored);
    if (!file_existed) {
        fs::path tmp = stored;
        tmp += ".importing";
        std::error_code ec;
        if (move_file) fs::rename(file, tmp, ec);
        if (!move_file || ec) fs::copy_file(file, tmp, fs::copy_options::overwrite_existing);
        revert.add([tmp] { std::error_code e; fs::remove(tmp, e); });
        fs::rename(tmp, stored);
        revert.add([stored] { std::error_code e; fs::remove(stored, e); });
    }

    api::Image image;
    image.project = project;
    image.fingerprint = fingerprint;
    image.filename = file.filename().string();
    image.size = static_cast<int64_t>(fs::file_size(stored));
    image.architecture = md.architecture;
    image.type = "container";
    image.properties = md.properties;
    image.created_at = md.creation_date ? epoch_to_rfc3339(md.creation_date) : std::string();
    image.expires_at = md.expiry_date ? epoch_to_rfc3339(md.expiry_date) : std::string();
    image.uploaded_at = now_rfc3339();

    core.db().transaction([&](SQLite::Database& db) {
        if (repo::find_image_by_fingerprint(db, project, fingerprint))
            throw Error(ErrorCode::AlreadyExists, fmt::format("image with fingerprint {} already exists", fingerprint), "fingerprint");
        if (!alias.empty() && repo::alias_exists(db, project, alias))
            throw Error(ErrorCode::AlreadyExists, fmt::format("image alias \"{}\" already exists", alias), "alias");
        int64_t id = repo::insert_image(db, image);
        if (!alias.empty()) repo::insert_alias(db, project, alias, id, "");
    });
    revert.success();
    if (!alias.empty()) image.aliases.push_back({alias, ""});
    ctx.progress(progress_key, label, 100);
    ctx.set_metadata("fingerprint", fingerprint);
    log::info("image added", {{"fingerprint", fingerprint}, {"project", project}});
    core.events().lifecycle(project, "image-created", api_source("images", fingerprint, project));
    if (!alias.empty()) core.events().lifecycle(project, "image-alias-created", api_source("images/aliases", alias, project));
    return image;
}

// The sha256 of a file, reported as the first half of an import's progress, cancellable.
std::string hash_with_progress(const fs::path& file, OperationContext& ctx, const std::string& key, const char* label) {
    Sha256 sha;
    const double total = static_cast<double>(std::max<uintmax_t>(fs::file_size(file), 1));
    double done = 0;
    for_each_chunk(file, [&](const char* data, size_t size) {
        ctx.check_cancelled();
        sha.update(data, size);
        done += static_cast<double>(size);
        ctx.progress(key, label, static_cast<int>(50.0 * done / total));
    });
    return sha.hex_digest();
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
    return get(project, fingerprint_of(build_impl(project, opts, false)));
}

Operation ImageStore::build_async(std::string_view project, const ImageBuildOptions& opts) {
    return build_impl(project, opts, true);
}

Operation ImageStore::build_impl(std::string_view project_in, const ImageBuildOptions& opts, bool async) {
    std::string project = project_or_default(project_in);
    if (opts.builder != "busybox")
        throw Error(ErrorCode::NotSupported, fmt::format("unknown image builder \"{}\" (available: busybox)", opts.builder), "builder");
    if (!opts.alias.empty()) validate_alias_name(opts.alias);
    auto core = core_;
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

        // Builds are deterministic: building again gives the image already stored.
        auto existing = core->db().read([&](SQLite::Database& db) { return repo::find_image_by_fingerprint(db, project, fingerprint); });
        if (existing) {
            bool has_alias = opts.alias.empty();
            for (const auto& a : existing->image.aliases) has_alias |= a.name == opts.alias;
            // Not this->create_alias: the operation may outlive this ImageStore (its Manager).
            if (!has_alias) ImageStore(core).create_alias(project, opts.alias, fingerprint);
            ctx.progress(key, "Build", 100);
            ctx.set_metadata("fingerprint", fingerprint);
            return;
        }
        fs::path named = tmp.parent_path() / fmt::format("busybox-{}.tar.gz", fingerprint.substr(0, 12));
        fs::rename(tmp, named);
        revert.add([named] { std::error_code e; fs::remove(named, e); });
        add_image_file(*core, project, named, fingerprint, opts.alias, true, ctx, key, "Build");
    });
}

api::Image ImageStore::import_file(std::string_view project, const fs::path& path, const ImageImportOptions& opts) {
    return get(project, fingerprint_of(import_impl(project, path, opts, false)));
}

Operation ImageStore::import_file_async(std::string_view project, const fs::path& path, const ImageImportOptions& opts) {
    return import_impl(project, path, opts, true);
}

Operation ImageStore::import_impl(std::string_view project_in, const fs::path& path, const ImageImportOptions& opts,
                                  bool async) {
    std::string project = project_or_default(project_in);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(ErrorCode::NotFound, fmt::format("image file {} not found", path.string()), "path");
    if (!opts.alias.empty()) validate_alias_name(opts.alias);
    auto core = core_;
    return run_image_op(core_, project, "Importing image", async, [core, project, path, opts](OperationContext& ctx) {
        const std::string key = "image_import_progress";
        try {
            std::string fingerprint = hash_with_progress(path, ctx, key, "Import");
            add_image_file(*core, project, path, fingerprint, opts.alias, false, ctx, key, "Import");
        } catch (const Error& e) {
            throw e.with_context(fmt::format("importing {}", path.string()));
        }
    });
}

std::vector<api::Image> ImageStore::list(std::string_view project_in) {
    std::string project = project_or_default(project_in);
    auto records = core_->db().read([&](SQLite::Database& db) { return repo::list_images(db, project); });
    std::vector<api::Image> out;
    for (auto& r : records) out.push_back(std::move(r.image));
    return out;
}

api::Image ImageStore::get(std::string_view project_in, std::string_view ref) {
    std::string project = project_or_default(project_in);
    return core_->db().read([&](SQLite::Database& db) { return repo::resolve_image(db, project, std::string(ref)).image; });
}

void ImageStore::remove(std::string_view project_in, std::string_view ref) {
    std::string project = project_or_default(project_in);
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
        // Instances were copied from the unpacked image, so its volumes can go with it, as in LXD.
        for (const auto& pool_name : core_->pool_names()) {
            auto volume_lock = core_->locks().lock_image_volume(pool_name, record.image.fingerprint);
            core_->pool(pool_name).delete_volume(VolumeRef{VolumeType::Image, record.image.fingerprint});
        }
    }
    core_->events().lifecycle(project, "image-deleted", api_source("images", record.image.fingerprint, project));
}

void ImageStore::create_alias(std::string_view project_in, std::string_view alias, std::string_view ref,
                              std::string_view description) {
    std::string project = project_or_default(project_in);
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
    std::string project = project_or_default(project_in);
    bool deleted = core_->db().transaction([&](SQLite::Database& db) { return repo::delete_alias(db, project, std::string(alias)); });
    if (!deleted) throw Error(ErrorCode::NotFound, fmt::format("image alias \"{}\" not found", alias), "alias");
    core_->events().lifecycle(project, "image-alias-deleted", api_source("images/aliases", std::string(alias), project));
}

}  // namespace li
