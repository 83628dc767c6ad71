#include "backup_routes.hpp"

#include <fmt/format.h>

#include "backup_records.hpp"
#include "daemon.hpp"
#include "lifecycle_follow.hpp"
#include "instance_routes.hpp"
#include "libinstance/error.hpp"
#include "libinstance/event.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

BackupOwner owner_of(Daemon& daemon, const Instance& instance) {
    BackupOwner owner;
    owner.dir = daemon_dir(daemon, "backups") / instance.project() / instance.name();
    owner.label = fmt::format("instance \"{}\"", instance.name());
    owner.url = fmt::format("/1.0/instances/{}/backups", instance.name());
    owner.project = instance.project();
    owner.resources = json{{"instances", json::array({"/1.0/instances/" + instance.name()})}};
    owner.only_fields = {"instance_only", "container_only"};
    owner.create_description = "Backing up instance";
    owner.rename_description = "Renaming instance backup";
    owner.delete_description = "Removing instance backup";
    return owner;
}

BackupOwner owner_of(Daemon& daemon, const Call& call) {
    return owner_of(daemon, daemon.manager().instances().get(call.project(), call.params.at("name")));
}

// Backups belong to their instance: they go with it when it is deleted and follow a rename, so
// a new instance of the same name never lists an old one's backups.
std::unique_ptr<Subscription> follow_instances(Daemon& daemon) {
    fs::path root = daemon_dir(daemon, "backups");
    return follow_lifecycle(daemon.manager().events(), [root](const LifecycleChange& change) {
        std::string name = instance_of_source(change.source);
        if (name.empty()) return;
        auto lock = lock_backup_records();
        std::error_code ec;
        fs::path dir = root / change.project;
        if (change.action == "instance-deleted") {
            fs::remove_all(dir / name, ec);
        } else if (change.action == "instance-renamed" && !change.old_name.empty()) {
            if (fs::exists(dir / change.old_name, ec)) fs::rename(dir / change.old_name, dir / name, ec);
        }
    });
}

}  // namespace

Reply import_backup_request(Daemon& daemon, const Call& call) {
    std::string project = call.project();
    auto file = backup_body_file(daemon, call);
    BackupImportOptions opts;
    if (auto it = call.request.find("X-LXD-name"); it != call.request.end()) opts.name = std::string(it->value());
    if (auto it = call.request.find("X-LXD-pool"); it != call.request.end()) opts.pool = std::string(it->value());
    DaemonOperationSpec spec;
    spec.description = "Restoring backup";
    spec.project = project;
    if (!opts.name.empty()) spec.resources = json{{"instances", json::array({"/1.0/instances/" + opts.name})}};
    auto op = daemon.operations().run(spec, [&daemon, project, file, opts] {
        Instance instance = daemon.manager().instances().import_backup(project, file->path(), opts);
        return json{{"name", instance.name()}};
    });
    return async_response(*op);
}

void add_backup_routes(Router& router, Daemon& daemon) {
    // The subscription lives as long as the routes (held by this handler): the router goes before
    // the manager does, so no event arrives for a manager that is gone.
    std::shared_ptr<Subscription> follow = follow_instances(daemon);
    add_instance_route(router, http::verb::get, "/{name}/backups",
                       [&daemon, follow](const Call& call) { return list_backups(owner_of(daemon, call), call); });
    add_instance_route(router, http::verb::post, "/{name}/backups", [&daemon](const Call& call) -> Reply {
        Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
        // Written in the operation: what is wrong with the instance shows there, as before.
        return create_backup(daemon, owner_of(daemon, instance), call, [instance](const fs::path& file, const BackupExportOptions& opts) {
            return std::function<void()>([instance, file, opts]() mutable { instance.export_backup(file, opts); });
        });
    });
    add_instance_route(router, http::verb::get, "/{name}/backups/{backup}",
                       [&daemon](const Call& call) { return get_backup(owner_of(daemon, call), call.params.at("backup")); });
    add_instance_route(router, http::verb::post, "/{name}/backups/{backup}", [&daemon](const Call& call) {
        return rename_backup(daemon, owner_of(daemon, call), call.params.at("backup"), call);
    });
    add_instance_route(router, http::verb::delete_, "/{name}/backups/{backup}",
                       [&daemon](const Call& call) { return delete_backup(daemon, owner_of(daemon, call), call.params.at("backup")); });
    add_instance_route(router, http::verb::get, "/{name}/backups/{backup}/export",
                       [&daemon](const Call& call) { return export_backup_file(owner_of(daemon, call), call.params.at("backup")); });
}

}  // namespace li::daemon
