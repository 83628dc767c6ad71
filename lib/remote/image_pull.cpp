#include "remote/image_pull.hpp"

#include <cstdio>
#include <fmt/format.h>

#include "config/validators.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/operations.hpp"
#include "core/server_config.hpp"
#include "image/metadata.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"
#include "remote/http_client.hpp"
#include "remote/server.hpp"
#include "store/image_repo.hpp"
#include "store/remote_repo.hpp"
#include "sys/sha256.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// Image files of unknown size are still bounded.
constexpr uint64_t kMaxImageFileBytes = uint64_t{64} << 30;

// LXD's byte sizes in progress strings: decimal units, two decimals ("1.20MB").
std::string byte_size(double bytes) {
    static const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000 && u < 4) {
        bytes /= 1000;
        ++u;
    }
    return u == 0 ? fmt::format("{}B", static_cast<int64_t>(bytes)) : fmt::format("{:.2f}{}", bytes, units[u]);
}

// A directory under the image store removed with everything in it when the pull ends, however.
class TempArea {
public:
    explicit TempArea(const fs::path& dir) : dir_(dir) { fs::create_directories(dir_); }
    ~TempArea() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    const fs::path& path() const { return dir_; }

private:
    fs::path dir_;
};

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};

// Downloads one item into dir, hashing it on the way (also into `combined` when given); a wrong
// sha256 or size is an error naming the URL and both digests.
fs::path download_item(const ServerRef& server, const SsItem& item, const fs::path& dir, const std::string& label,
                       OperationContext& ctx, Sha256* combined) {
    std::string url = server_url(server, item.path);
    fs::path dest = dir / (item.ftype.empty() ? "file" : item.ftype);
    std::unique_ptr<FILE, FileCloser> out(std::fopen(dest.c_str(), "wbx"));
    if (!out) throw Error::from_errno(fmt::format("creating {}", dest.string()), errno);
    Sha256 sha;
    HttpRequest req;
    req.url = url;
    req.certificate = server.certificate;
    req.max_bytes = item.size > 0 ? static_cast<uint64_t>(item.size) : kMaxImageFileBytes;
    req.stop = ctx.stop_token();
    int last = -1;
    req.progress = [&](uint64_t done, uint64_t total, double speed) {
        if (total == 0) total = static_cast<uint64_t>(std::max<int64_t>(item.size, 1));
        int pct = static_cast<int>(std::min<uint64_t>(100, done * 100 / std::max<uint64_t>(total, 1)));
        if (pct == last) return;
        last = pct;
        ctx.set_metadata("download_progress", fmt::format("{}: {}% ({}/s)", label, pct, byte_size(speed)));
    };
    uint64_t written = 0;
    http_download(req, [&](const char* data, size_t n) {
        if (std::fwrite(data, 1, n, out.get()) != n) throw Error::from_errno(fmt::format("writing {}", dest.string()), errno);
        sha.update(data, n);
        if (combined) combined->update(data, n);
        written += n;
    });
    if (std::fflush(out.get()) != 0) throw Error::from_errno(fmt::format("writing {}", dest.string()), errno);
    ctx.check_cancelled();
    std::string got = sha.hex_digest();
    if (got != item.sha256)
        throw Error::invalid("sha256", fmt::format("sha256 mismatch for {}: the server's index says {}, the download has {}",
                                                   url, item.sha256, got));
    if (item.size > 0 && written != static_cast<uint64_t>(item.size))
        throw Error::invalid("size", fmt::format("size mismatch for {}: the server's index says {} bytes, the download has {}",
                                                 url, item.size, written));
    return dest;
}

std::optional<ImageRecord> find_local(ManagerCore& core, const std::string& project, const std::string& fingerprint) {
    return core.db().read([&](SQLite::Database& db) { return repo::find_image_by_fingerprint(db, project, fingerprint); });
}

// Creates alias on image_id; an alias already on another image is refused, unless `move`.
void ensure_alias(ManagerCore& core, const std::string& project, const std::string& alias, int64_t image_id, bool move) {
    bool changed = core.db().transaction([&](SQLite::Database& db) {
        if (repo::alias_exists(db, project, alias)) {
            auto current = repo::resolve_image(db, project, alias);
            if (current.id == image_id) return false;
            if (!move) throw Error(ErrorCode::AlreadyExists, fmt::format("image alias \"{}\" already exists", alias), "aliases");
            repo::move_alias(db, project, alias, image_id);
            return true;
        }
        repo::insert_alias(db, project, alias, image_id, "");
        return true;
    });
    if (changed) core.events().lifecycle(project, "image-alias-created", api_source("images/aliases", alias, project));
}

