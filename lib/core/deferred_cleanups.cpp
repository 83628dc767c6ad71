#include "core/deferred_cleanups.hpp"

namespace li {

DeferredCleanups::~DeferredCleanups() {
    drain();
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void DeferredCleanups::add(int64_t journal_id, std::vector<VolumeTarget> targets) {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(journal_id, std::move(targets));
    if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
    changed_.notify_all();
}

void DeferredCleanups::drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return (queue_.empty() && !busy_) || stopping_; });
}

void DeferredCleanups::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return !queue_.empty() || stopping_; });
        if (stopping_) return;
        auto [id, targets] = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        finish_cleanup(core_, id, targets, "removing a deleted volume failed; the next open retries");
        lock.lock();
        busy_ = false;
        changed_.notify_all();
    }
}

}  // namespace li
