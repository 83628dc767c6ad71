#pragma once
// /1.0/instances and its /1.0/containers alias (pylxd speaks only the latter): list, create, get,
// PUT/PATCH (and restore), delete, rename and pool moves, state.

#include <string>

#include "router.hpp"

namespace li::daemon {

class Daemon;
void add_instance_routes(Router& router, Daemon& daemon);

/// Registers handler under /1.0/instances + rest and under /1.0/containers + rest.
void add_instance_route(Router& router, http::verb method, const std::string& rest, Handler handler);
void add_instance_websocket(Router& router, const std::string& rest, WebsocketHandler handler);

}  // namespace li::daemon
