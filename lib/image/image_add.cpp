#include "image/image_add.hpp"

#include <fmt/format.h>

#include "core/failpoint.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/reverter.hpp"
#include "libinstance/error.hpp"
#include "store/image_repo.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// Puts one file at its stored name through a temporary name, undone by revert.
void store_file(const fs::path& from, const fs::path& stored, bool move_file, Reverter& revert) {
    std::error_code ec;
    if (fs::exists(stored, ec)) return;  // same fingerprint, same bytes: shared with another project
    fs::path tmp = stored;
    tmp += ".importing";
    revert.add([tmp] { std::error_code e; fs::remove(tmp, e); });
    if (move_file) fs::rename(from, tmp, ec);
    if (!move_file || ec) fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, stored);
    revert.add([stored] { std::error_code e; fs::remove(stored, e); });
}

}  // namespace

UnpackLimits import_limits(ManagerCore& core, const ImageImportOptions& opts) {
    UnpackLimits limits = unpack_limits(core);
    if (opts.max_unpack_ratio) limits.max_ratio = opts.max_unpack_ratio;
    if (opts.max_unpack_bytes) limits.max_bytes = opts.max_unpack_bytes;
    return limits;
}

api::Image add_image_files(ManagerCore& core, const std::string& project, const ImageFiles& files,
                           const std::string& fingerprint, const ImageImportOptions& opts, bool move_files,
                           OperationContext& ctx, const std::string& progress_key, const char* label) {
    if (!opts.alias.empty()) validate_alias_name(opts.alias);
    for (const auto& [k, v] : opts.properties)
        if (k.empty()) throw Error::invalid("properties", "image property names cannot be empty");
    InspectedImage inspected = inspect_image(files, import_limits(core, opts));
    const ImageMetadata& md = inspected.metadata;
    ctx.progress(progress_key, label, 70);
    ctx.check_cancelled();
    auto lock = core.locks().lock_image(project, fingerprint);
    bool exists = core.db().read([&](SQLite::Database& db) { return repo::find_image_by_fingerprint(db, project, fingerprint).has_value(); });
    if (exists)
        throw Error(ErrorCode::AlreadyExists, fmt::format("image with fingerprint {} already exists", fingerprint), "fingerprint");

    Reverter revert;
    ImageFiles stored = {core.images_dir() / fingerprint, {}};
    // Stored files come before the row; files no row names are removed by the next open.
    store_file(files.metadata, stored.metadata, move_files, revert);
    LI_FAILPOINT("image.import.metadata_stored");
    if (files.split()) {
        stored.rootfs = core.images_dir() / (fingerprint + ".rootfs");
        store_file(files.rootfs, stored.rootfs, move_files, revert);
        LI_FAILPOINT("image.import.rootfs_stored");
    }

    api::Image image;
    image.project = project;
    image.fingerprint = fingerprint;
    image.filename = files.metadata.filename().string();
    image.size = static_cast<int64_t>(fs::file_size(stored.metadata) + (stored.split() ? fs::file_size(stored.rootfs) : 0));
    image.architecture = md.architecture;
    image.type = inspected.type;
    image.properties = md.properties;
    for (const auto& [k, v] : opts.properties) image.properties[k] = v;
    image.public_ = opts.public_;
    image.auto_update = opts.auto_update;
    image.cached = opts.cached;
    image.created_at = md.creation_date ? epoch_to_rfc3339(md.creation_date) : std::string();
    image.expires_at = md.expiry_date ? epoch_to_rfc3339(md.expiry_date) : std::string();
    image.uploaded_at = now_rfc3339();

    core.db().transaction([&](SQLite::Database& db) {
        if (repo::find_image_by_fingerprint(db, project, fingerprint))
            throw Error(ErrorCode::AlreadyExists, fmt::format("image with fingerprint {} already exists", fingerprint), "fingerprint");
        if (!opts.alias.empty() && repo::alias_exists(db, project, opts.alias))
            throw Error(ErrorCode::AlreadyExists, fmt::format("image alias \"{}\" already exists", opts.alias), "alias");
        int64_t id = repo::insert_image(db, image);
        if (!opts.alias.empty()) repo::insert_alias(db, project, opts.alias, id, "");
    });
    revert.success();
    LI_FAILPOINT("image.import.recorded");
    if (!opts.alias.empty()) image.aliases.push_back({opts.alias, ""});
    ctx.progress(progress_key, label, 100);
    ctx.set_metadata("fingerprint", fingerprint);
    log::info("image added", {{"fingerprint", fingerprint}, {"project", project}});
    core.events().lifecycle(project, "image-created", api_source("images", fingerprint, project));
    if (!opts.alias.empty())
        core.events().lifecycle(project, "image-alias-created", api_source("images/aliases", opts.alias, project));
    return image;
}

namespace {

enum class StoredAlias { NoImage, Missing, Present };

// Whether the project stores an image of this fingerprint, and whether it carries the alias.
StoredAlias stored_alias(ManagerCore& core, const std::string& project, const std::string& fingerprint, const std::string& alias) {
    auto image = core.db().read([&](SQLite::Database& db) { return repo::find_image_by_fingerprint(db, project, fingerprint); });
    if (!image) return StoredAlias::NoImage;
    if (alias.empty()) return StoredAlias::Present;
    for (const auto& a : image->image.aliases)
        if (a.name == alias) return StoredAlias::Present;
    return StoredAlias::Missing;
}

// Builds from the same cached files give the same fingerprint: an image already stored gets the
// alias (if it lacks it) instead of a second copy. False if no such image is stored.
bool alias_stored_image(const std::shared_ptr<ManagerCore>& core_ptr, const std::string& project,
                        const std::string& fingerprint, const std::string& alias) {
    StoredAlias state = stored_alias(*core_ptr, project, fingerprint, alias);
    if (state != StoredAlias::Missing) return state == StoredAlias::Present;
    try {
        ImageStore(core_ptr).create_alias(project, alias, fingerprint);
    } catch (const Error& e) {
        // A concurrent build of the same image may have just added it; any other target is an error.
        if (e.code() != ErrorCode::AlreadyExists || stored_alias(*core_ptr, project, fingerprint, alias) != StoredAlias::Present)
            throw;
    }
    return true;
}

}  // namespace

std::string built_image_fingerprint(const ImageFiles& files, OperationContext& ctx) {
    return image_fingerprint(files, [&](uint64_t, uint64_t) { ctx.check_cancelled(); });
}

void add_built_image(const std::shared_ptr<ManagerCore>& core_ptr, const std::string& project, const ImageFiles& files,
                     const std::string& fingerprint, const std::string& alias, bool move_files, OperationContext& ctx,
                     const std::string& key, const char* label) {
    ManagerCore& core = *core_ptr;
    ctx.progress(key, label, 92);

    if (!alias_stored_image(core_ptr, project, fingerprint, alias)) {
        ImageImportOptions import;
        import.alias = alias;
        try {
            add_image_files(core, project, files, fingerprint, import, move_files, ctx, key, label);
            return;
        } catch (const Error& e) {
            // Two builds of the same files at once: the one that stored the image first wins, and
            // the other one only adds its alias.
            if (e.code() != ErrorCode::AlreadyExists || e.key() != "fingerprint" ||
                !alias_stored_image(core_ptr, project, fingerprint, alias))
                throw;
        }
    }
    ctx.progress(key, label, 100);
    ctx.set_metadata("fingerprint", fingerprint);
}

}  // namespace li
