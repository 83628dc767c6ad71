#pragma once
// The debian-vm image for the C ABI's VM tests.

#include <cstdlib>
#include <filesystem>

#include "support.hpp"

namespace capi_test {

/// Builds the debian-vm image (alias "debian-vm") in the shared env; the build is cached
/// (LIBINSTANCE_CACHE_DIR) across runs.
inline void build_vm_image() {
    li_image_build_opts build = LI_IMAGE_BUILD_OPTS_INIT;
    build.alias = "debian-vm";
    const char* cache = std::getenv("LIBINSTANCE_CACHE_DIR");
    std::filesystem::path cache_dir = cache && *cache ? std::filesystem::path(cache) : env().dir.path() / "cache";
    build.cache_dir = cache_dir.c_str();
    char* json = nullptr;
    expect_ok(CALL(li_image_build(&json, env().mgr.get(), nullptr, "debian-vm", &build, ERR)));
    CHECK(take_json(json).at("type") == "virtual-machine");
}

}  // namespace capi_test
