#include "core/object_locks.hpp"

namespace li {

std::unique_lock<std::mutex> ObjectLocks::lock(const std::string& key) {
    std::mutex* m;
    {
        std::lock_guard guard(mutex_);
        auto& slot = locks_[key];
        if (!slot) slot = std::make_unique<std::mutex>();
        m = slot.get();
    }
    return std::unique_lock<std::mutex>(*m);
}

}  // namespace li
