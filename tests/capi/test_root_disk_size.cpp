// The root disk's `size` through the C ABI: enforced in a container on a loop-backed btrfs pool,
// refused on the dir pool with LI_ERR_NOT_SUPPORTED naming devices.root.size, nothing changed.

#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

nlohmann::json root_disk(const std::string& pool, const std::string& size) {
    return {{"type", "disk"}, {"path", "/"}, {"pool", pool}, {"size", size}};
}

// Exit status and output of `sh -c script` in inst.
std::pair<int, std::string> sh(li_instance* inst, const char* script) {
    const char* argv[] = {"sh", "-c", script, nullptr};
    li_exec_result* res = nullptr;
    expect_ok(CALL(li_instance_exec(&res, inst, argv, nullptr, ERR)));
    ExecResultPtr owned{res};
    return {li_exec_result_exit_code(res),
            std::string(li_exec_result_stdout(res, nullptr)) + li_exec_result_stderr(res, nullptr)};
}

}  // namespace

TEST_SUITE("root-disk-size") {

TEST_CASE("dir pool: adding a root disk size is LI_ERR_NOT_SUPPORTED naming devices.root.size; nothing changes") {
    auto inst = create_container(unique_name("rsdir"));
    li_instance* i = inst.get();
    auto before = instance_json(i);

    auto added = CALL(li_instance_device_add_json(i, "root", root_disk("default", "32MiB").dump().c_str(), ERR));
    expect_fail(added, LI_ERR_NOT_SUPPORTED, {"devices.root.size", "32MiB"});
    CHECK(added.key == "devices.root.size");

    nlohmann::json put = {{"config", before["config"]}, {"devices", before["devices"]}, {"profiles", before["profiles"]},
                          {"description", before["description"]}, {"ephemeral", before["ephemeral"]}};
    put["devices"]["root"] = root_disk("default", "32MiB");
    auto updated = CALL(li_instance_update_json(i, put.dump().c_str(), nullptr, ERR));
    expect_fail(updated, LI_ERR_NOT_SUPPORTED, {"devices.root.size"});
    CHECK(updated.key == "devices.root.size");

    auto after = instance_json(i);
    CHECK(after["devices"] == before["devices"]);
    CHECK(after["expanded_devices"] == before["expanded_devices"]);
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

TEST_CASE("btrfs pool: a write past the root disk size fails inside the container") {
    std::string pool = unique_name("rsbt");
    nlohmann::json pool_post{{"name", pool}, {"driver", "btrfs"}, {"config", {{"size", "512MiB"}}}};
    expect_ok(CALL(li_storage_pool_create_json(nullptr, env().mgr.get(), pool_post.dump().c_str(), ERR)));

    std::string name = unique_name("rsbt");
    auto post = nlohmann::json::parse(post_json(name));
    post["devices"]["root"] = root_disk(pool, "32MiB");
    post["start"] = true;
    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_create_json(&raw, env().mgr.get(), nullptr, post.dump().c_str(), ERR)));
    InstancePtr inst{raw};
    CHECK(instance_json(raw).at("expanded_devices").at("root").at("size") == "32MiB");

    auto [small_rc, small_out] = sh(raw, "dd if=/dev/zero of=/small bs=1M count=8 conv=fsync 2>&1 && rm /small");
    CHECK_MESSAGE(small_rc == 0, small_out);
    auto [big_rc, big_out] = sh(raw, "dd if=/dev/zero of=/big bs=1M count=64 conv=fsync 2>&1 && sync");
    CHECK(big_rc != 0);
    CHECK_MESSAGE((big_out.find("No space left") != std::string::npos || big_out.find("Disk quota exceeded") != std::string::npos),
                  big_out);

    li_stop_opts force = LI_STOP_OPTS_INIT;
    force.force = 1;
    expect_ok(CALL(li_instance_stop(raw, &force, ERR)));
    expect_ok(CALL(li_instance_delete(raw, nullptr, ERR)));
    expect_ok(CALL(li_storage_pool_delete(env().mgr.get(), pool.c_str(), ERR)));
}

}  // TEST_SUITE
