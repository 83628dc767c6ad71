#include "lifecycle_follow.hpp"

#include <nlohmann/json.hpp>

namespace li::daemon {

std::unique_ptr<Subscription> follow_lifecycle(EventBus& bus, std::function<void(const LifecycleChange&)> fn) {
    EventFilter filter;
    filter.types = {"lifecycle"};
    filter.all_projects = true;
    return bus.subscribe(filter, [fn = std::move(fn)](const std::string& text) {
        auto event = nlohmann::json::parse(text, nullptr, false);
        if (event.is_discarded() || !event.contains("metadata") || !event["metadata"].is_object()) return;
        const auto& meta = event["metadata"];
        LifecycleChange change;
        change.action = meta.value("action", "");
        change.source = meta.value("source", "");
        change.project = event.value("project", "");
        if (change.project.empty()) change.project = "default";
        if (change.project.find('/') != std::string::npos) return;
        if (meta.contains("context") && meta["context"].is_object()) {
            std::string old_name = meta["context"].value("old_name", "");
            if (old_name.find('/') == std::string::npos) change.old_name = old_name;
        }
        fn(change);
    });
}

std::string instance_of_source(const std::string& source) {
    const std::string prefix = "/1.0/instances/";
    if (!source.starts_with(prefix)) return {};
    std::string name = source.substr(prefix.size());
    name = name.substr(0, name.find('?'));
    return name.find('/') == std::string::npos ? name : std::string();
}

}  // namespace li::daemon
