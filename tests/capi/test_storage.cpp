// Storage pools through the C ABI: the default pool, a btrfs pool on a loop file holding a
// container, refusal while in use, bad input naming the key and leaving the pools unchanged.

#include <string>

#include "support.hpp"
#include "support/mount_cleanup.hpp"

using namespace capi_test;

namespace {

nlohmann::json pool_list(li_manager* mgr) {
    char* json = nullptr;
    expect_ok(CALL(li_storage_pool_list_json(&json, mgr, ERR)));
    return take_json(json);
}

}  // namespace

TEST_SUITE("storage") {

TEST_CASE("storage pools through the C ABI: create, list, get, use, delete, bad input") {
    TempDir dir{"capi-storage"};
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup() { li::test::cleanup_mounts_below(dir); }
    } cleanup{dir.path()};
    li_manager* raw = nullptr;
    expect_ok(CALL(li_manager_open(&raw, (dir.path() / "state").c_str(), ERR)));
    ManagerPtr mgr{raw};

    char* json = nullptr;
    expect_ok(CALL(li_storage_pool_get_json(&json, mgr.get(), "default", ERR)));
    auto def = take_json(json);
    CHECK(def.at("driver") == "dir");
    CHECK(def.at("status") == "Created");
    CHECK(def.at("locations") == nlohmann::json::array({"none"}));
    CHECK(def.at("used_by") == nlohmann::json::array({"/1.0/profiles/default"}));
    expect_fail(CALL(li_storage_pool_get_json(&json, mgr.get(), "nope", ERR)), LI_ERR_NOT_FOUND, {"nope"});
    expect_fail(CALL(li_storage_pool_delete(mgr.get(), "default", ERR)), LI_ERR_BUSY, {"/1.0/profiles/default"});

    // Bad input: the key is named and nothing changes.
    expect_invalid(CALL(li_storage_pool_create_json(&json, mgr.get(), R"({"name":"p1","driver":"dir","config":{"bogus.key":"1"}})", ERR)),
                   "bogus.key", {"bogus.key"});
    expect_invalid(CALL(li_storage_pool_create_json(&json, mgr.get(), R"({"name":"p1","driver":"btrfs","config":{"size":"huge"}})", ERR)),
                   "size", {"huge"});
    expect_invalid(CALL(li_storage_pool_create_json(&json, mgr.get(), R"({"name":"a/b","driver":"dir"})", ERR)), "name", {"a/b"});
    expect_invalid(CALL(li_storage_pool_create_json(&json, mgr.get(), R"({"name":"p1","driver":7})", ERR)), "driver");
    expect_invalid(CALL(li_storage_pool_create_json(&json, mgr.get(), "{", ERR)), "storage pool definition");
    expect_invalid(CALL(li_storage_pool_create_json(&json, mgr.get(), nullptr, ERR)), "storage_pools_post_json");
    auto unsupported = CALL(li_storage_pool_create_json(&json, mgr.get(), R"({"name":"p1","driver":"zfs"})", ERR));
    expect_fail(unsupported, LI_ERR_NOT_SUPPORTED, {"zfs"});
    expect_fail(CALL(li_storage_pool_create_json(&json, mgr.get(), R"({"name":"default","driver":"dir"})", ERR)),
                LI_ERR_ALREADY_EXISTS, {"default"});
    CHECK(pool_list(mgr.get()).size() == 1);

    expect_ok(CALL(li_storage_pool_create_json(&json, mgr.get(), R"({"name":"cbt","driver":"btrfs","config":{"size":"1GiB"}})", ERR)));
    auto pool = take_json(json);
    CHECK(pool.at("config").at("size") == "1GiB");
    CHECK(pool.at("config").at("source") == (dir.path() / "state" / "disks" / "cbt.img").string());
    CHECK(pool_list(mgr.get()).size() == 2);
    // out_json may be NULL.
    expect_ok(CALL(li_storage_pool_create_json(nullptr, mgr.get(), R"({"name":"cdir","driver":"dir"})", ERR)));
    expect_ok(CALL(li_storage_pool_delete(mgr.get(), "cdir", ERR)));

    li_image_build_opts opts = LI_IMAGE_BUILD_OPTS_INIT;
    opts.alias = "busybox";
    expect_ok(CALL(li_image_build(&json, mgr.get(), nullptr, "busybox", &opts, ERR)));
    li_free(json);
    li_instance* inst = nullptr;
    std::string name = unique_name("st");
    std::string post = R"({"name":")" + name +
                       R"(","source":{"type":"image","alias":"busybox"},"devices":{"root":{"type":"disk","path":"/","pool":"cbt"}}})";
    expect_ok(CALL(li_instance_create_json(&inst, mgr.get(), nullptr, post.c_str(), ERR)));
    InstancePtr instance{inst};
    expect_ok(CALL(li_storage_pool_get_json(&json, mgr.get(), "cbt", ERR)));
    auto used = take_json(json).at("used_by");
    CHECK(used.at(0) == "/1.0/instances/" + name);
    expect_fail(CALL(li_storage_pool_delete(mgr.get(), "cbt", ERR)), LI_ERR_BUSY, {name});
    expect_ok(CALL(li_instance_delete(instance.get(), nullptr, ERR)));

    expect_ok(CALL(li_storage_pool_delete(mgr.get(), "cbt", ERR)));
    expect_fail(CALL(li_storage_pool_get_json(&json, mgr.get(), "cbt", ERR)), LI_ERR_NOT_FOUND, {"cbt"});
    CHECK_FALSE(std::filesystem::exists(dir.path() / "state" / "disks" / "cbt.img"));
    CHECK(li::test::mounts_below(dir.path()).empty());
    expect_invalid(CALL(li_storage_pool_list_json(nullptr, mgr.get(), ERR)), "out_json");
    expect_invalid(CALL(li_storage_pool_delete(mgr.get(), nullptr, ERR)), "name");
}

}  // TEST_SUITE
