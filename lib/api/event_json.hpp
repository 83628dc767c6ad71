#pragma once
// LXD's event documents (api.Event and the metadata of each event type).

#include <map>
#include <string>

namespace li::api {

/// {"type", "timestamp", "project", "location", "metadata"} with metadata given as JSON text.
std::string event_json(const std::string& type, const std::string& timestamp, const std::string& project,
                       const std::string& metadata_json);
/// api.EventLifecycle: {"action", "source", "context", "requestor"}.
std::string lifecycle_metadata_json(const std::string& action, const std::string& source,
                                    const std::map<std::string, std::string>& context);
/// The same with any JSON object as context (LXD's instance-exec carries {"command": [...]}).
std::string lifecycle_metadata_json_raw(const std::string& action, const std::string& source,
                                        const std::string& context_json);
/// api.EventLogging: {"message", "level", "context"}.
std::string logging_metadata_json(const std::string& message, const std::string& level,
                                  const std::map<std::string, std::string>& context);

}  // namespace li::api
