#include "config_args.hpp"

#include <fmt/format.h>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "libinstance/error.hpp"
#include "output.hpp"
#include "yaml_documents.hpp"

namespace li::cli {

namespace {

std::string value_or_stdin(const std::string& value) {
    if (value != "-" || ::isatty(STDIN_FILENO)) return value;
    return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
}

}  // namespace

api::ConfigMap key_values(const std::vector<std::string>& args) {
    if (args.size() == 2 && args[0].find('=') == std::string::npos) return {{args[0], value_or_stdin(args[1])}};
    api::ConfigMap out;
    for (const auto& arg : args) {
        auto eq = arg.find('=');
        if (eq == std::string::npos) throw UsageError(fmt::format("Invalid key=value configuration: {}", arg));
        out[arg.substr(0, eq)] = value_or_stdin(arg.substr(eq + 1));
    }
    return out;
}

api::InstancePut instance_put_from_yaml(const std::string& text) {
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid instance YAML: {}", e.what()));
    }
    api::InstancePut put;
    if (!doc || doc.IsNull()) return put;
    if (!doc.IsMap()) throw Error::invalid("yaml", "the instance YAML must be a map");
    try {
        if (doc["architecture"]) put.architecture = doc["architecture"].as<std::string>();
        if (doc["description"] && !doc["description"].IsNull()) put.description = doc["description"].as<std::string>();
        if (doc["ephemeral"]) put.ephemeral = doc["ephemeral"].as<bool>();
        put.config = yaml_string_map(doc["config"], "config");
        if (auto devices = doc["devices"]; devices && !devices.IsNull()) {
            if (!devices.IsMap()) throw Error::invalid("devices", "\"devices\" must be a map of devices");
            for (const auto& d : devices) {
                auto name = d.first.as<std::string>();
                put.devices[name] = yaml_string_map(d.second, "devices." + name);
            }
        }
        if (auto profiles = doc["profiles"]; profiles && !profiles.IsNull()) {
            if (!profiles.IsSequence()) throw Error::invalid("profiles", "\"profiles\" must be a list of names");
            for (const auto& p : profiles) put.profiles.push_back(p.as<std::string>());
        }
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid instance YAML: {}", e.what()));
    }
    return put;
}

std::string instance_put_yaml(const api::Instance& instance, bool expanded) {
    // api.InstancePut's fields in the order lxc 5.0's yaml.v2 writes them.
    nlohmann::ordered_json doc;
    doc["architecture"] = instance.architecture;
    doc["config"] = expanded ? instance.expanded_config : instance.config;
    doc["devices"] = nlohmann::ordered_json::object();
    for (const auto& [name, dev] : expanded ? instance.expanded_devices : instance.devices) doc["devices"][name] = dev;
    doc["ephemeral"] = instance.ephemeral;
    doc["profiles"] = instance.profiles;
    doc["stateful"] = instance.stateful;
    doc["description"] = instance.description;
    return render_yaml(doc.dump());
}

}  // namespace li::cli
