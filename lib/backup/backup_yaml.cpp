// backup.yaml <-> Config: LXD's lxd/backup/config.Config as yaml.v2 writes it (keys are the API
// objects' JSON field names, times RFC 3339 with Go's zero time for "never").

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "backup/backup_config.hpp"
#include "libinstance/error.hpp"

namespace li::backup {

namespace {

// Go's zero time.Time: what LXD writes for a time that never happened.
constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

std::string time_out(const std::string& rfc3339) { return rfc3339.empty() ? kZeroTime : rfc3339; }

void emit_map(YAML::Emitter& out, const char* key, const api::ConfigMap& map) {
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : map) out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
    out << YAML::EndMap;
}

void emit_devices(YAML::Emitter& out, const char* key, const api::DeviceMap& devices) {
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    for (const auto& [name, device] : devices) {
        out << YAML::Key << name << YAML::Value << YAML::BeginMap;
        for (const auto& [k, v] : device) out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void emit_list(YAML::Emitter& out, const char* key, const std::vector<std::string>& list) {
    out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
    for (const auto& item : list) out << item;
    out << YAML::EndSeq;
}

void emit_string(YAML::Emitter& out, const char* key, const std::string& value) {
    out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
}

void emit_instance(YAML::Emitter& out, const api::Instance& i) {
    out << YAML::BeginMap;
    emit_string(out, "architecture", i.architecture);
    emit_map(out, "config", i.config);
    emit_devices(out, "devices", i.devices);
    out << YAML::Key << "ephemeral" << YAML::Value << i.ephemeral;
    emit_list(out, "profiles", i.profiles);
    out << YAML::Key << "stateful" << YAML::Value << i.stateful;
    emit_string(out, "description", i.description);
    emit_string(out, "created_at", time_out(i.created_at));
    emit_map(out, "expanded_config", i.expanded_config);
    emit_devices(out, "expanded_devices", i.expanded_devices);
    emit_string(out, "name", i.name);
    emit_string(out, "status", i.status);
    out << YAML::Key << "status_code" << YAML::Value << i.status_code;
    emit_string(out, "last_used_at", time_out(i.last_used_at));
    emit_string(out, "location", i.location);
    emit_string(out, "type", i.type);
    emit_string(out, "project", i.project);
    out << YAML::EndMap;
}

void emit_snapshot(YAML::Emitter& out, const api::InstanceSnapshot& s) {
    out << YAML::BeginMap;
    emit_string(out, "architecture", s.architecture);
    emit_map(out, "config", s.config);
    emit_string(out, "created_at", time_out(s.created_at));
    emit_devices(out, "devices", s.devices);
    out << YAML::Key << "ephemeral" << YAML::Value << s.ephemeral;
    emit_map(out, "expanded_config", s.expanded_config);
    emit_devices(out, "expanded_devices", s.expanded_devices);
    emit_string(out, "last_used_at", time_out(s.last_used_at));
    emit_string(out, "name", s.name);
    emit_list(out, "profiles", s.profiles);
    out << YAML::Key << "stateful" << YAML::Value << s.stateful;
    out << YAML::Key << "size" << YAML::Value << s.size;
    emit_string(out, "expires_at", time_out(s.expires_at));
    emit_string(out, "description", s.description);
    out << YAML::EndMap;
}

void emit_pool(YAML::Emitter& out, const api::StoragePool& p) {
    out << YAML::BeginMap;
    emit_map(out, "config", p.config);
    emit_string(out, "description", p.description);
    emit_string(out, "name", p.name);
    emit_string(out, "driver", p.driver);
    emit_list(out, "used_by", p.used_by);
    emit_string(out, "status", p.status);
    emit_list(out, "locations", p.locations);
    out << YAML::EndMap;
}

void emit_volume(YAML::Emitter& out, const api::StorageVolume& v) {
    out << YAML::BeginMap;
    emit_map(out, "config", v.config);
    emit_string(out, "description", v.description);
    emit_string(out, "name", v.name);
    emit_string(out, "type", v.type);
    emit_list(out, "used_by", v.used_by);
    emit_string(out, "location", v.location);
    emit_string(out, "content_type", v.content_type);
    emit_string(out, "project", v.project);
    emit_string(out, "created_at", time_out(v.created_at));
    out << YAML::EndMap;
}

void emit_volume_snapshot(YAML::Emitter& out, const api::StorageVolumeSnapshot& s) {
    out << YAML::BeginMap;
    emit_map(out, "config", s.config);
    emit_string(out, "description", s.description);
    emit_string(out, "expires_at", time_out(s.expires_at));
    emit_string(out, "name", s.name);
    emit_string(out, "content_type", s.content_type);
    emit_string(out, "created_at", time_out(s.created_at));
    out << YAML::EndMap;
}

// --- reading: every malformed field is InvalidArgument naming "<origin>: <path>" -------------

class Reader {
public:
    explicit Reader(std::string_view origin) : origin_(origin) {}

    [[noreturn]] void bad(const std::string& field, std::string_view why) const {
        std::string key = fmt::format("{}: {}", origin_, field);
        throw Error::invalid(key, fmt::format("invalid {}: {}", key, why));
    }

    static bool absent(const YAML::Node& node) { return !node || node.IsNull(); }

    std::string string(const YAML::Node& parent, const char* key, const std::string& path) const {
        YAML::Node node = parent[key];
        if (absent(node)) return {};
        if (!node.IsScalar()) bad(path + "." + key, "must be a string");
        return node.as<std::string>();
    }

    std::string time(const YAML::Node& parent, const char* key, const std::string& path) const {
        std::string value = string(parent, key, path);
        return value.starts_with("0001-01-01T00:00:00") ? std::string() : value;
    }

    bool boolean(const YAML::Node& parent, const char* key, const std::string& path) const {
        YAML::Node node = parent[key];
        if (absent(node)) return false;
        try {
            return node.as<bool>();
        } catch (const YAML::Exception&) {
            bad(path + "." + key, "must be true or false");
        }
    }

    int64_t integer(const YAML::Node& parent, const char* key, const std::string& path, int64_t fallback) const {
        YAML::Node node = parent[key];
        if (absent(node)) return fallback;
        try {
            return node.as<int64_t>();
        } catch (const YAML::Exception&) {
            bad(path + "." + key, "must be an integer");
        }
    }

    api::ConfigMap map(const YAML::Node& parent, const char* key, const std::string& path) const {
        return map_node(parent[key], path + "." + key);
    }

    api::ConfigMap map_node(const YAML::Node& node, const std::string& field) const {
        api::ConfigMap out;
        if (absent(node)) return out;
        if (!node.IsMap()) bad(field, "must be a mapping");
        for (const auto& kv : node) {
            if (!kv.first.IsScalar()) bad(field, "keys must be strings");
            std::string k = kv.first.as<std::string>();
            if (kv.second.IsNull()) {
                out[k] = "";
                continue;
            }
            if (!kv.second.IsScalar()) bad(field + "." + k, "must be a string");
            out[k] = kv.second.as<std::string>();
        }
        return out;
    }

    api::DeviceMap devices(const YAML::Node& parent, const char* key, const std::string& path) const {
        api::DeviceMap out;
        YAML::Node node = parent[key];
        if (absent(node)) return out;
        std::string field = path + "." + key;
        if (!node.IsMap()) bad(field, "must be a mapping");
        for (const auto& kv : node) {
            if (!kv.first.IsScalar()) bad(field, "device names must be strings");
            std::string name = kv.first.as<std::string>();
            out[name] = map_node(kv.second, field + "." + name);
        }
        return out;
    }

    std::vector<std::string> list(const YAML::Node& parent, const char* key, const std::string& path) const {
        std::vector<std::string> out;
        YAML::Node node = parent[key];
        if (absent(node)) return out;
        std::string field = path + "." + key;
        if (!node.IsSequence()) bad(field, "must be a list");
        for (size_t i = 0; i < node.size(); ++i) {
            if (!node[i].IsScalar()) bad(fmt::format("{}[{}]", field, i), "must be a string");
            out.push_back(node[i].as<std::string>());
        }
        return out;
    }

    void require_map(const YAML::Node& node, const std::string& path) const {
        if (!node.IsMap()) bad(path, "must be a mapping");
    }

private:
    std::string origin_;
};

api::Instance read_instance(const Reader& r, const YAML::Node& n, const std::string& p) {
    r.require_map(n, p);
    api::Instance i;
    i.architecture = r.string(n, "architecture", p);
    i.config = r.map(n, "config", p);
    i.devices = r.devices(n, "devices", p);
    i.ephemeral = r.boolean(n, "ephemeral", p);
    i.profiles = r.list(n, "profiles", p);
    i.stateful = r.boolean(n, "stateful", p);
    i.description = r.string(n, "description", p);
    i.created_at = r.time(n, "created_at", p);
    i.expanded_config = r.map(n, "expanded_config", p);
    i.expanded_devices = r.devices(n, "expanded_devices", p);
    i.name = r.string(n, "name", p);
    if (i.name.empty()) r.bad(p + ".name", "missing");
    if (auto status = r.string(n, "status", p); !status.empty()) i.status = status;
    i.status_code = static_cast<int>(r.integer(n, "status_code", p, i.status_code));
    i.last_used_at = r.time(n, "last_used_at", p);
    if (auto location = r.string(n, "location", p); !location.empty()) i.location = location;
    if (auto type = r.string(n, "type", p); !type.empty()) i.type = type;
    if (auto project = r.string(n, "project", p); !project.empty()) i.project = project;
    return i;
}

api::InstanceSnapshot read_snapshot(const Reader& r, const YAML::Node& n, const std::string& p) {
    r.require_map(n, p);
    api::InstanceSnapshot s;
    s.architecture = r.string(n, "architecture", p);
    s.config = r.map(n, "config", p);
    s.created_at = r.time(n, "created_at", p);
    s.devices = r.devices(n, "devices", p);
    s.ephemeral = r.boolean(n, "ephemeral", p);
    s.expanded_config = r.map(n, "expanded_config", p);
    s.expanded_devices = r.devices(n, "expanded_devices", p);
    s.last_used_at = r.time(n, "last_used_at", p);
    s.name = r.string(n, "name", p);
    if (s.name.empty()) r.bad(p + ".name", "missing");
    s.profiles = r.list(n, "profiles", p);
    s.stateful = r.boolean(n, "stateful", p);
    s.size = r.integer(n, "size", p, -1);
    s.expires_at = r.time(n, "expires_at", p);
    s.description = r.string(n, "description", p);
    return s;
}

api::StoragePool read_pool(const Reader& r, const YAML::Node& n, const std::string& p) {
    r.require_map(n, p);
    api::StoragePool pool;
    pool.config = r.map(n, "config", p);
    pool.description = r.string(n, "description", p);
    pool.name = r.string(n, "name", p);
    if (pool.name.empty()) r.bad(p + ".name", "missing");
    pool.driver = r.string(n, "driver", p);
    if (pool.driver.empty()) r.bad(p + ".driver", "missing");
    pool.used_by = r.list(n, "used_by", p);
    if (auto status = r.string(n, "status", p); !status.empty()) pool.status = status;
    if (n["locations"]) pool.locations = r.list(n, "locations", p);
    return pool;
}

api::StorageVolume read_volume(const Reader& r, const YAML::Node& n, const std::string& p) {
    r.require_map(n, p);
    api::StorageVolume v;
    v.config = r.map(n, "config", p);
    v.description = r.string(n, "description", p);
    v.name = r.string(n, "name", p);
    if (v.name.empty()) r.bad(p + ".name", "missing");
    v.type = r.string(n, "type", p);
    v.used_by = r.list(n, "used_by", p);
    if (auto location = r.string(n, "location", p); !location.empty()) v.location = location;
    if (auto content = r.string(n, "content_type", p); !content.empty()) v.content_type = content;
    if (auto project = r.string(n, "project", p); !project.empty()) v.project = project;
    v.created_at = r.time(n, "created_at", p);
    return v;
}

api::StorageVolumeSnapshot read_volume_snapshot(const Reader& r, const YAML::Node& n, const std::string& p) {
    r.require_map(n, p);
    api::StorageVolumeSnapshot s;
    s.config = r.map(n, "config", p);
    s.description = r.string(n, "description", p);
    s.expires_at = r.time(n, "expires_at", p);
    s.name = r.string(n, "name", p);
    if (s.name.empty()) r.bad(p + ".name", "missing");
    if (auto content = r.string(n, "content_type", p); !content.empty()) s.content_type = content;
    s.created_at = r.time(n, "created_at", p);
    return s;
}

template <typename T, typename ReadOne>
std::vector<T> read_seq(const Reader& r, const YAML::Node& root, const char* key, ReadOne read_one) {
    std::vector<T> out;
    YAML::Node node = root[key];
    if (Reader::absent(node)) return out;
    if (!node.IsSequence()) r.bad(key, "must be a list");
    for (size_t i = 0; i < node.size(); ++i) out.push_back(read_one(r, node[i], fmt::format("{}[{}]", key, i)));
    return out;
}

}  // namespace

std::string to_yaml(const Config& config) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    if (config.instance) {
        out << YAML::Key << "container" << YAML::Value;
        emit_instance(out, *config.instance);
    }
    if (!config.snapshots.empty()) {
        out << YAML::Key << "snapshots" << YAML::Value << YAML::BeginSeq;
        for (const auto& s : config.snapshots) emit_snapshot(out, s);
        out << YAML::EndSeq;
    }
    if (config.pool) {
        out << YAML::Key << "pool" << YAML::Value;
        emit_pool(out, *config.pool);
    }
    if (config.volume) {
        out << YAML::Key << "volume" << YAML::Value;
        emit_volume(out, *config.volume);
    }
    if (!config.volume_snapshots.empty()) {
        out << YAML::Key << "volume_snapshots" << YAML::Value << YAML::BeginSeq;
        for (const auto& s : config.volume_snapshots) emit_volume_snapshot(out, s);
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

Config config_from_yaml(std::string_view yaml, std::string_view origin) {
    Reader r(origin);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw Error::invalid(std::string(origin), fmt::format("invalid {}: {}", origin, e.what()));
    }
    Config config;
    if (Reader::absent(root)) return config;
    r.require_map(root, "(document)");
    if (YAML::Node n = root["container"]; !Reader::absent(n)) config.instance = read_instance(r, n, "container");
    config.snapshots = read_seq<api::InstanceSnapshot>(r, root, "snapshots", read_snapshot);
    if (YAML::Node n = root["pool"]; !Reader::absent(n)) config.pool = read_pool(r, n, "pool");
    if (YAML::Node n = root["volume"]; !Reader::absent(n)) config.volume = read_volume(r, n, "volume");
    config.volume_snapshots = read_seq<api::StorageVolumeSnapshot>(r, root, "volume_snapshots", read_volume_snapshot);
    return config;
}

}  // namespace li::backup
