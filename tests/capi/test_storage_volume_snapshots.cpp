// Custom volume snapshots, copies and moves through the C ABI, on the dir pool and a loop-backed
// btrfs pool: file content checked in the pools' volume directories, refusals naming the key and
// changing nothing.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support.hpp"
#include "support/mount_cleanup.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> snapshot_names(li_manager* mgr, const char* pool, const char* volume) {
    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_snapshot_list_json(&json, mgr, nullptr, pool, volume, ERR)));
    std::vector<std::string> names;
    for (const auto& s : take_json(json)) names.push_back(s.at("name").get<std::string>());
    return names;
}

nlohmann::json volume_get(li_manager* mgr, const char* pool, const char* name) {
    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_get_json(&json, mgr, nullptr, pool, "custom", name, ERR)));
    return take_json(json);
}

bool volume_exists(li_manager* mgr, const char* pool, const char* name) {
    char* json = nullptr;
    auto o = CALL(li_storage_volume_get_json(&json, mgr, nullptr, pool, "custom", name, ERR));
    if (o.rc == 0) {
        li_free(json);
        return true;
    }
    CHECK(o.code == LI_ERR_NOT_FOUND);
    return false;
}

// A manager on a fresh state dir with its default dir pool and a btrfs pool "sbt" on a loop file.
struct Pools {
    TempDir dir{"capi-volsnap"};
    struct Cleanup {
        fs::path dir;
        ~Cleanup() { li::test::cleanup_mounts_below(dir); }
    } cleanup{dir.path()};
    ManagerPtr mgr;

    Pools() {
        li_manager* raw = nullptr;
        expect_ok(CALL(li_manager_open(&raw, (dir.path() / "state").c_str(), ERR)));
        REQUIRE(raw != nullptr);
        mgr.reset(raw);
        expect_ok(CALL(li_storage_pool_create_json(nullptr, mgr.get(), R"({"name":"sbt","driver":"btrfs","config":{"size":"512MiB"}})",
                                                   ERR)));
    }
    ~Pools() {
        mgr.reset();
        li::test::cleanup_mounts_below(dir.path());
    }
    // Both pools (dir's default source and btrfs' mount) live at <state>/storage-pools/<pool>.
    fs::path pool_dir(const std::string& pool) const { return dir.path() / "state" / "storage-pools" / pool; }
    fs::path volume_dir(const std::string& pool, const std::string& volume) const { return pool_dir(pool) / "custom" / volume; }
    fs::path snapshot_dir(const std::string& pool, const std::string& volume, const std::string& snap) const {
        return pool_dir(pool) / "custom-snapshots" / volume / snap;
    }
};

