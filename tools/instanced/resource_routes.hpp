#pragma once
// GET /1.0/resources: the host's CPU, memory and disks in LXD's api.Resources shape
// (`lxc info --resources`).

#include "router.hpp"

namespace li::daemon {

void add_resource_routes(Router& router);

}  // namespace li::daemon
