#pragma once
// Per-object mutexes so conflicting work on one object is serialised while other objects proceed.

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace li {

class ObjectLocks {
public:
    /// Locks the object named key (e.g. "instance/default/c1") until the returned lock goes.
    std::unique_lock<std::mutex> lock(const std::string& key);

private:
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<std::mutex>> locks_;
};

}  // namespace li
