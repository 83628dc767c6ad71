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

// Each document's fields, listed once in the order LXD's yaml.v2 writes them, for the writer and
// the reader alike. `required` fields must be there; `defaulted` ones keep the API default when
// absent or empty.
template <typename Io, typename I>
void instance_fields(Io& io, I& i) {
    io.string("architecture", i.architecture);
    io.map("config", i.config);
    io.devices("devices", i.devices);
    io.boolean("ephemeral", i.ephemeral);
    io.list("profiles", i.profiles);
    io.boolean("stateful", i.stateful);
    io.string("description", i.description);
    io.time("created_at", i.created_at);
    io.map("expanded_config", i.expanded_config);
    io.devices("expanded_devices", i.expanded_devices);
    io.required("name", i.name);
    io.defaulted("status", i.status);
    io.integer("status_code", i.status_code);
    io.time("last_used_at", i.last_used_at);
    io.defaulted("location", i.location);
    io.defaulted("type", i.type);
    io.defaulted("project", i.project);
}

template <typename Io, typename S>
void snapshot_fields(Io& io, S& s) {
    io.string("architecture", s.architecture);
    io.map("config", s.config);
    io.time("created_at", s.created_at);
    io.devices("devices", s.devices);
    io.boolean("ephemeral", s.ephemeral);
    io.map("expanded_config", s.expanded_config);
    io.devices("expanded_devices", s.expanded_devices);
    io.time("last_used_at", s.last_used_at);
    io.required("name", s.name);
    io.list("profiles", s.profiles);
    io.boolean("stateful", s.stateful);
    io.integer("size", s.size);
    io.time("expires_at", s.expires_at);
    io.string("description", s.description);
}

template <typename Io, typename P>
void pool_fields(Io& io, P& p) {
    io.map("config", p.config);
    io.string("description", p.description);
    io.required("name", p.name);
    io.required("driver", p.driver);
    io.list("used_by", p.used_by);
    io.defaulted("status", p.status);
    io.defaulted_list("locations", p.locations);
}

template <typename Io, typename V>
void volume_fields(Io& io, V& v) {
    io.map("config", v.config);
    io.string("description", v.description);
    io.required("name", v.name);
    io.string("type", v.type);
    io.list("used_by", v.used_by);
    io.defaulted("location", v.location);
    io.defaulted("content_type", v.content_type);
    io.defaulted("project", v.project);
    io.time("created_at", v.created_at);
}

template <typename Io, typename S>
void volume_snapshot_fields(Io& io, S& s) {
    io.map("config", s.config);
    io.string("description", s.description);
    io.time("expires_at", s.expires_at);
    io.required("name", s.name);
    io.defaulted("content_type", s.content_type);
    io.time("created_at", s.created_at);
}

// --- writing ------------------------------------------------------------------------------------

struct FieldWriter {
    YAML::Emitter& out;

    void string(const char* key, const std::string& value) { emit_string(out, key, value); }
    void required(const char* key, const std::string& value) { emit_string(out, key, value); }
    void defaulted(const char* key, const std::string& value) { emit_string(out, key, value); }
    void time(const char* key, const std::string& value) { emit_string(out, key, time_out(value)); }
    void map(const char* key, const api::ConfigMap& value) { emit_map(out, key, value); }
    void devices(const char* key, const api::DeviceMap& value) { emit_devices(out, key, value); }
    void list(const char* key, const std::vector<std::string>& value) { emit_list(out, key, value); }
    void defaulted_list(const char* key, const std::vector<std::string>& value) { emit_list(out, key, value); }
    void boolean(const char* key, bool value) { out << YAML::Key << key << YAML::Value << value; }
    template <typename T>
    void integer(const char* key, T value) {
        out << YAML::Key << key << YAML::Value << value;
    }
};

