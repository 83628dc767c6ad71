#pragma once
// li_exec_control: how a caller signals the command of a running li_instance_exec() or
// li_instance_exec_terminal() from another thread (ExecOptions::on_signal_ready underneath).

#include <memory>

#include "libinstance.h"
#include "libinstance.hpp"

namespace li::capi {

struct ExecControlState;

/// Ties an exec to its control for the exec's lifetime: made before the exec (Conflict if the
/// control already serves one), it hands the exec an on_signal_ready and, when destroyed after the
/// exec returned or threw, ends the control's exec so later signals get Conflict.
class ExecControlUse {
public:
    ExecControlUse() = default;
    /// @p control may be NULL (no control: nothing to do); checks its handle.
    ExecControlUse(li_exec_control* control, ExecOptions& opts);
    ~ExecControlUse();
    ExecControlUse(const ExecControlUse&) = delete;
    ExecControlUse& operator=(const ExecControlUse&) = delete;

private:
    std::shared_ptr<ExecControlState> state_;
};

}  // namespace li::capi
