#pragma once
// Per-object mutexes so conflicting work on one object is serialised while other objects proceed.

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace li {

class ObjectLocks {
public:
    /// Work on one instance (create, start, stop, delete).
    std::unique_lock<std::mutex> lock_instance(const std::string& project, const std::string& name) {
        return lock("instance/" + project + "/" + name);
    }
    /// Adding or removing one image record and its file.
    std::unique_lock<std::mutex> lock_image(const std::string& project, const std::string& fingerprint) {
        return lock("image/" + project + "/" + fingerprint);
    }
    /// Unpacking or deleting an image's volume on one pool.
    std::unique_lock<std::mutex> lock_image_volume(const std::string& pool, const std::string& fingerprint) {
        return lock("image-volume/" + pool + "/" + fingerprint);
    }
    /// Changing, renaming or deleting one profile (taken before the locks of its instances).
    std::unique_lock<std::mutex> lock_profile(const std::string& project, const std::string& name) {
        return lock("profile/" + project + "/" + name);
    }
    /// Creating or deleting one storage pool.
    std::unique_lock<std::mutex> lock_storage_pool(const std::string& pool) { return lock("storage-pool/" + pool); }
    /// Changing any managed network: they share the host's interfaces and subnets, so one at a time.
    std::unique_lock<std::mutex> lock_networks() { return lock("networks"); }

private:
    // The key spellings live only in the typed helpers above, so two callers can never disagree.
    std::unique_lock<std::mutex> lock(const std::string& key);

    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<std::mutex>> locks_;
};

}  // namespace li
