#pragma once
// The operations of one manager: starting work as an operation, listing, expiry.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/operation_state.hpp"
#include "libinstance/operation.hpp"

namespace li {

class EventHub;

/// What an operation is, before it runs.
struct OperationSpec {
    std::string description;  // "Creating instance"
    std::string project = "default";
    std::map<std::string, std::vector<std::string>> resources;
    bool may_cancel = false;
};

class OperationRegistry {
public:
    explicit OperationRegistry(std::shared_ptr<EventHub> events);

    /// Runs work as an operation: on a new thread when async (keepalive holds what the work needs
    /// alive until it ends), else right here on the caller's thread. Either way the operation is
    /// listed, emits its events, and its Operation handle is returned once started.
    Operation run(const OperationSpec& spec, std::function<void(OperationContext&)> work, bool async,
                  std::shared_ptr<void> keepalive);

    std::vector<api::Operation> list();
    Operation get(const std::string& id);
    void set_retention(std::chrono::seconds retention);

private:
    void prune();

    std::shared_ptr<EventHub> events_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<OperationState>> ops_;  // in creation order
    std::chrono::seconds retention_{300};
};

/// A random UUID (version 4), LXD's operation ids.
std::string random_uuid();

}  // namespace li
