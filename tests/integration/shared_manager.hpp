#pragma once
// One state directory with the busybox image, shared by the tests of this binary.

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

}  // namespace li::test
