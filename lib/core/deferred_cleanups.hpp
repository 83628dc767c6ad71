#pragma once
// The cleanups an operation left to run after it ended (Intent::set_aside): one thread of the
// core removes the volumes set aside, then drops their journal rows. The journal is the safety
// net: what is not done when the core goes (or the process dies) the next open finishes.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/intent.hpp"

namespace li {

class ManagerCore;

class DeferredCleanups {
public:
    explicit DeferredCleanups(ManagerCore& core) : core_(core) {}
    /// Finishes the cleanups queued (a process that dies first leaves them to the journal).
    ~DeferredCleanups();

    void add(int64_t journal_id, std::vector<VolumeTarget> targets);
    /// Blocks until every cleanup added so far ran (tests; a store about to be checked).
    void drain();

private:
    void run();

    ManagerCore& core_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<int64_t, std::vector<VolumeTarget>>> queue_;
    bool busy_ = false;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace li
