#pragma once
// The crash-safety harness: runs `inst` on a prepared state directory with $LIBINSTANCE_FAILPOINT
// set, first to learn which failpoints an operation passes, then once per point to kill it there.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace li::test {

/// How `inst` ended.
struct RunResult {
    bool killed = false;  ///< by SIGKILL (a failpoint fired)
    int exit_code = -1;   ///< when it exited
    std::string output;   ///< stdout and stderr
};

/// Runs `inst --state-dir <state> args...` with LIBINSTANCE_FAILPOINT=<failpoint> ("" unset).
RunResult run_inst(const std::filesystem::path& state, const std::vector<std::string>& args, const std::string& failpoint);

/// Every failpoint the operation passes, in order, each with its hit number: "name#n".
std::vector<std::string> failpoints_passed(const std::filesystem::path& state, const std::vector<std::string>& args);

/// Invariants of a state directory after a crash and a reopen: every instance record has its
/// volume and every container volume a record, every snapshot record its files and every snapshot
/// a record, no staged (*.creating) leftovers, every image record its file and every image file a
/// record, an empty operations journal. Checked with doctest; opens (and closes) the manager.
void check_store_invariants(const std::filesystem::path& state);

}  // namespace li::test
