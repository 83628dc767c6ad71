#pragma once
// /1.0/instances/{name}/snapshots (and the /1.0/containers alias): list, take, get, expiry edit,
// rename, delete. `lxc restore` is the instance's PUT with "restore" (instance_routes).

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_snapshot_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