// Downloads and imports the image; returns its record.
ImageRecord fetch_and_import(const std::shared_ptr<ManagerCore>& core, const std::string& project, const ServerRef& server,
                             const RemoteImage& remote, const api::ImagesPost& post, OperationContext& ctx) {
    TempArea tmp(core->images_dir() / fmt::format("download-{}", random_uuid()));
    Sha256 combined;
    fs::path meta = download_item(server, remote.metadata, tmp.path(), remote.rootfs ? "metadata" : "rootfs", ctx, &combined);
    fs::path rootfs;
    if (remote.rootfs) {
        rootfs = download_item(server, *remote.rootfs, tmp.path(), "rootfs", ctx, &combined);
        // A split image's fingerprint is sha256(metadata || rootfs): the index's claim is checked.
        std::string got = combined.hex_digest();
        if (got != remote.image.fingerprint)
            throw Error::invalid("fingerprint", fmt::format("fingerprint mismatch for the image of {}: the server's index says {}, "
                                                            "the downloaded files give {}",
                                                            server_url(server, remote.metadata.path), remote.image.fingerprint, got));
    }
    ctx.check_cancelled();

    ImageImportOptions io;
    io.rootfs_path = rootfs;
    io.expected_fingerprint = remote.image.fingerprint;
    io.public_ = post.public_;
    io.auto_update = post.auto_update;
    io.cached = post.cached;
    // Properties the server knows (os, release, ...) go with the image, as LXD keeps them.
    io.properties = remote.image.properties;
    try {
        ImageStore(core).import_file(project, meta, io);
    } catch (const Error& e) {
        // Another pull of the same image may have won the race; theirs is as good as ours.
        if (e.code() != ErrorCode::AlreadyExists || !find_local(*core, project, remote.image.fingerprint)) throw;
    }
    auto record = find_local(*core, project, remote.image.fingerprint);
    if (!record)
        throw Error(ErrorCode::Internal, fmt::format("image {} was imported but is not in the store", remote.image.fingerprint));
    core->db().transaction([&](SQLite::Database& db) {
        repo::set_image_flags(db, record->id, post.public_, post.auto_update, post.cached);
        for (const auto& [k, v] : remote.image.properties) {
            SQLite::Statement q(db, "INSERT OR IGNORE INTO images_properties (image_id, key, value) VALUES (?, ?, ?)");
            q.bind(1, record->id);
            q.bind(2, k);
            q.bind(3, v);
            q.exec();
        }
    });
    core->events().lifecycle(project, "image-retrieved", api_source("images", remote.image.fingerprint, project));
    return *record;
}

RemoteImage find_on_server(const ServerRef& server, const std::string& ref, const char* key, std::stop_token stop) {
    auto images = fetch_server_images(server, stop);
    const RemoteImage* found = find_remote_image(images, ref, key);
    if (!found)
        throw Error(ErrorCode::NotFound,
                    fmt::format("image \"{}\" not found on {} (for architecture {})", ref, server.url, host_architecture()), key);
    return *found;
}

}  // namespace

void validate_images_post(ManagerCore& core, const std::string& project, const api::ImagesPost& post) {
    resolve_server(core, post.source.server, post.source.protocol, post.source.certificate, "source.server");
    if (post.source.alias.empty() && post.source.fingerprint.empty())
        throw Error::invalid("source", "no image given (source.alias or source.fingerprint)");
    for (const auto& a : post.aliases) {
        validate_alias_name(a.name, "aliases");
        bool taken = core.db().read([&](SQLite::Database& db) { return repo::alias_exists(db, project, a.name); });
        if (taken) throw Error(ErrorCode::AlreadyExists, fmt::format("image alias \"{}\" already exists", a.name), "aliases");
    }
}

