#pragma once
// Running one library operation the way lxc waits for one: live progress, Ctrl-C cancels.

#include <functional>

#include "libinstance/operation.hpp"
#include "progress.hpp"

namespace li::cli {

class Context;

/// Starts an operation with start (one of the library's *_async calls) and waits for it.
/// Progress comes from the manager's operation events, subscribed before the start so that none
/// is missed, and is drawn by progress. Ctrl-C (or SIGTERM) asks the operation to cancel and
/// waits until the library has undone it, then throws Cancelled ("<description> cancelled");
/// an operation that cannot be cancelled gets lxc's warning, and the third interrupt exits.
/// Throws the operation's own error when it fails. Returns the ended operation.
Operation run_operation(Context& ctx, ProgressRenderer& progress, const std::function<Operation()>& start);

}  // namespace li::cli
