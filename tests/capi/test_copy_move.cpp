// Instance copy (a "copy" source through li_instance_create_json), rename and move between pools
// through the C ABI, on real containers and a loop-backed btrfs pool.

#include <algorithm>
#include <filesystem>
#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

std::string copy_post(const std::string& source, const std::string& name, const std::string& pool = {}) {
    nlohmann::json post{{"name", name}, {"source", {{"type", "copy"}, {"source", source}}}};
    if (!pool.empty()) post["devices"]["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", pool}};
    return post.dump();
}

nlohmann::json stat_of(li_instance* inst, const char* path) {
    char* json = nullptr;
    expect_ok(CALL(li_instance_file_stat_json(&json, inst, path, ERR)));
    return take_json(json);
}

}  // namespace

TEST_SUITE("copy-move") {

TEST_CASE("a copy carries files and config; rename and move follow the instance; refusals change nothing") {
    std::string src_name = unique_name("ccsrc"), dst_name = unique_name("ccdst"), renamed = unique_name("ccren");
    auto src = create_container(src_name);
    expect_ok(CALL(li_instance_file_push_data(src.get(), "/root/mark", "mark\n", 5, nullptr, ERR)));

    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_create_json(&raw, env().mgr.get(), nullptr, copy_post(src_name, dst_name).c_str(), ERR)));
    InstancePtr dst{raw};
    CHECK(stat_of(dst.get(), "/root/mark").at("size") == 5);
    // The image's copy templates ran for the copy: busybox's hostname names it.
    FILE* hostname = std::tmpfile();
    expect_ok(CALL(li_instance_file_pull(nullptr, dst.get(), "/etc/hostname", fileno(hostname), ERR)));
    CHECK(read_fd(fileno(hostname)) == dst_name + "\n");
    std::fclose(hostname);
    expect_fail(CALL(li_instance_create_json(&raw, env().mgr.get(), nullptr, copy_post("no-such-src", dst_name + "x").c_str(), ERR)),
                LI_ERR_NOT_FOUND, {"no-such-src"});
    CHECK_FALSE(listed(dst_name + "x"));

    // Rename: the handle follows; a running instance is refused.
    expect_ok(CALL(li_instance_rename(dst.get(), renamed.c_str(), ERR)));
    CHECK(std::string(li_instance_name(dst.get())) == renamed);
    CHECK(listed(renamed));
    CHECK_FALSE(listed(dst_name));
    expect_fail(CALL(li_instance_rename(dst.get(), src_name.c_str(), ERR)), LI_ERR_ALREADY_EXISTS, {src_name});
    expect_ok(CALL(li_instance_start(dst.get(), nullptr, ERR)));
    expect_fail(CALL(li_instance_rename(dst.get(), "other", ERR)), LI_ERR_BUSY, {"running"});
    li_stop_opts force = LI_STOP_OPTS_INIT;
    force.force = 1;
    expect_ok(CALL(li_instance_stop(dst.get(), &force, ERR)));

    // Move to a btrfs pool and back, as an operation.
    std::string pool = unique_name("mvbt");
    nlohmann::json pool_post{{"name", pool}, {"driver", "btrfs"}, {"config", {{"size", "512MiB"}}}};
    expect_ok(CALL(li_storage_pool_create_json(nullptr, env().mgr.get(), pool_post.dump().c_str(), ERR)));
    li_operation* op = nullptr;
    expect_ok(CALL(li_instance_move_pool_async(&op, dst.get(), pool.c_str(), ERR)));
    OperationPtr owner{op};
    expect_ok(CALL(li_operation_wait(op, 120000, ERR)));
    CHECK(instance_json(dst.get()).at("devices").at("root").at("pool") == pool);
    CHECK(stat_of(dst.get(), "/root/mark").at("size") == 5);
    expect_invalid(CALL(li_instance_move_pool(dst.get(), pool.c_str(), ERR)), "pool", {pool});
    expect_fail(CALL(li_instance_move_pool(dst.get(), "no-such-pool", ERR)), LI_ERR_NOT_FOUND, {"no-such-pool"});
    expect_ok(CALL(li_instance_move_pool(dst.get(), "default", ERR)));
    CHECK(instance_json(dst.get()).at("devices").at("root").at("pool") == "default");
    CHECK(stat_of(dst.get(), "/root/mark").at("size") == 5);

    expect_ok(CALL(li_instance_delete(dst.get(), nullptr, ERR)));
    expect_ok(CALL(li_instance_delete(src.get(), nullptr, ERR)));
    expect_ok(CALL(li_storage_pool_delete(env().mgr.get(), pool.c_str(), ERR)));
}

}  // TEST_SUITE

