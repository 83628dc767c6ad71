#pragma once
// /1.0/networks over NetworkStore: list (recursion 0/1, host interfaces included as unmanaged),
// create (201 + Location), get (ETag), PUT/PATCH (If-Match; 412 when stale), rename (POST, 201 +
// Location as LXD's networkPost answers), delete, /state and /leases (LXD's api extensions
// "network", "network_state", "network_leases").

#include "router.hpp"

namespace li {
class Manager;
}

namespace li::daemon {

void add_network_routes(Router& router, Manager& manager);

}  // namespace li::daemon
