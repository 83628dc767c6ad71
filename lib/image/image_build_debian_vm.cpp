// ImageStore's debian-vm build: the cached split image from build_debian_vm_image(), added to the
// store (type virtual-machine, since its rootfs file is a qcow2).
#include <fmt/format.h>

#include "core/manager_core.hpp"
#include "image/debian_builder.hpp"
#include "image/debian_vm_builder.hpp"
#include "image/image_add.hpp"
#include "image/image_files.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"

namespace li {

namespace fs = std::filesystem;

void check_debian_vm_options(const ImageBuildOptions& opts) {
    std::string host = host_debian_release();
    // The kernel comes from the host's apt sources, so the image is of the host's release.
    if (opts.release != host && opts.release != "bookworm")
        throw Error::invalid("release", fmt::format("the debian-vm builder makes images of the host's release ({}), not \"{}\"",
                                                    host, opts.release));
}

void add_debian_vm_image(const std::shared_ptr<ManagerCore>& core_ptr, const std::string& project, const ImageBuildOptions& opts,
                         OperationContext& ctx) {
    ManagerCore& core = *core_ptr;
    const std::string key = "image_build_progress";
    DebianVmBuildSpec spec;
    spec.agent = vm_agent_path();
    DebianVmImage built = build_debian_vm_image(spec, image_cache_dir(core, opts), ctx, key);
    ctx.check_cancelled();
    if (!opts.output_path.empty()) {
        fs::copy_file(built.metadata, opts.output_path, fs::copy_options::overwrite_existing);
        fs::path disk = opts.output_path;
        disk += ".qcow2";
        fs::copy_file(built.disk, disk, fs::copy_options::overwrite_existing);
    }
    ImageFiles files{built.metadata, built.disk};
    add_built_image(core_ptr, project, files, built_image_fingerprint(files, ctx), opts.alias, false, ctx, key, "Import");
}

}  // namespace li
