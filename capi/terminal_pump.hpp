#pragma once
// Running a command on a terminal of the instance while this thread copies bytes to and from the
// terminal's master side (li_instance_exec_terminal).

#include <string>
#include <vector>

#include "libinstance.hpp"

namespace li::capi {

struct TerminalRun {
    int exit_code = -1;
    std::string output;  // what the terminal showed, when it was not forwarded to out_fd
};

/// Opens a terminal of @p size inside the instance, runs @p argv on it (opts' own stdio fields are
/// replaced), types @p input and then what @p in_fd yields (when >= 0) on it, and copies what it
/// shows to @p out_fd (when >= 0) or into the result. Returns once the command exited and its
/// terminal was drained; the command's errors (NotFound, Conflict) are rethrown.
TerminalRun run_on_terminal(Instance& instance, const std::vector<std::string>& argv, ExecOptions opts,
                            const ConsoleOptions& size, std::string input, int in_fd, int out_fd);

}  // namespace li::capi