void snapshot_lifecycle(Pools& env, const char* pool) {
    CAPTURE(pool);
    li_manager* mgr = env.mgr.get();
    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr, nullptr, pool, R"({"name":"data","config":{"user.k":"v"}})", ERR)));
    write_text(env.volume_dir(pool, "data") / "f", "one");

    // Named and automatic ("snapN") snapshots, listed oldest first.
    expect_ok(CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, pool, "data", R"({"name":"first"})", ERR)));
    auto first = take_json(json);
    CHECK(first.at("name") == "first");
    CHECK(first.at("config").at("user.k") == "v");
    CHECK(first.at("content_type") == "filesystem");
    CHECK(!first.at("created_at").get<std::string>().empty());
    CHECK(read_text(env.snapshot_dir(pool, "data", "first") / "f") == "one");
    expect_ok(CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, pool, "data", "{}", ERR)));
    CHECK(take_json(json).at("name") == "snap0");
    // out_json may be NULL.
    expect_ok(CALL(li_storage_volume_snapshot_create_json(nullptr, mgr, nullptr, pool, "data", R"({"name":""})", ERR)));
    CHECK(snapshot_names(mgr, pool, "data") == std::vector<std::string>{"first", "snap0", "snap1"});

    // get and update
    expect_ok(CALL(li_storage_volume_snapshot_get_json(&json, mgr, nullptr, pool, "data", "first", ERR)));
    auto got = take_json(json);
    CHECK(got.at("name") == "first");
    CHECK(got.at("description") == "");
    CHECK(got.at("expires_at") == "0001-01-01T00:00:00Z");  // LXD's "never"
    expect_ok(CALL(li_storage_volume_snapshot_update_json(mgr, nullptr, pool, "data", "first",
                                                          R"({"description":"before","expires_at":"2036-01-02T03:04:05Z"})", ERR)));
    expect_ok(CALL(li_storage_volume_snapshot_get_json(&json, mgr, nullptr, pool, "data", "first", ERR)));
    got = take_json(json);
    CHECK(got.at("description") == "before");
    CHECK(got.at("expires_at") == "2036-01-02T03:04:05Z");
    expect_invalid(CALL(li_storage_volume_snapshot_update_json(mgr, nullptr, pool, "data", "first",
                                                               R"({"description":"x","expires_at":"tomorrow"})", ERR)),
                   "expires_at", {"tomorrow"});
    expect_ok(CALL(li_storage_volume_snapshot_get_json(&json, mgr, nullptr, pool, "data", "first", ERR)));
    CHECK(take_json(json).at("description") == "before");

    // restore brings the old content back and keeps the snapshot
    write_text(env.volume_dir(pool, "data") / "f", "two");
    write_text(env.volume_dir(pool, "data") / "later", "x");
    expect_ok(CALL(li_storage_volume_snapshot_restore(mgr, nullptr, pool, "data", "first", ERR)));
    CHECK(read_text(env.volume_dir(pool, "data") / "f") == "one");
    CHECK_FALSE(fs::exists(env.volume_dir(pool, "data") / "later"));
    CHECK(snapshot_names(mgr, pool, "data") == std::vector<std::string>{"first", "snap0", "snap1"});

    // rename
    expect_ok(CALL(li_storage_volume_snapshot_rename(mgr, nullptr, pool, "data", "snap0", "mid", ERR)));
    CHECK(snapshot_names(mgr, pool, "data") == std::vector<std::string>{"first", "mid", "snap1"});
    CHECK(fs::is_directory(env.snapshot_dir(pool, "data", "mid")));
    CHECK_FALSE(fs::exists(env.snapshot_dir(pool, "data", "snap0")));

    // Refusals name the key and change nothing.
    auto dup = CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, pool, "data", R"({"name":"first"})", ERR));
    expect_fail(dup, LI_ERR_ALREADY_EXISTS, {"first"});
    CHECK(dup.key == "name");
    expect_invalid(CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, pool, "data", R"({"name":"a/b"})", ERR)), "name",
                   {"a/b"});
    expect_invalid(CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, pool, "data",
                                                               R"({"name":"e","expires_at":"soon"})", ERR)),
                   "expires_at", {"soon"});
    auto taken = CALL(li_storage_volume_snapshot_rename(mgr, nullptr, pool, "data", "mid", "first", ERR));
    expect_fail(taken, LI_ERR_ALREADY_EXISTS, {"first"});
    CHECK(taken.key == "new_name");
    expect_invalid(CALL(li_storage_volume_snapshot_rename(mgr, nullptr, pool, "data", "mid", "x/y", ERR)), "new_name", {"x/y"});
    for (auto o : {CALL(li_storage_volume_snapshot_get_json(&json, mgr, nullptr, pool, "data", "nope", ERR)),
                   CALL(li_storage_volume_snapshot_update_json(mgr, nullptr, pool, "data", "nope", "{}", ERR)),
                   CALL(li_storage_volume_snapshot_rename(mgr, nullptr, pool, "data", "nope", "other", ERR)),
                   CALL(li_storage_volume_snapshot_delete(mgr, nullptr, pool, "data", "nope", ERR)),
                   CALL(li_storage_volume_snapshot_restore(mgr, nullptr, pool, "data", "nope", ERR))}) {
        expect_fail(o, LI_ERR_NOT_FOUND, {"nope"});
        CHECK(o.key == "snapshot");
    }
    expect_fail(CALL(li_storage_volume_snapshot_list_json(&json, mgr, nullptr, pool, "novol", ERR)), LI_ERR_NOT_FOUND, {"novol"});
    expect_fail(CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, pool, "novol", "{}", ERR)), LI_ERR_NOT_FOUND,
                {"novol"});
    CHECK(snapshot_names(mgr, pool, "data") == std::vector<std::string>{"first", "mid", "snap1"});
    CHECK(read_text(env.volume_dir(pool, "data") / "f") == "one");

    // delete
    expect_ok(CALL(li_storage_volume_snapshot_delete(mgr, nullptr, pool, "data", "mid", ERR)));
    CHECK(snapshot_names(mgr, pool, "data") == std::vector<std::string>{"first", "snap1"});
    CHECK_FALSE(fs::exists(env.snapshot_dir(pool, "data", "mid")));
    // Deleting the volume takes its snapshots along.
    expect_ok(CALL(li_storage_volume_delete(mgr, nullptr, pool, "data", ERR)));
    CHECK_FALSE(fs::exists(env.volume_dir(pool, "data")));
    CHECK_FALSE(fs::exists(env.snapshot_dir(pool, "data", "first")));
}

