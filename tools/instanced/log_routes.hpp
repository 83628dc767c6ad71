#pragma once
// /1.0/instances/{name}/logs (and /1.0/containers): the instance's log files (`lxc info
// --show-log` reads lxc.log), and GET/DELETE .../console, the console log (`lxc console
// --show-log`). The console websocket (POST .../console) is not here.

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_log_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
