#pragma once
// LXD's file API: GET/POST/DELETE /1.0/instances/{name}/files?path=... (and /1.0/containers/...).

#include "router.hpp"

namespace li::daemon {

class Daemon;

void add_file_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