std::string copy_post(const std::string& name, const std::string& pool, const std::string& source, bool volume_only = false) {
    nlohmann::json post{{"name", name}, {"source", {{"type", "copy"}, {"pool", pool}, {"name", source}}}};
    if (volume_only) post["source"]["volume_only"] = true;
    return post.dump();
}

}  // namespace

TEST_SUITE("storage-volume-snapshots") {

TEST_CASE("custom volume snapshots through the C ABI on dir and btrfs") {
    Pools env;
    snapshot_lifecycle(env, "default");
    snapshot_lifecycle(env, "sbt");

    // NULL arguments name the parameter.
    li_manager* mgr = env.mgr.get();
    char* json = nullptr;
    expect_invalid(CALL(li_storage_volume_snapshot_create_json(&json, nullptr, nullptr, "default", "v", "{}", ERR)), "mgr");
    expect_invalid(CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, nullptr, "v", "{}", ERR)), "pool");
    expect_invalid(CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, "default", nullptr, "{}", ERR)), "volume");
    expect_invalid(CALL(li_storage_volume_snapshot_create_json(&json, mgr, nullptr, "default", "v", nullptr, ERR)),
                   "storage_volume_snapshots_post_json");
    expect_invalid(CALL(li_storage_volume_snapshot_list_json(nullptr, mgr, nullptr, "default", "v", ERR)), "out_json");
    expect_invalid(CALL(li_storage_volume_snapshot_list_json(&json, mgr, nullptr, "default", nullptr, ERR)), "volume");
    expect_invalid(CALL(li_storage_volume_snapshot_get_json(nullptr, mgr, nullptr, "default", "v", "s", ERR)), "out_json");
    expect_invalid(CALL(li_storage_volume_snapshot_get_json(&json, mgr, nullptr, "default", "v", nullptr, ERR)), "snapshot");
    expect_invalid(CALL(li_storage_volume_snapshot_update_json(mgr, nullptr, "default", "v", "s", nullptr, ERR)),
                   "storage_volume_snapshot_put_json");
    expect_invalid(CALL(li_storage_volume_snapshot_update_json(mgr, nullptr, "default", "v", "s", "{", ERR)),
                   "storage volume snapshot update");
    expect_invalid(CALL(li_storage_volume_snapshot_rename(mgr, nullptr, "default", "v", "s", nullptr, ERR)), "new_name");
    expect_invalid(CALL(li_storage_volume_snapshot_delete(mgr, nullptr, "default", "v", nullptr, ERR)), "snapshot");
    expect_invalid(CALL(li_storage_volume_snapshot_restore(nullptr, nullptr, "default", "v", "s", ERR)), "mgr");
    expect_invalid(CALL(li_storage_volume_move_json(mgr, nullptr, "default", nullptr, "{}", ERR)), "name");
    expect_invalid(CALL(li_storage_volume_move_json(mgr, nullptr, "default", "v", nullptr, ERR)), "storage_volume_post_json");
}

