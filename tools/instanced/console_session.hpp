#pragma once
// LXD's console websocket: POST .../console answers an operation whose metadata.fds has a secret
// for "0" (the console's bytes, both ways) and one for "control" (window-resize messages). The
// console is attached when the request is accepted (so "busy" and "not running" are the POST's
// own errors); bytes flow once "0" is connected (5 s at most). The operation ends, detaching
// the console, when the client closes either websocket (`lxc console` detaches with ctrl+a q by
// closing control) or the console's terminal ends.

#include <memory>

#include "libinstance/instance.hpp"
#include "router.hpp"

namespace li::daemon {

class Daemon;
class DaemonOperation;

/// Starts the operation (Running, waiting for its websockets) and returns it.
std::shared_ptr<DaemonOperation> begin_console_session(Daemon& daemon, const Instance& instance, Console console);

/// POST /1.0/instances/{name}/console (GET and DELETE, the log, are in log_routes).
void add_console_routes(Router& router, Daemon& daemon);

}  // namespace li::daemon
