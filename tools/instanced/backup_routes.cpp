#include "backup_routes.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <mutex>

#include "body_files.hpp"
#include "daemon.hpp"
#include "instance_routes.hpp"
#include "libinstance/error.hpp"
#include "libinstance/event.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Serialises name choices and renames within the daemon (records are files, not a database).
std::mutex records_mutex;

void check_name(const std::string& name, const char* key) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find_first_of(" \t\n\r") != std::string::npos)
        throw Error::invalid(key, fmt::format("invalid backup name \"{}\"", name));
}

class BackupDir {
public:
    BackupDir(Daemon& daemon, const Instance& instance)
        : dir_(daemon_dir(daemon, "backups") / instance.project() / instance.name()), instance_(instance.name()) {}
    fs::path file(const std::string& name) const { return dir_ / (name + ".backup"); }
    fs::path record(const std::string& name) const { return dir_ / (name + ".json"); }
    bool exists(const std::string& name) const { return fs::exists(record(name)); }

    json get(const std::string& name) const {
        check_name(name, "backup");
        if (!exists(name)) throw Error(ErrorCode::NotFound, fmt::format("backup \"{}\" of instance \"{}\" not found", name, instance_), "backup");
        json doc = json::parse(read_file(record(name)), nullptr, false);
        if (doc.is_discarded()) throw Error(ErrorCode::Internal, fmt::format("backup record {} is damaged", record(name).string()));
        return doc;
    }
    std::vector<json> list() const {
        std::vector<json> out;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir_, ec))
            if (entry.path().extension() == ".json") out.push_back(get(entry.path().stem().string()));
        std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a.value("created_at", "") < b.value("created_at", ""); });
        return out;
    }
    void save(const json& doc) const {
        fs::create_directories(dir_);
        write_file(record(doc["name"].get<std::string>()), doc.dump());
    }
    // LXD's default names: backup0, backup1, ... (the first one free).
    std::string next_name() const {
        for (int i = 0;; ++i)
            if (!exists(fmt::format("backup{}", i))) return fmt::format("backup{}", i);
    }
    void remove(const std::string& name) const {
        std::error_code ec;
        fs::remove(file(name), ec);
        fs::remove(record(name), ec);
    }

private:
    fs::path dir_;
    std::string instance_;
};

std::string backup_url(const Instance& instance, const std::string& name) {
    return project_url(fmt::format("/1.0/instances/{}/backups/{}", instance.name(), name), instance.project());
}

DaemonOperationSpec backup_spec(const Instance& instance, std::string description, const std::string& name) {
    DaemonOperationSpec spec;
    spec.description = std::move(description);
    spec.project = instance.project();
    // `lxc export` takes the new backup's name from resources.backups[0] by trimming "/1.0/backups/"
    // (LXD renders every resource as /1.0/<kind>/<value>).
    spec.resources = json{{"instances", json::array({"/1.0/instances/" + instance.name()})},
                          {"backups", json::array({"/1.0/backups/" + name})}};
    return spec;
}

bool bool_field(const json& body, const char* key) {
    if (!body.contains(key) || body[key].is_null()) return false;
    if (!body[key].is_boolean()) throw Error::invalid(key, fmt::format("field \"{}\" must be a boolean", key));
    return body[key].get<bool>();
}

std::string string_field(const json& body, const char* key) {
    if (!body.contains(key) || body[key].is_null()) return {};
    if (!body[key].is_string()) throw Error::invalid(key, fmt::format("field \"{}\" must be a string", key));
    return body[key].get<std::string>();
}

Reply create_backup(Daemon& daemon, const Call& call) {
    Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
    json body = body_object(call);
    BackupExportOptions opts;
    opts.instance_only = bool_field(body, "instance_only") || bool_field(body, "container_only");
    opts.optimized_storage = bool_field(body, "optimized_storage");
    std::string compression = string_field(body, "compression_algorithm");
    if (!compression.empty()) opts.compression_algorithm = compression;
    std::string expires_at = string_field(body, "expires_at");
    if (expires_at.starts_with("0001-01-01")) expires_at.clear();
    BackupDir dir(daemon, instance);
    json record;
    {
        std::lock_guard lock(records_mutex);
        std::string name = string_field(body, "name");
        if (name.empty()) name = dir.next_name();
        check_name(name, "name");
        if (dir.exists(name)) throw Error(ErrorCode::AlreadyExists, fmt::format("backup \"{}\" already exists", name), "name");
        record = json{{"name", name},
                      {"created_at", rfc3339_now()},
                      {"expires_at", expires_at.empty() ? "0001-01-01T00:00:00Z" : expires_at},
                      {"instance_only", opts.instance_only},
                      {"container_only", opts.instance_only},
                      {"optimized_storage", opts.optimized_storage},
                      {"compression_algorithm", opts.compression_algorithm}};
        dir.save(record);  // reserves the name while the file is written
    }
    std::string name = record["name"].get<std::string>();
    auto op = daemon.operations().run(backup_spec(instance, "Backing up instance", name), [instance, dir, name, opts]() mutable {
        try {
            instance.export_backup(dir.file(name), opts);
        } catch (...) {
            dir.remove(name);
            throw;
        }
        return json(nullptr);
    });
    return async_response(*op);
}

