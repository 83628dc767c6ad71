// The snapshot scheduler through the C ABI: a pass at a caller's time takes a due slot once,
// deletes expired snapshots, and refuses bad arguments naming them.

#include <ctime>
#include <string>
#include <vector>

#include "support.hpp"

using namespace capi_test;

namespace {

// 2031-01-06 10:00 local time (schedules follow the server's time zone): a date the real clock
// of the shared manager's own scheduler does not reach during the tests.
int64_t local_unix(int hour, int minute) {
    std::tm t{};
    t.tm_year = 2031 - 1900;
    t.tm_mon = 0;
    t.tm_mday = 6;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&t));
}

nlohmann::json run_pass(int64_t now_unix) {
    char* json = nullptr;
    expect_ok(CALL(li_manager_run_snapshot_schedule(&json, env().mgr.get(), now_unix, ERR)));
    return take_json(json);
}

std::vector<std::string> mine(const nlohmann::json& list, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& e : list)
        if (e.get<std::string>().starts_with("default/" + name + "/")) out.push_back(e.get<std::string>());
    return out;
}

std::vector<std::string> snapshot_names(li_instance* inst) {
    char* json = nullptr;
    expect_ok(CALL(li_instance_snapshot_list_json(&json, inst, ERR)));
    std::vector<std::string> names;
    for (const auto& s : take_json(json)) names.push_back(s.at("name").get<std::string>());
    return names;
}

}  // namespace

TEST_SUITE("snapshot-schedule") {

TEST_CASE("a pass takes the due slot once and deletes expired snapshots") {
    std::string name = unique_name("sched");
    InstancePtr inst = create_container(name);
    expect_ok(CALL(li_instance_config_set_json(
        inst.get(), R"({"snapshots.schedule": "0 10 6 1 *", "snapshots.schedule.stopped": "true", "snapshots.pattern": "s%d"})", ERR)));
    char* made = nullptr;
    expect_ok(CALL(li_instance_snapshot_create_json(&made, inst.get(), R"({"name": "old", "expires_at": "2031-01-01T00:00:00Z"})", ERR)));
    take_json(made);

    auto first = run_pass(local_unix(10, 0));
    CHECK(first.at("failed").is_array());
    CHECK(mine(first.at("taken"), name) == std::vector<std::string>{"default/" + name + "/s0"});
    CHECK(mine(first.at("pruned"), name) == std::vector<std::string>{"default/" + name + "/old"});
    CHECK(snapshot_names(inst.get()) == std::vector<std::string>{"s0"});

    auto again = run_pass(local_unix(10, 0) + 30);
    CHECK(mine(again.at("taken"), name).empty());
    CHECK(mine(run_pass(local_unix(11, 0)).at("taken"), name).empty());
    CHECK(snapshot_names(inst.get()) == std::vector<std::string>{"s0"});

    // 0 is now: a valid pass that does not reach 2031.
    auto now = run_pass(0);
    CHECK(now.at("taken").is_array());
    CHECK(mine(now.at("taken"), name).empty());
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
}

TEST_CASE("bad arguments and schedules are refused naming them") {
    char* json = nullptr;
    expect_invalid(CALL(li_manager_run_snapshot_schedule(&json, env().mgr.get(), -5, ERR)), "now_unix");
    CHECK(json == nullptr);
    expect_invalid(CALL(li_manager_run_snapshot_schedule(nullptr, env().mgr.get(), 0, ERR)), "out_json");
    expect_invalid(CALL(li_manager_run_snapshot_schedule(&json, nullptr, 0, ERR)), "mgr");

    std::string name = unique_name("schedbad");
    InstancePtr inst = create_container(name);
    expect_invalid(CALL(li_instance_config_set(inst.get(), "snapshots.schedule", "* * * * * *", ERR)), "config.snapshots.schedule",
                   {"* * * * * *"});
    expect_invalid(CALL(li_instance_config_set(inst.get(), "snapshots.schedule.stopped", "often", ERR)),
                   "config.snapshots.schedule.stopped", {"often"});
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
}

}  // TEST_SUITE
