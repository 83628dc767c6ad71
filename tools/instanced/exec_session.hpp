#pragma once
// LXD's websocket exec: POST .../exec with wait-for-websocket answers an operation whose metadata
// has one secret per stream ("0", "1", "2", "control"; "0" and "control" when interactive); the
// client opens /1.0/operations/<id>/websocket?secret=S for each, and once the streams it needs
// are there (5 s at most) the command runs. Stream framing, barriers, control messages and the
// final order (output, barriers, then metadata.return, then the end of the operation) follow
// ../shared/lxd-api-pitfalls.md §B.
//
// The command itself runs through the library's blocking Instance::exec on a thread of its own
// (one per running command, not per connection); every byte is carried on the I/O context.

#include <memory>
#include <string>
#include <vector>

#include "libinstance/instance.hpp"

namespace li::daemon {

class Daemon;
class DaemonOperation;

struct ExecRequest {
    std::vector<std::string> command;
    ExecOptions options;  ///< env, cwd, uid, gid
    bool interactive = false;
    uint32_t width = 0;
    uint32_t height = 0;
};

/// Starts the operation (Running, waiting for its websockets) and returns it.
std::shared_ptr<DaemonOperation> begin_websocket_exec(Daemon& daemon, Instance instance, ExecRequest request);

}  // namespace li::daemon