Reply rename_backup(Daemon& daemon, const Call& call) {
    Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
    BackupDir dir(daemon, instance);
    std::string name = call.params.at("backup");
    std::string new_name = string_field(body_object(call), "name");
    check_name(new_name, "name");
    json record = dir.get(name);
    auto op = daemon.operations().run(backup_spec(instance, "Renaming instance backup", name), [dir, name, new_name, record]() mutable {
        std::lock_guard lock(records_mutex);
        if (dir.exists(new_name)) throw Error(ErrorCode::AlreadyExists, fmt::format("backup \"{}\" already exists", new_name), "name");
        fs::rename(dir.file(name), dir.file(new_name));
        record["name"] = new_name;
        dir.save(record);
        std::error_code ec;
        fs::remove(dir.record(name), ec);
        return json(nullptr);
    });
    return async_response(*op);
}

// The instance a lifecycle event's source names ("/1.0/instances/c1?project=p" -> "c1").
std::string instance_of(const std::string& source) {
    const std::string prefix = "/1.0/instances/";
    if (!source.starts_with(prefix)) return {};
    std::string name = source.substr(prefix.size());
    return name.substr(0, name.find('?'));
}

// Backups belong to their instance: they go with it when it is deleted and follow a rename, so
// a new instance of the same name never lists an old one's backups.
std::unique_ptr<Subscription> follow_instances(Daemon& daemon) {
    fs::path root = daemon_dir(daemon, "backups");
    EventFilter filter;
    filter.types = {"lifecycle"};
    filter.all_projects = true;
    return daemon.manager().events().subscribe(filter, [root](const std::string& text) {
        json event = json::parse(text, nullptr, false);
        if (event.is_discarded() || !event.contains("metadata") || !event["metadata"].is_object()) return;
        const json& meta = event["metadata"];
        std::string action = meta.value("action", "");
        std::string project = event.value("project", "default");
        std::string name = instance_of(meta.value("source", ""));
        if (name.empty() || name.find('/') != std::string::npos) return;
        std::lock_guard lock(records_mutex);
        std::error_code ec;
        if (action == "instance-deleted") {
            fs::remove_all(root / project / name, ec);
        } else if (action == "instance-renamed" && meta.contains("context") && meta["context"].is_object()) {
            std::string old_name = meta["context"].value("old_name", "");
            if (old_name.empty() || old_name.find('/') != std::string::npos) return;
            if (fs::exists(root / project / old_name, ec)) fs::rename(root / project / old_name, root / project / name, ec);
        }
    });
}

}  // namespace

Reply import_backup_request(Daemon& daemon, const Call& call) {
    std::string project = call.project();
    if (!has_body(call)) throw Error::invalid("body", "the request body is empty: no backup to import");
    BackupImportOptions opts;
    if (auto it = call.request.find("X-LXD-name"); it != call.request.end()) opts.name = std::string(it->value());
    if (auto it = call.request.find("X-LXD-pool"); it != call.request.end()) opts.pool = std::string(it->value());
    auto file = body_file(daemon, call);  // streamed to a file by the session when large
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
    Manager& manager = daemon.manager();
    // The subscription lives as long as the routes (held by this handler): the router goes before
    // the manager does, so no event arrives for a manager that is gone.
    std::shared_ptr<Subscription> follow = follow_instances(daemon);
    add_instance_route(router, http::verb::get, "/{name}/backups", [&daemon, &manager, follow](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        json out = json::array();
        for (const auto& record : BackupDir(daemon, instance).list()) {
            if (call.recursion() > 0) {
                json doc = record;
                doc.erase("compression_algorithm");
                out.push_back(doc);
            } else {
                out.push_back(backup_url(instance, record["name"].get<std::string>()));
            }
        }
        return sync_response(out);
    });
    add_instance_route(router, http::verb::post, "/{name}/backups", [&daemon](const Call& call) { return create_backup(daemon, call); });
    add_instance_route(router, http::verb::get, "/{name}/backups/{backup}", [&daemon, &manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        json doc = BackupDir(daemon, instance).get(call.params.at("backup"));
        doc.erase("compression_algorithm");
        return sync_response(doc);
    });
    add_instance_route(router, http::verb::post, "/{name}/backups/{backup}", [&daemon](const Call& call) { return rename_backup(daemon, call); });
    add_instance_route(router, http::verb::delete_, "/{name}/backups/{backup}", [&daemon, &manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        BackupDir dir(daemon, instance);
        std::string name = call.params.at("backup");
        dir.get(name);  // NotFound before the operation
        auto op = daemon.operations().run(backup_spec(instance, "Removing instance backup", name), [dir, name] {
            std::lock_guard lock(records_mutex);
            dir.remove(name);
            return json(nullptr);
        });
        return async_response(*op);
    });
    // The file is sent as it is read, never whole in memory.
    add_instance_route(router, http::verb::get, "/{name}/backups/{backup}/export", [&daemon, &manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        BackupDir dir(daemon, instance);
        std::string name = call.params.at("backup");
        dir.get(name);
        if (!fs::exists(dir.file(name))) throw Error(ErrorCode::Busy, fmt::format("backup \"{}\" is still being written", name), "backup");
        std::string compression = dir.get(name).value("compression_algorithm", "gzip");
        std::string ext = compression == "none" ? ".tar" : compression == "xz" ? ".tar.xz" : compression == "zstd" ? ".tar.zst"
                        : compression == "bzip2" ? ".tar.bz2" : ".tar.gz";
        return file_response(dir.file(name), "application/octet-stream", name + ext);
    });
}

}  // namespace li::daemon
