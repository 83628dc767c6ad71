#pragma once
// /1.0/projects over ProjectStore: list (recursion 0/1), create (201 + Location), get (ETag),
// PUT/PATCH (If-Match), delete, and /state (LXD's api extensions "projects", "project_usage").
// Rename (POST, an operation in LXD) waits for operations in the daemon.

#include "router.hpp"

namespace li {
class Manager;
}

namespace li::daemon {

void add_project_routes(Router& router, Manager& manager);

}  // namespace li::daemon
