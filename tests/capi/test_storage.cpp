// Storage pools through the C ABI: the default pool, a btrfs pool on a loop file holding a
// container, refusal while in use, bad input naming the key and leaving the pools unchanged.

#include <chrono>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

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

TEST_CASE("storage pool update and resources through the C ABI: grow a btrfs pool, refusals change nothing") {
    TempDir dir{"capi-storage-update"};
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup() { li::test::cleanup_mounts_below(dir); }
    } cleanup{dir.path()};
    li_manager* raw = nullptr;
    expect_ok(CALL(li_manager_open(&raw, (dir.path() / "state").c_str(), ERR)));
    ManagerPtr mgr{raw};

    std::vector<std::string> events;
    std::mutex events_mutex;
    struct Sink {
        std::vector<std::string>* events;
        std::mutex* mutex;
    } sink{&events, &events_mutex};
    li_subscribe_opts sopts = LI_SUBSCRIBE_OPTS_INIT;
    sopts.types = "lifecycle";
    li_subscription* sub = nullptr;
    expect_ok(CALL(li_manager_subscribe(&sub, mgr.get(), &sopts,
                                        [](const char* e, void* p) {
                                            auto* s = static_cast<Sink*>(p);
                                            std::lock_guard lock(*s->mutex);
                                            s->events->push_back(e);
                                        },
                                        &sink, nullptr, ERR)));
    SubscriptionPtr subscription{sub};

    char* json = nullptr;
    auto resources = [&](const char* name) {
        char* out = nullptr;
        expect_ok(CALL(li_storage_pool_resources_json(&out, mgr.get(), name, ERR)));
        return take_json(out);
    };
    auto get = [&](const char* name) {
        char* out = nullptr;
        expect_ok(CALL(li_storage_pool_get_json(&out, mgr.get(), name, ERR)));
        return take_json(out);
    };

    // dir: the host's file system, with inodes; only the description changes.
    auto def = resources("default");
    CHECK(def.at("space").at("total").get<uint64_t>() > 0);
    CHECK(def.at("space").at("used").get<uint64_t>() <= def.at("space").at("total").get<uint64_t>());
    CHECK(def.at("inodes").at("total").get<uint64_t>() > 0);
    auto def_before = get("default");
    expect_invalid(CALL(li_storage_pool_update_json(mgr.get(), "default", R"({"config":{"source":"/elsewhere"}})", nullptr, ERR)),
                   "source", {"source"});
    expect_invalid(CALL(li_storage_pool_update_json(mgr.get(), "default", R"({"config":{"bogus.key":"1"}})", nullptr, ERR)),
                   "bogus.key", {"bogus.key"});
    expect_invalid(CALL(li_storage_pool_update_json(mgr.get(), "default", "{", nullptr, ERR)), "storage pool update");
    CHECK(get("default") == def_before);
    char* etag = nullptr;
    expect_ok(CALL(li_storage_pool_etag(&etag, mgr.get(), "default", ERR)));
    std::string tag = etag;
    li_free(etag);
    expect_ok(CALL(li_storage_pool_update_json(mgr.get(), "default", R"({"description":"host disk"})", tag.c_str(), ERR)));
    CHECK(get("default").at("description") == "host disk");
    CHECK(get("default").at("config") == def_before.at("config"));  // source kept when left out
    expect_fail(CALL(li_storage_pool_update_json(mgr.get(), "default", R"({"description":"again"})", tag.c_str(), ERR)),
                LI_ERR_CONFLICT, {"ETag"});
    CHECK(get("default").at("description") == "host disk");

    expect_ok(CALL(li_storage_pool_create_json(&json, mgr.get(), R"({"name":"grow","driver":"btrfs","config":{"size":"512MiB"}})", ERR)));
    li_free(json);
    auto small = resources("grow");
    CHECK(small.at("inodes").at("total") == 0);
    CHECK(small.at("space").at("total").get<uint64_t>() <= (512ull << 20));
    auto image = dir.path() / "state" / "disks" / "grow.img";

    // Refusals name the key and change nothing.
    expect_invalid(CALL(li_storage_pool_update_json(mgr.get(), "grow", R"({"config":{"size":"300MiB"}})", nullptr, ERR)),
                   "size", {"shrink"});
    expect_invalid(CALL(li_storage_pool_update_json(mgr.get(), "grow", R"({"config":{"size":"big"}})", nullptr, ERR)),
                   "size", {"big"});
    expect_invalid(CALL(li_storage_pool_update_json(mgr.get(), "grow", R"({"config":{"size":"1GiB","zfs.pool":"x"}})", nullptr, ERR)),
                   "zfs.pool", {"zfs.pool"});
    CHECK(std::filesystem::file_size(image) == (512ull << 20));
    CHECK(get("grow").at("config").at("size") == "512MiB");
    CHECK(resources("grow").at("space").at("total") == small.at("space").at("total"));

    expect_ok(CALL(li_storage_pool_update_json(mgr.get(), "grow", R"({"description":"bigger","config":{"size":"1GiB"}})", "", ERR)));
    CHECK(std::filesystem::file_size(image) == (1ull << 30));
    auto big = resources("grow");
    CHECK(big.at("space").at("total").get<uint64_t>() > small.at("space").at("total").get<uint64_t>() + (400ull << 20));
    auto pool = get("grow");
    CHECK(pool.at("config").at("size") == "1GiB");
    CHECK(pool.at("config").at("source") == image.string());
    CHECK(pool.at("description") == "bigger");
    {
        // Events reach subscribers on the library's own thread: give it a moment.
        bool seen = false;
        for (int i = 0; i < 500 && !seen; i++) {
            {
                std::lock_guard lock(events_mutex);
                for (const auto& e : events)
                    seen |= e.find("storage-pool-updated") != std::string::npos && e.find("/1.0/storage-pools/grow") != std::string::npos;
            }
            if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        CHECK(seen);
    }

    // Opened again, the pool is mounted again with its new size.
    subscription.reset();
    mgr.reset();
    li::test::cleanup_mounts_below(dir.path());
    expect_ok(CALL(li_manager_open(&raw, (dir.path() / "state").c_str(), ERR)));
    mgr.reset(raw);
    CHECK(resources("grow").at("space").at("total") == big.at("space").at("total"));
    expect_ok(CALL(li_storage_pool_delete(mgr.get(), "grow", ERR)));

    expect_fail(CALL(li_storage_pool_resources_json(&json, mgr.get(), "nope", ERR)), LI_ERR_NOT_FOUND, {"nope"});
    expect_fail(CALL(li_storage_pool_update_json(mgr.get(), "nope", "{}", nullptr, ERR)), LI_ERR_NOT_FOUND, {"nope"});
    expect_invalid(CALL(li_storage_pool_update_json(mgr.get(), "default", nullptr, nullptr, ERR)), "storage_pool_put_json");
    expect_invalid(CALL(li_storage_pool_resources_json(nullptr, mgr.get(), "default", ERR)), "out_json");
}

}  // TEST_SUITE
