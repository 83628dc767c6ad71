#pragma once
// POST /1.0/instances/<name>/exec (and /1.0/containers/...).

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_exec_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
