#pragma once
// /1.0/operations (list as a map by status, get, wait, cancel, websocket) and /1.0/events: the
// library's operations and the daemon's own, seen as one set.

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_operation_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
