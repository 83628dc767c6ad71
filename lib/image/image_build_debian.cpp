// ImageStore's debian build: the cached tarball from build_debian_image(), added to the store.
#include <cstdlib>
#include <fmt/format.h>

#include "core/manager_core.hpp"
#include "image/debian_builder.hpp"
#include "image/image_add.hpp"
#include "image/image_files.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"

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
    ImageFiles files{tarball, {}};
    add_built_image(core_ptr, project, files, built_image_fingerprint(files, ctx), opts.alias, false, ctx, key, "Import");
}

}  // namespace li
