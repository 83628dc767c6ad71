// ImageStore::export_image: an image's stored files written out unchanged, named as lxc does.
#include <fmt/format.h>
#include <fcntl.h>
#include <unistd.h>

#include "client/rest_images_files.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operations.hpp"
#include "core/reverter.hpp"
#include "image/image_files.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"
#include "sys/fs.hpp"
#include "sys/unique_fd.hpp"
#include "project/project_scope.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// lxc image export's naming (lxc/image.go in LXD 5.0): a directory gets the server's names; a
// file name is used as given, a unified image getting the compression's extension appended.
ImageExportResult export_paths(const ImageFiles& files, const ExportNames& names, const fs::path& target) {
    fs::path t = target.empty() ? fs::path(".") : target;
    std::error_code ec;
    ImageExportResult out;
    if (fs::is_directory(t, ec)) {
        out.metadata = t / names.metadata;
        if (files.split()) out.rootfs = t / names.rootfs;
        return out;
    }
    fs::path parent = t.parent_path().empty() ? fs::path(".") : t.parent_path();
    if (!fs::is_directory(parent, ec))
        throw Error(ErrorCode::NotFound, fmt::format("export target directory {} not found", parent.string()), "target");
    if (!files.split()) {
        out.metadata = t.string() + names.metadata.substr(names.metadata.find('.'));
    } else {
        out.metadata = t;
        out.rootfs = t.string() + ".root";
    }
    return out;
}

void copy_with_progress(const fs::path& from, const fs::path& to, uint64_t& done, uint64_t total, OperationContext& ctx,
                        Reverter& revert) {
    fs::path tmp = to.string() + ".exporting";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) throw Error::from_errno(fmt::format("creating {}", tmp.string()), errno);
    revert.add([tmp] { std::error_code e; fs::remove(tmp, e); });
    for_each_chunk(from, [&](const char* data, size_t size) {
        ctx.check_cancelled();
        while (size > 0) {
            ssize_t n = ::write(fd.get(), data, size);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw Error::from_errno(fmt::format("writing {}", tmp.string()), errno);
            }
            data += n;
            size -= static_cast<size_t>(n);
            done += static_cast<uint64_t>(n);
        }
        ctx.progress("image_export_progress", "Export",
                     static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(std::max<uint64_t>(total, 1))));
    });
    if (::fsync(fd.get()) != 0) throw Error::from_errno(fmt::format("writing {}", tmp.string()), errno);
    fd.reset();
    fs::rename(tmp, to);
    revert.add([to] { std::error_code e; fs::remove(to, e); });
}

}  // namespace

ImageExportResult ImageStore::export_image(std::string_view project, std::string_view ref, const fs::path& target) {
    if (auto rest = core_->rest()) return rest::export_result_of(rest::export_image(rest, project, ref, target));
    return rest::export_result_of(export_impl(project, ref, target, false));
}

Operation ImageStore::export_image_async(std::string_view project, std::string_view ref, const fs::path& target) {
    if (auto rest = core_->rest()) return rest::export_image(rest, project, ref, target);
    return export_impl(project, ref, target, true);
}

Operation ImageStore::export_impl(std::string_view project_in, std::string_view ref, const fs::path& target, bool async) {
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    std::string fingerprint = get(project, ref).fingerprint;
    auto core = core_;
    OperationSpec spec{"Exporting image", project, {{"images", {}}}, true};
    return core_->operations().run(spec, [core, fingerprint, target](OperationContext& ctx) {
        ImageFiles files = stored_image_files(core->images_dir(), fingerprint);
        ImageExportResult out = export_paths(files, export_names(files, fingerprint), target);
        uint64_t total = fs::file_size(files.metadata) + (files.split() ? fs::file_size(files.rootfs) : 0);
        uint64_t done = 0;
        Reverter revert;
        ctx.progress("image_export_progress", "Export", 0);
        copy_with_progress(files.metadata, out.metadata, done, total, ctx, revert);
        if (files.split()) copy_with_progress(files.rootfs, out.rootfs, done, total, ctx, revert);
        revert.success();
        ctx.set_metadata("fingerprint", fingerprint);
        ctx.set_metadata("metadata_path", fs::absolute(out.metadata).lexically_normal().string());
        ctx.set_metadata("rootfs_path", out.rootfs.empty() ? std::string() : fs::absolute(out.rootfs).lexically_normal().string());
    }, async, core_);
}

}  // namespace li
