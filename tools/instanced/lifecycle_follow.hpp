#pragma once
// What the daemon keeps beside an object (an instance's backups and recorded exec outputs, a
// volume's backups) must go with it when it is deleted and follow it when it is renamed. Each
// keeper follows the library's lifecycle events through this one reader of them.

#include <functional>
#include <memory>
#include <string>

#include "libinstance/event.hpp"

namespace li::daemon {

/// One lifecycle event, as the keepers need it.
struct LifecycleChange {
    std::string action;    ///< "instance-deleted", "storage-volume-renamed", ...
    std::string project;   ///< "default" when the event names none
    std::string source;    ///< "/1.0/instances/c1?project=p"
    std::string old_name;  ///< a rename's context.old_name ("" otherwise, or when it holds a '/')
};

/// Calls fn with each lifecycle event of every project for as long as the subscription is held;
/// malformed events are dropped.
std::unique_ptr<Subscription> follow_lifecycle(EventBus& bus, std::function<void(const LifecycleChange&)> fn);

/// The instance a source names ("/1.0/instances/c1?project=p" -> "c1"); "" for other objects
/// and for snapshots.
std::string instance_of_source(const std::string& source);

}  // namespace li::daemon
