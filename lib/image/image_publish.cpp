// ImageStore::publish: an image made from a stopped instance's root file system (LXD's
// POST /1.0/images with source type "instance").
#include <cstdio>
#include <ctime>
#include <fmt/format.h>

#include "client/rest_images_files.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operations.hpp"
#include "core/reverter.hpp"
#include "image/image_add.hpp"
#include "image/image_files.hpp"
#include "image/qcow2.hpp"
#include "image/tar_writer.hpp"
#include "image/metadata.hpp"
#include "image/tar_pack.hpp"
#include "instance/expand.hpp"
#include "instance/instance_loader.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"
#include "store/instance_snapshot_repo.hpp"
#include "sys/fs.hpp"
#include "project/project_scope.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {


// "2027-01-02T03:04:05Z", with optional fractions and a numeric offset; InvalidArgument otherwise.
// Kernel and initrd of a VM volume's boot/ are read whole into the metadata tarball.
constexpr size_t kMaxBootFileBytes = 512u << 20;

int64_t parse_rfc3339(const std::string& text, const char* key) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 || mo < 1 || mo > 12 ||
        d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        throw Error::invalid(key, fmt::format("\"{}\" is not an RFC 3339 time (e.g. 2030-01-01T00:00:00Z)", text));
    std::string rest = text.substr(static_cast<size_t>(consumed));
    if (!rest.empty() && rest[0] == '.') {
        size_t i = 1;
        while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) i++;
        rest.erase(0, i);
    }
    int64_t offset = 0;
    if (rest == "Z" || rest == "z") {
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        int oh = std::atoi(rest.substr(1, 2).c_str()), om = std::atoi(rest.substr(4, 2).c_str());
        offset = (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
        throw Error::invalid(key, fmt::format("\"{}\" is not an RFC 3339 time (e.g. 2030-01-01T00:00:00Z)", text));
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<int64_t>(::timegm(&tm)) - offset;
}

// "c1" or "c1/snap0" (a snapshot of c1, as `lxc publish c1/snap0` names it).
std::pair<std::string, std::string> split_source(const std::string& source) {
    auto slash = source.find('/');
    if (slash == std::string::npos) return {source, ""};
    return {source.substr(0, slash), source.substr(slash + 1)};
}

std::string source_url(const std::string& project, const std::string& source) {
    auto [instance, snapshot] = split_source(source);
    return api_source("instances", snapshot.empty() ? instance : instance + "/snapshots/" + snapshot, project);
}

void validate_publish(const ImagePublishOptions& opts) {
    if (opts.instance.empty()) throw Error::invalid("instance", "no source instance given");
    auto [instance, snapshot] = split_source(opts.instance);
    validate_instance_name(instance);
    if (opts.instance.find('/') != std::string::npos) validate_snapshot_name(snapshot, "instance");
    if (!opts.alias.empty()) validate_alias_name(opts.alias);
    validate_compression(opts.compression);
    for (const auto& [k, v] : opts.properties)
        if (k.empty()) throw Error::invalid("properties", "an image property needs a name");
    if (!opts.expires_at.empty()) parse_rfc3339(opts.expires_at, "expires_at");
}

// metadata.yaml of the new image: the source image's templates, the instance's image.* keys (the
// source image's properties, as LXD keeps them) under the requested ones.
ImageMetadata publish_metadata(const fs::path& volume, const api::ConfigMap& config, const std::string& architecture,
                               const ImagePublishOptions& opts) {
    ImageMetadata md;
    std::error_code ec;
    if (fs::is_regular_file(volume / "metadata.yaml", ec)) md = parse_image_metadata(read_file(volume / "metadata.yaml", 1 << 20));
    md.properties.clear();
    for (const auto& [k, v] : config)
        if (k.rfind("image.", 0) == 0) md.properties[k.substr(6)] = v;
    for (const auto& [k, v] : opts.properties) md.properties[k] = v;
    md.architecture = architecture.empty() ? host_architecture() : architecture;
    md.creation_date = ::time(nullptr);
    md.expiry_date = opts.expires_at.empty() ? 0 : parse_rfc3339(opts.expires_at, "expires_at");
    return md;
}

void store_published(const std::shared_ptr<ManagerCore>& core, const std::string& project, const ImagePublishOptions& opts,
                     const ImageFiles& files, OperationContext& ctx, const std::string& key) {
    ctx.check_cancelled();
    std::string fingerprint = image_fingerprint(files, [&](uint64_t, uint64_t) { ctx.check_cancelled(); });
    ctx.progress(key, "Image pack", 95);
    ImageImportOptions import;
    import.alias = opts.alias;
    import.public_ = opts.public_;
    add_image_files(*core, project, files, fingerprint, import, true, ctx, key, "Image pack");
    log::info("instance published", {{"instance", opts.instance}, {"project", project}, {"fingerprint", fingerprint}});
    core->events().lifecycle(project, "instance-published", source_url(project, opts.instance), {{"fingerprint", fingerprint}});
}

// The metadata tarball of a published VM: metadata.yaml, the volume's templates/ and boot/ (the
// kernel and initrd our images boot directly; absent in LXD's, which boot through firmware).
fs::path pack_vm_metadata(const fs::path& images_dir, const fs::path& volume, const ImageMetadata& md) {
    fs::path meta = images_dir / fmt::format("publish-{}.tar.gz", random_uuid());
    TarWriter tar(meta, md.creation_date);
    tar.file("metadata.yaml", render_image_metadata(md));
    for (const char* dir : {"templates", "boot"}) {
        std::error_code ec;
        if (!fs::is_directory(volume / dir, ec)) continue;
        tar.dir(dir);
        for (const auto& entry : fs::directory_iterator(volume / dir)) {
            // Regular files only: a symlink left in a volume must not pull a host file in.
            if (!entry.is_regular_file() || entry.is_symlink()) continue;
            tar.file(fmt::format("{}/{}", dir, entry.path().filename().string()), read_file(entry.path(), kMaxBootFileBytes));
        }
    }
    tar.close();
    return meta;
}

// A VM volume as a split image: the metadata tarball and root.img converted to qcow2 (progress
// 0-90% while qemu-img runs; cancelling kills it). Both files are removed by revert on failure.
ImageFiles pack_vm_image(const fs::path& images_dir, const fs::path& volume, const ImageMetadata& md, bool compress,
                         OperationContext& ctx, const std::string& key, Reverter& revert) {
    fs::path root_img = volume / "root.img";
    if (!fs::is_regular_file(fs::symlink_status(root_img)))
        throw Error(ErrorCode::InvalidArgument, fmt::format("the VM volume has no disk image ({})", root_img.string()), "instance");
    fs::path disk = images_dir / fmt::format("publish-{}.qcow2", random_uuid());
    revert.add([disk] { std::error_code e; fs::remove(disk, e); });
    convert_raw_to_qcow2(root_img, disk, compress, [&](int pct) {
        ctx.check_cancelled();
        ctx.progress(key, "Image pack", pct * 85 / 100);
    }, ctx.stop_token());
    ctx.check_cancelled();
    fs::path meta = pack_vm_metadata(images_dir, volume, md);
    revert.add([meta] { std::error_code e; fs::remove(meta, e); });
    ctx.progress(key, "Image pack", 90);
    return ImageFiles{meta, disk};
}

void publish_instance(const std::shared_ptr<ManagerCore>& core, const std::string& project, const ImagePublishOptions& opts,
                      OperationContext& ctx) {
    const std::string key = "create_image_from_container_pack_progress";
    auto [instance, snapshot] = split_source(opts.instance);
    auto lock = core->locks().lock_instance(project, instance);
    LoadedInstance loaded = load_instance(*core, project, instance);
    const bool vm = loaded.record.type == "virtual-machine";
    api::ConfigMap config = loaded.record.config;
    std::string architecture = loaded.record.architecture;
    if (!snapshot.empty()) {
        // A snapshot never changes, so its instance may run meanwhile; its own config names the image.
        auto record = core->db().read([&](SQLite::Database& db) { return repo::find_instance_snapshot(db, loaded.record.id, snapshot); });
        if (!record)
            throw Error(ErrorCode::NotFound, fmt::format("snapshot \"{}\" of instance \"{}\" not found", snapshot, instance), "instance");
        config = record->config;
        architecture = record->architecture;
    } else if (is_running(*core, loaded)) {
        throw Error(ErrorCode::Conflict,
                    fmt::format("instance \"{}\" is running; stop it before publishing (or use --force)", opts.instance), "instance");
    }

    StorageDriver& pool = core->pool(root_disk_pool(loaded.expanded.devices));
    VolumeRef vol{VolumeType::Container, project_prefixed_name(project, instance)};
    Reverter revert;
    fs::path volume = snapshot.empty() ? pool.mount_volume(vol) : pool.mount_snapshot(vol, snapshot);
    auto unmount = [&pool, vol, snapshot] { snapshot.empty() ? pool.unmount_volume(vol) : pool.unmount_snapshot(vol, snapshot); };
    revert.add(unmount);

    ImageMetadata md = publish_metadata(volume, config, architecture, opts);
    ctx.progress(key, "Image pack", 0);
    if (vm) {
        // A VM's volume holds a disk image, not a rootfs/ tree: a split image (metadata tarball
        // with templates/ and boot/, and the disk as qcow2), as the debian-vm builder makes.
        ImageFiles files = pack_vm_image(core->images_dir(), volume, md, opts.compression != "none", ctx, key, revert);
        unmount();
        store_published(core, project, opts, files, ctx, key);
        return;
    }
    const double total = static_cast<double>(std::max<uint64_t>(tree_data_bytes(volume / "rootfs"), 1));
    fs::path tmp = core->images_dir() / fmt::format("publish-{}{}", random_uuid(), tarball_suffix(opts.compression));
    revert.add([tmp] { std::error_code e; fs::remove(tmp, e); });
    pack_unified_tarball(PackInput{render_image_metadata(md), volume / "templates", volume / "rootfs"}, tmp, opts.compression,
                         [&](uint64_t done) {
                             ctx.check_cancelled();
                             ctx.progress(key, "Image pack", static_cast<int>(90.0 * std::min(1.0, static_cast<double>(done) / total)));
                         });
    unmount();
    store_published(core, project, opts, ImageFiles{tmp, {}}, ctx, key);
}

}  // namespace

api::Image ImageStore::publish(std::string_view project, const ImagePublishOptions& opts) {
    if (auto rest = core_->rest()) return rest::get_image(rest, project, rest::image_fingerprint_of(rest::publish_image(rest, project, opts)));
    Operation op = publish_impl(project, opts, false);
    op.get();
    return get(project, op.info().metadata.at("fingerprint"));
}

Operation ImageStore::publish_async(std::string_view project, const ImagePublishOptions& opts) {
    if (auto rest = core_->rest()) return rest::publish_image(rest, project, opts);
    return publish_impl(project, opts, true);
}

Operation ImageStore::publish_impl(std::string_view project_in, const ImagePublishOptions& opts, bool async) {
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    validate_publish(opts);
    auto core = core_;
    OperationSpec spec{"Creating image from instance", project,
                       {{"images", {}}, {"instances", {source_url(project, opts.instance)}}}, true};
    return core_->operations().run(spec, [core, project, opts](OperationContext& ctx) {
        try {
            publish_instance(core, project, opts, ctx);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Conflict || e.code() == ErrorCode::NotFound) throw;
            throw e.with_context(fmt::format("publishing {}", opts.instance));
        }
    }, async, core_);
}

}  // namespace li
