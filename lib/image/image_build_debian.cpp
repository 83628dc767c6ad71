// ImageStore's debian build: the cached tarball from build_debian_image(), added to the store.
#include <cstdlib>
#include <fmt/format.h>

#include "core/manager_core.hpp"
#include "image/debian_builder.hpp"
#include "image/image_add.hpp"
#include "image/image_files.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"
#include "store/image_repo.hpp"

namespace li {

namespace fs = std::filesystem;

DebianBuildSpec debian_spec_of(const ImageBuildOptions& opts) {
    DebianBuildSpec spec;
    spec.release = opts.release;
    spec.variant = opts.variant;
    spec.mirror = opts.mirror;
    spec.packages = opts.packages;
    spec.init = opts.init;
    validate_debian_spec(spec);
    return spec;
}

fs::path image_cache_dir(const ManagerCore& core, const ImageBuildOptions& opts) {
    if (!opts.cache_dir.empty()) return opts.cache_dir;
    if (const char* env = std::getenv("LIBINSTANCE_CACHE_DIR"); env && *env) return env;
    return core.state_dir() / "cache";
}

void add_debian_image(const std::shared_ptr<ManagerCore>& core_ptr, const std::string& project, const ImageBuildOptions& opts,
                      OperationContext& ctx) {
    ManagerCore& core = *core_ptr;
    const std::string key = "image_build_progress";
    fs::path tarball = build_debian_image(debian_spec_of(opts), image_cache_dir(core, opts), ctx, key);
    ctx.check_cancelled();
    if (!opts.output_path.empty()) fs::copy_file(tarball, opts.output_path, fs::copy_options::overwrite_existing);
    add_built_image(core_ptr, project, ImageFiles{tarball, {}}, opts.alias, ctx, key);
}

void add_built_image(const std::shared_ptr<ManagerCore>& core_ptr, const std::string& project, const ImageFiles& files,
                     const std::string& alias, OperationContext& ctx, const std::string& key) {
    ManagerCore& core = *core_ptr;
    std::string fingerprint = image_fingerprint(files, [&](uint64_t, uint64_t) { ctx.check_cancelled(); });
    ctx.progress(key, "Import", 92);

    // The cached files are the same every time, so building again finds the image stored.
    auto existing = core.db().read([&](SQLite::Database& db) { return repo::find_image_by_fingerprint(db, project, fingerprint); });
    if (existing) {
        bool has_alias = alias.empty();
        for (const auto& a : existing->image.aliases) has_alias |= a.name == alias;
        if (!has_alias) ImageStore(core_ptr).create_alias(project, alias, fingerprint);
        ctx.progress(key, "Import", 100);
        ctx.set_metadata("fingerprint", fingerprint);
        return;
    }
    ImageImportOptions import;
    import.alias = alias;
    add_image_files(core, project, files, fingerprint, import, false, ctx, key, "Import");
}

}  // namespace li
