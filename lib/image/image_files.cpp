#include "image/image_files.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include "core/manager_core.hpp"
#include "core/reverter.hpp"
#include "image/qcow2.hpp"
#include "image/squashfs.hpp"
#include "image/tarball.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/sha256.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

std::string tar_extension(const std::string& compression) {
    if (compression == "gzip") return ".tar.gz";
    if (compression == "xz") return ".tar.xz";
    if (compression == "zstd") return ".tar.zst";
    if (compression == "bzip2") return ".tar.bz2";
    if (compression == "lzma") return ".tar.lzma";
    if (compression == "lz4") return ".tar.lz4";
    return ".tar";
}

void check_architecture(ImageMetadata& md) {
    std::string arch = normalize_architecture(md.architecture);
    if (!architecture_runs_on_host(arch))
        throw Error::invalid("metadata.yaml:architecture",
                             fmt::format("invalid metadata.yaml: architecture \"{}\" cannot run on this host ({})",
                                         md.architecture, host_architecture()));
    md.architecture = arch;
}

}  // namespace

ImageFiles stored_image_files(const fs::path& images_dir, const std::string& fingerprint) {
    ImageFiles files{images_dir / fingerprint, {}};
    fs::path rootfs = images_dir / (fingerprint + ".rootfs");
    std::error_code ec;
    if (fs::exists(rootfs, ec)) files.rootfs = rootfs;
    return files;
}

InspectedImage inspect_image(const ImageFiles& files, const UnpackLimits& limits) {
    InspectedImage out;
    ArchiveScan meta = scan_archive(files.metadata, files.split() ? ArchiveRole::Metadata : ArchiveRole::Unified, limits);
    out.compression = meta.compression;
    if (!meta.metadata_yaml)
        throw Error::invalid("metadata.yaml", fmt::format("image {} has no metadata.yaml", files.metadata.string()));
    out.metadata = parse_image_metadata(*meta.metadata_yaml);
    check_architecture(out.metadata);
    if (!files.split()) {
        if (!meta.has_rootfs)
            throw Error::invalid("rootfs", fmt::format("image {} has no rootfs/ (a split image needs its rootfs file too)",
                                                       files.metadata.string()));
        return out;
    }
    if (is_squashfs(files.rootfs)) {
        out.rootfs_format = "squashfs";
        scan_squashfs(files.rootfs, limits);
    } else if (is_qcow2(files.rootfs)) {
        out.rootfs_format = "qcow2";
        out.type = "virtual-machine";
        inspect_qcow2(files.rootfs, limits);
    } else {
        out.rootfs_format = "tarball";
        out.rootfs_compression = scan_archive(files.rootfs, ArchiveRole::Rootfs, limits).compression;
    }
    return out;
}

std::string image_fingerprint(const ImageFiles& files, const std::function<void(uint64_t, uint64_t)>& on_bytes) {
    Sha256 sha;
    uint64_t total = fs::file_size(files.metadata) + (files.split() ? fs::file_size(files.rootfs) : 0);
    uint64_t done = 0;
    auto feed = [&](const fs::path& file) {
        for_each_chunk(file, [&](const char* data, size_t size) {
            sha.update(data, size);
            done += size;
            if (on_bytes) on_bytes(done, total);
        });
    };
    feed(files.metadata);
    if (files.split()) feed(files.rootfs);
    return sha.hex_digest();
}

ExportNames export_names(const ImageFiles& files, const std::string& fingerprint) {
    ExportNames names;
    std::string ext = tar_extension(archive_compression(files.metadata));
    if (!files.split()) {
        names.metadata = fingerprint + ext;
        return names;
    }
    names.metadata = "meta-" + fingerprint + ext;
    names.rootfs = fingerprint + (is_squashfs(files.rootfs) ? std::string(".squashfs")
                                  : is_qcow2(files.rootfs)  ? std::string(".qcow2")
                                                            : tar_extension(archive_compression(files.rootfs)));
    return names;
}

void unpack_image(const ImageFiles& files, const fs::path& dest, const UnpackLimits& limits, OperationContext& ctx,
                  const std::string& progress_key) {
    Reverter revert;
    std::error_code ec;
    if (!fs::exists(dest, ec)) {
        if (::mkdir(dest.c_str(), 0755) != 0) throw Error::from_errno(fmt::format("creating {}", dest.string()), errno);
        revert.add([dest] { remove_tree(dest); });
    } else {
        revert.add([dest] {
            for (const char* part : {"metadata.yaml", "templates", "rootfs", "boot", "root.img"}) remove_tree(dest / part);
        });
    }
    const uint64_t meta_size = fs::file_size(files.metadata);
    const double total = static_cast<double>(std::max<uint64_t>(meta_size + (files.split() ? fs::file_size(files.rootfs) : 0), 1));
    auto report = [&](uint64_t base) {
        return [&ctx, &progress_key, total, base](uint64_t done) {
            ctx.check_cancelled();
            ctx.progress(progress_key, "Unpack", static_cast<int>(100.0 * static_cast<double>(base + done) / total));
        };
    };
    ctx.progress(progress_key, "Unpack", 0);
    if (!files.split()) {
        unpack_archive(files.metadata, ArchiveRole::Unified, dest, limits, report(0));
    } else {
        unpack_archive(files.metadata, ArchiveRole::Metadata, dest, limits, report(0));
        if (!fs::exists(dest / "metadata.yaml", ec))
            throw Error::invalid("metadata.yaml", fmt::format("image {} has no metadata.yaml", files.metadata.string()));
        if (is_qcow2(files.rootfs)) {
            // A VM image: its disk, raw and sparse, is what instances are copied from.
            ctx.check_cancelled();
            inspect_qcow2(files.rootfs, limits);
            convert_qcow2_to_raw(files.rootfs, dest / "root.img", [&](int pct) {
                ctx.check_cancelled();
                ctx.progress(progress_key, "Unpack", static_cast<int>((meta_size + (total - meta_size) * pct / 100.0) * 100.0 / total));
            }, ctx.stop_token());
        } else if (is_squashfs(files.rootfs)) {
            ctx.check_cancelled();
            scan_squashfs(files.rootfs, limits);
            unpack_squashfs(files.rootfs, dest / "rootfs", ctx.stop_token());
        } else {
            unpack_archive(files.rootfs, ArchiveRole::Rootfs, dest, limits, report(meta_size));
        }
    }
    ctx.check_cancelled();
    ctx.progress(progress_key, "Unpack", 100);
    revert.success();
}

void unpack_stored_image(ManagerCore& core, const std::string& fingerprint, const fs::path& dest, OperationContext& ctx,
                         const std::string& progress_key) {
    unpack_image(stored_image_files(core.images_dir(), fingerprint), dest, unpack_limits(core), ctx, progress_key);
}

}  // namespace li
