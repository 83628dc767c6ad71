#include "backup_records.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "daemon.hpp"
#include "libinstance/error.hpp"
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
    explicit BackupDir(const BackupOwner& owner) : dir_(owner.dir), label_(owner.label) {}
    fs::path file(const std::string& name) const { return dir_ / (name + ".backup"); }
    fs::path record(const std::string& name) const { return dir_ / (name + ".json"); }
    bool exists(const std::string& name) const { return fs::exists(record(name)); }

    json get(const std::string& name) const {
        check_name(name, "backup");
        if (!exists(name)) throw Error(ErrorCode::NotFound, fmt::format("backup \"{}\" of {} not found", name, label_), "backup");
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
    std::string label_;
};

// A record as LXD answers it (the compression is the daemon's own note).
json public_record(json doc) {
    doc.erase("compression_algorithm");
    return doc;
}

DaemonOperationSpec backup_spec(const BackupOwner& owner, std::string description, const std::string& name) {
    DaemonOperationSpec spec;
    spec.description = std::move(description);
    spec.project = owner.project;
    spec.resources = owner.resources;
    // `lxc export` and `lxc storage volume export` take the new backup's name from
    // resources.backups[0] by trimming "/1.0/backups/" (LXD renders every resource as /1.0/<kind>/<value>).
    spec.resources["backups"] = json::array({"/1.0/backups/" + name});
    return spec;
}

bool bool_field(const json& body, const std::string& key) {
    if (!body.contains(key) || body[key].is_null()) return false;
    if (!body[key].is_boolean()) throw Error::invalid(key, fmt::format("field \"{}\" must be a boolean", key));
    return body[key].get<bool>();
}

std::string string_field(const json& body, const char* key) {
    if (!body.contains(key) || body[key].is_null()) return {};
    if (!body[key].is_string()) throw Error::invalid(key, fmt::format("field \"{}\" must be a string", key));
    return body[key].get<std::string>();
}

}  // namespace

std::unique_lock<std::mutex> lock_backup_records() { return std::unique_lock(records_mutex); }

Reply list_backups(const BackupOwner& owner, const Call& call) {
    json out = json::array();
    for (const auto& record : BackupDir(owner).list()) {
        if (call.recursion() > 0) out.push_back(public_record(record));
        else out.push_back(project_url(fmt::format("{}/{}", owner.url, record["name"].get<std::string>()), owner.project));
    }
    return sync_response(out);
}

Reply create_backup(Daemon& daemon, const BackupOwner& owner, const Call& call, const BackupStarter& start) {
    json body = body_object(call);
    BackupExportOptions opts;
    for (const auto& field : owner.only_fields) opts.instance_only = bool_field(body, field) || opts.instance_only;
    opts.optimized_storage = bool_field(body, "optimized_storage");
    std::string compression = string_field(body, "compression_algorithm");
    if (!compression.empty()) opts.compression_algorithm = compression;
    std::string expires_at = string_field(body, "expires_at");
    if (expires_at.starts_with("0001-01-01")) expires_at.clear();
    BackupDir dir(owner);
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
                      {"optimized_storage", opts.optimized_storage},
                      {"compression_algorithm", opts.compression_algorithm}};
        for (const auto& field : owner.only_fields) record[field] = opts.instance_only;
        dir.save(record);  // reserves the name while the file is written
    }
    std::string name = record["name"].get<std::string>();
    std::function<void()> finish;
    try {
        finish = start(dir.file(name), opts);
    } catch (...) {
        dir.remove(name);
        throw;
    }
    auto op = daemon.operations().run(backup_spec(owner, owner.create_description, name), [dir, name, finish] {
        try {
            finish();
        } catch (...) {
            dir.remove(name);
            throw;
        }
        return json(nullptr);
    });
    return async_response(*op);
}

Reply get_backup(const BackupOwner& owner, const std::string& name) { return sync_response(public_record(BackupDir(owner).get(name))); }

Reply rename_backup(Daemon& daemon, const BackupOwner& owner, const std::string& name, const Call& call) {
    BackupDir dir(owner);
    std::string new_name = string_field(body_object(call), "name");
    check_name(new_name, "name");
    json record = dir.get(name);
    auto op = daemon.operations().run(backup_spec(owner, owner.rename_description, name), [dir, name, new_name, record]() mutable {
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

Reply delete_backup(Daemon& daemon, const BackupOwner& owner, const std::string& name) {
    BackupDir dir(owner);
    dir.get(name);  // NotFound before the operation
    auto op = daemon.operations().run(backup_spec(owner, owner.delete_description, name), [dir, name] {
        std::lock_guard lock(records_mutex);
        dir.remove(name);
        return json(nullptr);
    });
    return async_response(*op);
}

// The file is sent as it is read, never whole in memory.
Reply export_backup_file(const BackupOwner& owner, const std::string& name) {
    BackupDir dir(owner);
    json record = dir.get(name);
    if (!fs::exists(dir.file(name))) throw Error(ErrorCode::Busy, fmt::format("backup \"{}\" is still being written", name), "backup");
    std::string compression = record.value("compression_algorithm", "gzip");
    std::string ext = compression == "none" ? ".tar" : compression == "xz" ? ".tar.xz" : compression == "zstd" ? ".tar.zst"
                    : compression == "bzip2" ? ".tar.bz2" : ".tar.gz";
    return file_response(dir.file(name), "application/octet-stream", name + ext);
}

std::shared_ptr<const UploadedBody> backup_body_file(Daemon& daemon, const Call& call) {
    if (!has_body(call)) throw Error::invalid("body", "the request body is empty: no backup to import");
    return body_file(daemon, call);  // streamed to a file by the session when large
}

}  // namespace li::daemon
