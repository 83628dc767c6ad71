#pragma once
// Virtual machines in the shared state of a test binary: the debian-vm image (built once; the
// build is cached across runs in LIBINSTANCE_CACHE_DIR) and the document of a small VM.

#include <string>

#include "integration/shared_manager.hpp"

namespace li::test {

inline const std::string& vm_image() {
    static const std::string alias = [] {
        ImageBuildOptions opts;
        opts.builder = "debian-vm";
        opts.alias = "debian-vm";
        shared().mgr->images().build("default", opts);
        return std::string("debian-vm");
    }();
    return alias;
}

/// A VM of the debian-vm image with 256 MiB (light on the host; TCG boots it in seconds).
inline api::InstancesPost vm_post(const std::string& name, bool start) {
    api::InstancesPost post;
    post.name = name;
    post.type = "virtual-machine";
    post.source.alias = vm_image();
    post.config["limits.memory"] = "256MiB";
    post.start = start;
    return post;
}

}  // namespace li::test