TEST_SUITE("copy-move") {

TEST_CASE("li_instance_copy_to and li_instance_move_to carry an instance to another manager") {
    std::string src_name = unique_name("xcsrc"), copy_name = unique_name("xccopy"), moved_name = unique_name("xcmoved");
    auto src = create_container(src_name);
    expect_ok(CALL(li_instance_file_push_data(src.get(), "/root/mark", "mark\n", 5, nullptr, ERR)));
    expect_ok(CALL(li_instance_snapshot_create_json(nullptr, src.get(), R"({"name": "s0"})", ERR)));
    TempDir other_dir{"capi-xcopy"};
    li_manager* raw_mgr = nullptr;
    expect_ok(CALL(li_manager_open(&raw_mgr, other_dir.path().c_str(), ERR)));
    ManagerPtr other{raw_mgr};

    // A copy: files, snapshots, the caller's keys, none of the source's identifying volatile keys.
    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_copy_to(&raw, src.get(), other.get(), copy_name.c_str(), R"({"config": {"user.k": "v"}})", ERR)));
    InstancePtr copy{raw};
    auto doc = instance_json(copy.get());
    CHECK(doc.at("config").at("user.k") == "v");
    for (const auto& [key, value] : doc.at("config").items())
        CHECK((!key.starts_with("volatile.") || key == "volatile.base_image" || key == "volatile.last_state.idmap"));
    CHECK(stat_of(copy.get(), "/root/mark").at("size") == 5);
    char* snaps = nullptr;
    expect_ok(CALL(li_instance_snapshot_list_json(&snaps, copy.get(), ERR)));
    CHECK(take_json(snaps).size() == 1);
    CHECK_FALSE(listed(copy_name));  // on the other manager only

    // Refusals: a taken name, a bad option, --refresh; nothing more on the target.
    expect_fail(CALL(li_instance_copy_to(nullptr, src.get(), other.get(), copy_name.c_str(), nullptr, ERR)), LI_ERR_ALREADY_EXISTS,
                {copy_name});
    expect_invalid(CALL(li_instance_copy_to(nullptr, src.get(), other.get(), "xcbad", R"({"bogus": 1})", ERR)), "bogus", {"bogus"});
    expect_fail(CALL(li_instance_copy_to(nullptr, src.get(), other.get(), "xcbad", R"({"refresh": true})", ERR)), LI_ERR_NOT_SUPPORTED,
                {"refresh"});
    expect_fail(CALL(li_instance_copy_to(nullptr, src.get(), other.get(), "xcbad", R"({"pool": "nopool"})", ERR)), LI_ERR_NOT_FOUND,
                {"nopool"});
    CHECK(instance_names(other.get()) == std::vector<std::string>{copy_name});

    // A move: refused while running, then the source goes once the copy is there.
    expect_ok(CALL(li_instance_start(src.get(), nullptr, ERR)));
    expect_fail(CALL(li_instance_move_to(src.get(), other.get(), moved_name.c_str(), nullptr, ERR)), LI_ERR_BUSY, {"--stateless"});
    CHECK(listed(src_name));
    li_operation* op = nullptr;
    expect_ok(CALL(li_instance_move_to_async(&op, src.get(), other.get(), moved_name.c_str(), R"({"stateless": true})", ERR)));
    OperationPtr owner{op};
    expect_ok(CALL(li_operation_wait(op, 300000, ERR)));
    CHECK(operation_json(op).at("status_code") == 200);
    CHECK_FALSE(listed(src_name));
    auto names = instance_names(other.get());
    CHECK(std::find(names.begin(), names.end(), moved_name) != names.end());
    for (const auto& name : names) {
        li_instance* inst = nullptr;
        expect_ok(CALL(li_instance_get(&inst, other.get(), nullptr, name.c_str(), ERR)));
        InstancePtr handle{inst};
        li_delete_opts force = LI_DELETE_OPTS_INIT;
        force.force = 1;
        expect_ok(CALL(li_instance_delete(handle.get(), &force, ERR)));
    }
}

}  // TEST_SUITE
