#pragma once
// The server's own endpoints: GET / and GET /1.0 (LXD's Server document), and the unix-socket
// internals `instanced waitready` and `instanced shutdown` use (GET /internal/ready, PUT
// /internal/shutdown), as LXD has them.

#include "router.hpp"

namespace li::daemon {

class Daemon;

void add_server_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
