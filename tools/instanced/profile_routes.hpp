#pragma once
// /1.0/profiles over ProfileStore, per project (?project=): list (recursion 0/1), create (201 +
// Location), get (ETag), PUT/PATCH (If-Match; 412 when stale), rename (POST, 201 + Location as
// LXD's profilePost answers) and delete.

#include "router.hpp"

namespace li {
class Manager;
}

namespace li::daemon {

void add_profile_routes(Router& router, Manager& manager);

}  // namespace li::daemon