TEST_CASE("custom volume copies and moves through the C ABI between dir and btrfs") {
    Pools env;
    li_manager* mgr = env.mgr.get();
    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr, nullptr, "default", R"({"name":"src","config":{"user.k":"v"}})", ERR)));
    write_text(env.volume_dir("default", "src") / "f", "one");
    expect_ok(CALL(li_storage_volume_snapshot_create_json(nullptr, mgr, nullptr, "default", "src", R"({"name":"s1"})", ERR)));
    write_text(env.volume_dir("default", "src") / "f", "two");

    // Same pool, with snapshots: the copy's content and snapshot, independent of the source.
    expect_ok(CALL(li_storage_volume_create_json(&json, mgr, nullptr, "default", copy_post("cp", "default", "src").c_str(), ERR)));
    auto cp = take_json(json);
    CHECK(cp.at("name") == "cp");
    CHECK(cp.at("config").at("user.k") == "v");
    CHECK(read_text(env.volume_dir("default", "cp") / "f") == "two");
    CHECK(snapshot_names(mgr, "default", "cp") == std::vector<std::string>{"s1"});
    CHECK(read_text(env.snapshot_dir("default", "cp", "s1") / "f") == "one");
    write_text(env.volume_dir("default", "cp") / "f", "changed");
    CHECK(read_text(env.volume_dir("default", "src") / "f") == "two");
    expect_ok(CALL(li_storage_volume_snapshot_restore(mgr, nullptr, "default", "cp", "s1", ERR)));
    CHECK(read_text(env.volume_dir("default", "cp") / "f") == "one");
    // Same pool, volume only.
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr, nullptr, "default", copy_post("cpv", "default", "src", true).c_str(), ERR)));
    CHECK(read_text(env.volume_dir("default", "cpv") / "f") == "two");
    CHECK(snapshot_names(mgr, "default", "cpv").empty());

    // Across pools (dir -> btrfs), with and without snapshots.
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr, nullptr, "sbt", copy_post("bcp", "default", "src").c_str(), ERR)));
    CHECK(read_text(env.volume_dir("sbt", "bcp") / "f") == "two");
    CHECK(snapshot_names(mgr, "sbt", "bcp") == std::vector<std::string>{"s1"});
    CHECK(read_text(env.snapshot_dir("sbt", "bcp", "s1") / "f") == "one");
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr, nullptr, "sbt", copy_post("bcpv", "default", "src", true).c_str(), ERR)));
    CHECK(read_text(env.volume_dir("sbt", "bcpv") / "f") == "two");
    CHECK(snapshot_names(mgr, "sbt", "bcpv").empty());
    CHECK(snapshot_names(mgr, "default", "src") == std::vector<std::string>{"s1"});

    // Copy refusals: unknown source, taken target; nothing left behind.
    auto nosrc = CALL(li_storage_volume_create_json(&json, mgr, nullptr, "sbt", copy_post("x", "default", "nope").c_str(), ERR));
    expect_fail(nosrc, LI_ERR_NOT_FOUND, {"nope"});
    CHECK(nosrc.key == "source.name");
    CHECK_FALSE(volume_exists(mgr, "sbt", "x"));
    CHECK_FALSE(fs::exists(env.volume_dir("sbt", "x")));
    auto taken = CALL(li_storage_volume_create_json(&json, mgr, nullptr, "sbt", copy_post("bcp", "default", "src").c_str(), ERR));
    expect_fail(taken, LI_ERR_ALREADY_EXISTS, {"bcp"});
    CHECK(taken.key == "name");

    // Rename through move_json within the pool (empty pool, or the same one).
    expect_ok(CALL(li_storage_volume_move_json(mgr, nullptr, "default", "cpv", R"({"name":"cpv2"})", ERR)));
    CHECK_FALSE(volume_exists(mgr, "default", "cpv"));
    CHECK(read_text(env.volume_dir("default", "cpv2") / "f") == "two");
    expect_ok(CALL(li_storage_volume_move_json(mgr, nullptr, "default", "cpv2", R"({"name":"cpv3","pool":"default"})", ERR)));
    CHECK(volume_exists(mgr, "default", "cpv3"));

    // Move refusals change nothing.
    auto nopool = CALL(li_storage_volume_move_json(mgr, nullptr, "default", "src", R"({"pool":"nopool"})", ERR));
    expect_fail(nopool, LI_ERR_NOT_FOUND, {"nopool"});
    CHECK(nopool.key == "pool");
    auto exists = CALL(li_storage_volume_move_json(mgr, nullptr, "default", "src", R"({"name":"bcp","pool":"sbt"})", ERR));
    expect_fail(exists, LI_ERR_ALREADY_EXISTS, {"bcp"});
    CHECK(exists.key == "name");
    expect_invalid(CALL(li_storage_volume_move_json(mgr, nullptr, "default", "src", R"({"name":"a/b","pool":"sbt"})", ERR)), "name",
                   {"a/b"});
    expect_fail(CALL(li_storage_volume_move_json(mgr, nullptr, "default", "novol", R"({"pool":"sbt"})", ERR)), LI_ERR_NOT_FOUND,
                {"novol"});
    CHECK(read_text(env.volume_dir("default", "src") / "f") == "two");
    CHECK(snapshot_names(mgr, "default", "src") == std::vector<std::string>{"s1"});

    // Move dir -> btrfs under a new name: the source (and its snapshot) gone, the target has both.
    expect_ok(CALL(li_storage_volume_move_json(mgr, nullptr, "default", "src", R"({"name":"moved","pool":"sbt"})", ERR)));
    CHECK_FALSE(volume_exists(mgr, "default", "src"));
    CHECK_FALSE(fs::exists(env.volume_dir("default", "src")));
    CHECK_FALSE(fs::exists(env.snapshot_dir("default", "src", "s1")));
    CHECK(volume_get(mgr, "sbt", "moved").at("config").at("user.k") == "v");
    CHECK(read_text(env.volume_dir("sbt", "moved") / "f") == "two");
    CHECK(snapshot_names(mgr, "sbt", "moved") == std::vector<std::string>{"s1"});
    CHECK(read_text(env.snapshot_dir("sbt", "moved", "s1") / "f") == "one");
    // And back (btrfs -> dir) under its own name.
    expect_ok(CALL(li_storage_volume_move_json(mgr, nullptr, "sbt", "moved", R"({"pool":"default"})", ERR)));
    CHECK_FALSE(volume_exists(mgr, "sbt", "moved"));
    CHECK_FALSE(fs::exists(env.volume_dir("sbt", "moved")));
    CHECK(read_text(env.volume_dir("default", "moved") / "f") == "two");
    CHECK(snapshot_names(mgr, "default", "moved") == std::vector<std::string>{"s1"});
    expect_ok(CALL(li_storage_volume_snapshot_restore(mgr, nullptr, "default", "moved", "s1", ERR)));
    CHECK(read_text(env.volume_dir("default", "moved") / "f") == "one");
}

