// backup/index.yaml (LXD's backup.Info) to and from YAML.
#include "backup/backup_index.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "libinstance/error.hpp"

namespace li::backup {

namespace {

[[noreturn]] void bad(std::string_view field, std::string_view why) {
    throw Error::invalid(fmt::format("index.yaml: {}", field), fmt::format("invalid backup index.yaml: {}: {}", field, why));
}

std::string scalar(const YAML::Node& root, const char* field) {
    const YAML::Node node = root[field];
    if (!node || node.IsNull()) return {};
    if (!node.IsScalar()) bad(field, "must be a string");
    return node.as<std::string>();
}

bool boolean(const YAML::Node& root, const char* field) {
    const YAML::Node node = root[field];
    if (!node || node.IsNull()) return false;
    try {
        return node.as<bool>();
    } catch (const YAML::Exception&) {
        bad(field, "must be true or false");
    }
}

}  // namespace

std::string index_to_yaml(const Index& index) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << index.name;
    out << YAML::Key << "backend" << YAML::Value << index.backend;
    out << YAML::Key << "pool" << YAML::Value << index.pool;
    if (!index.snapshots.empty()) {
        out << YAML::Key << "snapshots" << YAML::Value << YAML::BeginSeq;
        for (const auto& s : index.snapshots) out << s;
        out << YAML::EndSeq;
    }
    out << YAML::Key << "optimized" << YAML::Value << index.optimized;
    out << YAML::Key << "optimized_header" << YAML::Value << index.optimized_header;
    out << YAML::Key << "type" << YAML::Value << index.type;
    if (index.config) out << YAML::Key << "config" << YAML::Value << YAML::Load(to_yaml(*index.config));
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

Index index_from_yaml(std::string_view yaml) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw Error::invalid("index.yaml", fmt::format("invalid backup index.yaml: {}", e.what()));
    }
    if (!root.IsMap()) bad("(document)", "must be a mapping");
    Index index;
    index.name = scalar(root, "name");
    if (index.name.empty()) bad("name", "missing");
    index.backend = scalar(root, "backend");
    index.pool = scalar(root, "pool");
    if (const YAML::Node snapshots = root["snapshots"]; snapshots && !snapshots.IsNull()) {
        if (!snapshots.IsSequence()) bad("snapshots", "must be a list");
        for (const auto& s : snapshots) {
            if (!s.IsScalar()) bad("snapshots", "must be a list of names");
            index.snapshots.push_back(s.as<std::string>());
        }
    }
    index.optimized = boolean(root, "optimized");
    index.optimized_header = boolean(root, "optimized_header");
    index.type = scalar(root, "type");
    if (index.type.empty()) index.type = "container";  // LXD's default for older backups
    if (const YAML::Node config = root["config"]; config && !config.IsNull()) {
        if (!config.IsMap()) bad("config", "must be a mapping");
        YAML::Emitter e;
        e << config;
        index.config = config_from_yaml(e.c_str(), "index.yaml: config");
    }
    return index;
}

}  // namespace li::backup