template <typename T>
void emit_document(YAML::Emitter& out, const T& value, void (*fields)(FieldWriter&, const T&)) {
    out << YAML::BeginMap;
    FieldWriter writer{out};
    fields(writer, value);
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

// Reads the fields of one document (node n at path p) through a Reader.
struct FieldReader {
    const Reader& r;
    const YAML::Node& n;
    const std::string& p;

    void string(const char* key, std::string& value) { value = r.string(n, key, p); }
    void required(const char* key, std::string& value) {
        value = r.string(n, key, p);
        if (value.empty()) r.bad(p + "." + key, "missing");
    }
    void defaulted(const char* key, std::string& value) {
        if (auto read = r.string(n, key, p); !read.empty()) value = read;
    }
    void time(const char* key, std::string& value) { value = r.time(n, key, p); }
    void map(const char* key, api::ConfigMap& value) { value = r.map(n, key, p); }
    void devices(const char* key, api::DeviceMap& value) { value = r.devices(n, key, p); }
    void list(const char* key, std::vector<std::string>& value) { value = r.list(n, key, p); }
    void defaulted_list(const char* key, std::vector<std::string>& value) {
        if (n[key]) value = r.list(n, key, p);
    }
    void boolean(const char* key, bool& value) { value = r.boolean(n, key, p); }
    template <typename T>
    void integer(const char* key, T& value) {
        value = static_cast<T>(r.integer(n, key, p, value));
    }
};

template <typename T>
T read_document(const Reader& r, const YAML::Node& n, const std::string& p, void (*fields)(FieldReader&, T&)) {
    r.require_map(n, p);
    T value;
    FieldReader reader{r, n, p};
    fields(reader, value);
    return value;
}

template <typename T>
std::vector<T> read_seq(const Reader& r, const YAML::Node& root, const char* key, void (*fields)(FieldReader&, T&)) {
    std::vector<T> out;
    YAML::Node node = root[key];
    if (Reader::absent(node)) return out;
    if (!node.IsSequence()) r.bad(key, "must be a list");
    for (size_t i = 0; i < node.size(); ++i)
        out.push_back(read_document<T>(r, node[i], fmt::format("{}[{}]", key, i), fields));
    return out;
}

}  // namespace

std::string to_yaml(const Config& config) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    if (config.instance) {
        out << YAML::Key << "container" << YAML::Value;
        emit_document<api::Instance>(out, *config.instance, instance_fields);
    }
    if (!config.snapshots.empty()) {
        out << YAML::Key << "snapshots" << YAML::Value << YAML::BeginSeq;
        for (const auto& s : config.snapshots) emit_document<api::InstanceSnapshot>(out, s, snapshot_fields);
        out << YAML::EndSeq;
    }
    if (config.pool) {
        out << YAML::Key << "pool" << YAML::Value;
        emit_document<api::StoragePool>(out, *config.pool, pool_fields);
    }
    if (config.volume) {
        out << YAML::Key << "volume" << YAML::Value;
        emit_document<api::StorageVolume>(out, *config.volume, volume_fields);
    }
    if (!config.volume_snapshots.empty()) {
        out << YAML::Key << "volume_snapshots" << YAML::Value << YAML::BeginSeq;
        for (const auto& s : config.volume_snapshots)
            emit_document<api::StorageVolumeSnapshot>(out, s, volume_snapshot_fields);
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
    if (YAML::Node n = root["container"]; !Reader::absent(n))
        config.instance = read_document<api::Instance>(r, n, "container", instance_fields);
    config.snapshots = read_seq<api::InstanceSnapshot>(r, root, "snapshots", snapshot_fields);
    if (YAML::Node n = root["pool"]; !Reader::absent(n)) config.pool = read_document<api::StoragePool>(r, n, "pool", pool_fields);
    if (YAML::Node n = root["volume"]; !Reader::absent(n))
        config.volume = read_document<api::StorageVolume>(r, n, "volume", volume_fields);
    config.volume_snapshots = read_seq<api::StorageVolumeSnapshot>(r, root, "volume_snapshots", volume_snapshot_fields);
    return config;
}

}  // namespace li::backup
