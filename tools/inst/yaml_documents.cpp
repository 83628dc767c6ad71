#include "yaml_documents.hpp"

#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li::cli {

void read_yaml_document(const std::string& text, std::string_view what, const std::function<void(const YAML::Node&)>& read) {
    try {
        YAML::Node doc = YAML::Load(text);
        if (!doc || doc.IsNull()) return;
        if (!doc.IsMap()) throw Error::invalid("yaml", fmt::format("the {} YAML must be a map", what));
        read(doc);
    } catch (const YAML::Exception& e) {
        throw Error::invalid("yaml", fmt::format("invalid {} YAML: {}", what, e.what()));
    }
}

std::string yaml_description(const YAML::Node& doc) {
    auto description = doc["description"];
    return description && !description.IsNull() ? description.as<std::string>() : std::string();
}

api::ConfigMap yaml_string_map(const YAML::Node& node, const std::string& field) {
    api::ConfigMap out;
    if (!node || node.IsNull()) return out;
    if (!node.IsMap()) throw Error::invalid(field, fmt::format("\"{}\" must be a map of strings", field));
    for (const auto& kv : node) {
        auto key = kv.first.as<std::string>();
        if (!kv.second.IsScalar() && !kv.second.IsNull())
            throw Error::invalid(field + "." + key, fmt::format("\"{}.{}\" must be a string", field, key));
        out[key] = kv.second.IsNull() ? std::string() : kv.second.as<std::string>();
    }
    return out;
}

}  // namespace li::cli
