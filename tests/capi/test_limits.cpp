// Limits, security keys and host shutdown through the C ABI, on real containers.

#include <fstream>
#include <sstream>
#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

InstancePtr create_with(const std::string& name, const nlohmann::json& config) {
    nlohmann::json post = nlohmann::json::parse(post_json(name));
    post["config"] = config;
    li_instance* inst = nullptr;
    expect_ok(CALL(li_instance_create_json(&inst, env().mgr.get(), nullptr, post.dump().c_str(), ERR)));
    REQUIRE(inst != nullptr);
    return InstancePtr{inst};
}

int64_t init_pid(li_instance* inst) {
    char* json = nullptr;
    expect_ok(CALL(li_instance_state_json(&json, inst, ERR)));
    return take_json(json).at("pid").get<int64_t>();
}

// pids.max of the process's cgroup, seen from the host (v1 pids hierarchy or the unified one).
std::string host_pids_max(int64_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    std::string unified;
    for (std::string line; std::getline(in, line);) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        std::string list = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (list.empty()) unified = path;
        if (list == "pids") {
            std::ifstream f("/sys/fs/cgroup/pids" + path + "/pids.max");
            std::string v;
            f >> v;
            return v;
        }
    }
    std::ifstream f((std::ifstream("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified") + unified + "/pids.max");
    std::string v;
    f >> v;
    return v;
}

}  // namespace

TEST_SUITE("limits") {

TEST_CASE("a limit given at creation reaches the container's cgroup; a bad one is refused naming key and value") {
    auto inst = create_with(unique_name("clim"), {{"limits.processes", "17"}});
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    CHECK(host_pids_max(init_pid(inst.get())) == "17");
    li_stop_opts stop = LI_STOP_OPTS_INIT;
    stop.force = 1;
    expect_ok(CALL(li_instance_stop(inst.get(), &stop, ERR)));
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));

    nlohmann::json post = nlohmann::json::parse(post_json(unique_name("cbad")));
    post["config"] = {{"raw.lxc", "lxc.apparmor.profile = unconfined"}};
    li_instance* bad = nullptr;
    expect_invalid(CALL(li_instance_create_json(&bad, env().mgr.get(), nullptr, post.dump().c_str(), ERR)), "config.raw.lxc",
                   {"lxc.apparmor.profile"});
    CHECK(bad == nullptr);

    // raw.idmap: ranges of different lengths, the line quoted.
    post["config"] = {{"raw.idmap", "uid 1000-1009 0-8"}};
    expect_invalid(CALL(li_instance_create_json(&bad, env().mgr.get(), nullptr, post.dump().c_str(), ERR)), "config.raw.idmap",
                   {"\"uid 1000-1009 0-8\"", "differ in length"});
    CHECK(bad == nullptr);
}

TEST_CASE("li_manager_shutdown_instances stops running instances and keeps them marked running") {
    auto a = create_with(unique_name("cshut1"), {{"boot.host_shutdown_timeout", "2"}, {"boot.stop.priority", "5"}});
    auto b = create_with(unique_name("cshut2"), {{"boot.host_shutdown_timeout", "2"}});
    expect_ok(CALL(li_instance_start(a.get(), nullptr, ERR)));
    expect_ok(CALL(li_instance_start(b.get(), nullptr, ERR)));
    li_operation* op = nullptr;
    expect_ok(CALL(li_manager_shutdown_instances_async(&op, env().mgr.get(), ERR)));
    REQUIRE(op != nullptr);
    OperationPtr owner{op};
    expect_ok(CALL(li_operation_wait(op, -1, ERR)));
    for (li_instance* i : {a.get(), b.get()}) {
        auto info = instance_json(i);
        CHECK(info.at("status").get<std::string>() == "Stopped");
        CHECK(info.at("config").at("volatile.last_state.power").get<std::string>() == "RUNNING");
    }
    // Nothing running: a no-op.
    expect_ok(CALL(li_manager_shutdown_instances(env().mgr.get(), ERR)));
    expect_invalid(CALL(li_manager_shutdown_instances(nullptr, ERR)), "mgr", {"mgr"});
    expect_ok(CALL(li_instance_delete(a.get(), nullptr, ERR)));
    expect_ok(CALL(li_instance_delete(b.get(), nullptr, ERR)));
}

}  // TEST_SUITE
