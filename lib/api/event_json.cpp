#include "api/event_json.hpp"

#include <nlohmann/json.hpp>

namespace li::api {

using nlohmann::json;

std::string event_json(const std::string& type, const std::string& timestamp, const std::string& project,
                       const std::string& metadata_json) {
    json event{{"type", type}, {"timestamp", timestamp}, {"project", project}, {"location", "none"},
               {"metadata", json::parse(metadata_json)}};
    return event.dump();
}

std::string lifecycle_metadata_json(const std::string& action, const std::string& source,
                                    const std::map<std::string, std::string>& context) {
    return lifecycle_metadata_json_raw(action, source, json(context).dump());
}

std::string lifecycle_metadata_json_raw(const std::string& action, const std::string& source,
                                        const std::string& context_json) {
    return json{{"action", action}, {"source", source}, {"context", json::parse(context_json)}, {"requestor", nullptr}}.dump();
}

std::string logging_metadata_json(const std::string& message, const std::string& level,
                                  const std::map<std::string, std::string>& context) {
    return json{{"message", message}, {"level", level}, {"context", context}}.dump();
}

}  // namespace li::api