TEST_CASE("a custom volume attached to an instance is not moved, nor restored while it runs") {
    std::string vol = unique_name("vattach"), name = unique_name("vatt");
    li_manager* mgr = env().mgr.get();
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr, nullptr, "default", (R"({"name":")" + vol + R"("})").c_str(), ERR)));
    auto post = nlohmann::json::parse(post_json(name));
    post["devices"]["v"] = {{"type", "disk"}, {"pool", "default"}, {"source", vol}, {"path", "/mnt/v"}};
    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_create_json(&raw, mgr, nullptr, post.dump().c_str(), ERR)));
    InstancePtr inst{raw};
    expect_ok(CALL(li_storage_volume_snapshot_create_json(nullptr, mgr, nullptr, "default", vol.c_str(), R"({"name":"s"})", ERR)));

    auto busy = CALL(li_storage_volume_move_json(mgr, nullptr, "default", vol.c_str(), R"({"name":"elsewhere"})", ERR));
    expect_fail(busy, LI_ERR_BUSY, {name});
    CHECK(busy.key == "name");
    CHECK(volume_exists(mgr, "default", vol.c_str()));
    CHECK_FALSE(volume_exists(mgr, "default", "elsewhere"));
    // A running one keeps it from being restored (naming it); a stopped one does not.
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    auto running = CALL(li_storage_volume_snapshot_restore(mgr, nullptr, "default", vol.c_str(), "s", ERR));
    expect_fail(running, LI_ERR_BUSY, {name});
    CHECK(running.key == "name");
    li_stop_opts force = LI_STOP_OPTS_INIT;
    force.force = 1;
    expect_ok(CALL(li_instance_stop(inst.get(), &force, ERR)));
    expect_ok(CALL(li_storage_volume_snapshot_restore(mgr, nullptr, "default", vol.c_str(), "s", ERR)));

    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
    expect_ok(CALL(li_storage_volume_delete(mgr, nullptr, "default", vol.c_str(), ERR)));
}

}  // TEST_SUITE
