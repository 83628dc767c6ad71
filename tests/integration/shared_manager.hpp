#pragma once
// One state directory with the busybox image, shared by the tests of this binary.

#include <doctest.h>
#include <filesystem>
#include <string>

#include "support/temp_state.hpp"

namespace li::test {

struct SharedState {
    TempDir dir{"li-integration"};
    std::shared_ptr<Manager> mgr = open_with_busybox(dir.path());
};

inline SharedState& shared() {
    static SharedState state;
    return state;
}

inline Instance launch(const std::string& name, bool start = true) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.start = start;
    return shared().mgr->instances().create("default", post);
}

inline bool instance_exists(const std::string& name) {
    try {
        shared().mgr->instances().get("default", name);
        return true;
    } catch (const Error& e) {
        return false;
    }
}

/// The stdout of `sh -c script` in c, and its exit status.
inline std::string sh(Instance& c, const std::string& script) { return c.exec({"sh", "-c", script}).stdout_data; }
inline int sh_rc(Instance& c, const std::string& script) { return c.exec({"sh", "-c", script}).exit_code; }

/// The error f throws (the test fails when it throws none).
template <class F> Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error");
    return Error(ErrorCode::Internal, "");
}

/// Kills the instance at once.
inline void force_stop(Instance& c) {
    StopOptions force;
    force.force = true;
    c.stop(force);
}

/// A btrfs pool on a loop file in the shared state directory, removed when it goes.
struct BtrfsPool {
    std::string name;
    explicit BtrfsPool(std::string pool_name, std::string size = "512MiB") : name(std::move(pool_name)) {
        api::StoragePoolsPost post;
        post.name = name;
        post.driver = "btrfs";
        post.config = {{"size", size}};
        shared().mgr->storage_pools().create(post);
    }
    ~BtrfsPool() {
        try {
            shared().mgr->storage_pools().remove(name);
        } catch (...) {
        }
    }
    std::filesystem::path root() const { return shared().dir.path() / "storage-pools" / name; }
};

}  // namespace li::test