api::Image pull_image(const std::shared_ptr<ManagerCore>& core, const std::string& project, const api::ImagesPost& post,
                      OperationContext& ctx) {
    ServerRef server = resolve_server(*core, post.source.server, post.source.protocol, post.source.certificate, "source.server");
    std::string ref = post.source.alias.empty() ? post.source.fingerprint : post.source.alias;
    const char* key = post.source.alias.empty() ? "source.fingerprint" : "source.alias";
    ctx.set_metadata("download_progress", "metadata: 0% (0B/s)");
    RemoteImage remote = find_on_server(server, ref, key, ctx.stop_token());
    ctx.check_cancelled();

    auto record = find_local(*core, project, remote.image.fingerprint);
    if (!record) {
        record = fetch_and_import(core, project, server, remote, post, ctx);
    } else if (record->image.cached && !post.cached) {
        // Asked for explicitly now: no longer only a cache entry.
        core->db().transaction([&](SQLite::Database& db) {
            repo::set_image_flags(db, record->id, post.public_ || record->image.public_,
                                  post.auto_update || record->image.auto_update, false);
        });
    }
    core->db().transaction([&](SQLite::Database& db) {
        // The source records what to follow: the alias asked for, else the fingerprint.
        if (!repo::find_image_source(db, record->id) || post.auto_update)
            repo::set_image_source(db, record->id, {server.url, server.protocol, server.certificate, ref});
    });
    for (const auto& a : post.aliases) ensure_alias(*core, project, a.name, record->id, false);
    if (post.copy_aliases)
        for (const auto& a : remote.aliases) ensure_alias(*core, project, a, record->id, true);
    ctx.set_metadata("fingerprint", remote.image.fingerprint);
    log::info("image pulled", {{"fingerprint", remote.image.fingerprint}, {"server", server.url}, {"project", project}});
    return core->db().read([&](SQLite::Database& db) { return repo::resolve_image(db, project, remote.image.fingerprint).image; });
}

std::string pull_for_instance(const std::shared_ptr<ManagerCore>& core, const std::string& project,
                              const api::InstanceSource& source, OperationContext& ctx) {
    api::ImagesPost post;
    post.source.server = source.server;
    post.source.protocol = source.protocol;
    post.source.certificate = source.certificate;
    post.source.alias = source.alias;
    post.source.fingerprint = source.fingerprint;
    post.cached = true;
    // As LXD: an image cached by a launch follows its server while images.auto_update_cached.
    post.auto_update = config::is_true(server_config_get(*core, "images.auto_update_cached"));
    return pull_image(core, project, post, ctx).fingerprint;
}

api::Image refresh_image(const std::shared_ptr<ManagerCore>& core, const std::string& project, const std::string& ref,
                         OperationContext& ctx, bool& refreshed) {
    refreshed = false;
    auto [record, source] = core->db().read([&](SQLite::Database& db) {
        auto r = repo::resolve_image(db, project, ref);
        return std::pair{r, repo::find_image_source(db, r.id)};
    });
    const std::string old_fp = record.image.fingerprint;
    if (!source)
        throw Error::invalid("image", fmt::format("image {} was not pulled from an image server, so it cannot be refreshed", old_fp));
    ServerRef server{source->server, source->protocol, source->certificate};
    RemoteImage remote = find_on_server(server, source->alias, "image", ctx.stop_token());
    ctx.set_metadata("fingerprint", old_fp);
    if (remote.image.fingerprint == old_fp) return record.image;
    ctx.check_cancelled();

    api::ImagesPost post;
    post.source = {source->server, source->protocol, source->alias, "", source->certificate};
    post.public_ = record.image.public_;
    post.auto_update = record.image.auto_update;
    post.cached = record.image.cached;
    auto existing = find_local(*core, project, remote.image.fingerprint);
    ImageRecord fresh = existing ? *existing : fetch_and_import(core, project, server, remote, post, ctx);
    core->db().transaction([&](SQLite::Database& db) {
        repo::set_image_source(db, fresh.id, *source);
        repo::set_image_flags(db, fresh.id, post.public_, post.auto_update, post.cached);
        for (const auto& a : record.image.aliases) repo::move_alias(db, project, a.name, fresh.id);
    });
    // Instances made from the old image may still stand on its unpacked volume.
    bool in_use = core->db().read([&](SQLite::Database& db) { return repo::image_in_use(db, project, old_fp); });
    if (!in_use) ImageStore(core).remove(project, old_fp);
    refreshed = true;
    ctx.set_metadata("fingerprint", remote.image.fingerprint);
    core->events().lifecycle(project, "image-refreshed", api_source("images", remote.image.fingerprint, project),
                             {{"old_fingerprint", old_fp}});
    log::info("image refreshed", {{"old", old_fp}, {"new", remote.image.fingerprint}, {"project", project}});
    return core->db().read([&](SQLite::Database& db) { return repo::resolve_image(db, project, remote.image.fingerprint).image; });
}

}  // namespace li
