#include "volume_backup_routes.hpp"

#include <fmt/format.h>

#include "backup_records.hpp"
#include "daemon.hpp"
#include "lifecycle_follow.hpp"
#include "libinstance/error.hpp"
#include "libinstance/event.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string volume_url(const std::string& pool, const std::string& volume) {
    return fmt::format("/1.0/storage-pools/{}/volumes/custom/{}", pool, volume);
}

// Only custom volumes have backups (LXD registers these routes under .../volumes/custom only).
void require_custom(const Call& call) {
    if (call.params.at("type") != "custom")
        throw Error::invalid("type", fmt::format("only custom volumes have backups, not \"{}\" ones", call.params.at("type")));
}

// The volume's backups; NotFound for an unknown pool or volume. They are kept under the project
// the volume really is in (a project without features.storage.volumes uses default's), which is
// the project its lifecycle events name.
BackupOwner owner_of(Daemon& daemon, const Call& call) {
    require_custom(call);
    const std::string& pool = call.params.at("pool");
    const std::string& volume = call.params.at("name");
    api::StorageVolume v = daemon.manager().storage_volumes().get(pool, "custom", volume, call.project());
    BackupOwner owner;
    owner.dir = daemon_dir(daemon, "volume-backups") / (v.project.empty() ? call.project() : v.project) / pool / volume;
    owner.label = fmt::format("storage volume \"{}\"", volume);
    owner.url = volume_url(pool, volume) + "/backups";
    owner.project = call.project();
    owner.resources = json{{"storage_volumes", json::array({volume_url(pool, volume)})}};
    owner.only_fields = {"volume_only"};
    owner.create_description = "Creating custom volume backup";
    owner.rename_description = "Renaming custom volume backup";
    owner.delete_description = "Deleting custom volume backup";
    return owner;
}

// The pool and volume a lifecycle event's source names
// ("/1.0/storage-pools/p/volumes/custom/v?project=x" -> {"p", "v"}); empty unless a custom volume.
std::pair<std::string, std::string> volume_of(const std::string& source) {
    const std::string prefix = "/1.0/storage-pools/";
    if (!source.starts_with(prefix)) return {};
    std::string rest = source.substr(prefix.size());
    rest = rest.substr(0, rest.find('?'));
    auto slash = rest.find('/');
    if (slash == std::string::npos) return {};
    std::string pool = rest.substr(0, slash);
    const std::string middle = "/volumes/custom/";
    if (rest.compare(slash, middle.size(), middle) != 0) return {};
    std::string volume = rest.substr(slash + middle.size());
    if (pool.empty() || volume.empty() || volume.find('/') != std::string::npos) return {};
    return {pool, volume};
}

// Backups belong to their volume: they go with it when it is deleted (or moved to another pool)
// and follow a rename, so a new volume of the same name never lists an old one's backups.
std::unique_ptr<Subscription> follow_volumes(Daemon& daemon) {
    fs::path root = daemon_dir(daemon, "volume-backups");
    return follow_lifecycle(daemon.manager().events(), [root](const LifecycleChange& change) {
        if (change.action != "storage-volume-deleted" && change.action != "storage-volume-renamed") return;
        auto [pool, name] = volume_of(change.source);
        if (name.empty()) return;
        auto lock = lock_backup_records();
        std::error_code ec;
        fs::path dir = root / change.project / pool;
        if (change.action == "storage-volume-deleted") {
            fs::remove_all(dir / name, ec);
        } else if (!change.old_name.empty()) {
            if (fs::exists(dir / change.old_name, ec)) fs::rename(dir / change.old_name, dir / name, ec);
        }
    });
}

}  // namespace

Reply import_volume_backup_request(Daemon& daemon, const Call& call) {
    std::string project = call.project(), pool = call.params.at("pool");
    if (auto it = call.params.find("type"); it != call.params.end()) require_custom(call);
    auto file = backup_body_file(daemon, call);
    BackupImportOptions opts;
    if (auto it = call.request.find("X-LXD-name"); it != call.request.end()) opts.name = std::string(it->value());
    DaemonOperationSpec spec;
    spec.description = "Restoring custom volume backup";
    spec.project = project;
    if (!opts.name.empty()) spec.resources = json{{"storage_volumes", json::array({volume_url(pool, opts.name)})}};
    auto op = daemon.operations().run(spec, [&daemon, pool, project, file, opts] {
        api::StorageVolume volume = daemon.manager().storage_volumes().import_backup(pool, file->path(), opts, project);
        return json{{"name", volume.name}};
    });
    return async_response(*op);
}

void add_volume_backup_routes(Router& router, Daemon& daemon) {
    const std::string base = "/1.0/storage-pools/{pool}/volumes/{type}/{name}/backups";
    // The subscription lives as long as the routes (held by this handler), as instance backups' does.
    std::shared_ptr<Subscription> follow = follow_volumes(daemon);
    router.add(http::verb::get, base, [&daemon, follow](const Call& call) { return list_backups(owner_of(daemon, call), call); });
    router.add(http::verb::post, base, [&daemon](const Call& call) -> Reply {
        BackupOwner owner = owner_of(daemon, call);
        std::string pool = call.params.at("pool"), volume = call.params.at("name"), project = call.project();
        // Started at once, so what the library refuses (restricted.backups, a bad compression,
        // optimized_storage off btrfs) is the request's answer rather than its operation's.
        return create_backup(daemon, owner, call, [&daemon, pool, volume, project](const fs::path& file, const BackupExportOptions& opts) {
            Operation op = daemon.manager().storage_volumes().export_backup_async(pool, volume, file, opts, project);
            return std::function<void()>([op]() mutable { op.get(); });
        });
    });
    router.add(http::verb::get, base + "/{backup}",
               [&daemon](const Call& call) { return get_backup(owner_of(daemon, call), call.params.at("backup")); });
    router.add(http::verb::post, base + "/{backup}",
               [&daemon](const Call& call) { return rename_backup(daemon, owner_of(daemon, call), call.params.at("backup"), call); });
    router.add(http::verb::delete_, base + "/{backup}",
               [&daemon](const Call& call) { return delete_backup(daemon, owner_of(daemon, call), call.params.at("backup")); });
    router.add(http::verb::get, base + "/{backup}/export",
               [&daemon](const Call& call) { return export_backup_file(owner_of(daemon, call), call.params.at("backup")); });
}

}  // namespace li::daemon
