#pragma once
// `inst exec` interactive mode: the command runs on a terminal of the instance while this process
// bridges the local terminal to it (lxc exec's interactive mode).

#include <string>
#include <vector>

#include "libinstance/instance.hpp"

namespace li::cli {

/// Opens a terminal inside the instance sized like the local one (stdout), puts the local stdin in
/// raw mode (restored on return, on an exception and before a fatal signal's default action),
/// runs @p argv on the instance's terminal, copies local stdin to it (unless @p read_stdin is
/// false) and its output to local stdout, follows SIGWINCH with resizes and forwards SIGTERM,
/// SIGHUP, SIGINT, SIGQUIT, SIGUSR1 and SIGUSR2 to the command. Returns the command's exit status.
int exec_on_terminal(Instance& instance, const std::vector<std::string>& argv, ExecOptions opts, bool read_stdin);

/// Runs @p argv with @p opts (this process's stdio) and forwards the same signals (not SIGWINCH)
/// to the command until it exits, locally by kill(), remotely over the exec control websocket, as
/// lxc's non-interactive exec does. Returns the command's exit status.
int exec_forwarding_signals(Instance& instance, const std::vector<std::string>& argv, ExecOptions opts);

}  // namespace li::cli
