// Instance snapshots through the C ABI on real containers: take (named, by snapshots.pattern,
// with an expiry), list, get, change the expiry, rename, delete and restore files and config,
// each operation form waited for with li_operation_wait, and the refusals with their error keys.

#include <cstdio>
#include <ctime>
#include <string>
#include <unistd.h>
#include <vector>

#include "support.hpp"

using namespace capi_test;

namespace {

std::vector<std::string> snapshot_names(li_instance* inst) {
    char* json = nullptr;
    expect_ok(CALL(li_instance_snapshot_list_json(&json, inst, ERR)));
    std::vector<std::string> names;
    for (const auto& s : take_json(json)) names.push_back(s.at("name").get<std::string>());
    return names;
}

nlohmann::json snapshot_get(li_instance* inst, const char* name) {
    char* json = nullptr;
    expect_ok(CALL(li_instance_snapshot_get_json(&json, inst, name, ERR)));
    return take_json(json);
}

void push(li_instance* inst, const char* path, const std::string& text) {
    expect_ok(CALL(li_instance_file_push_data(inst, path, text.data(), text.size(), nullptr, ERR)));
}

// The file's content, or "<missing>" when the instance has no such file.
std::string pull(li_instance* inst, const char* path) {
    std::FILE* tmp = std::tmpfile();
    REQUIRE(tmp != nullptr);
    auto o = CALL(li_instance_file_pull(nullptr, inst, path, fileno(tmp), ERR));
    std::string out;
    if (o.rc != 0) {
        CHECK(o.code == LI_ERR_NOT_FOUND);
        out = "<missing>";
    } else {
        std::rewind(tmp);
        char buf[256];
        for (size_t n; (n = std::fread(buf, 1, sizeof buf, tmp)) > 0;) out.append(buf, n);
    }
    std::fclose(tmp);
    return out;
}

std::string config_of(li_instance* inst, const char* key) {
    char* value = nullptr;
    expect_ok(CALL(li_instance_config_get(&value, inst, key, ERR)));
    std::string out = value ? value : "<unset>";
    li_free(value);
    return out;
}

// Runs an operation to its end: the outcome of starting it, else of waiting for it.
template <class Start>
Outcome run_async(Start&& start) {
    li_operation* op = nullptr;
    Outcome started = CALL(start(&op, ERR));
    if (started.rc != 0) {
        CHECK(op == nullptr);
        return started;
    }
    REQUIRE(op != nullptr);
    OperationPtr owner{op};
    return CALL(li_operation_wait(op, 120000, ERR));
}

std::string rfc3339_in(std::time_t seconds_from_now) {
    std::time_t t = std::time(nullptr) + seconds_from_now;
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

}  // namespace

TEST_SUITE("instance-snapshots") {

TEST_CASE("instance snapshots through the C ABI: take, list, get, expiry, rename, restore, delete") {
    std::string name = unique_name("isnap");
    auto c = create_container(name);
    li_instance* inst = c.get();
    char* json = nullptr;
    push(inst, "/root/f", "one");
    expect_ok(CALL(li_instance_config_set(inst, "user.mark", "one", ERR)));

    // Named, then by the default pattern (snap0, snap1); out_json may be NULL.
    expect_ok(CALL(li_instance_snapshot_create_json(&json, inst, R"({"name":"first"})", ERR)));
    auto first = take_json(json);
    CHECK(first.at("name") == "first");
    CHECK(first.at("config").at("user.mark") == "one");
    CHECK(first.at("stateful") == false);
    CHECK(first.at("expires_at") == "0001-01-01T00:00:00Z");  // LXD's "never"
    CHECK(!first.at("created_at").get<std::string>().empty());
    expect_ok(CALL(li_instance_snapshot_create_json(&json, inst, "{}", ERR)));
    CHECK(take_json(json).at("name") == "snap0");
    expect_ok(CALL(li_instance_snapshot_create_json(nullptr, inst, R"({"name":""})", ERR)));
    CHECK(snapshot_names(inst) == std::vector<std::string>{"first", "snap0", "snap1"});

    // An explicit expiry; snapshots.expiry and snapshots.pattern for unnamed ones.
    std::string in_a_year = rfc3339_in(365L * 86400);
    expect_ok(CALL(li_instance_snapshot_create_json(&json, inst, (R"({"name":"exp","expires_at":")" + in_a_year + R"("})").c_str(), ERR)));
    CHECK(take_json(json).at("expires_at") == in_a_year);
    expect_ok(CALL(li_instance_config_set(inst, "snapshots.expiry", "2d", ERR)));
    expect_ok(CALL(li_instance_config_set(inst, "snapshots.pattern", "auto-%d", ERR)));
    std::time_t before = std::time(nullptr);
    expect_ok(CALL(li_instance_snapshot_create_json(&json, inst, "{}", ERR)));
    auto automatic = take_json(json);
    CHECK(automatic.at("name") == "auto-0");
    std::string expiry = automatic.at("expires_at").get<std::string>();
    CHECK(expiry >= rfc3339_in(2 * 86400 - (std::time(nullptr) - before) - 5));
    CHECK(expiry <= rfc3339_in(2 * 86400 + 5));
    expect_ok(CALL(li_instance_config_unset(inst, "snapshots.expiry", ERR)));
    expect_ok(CALL(li_instance_config_unset(inst, "snapshots.pattern", ERR)));

    // get and update the expiry (and back to never); a bad one changes nothing.
    CHECK(snapshot_get(inst, "first").at("name") == "first");
    expect_ok(CALL(li_instance_snapshot_update_json(inst, "first", R"({"expires_at":"2036-01-02T03:04:05Z"})", ERR)));
    CHECK(snapshot_get(inst, "first").at("expires_at") == "2036-01-02T03:04:05Z");
    expect_invalid(CALL(li_instance_snapshot_update_json(inst, "first", R"({"expires_at":"tomorrow"})", ERR)), "expires_at",
                   {"tomorrow"});
    CHECK(snapshot_get(inst, "first").at("expires_at") == "2036-01-02T03:04:05Z");
    expect_ok(CALL(li_instance_snapshot_update_json(inst, "first", R"({"expires_at":""})", ERR)));
    CHECK(snapshot_get(inst, "first").at("expires_at") == "0001-01-01T00:00:00Z");

    // restore: files and config as they were, the snapshots kept.
    push(inst, "/root/f", "two");
    push(inst, "/root/later", "x");
    expect_ok(CALL(li_instance_config_set(inst, "user.mark", "two", ERR)));
    expect_ok(CALL(li_instance_restore(inst, "first", ERR)));
    CHECK(pull(inst, "/root/f") == "one");
    CHECK(pull(inst, "/root/later") == "<missing>");
    CHECK(config_of(inst, "user.mark") == "one");
    CHECK(snapshot_names(inst) == std::vector<std::string>{"first", "snap0", "snap1", "exp", "auto-0"});

    // rename and delete
    expect_ok(CALL(li_instance_snapshot_rename(inst, "snap0", "mid", ERR)));
    CHECK(snapshot_names(inst) == std::vector<std::string>{"first", "mid", "snap1", "exp", "auto-0"});
    CHECK(snapshot_get(inst, "mid").at("name") == "mid");
    expect_ok(CALL(li_instance_snapshot_delete(inst, "mid", ERR)));
    CHECK(snapshot_names(inst) == std::vector<std::string>{"first", "snap1", "exp", "auto-0"});
    // The next unnamed one takes the next number after the highest left, not a freed one.
    expect_ok(CALL(li_instance_snapshot_create_json(&json, inst, "{}", ERR)));
    CHECK(take_json(json).at("name") == "snap2");

    // Deleting the instance takes its snapshots along.
    expect_ok(CALL(li_instance_delete(inst, nullptr, ERR)));
    CHECK_FALSE(listed(name));
}

TEST_CASE("instance snapshot operations: create, restore of a running instance, delete") {
    std::string name = unique_name("isnapop");
    auto c = create_container(name);
    li_instance* inst = c.get();
    push(inst, "/root/f", "one");

    expect_ok(run_async([&](li_operation** op, li_error** err) {
        return li_instance_snapshot_create_async(op, inst, R"({"name":"s1"})", err);
    }));
    CHECK(snapshot_names(inst) == std::vector<std::string>{"s1"});
    CHECK(snapshot_get(inst, "s1").at("name") == "s1");

    // A running instance is stopped, restored and started again.
    expect_ok(CALL(li_instance_start(inst, nullptr, ERR)));
    push(inst, "/root/f", "two");
    expect_ok(run_async([&](li_operation** op, li_error** err) { return li_instance_restore_async(op, inst, "s1", err); }));
    CHECK(pull(inst, "/root/f") == "one");
    CHECK(instance_json(inst).at("status") == "Running");

    // Taking a snapshot of the running instance works too (stateless).
    expect_ok(run_async([&](li_operation** op, li_error** err) { return li_instance_snapshot_create_async(op, inst, "{}", err); }));
    CHECK(snapshot_names(inst) == std::vector<std::string>{"s1", "snap0"});

    expect_ok(run_async([&](li_operation** op, li_error** err) { return li_instance_snapshot_delete_async(op, inst, "s1", err); }));
    CHECK(snapshot_names(inst) == std::vector<std::string>{"snap0"});

    // Failing operations report the key as their synchronous forms do.
    auto missing = run_async([&](li_operation** op, li_error** err) { return li_instance_snapshot_delete_async(op, inst, "nope", err); });
    expect_fail(missing, LI_ERR_NOT_FOUND, {"nope"});
    CHECK(missing.key == "snapshot");
    missing = run_async([&](li_operation** op, li_error** err) { return li_instance_restore_async(op, inst, "nope", err); });
    expect_fail(missing, LI_ERR_NOT_FOUND, {"nope"});
    CHECK(missing.key == "snapshot");
    auto dup = run_async([&](li_operation** op, li_error** err) {
        return li_instance_snapshot_create_async(op, inst, R"({"name":"snap0"})", err);
    });
    expect_fail(dup, LI_ERR_ALREADY_EXISTS, {"snap0"});
    CHECK(dup.key == "name");
    CHECK(pull(inst, "/root/f") == "one");
    CHECK(snapshot_names(inst) == std::vector<std::string>{"snap0"});

    li_delete_opts force = LI_DELETE_OPTS_INIT;
    force.force = 1;
    expect_ok(CALL(li_instance_delete(inst, &force, ERR)));
}

TEST_CASE("instance snapshot refusals name their key and change nothing") {
    std::string name = unique_name("isnaperr");
    auto c = create_container(name);
    li_instance* inst = c.get();
    char* json = nullptr;
    push(inst, "/root/f", "one");
    expect_ok(CALL(li_instance_snapshot_create_json(nullptr, inst, R"({"name":"a"})", ERR)));
    expect_ok(CALL(li_instance_snapshot_create_json(nullptr, inst, R"({"name":"b"})", ERR)));

    auto dup = CALL(li_instance_snapshot_create_json(&json, inst, R"({"name":"a"})", ERR));
    expect_fail(dup, LI_ERR_ALREADY_EXISTS, {"a"});
    CHECK(dup.key == "name");
    for (const char* bad : {"x/y", "has space", " "})
        expect_invalid(CALL(li_instance_snapshot_create_json(&json, inst, nlohmann::json{{"name", bad}}.dump().c_str(), ERR)), "name",
                       {bad});
    expect_invalid(CALL(li_instance_snapshot_create_json(&json, inst, R"({"name":"e","expires_at":"soon"})", ERR)), "expires_at",
                   {"soon"});
    auto stateful = CALL(li_instance_snapshot_create_json(&json, inst, R"({"name":"st","stateful":true})", ERR));
    expect_fail(stateful, LI_ERR_NOT_SUPPORTED);
    CHECK(stateful.key == "stateful");

    auto taken = CALL(li_instance_snapshot_rename(inst, "a", "b", ERR));
    expect_fail(taken, LI_ERR_ALREADY_EXISTS, {"b"});
    CHECK(taken.key == "new_name");
    expect_invalid(CALL(li_instance_snapshot_rename(inst, "a", "x/y", ERR)), "new_name", {"x/y"});
    expect_invalid(CALL(li_instance_snapshot_rename(inst, "a", "", ERR)), "new_name");

    for (auto o : {CALL(li_instance_snapshot_get_json(&json, inst, "nope", ERR)),
                   CALL(li_instance_snapshot_update_json(inst, "nope", "{}", ERR)),
                   CALL(li_instance_snapshot_rename(inst, "nope", "other", ERR)),
                   CALL(li_instance_snapshot_delete(inst, "nope", ERR)),
                   CALL(li_instance_restore(inst, "nope", ERR))}) {
        expect_fail(o, LI_ERR_NOT_FOUND, {"nope"});
        CHECK(o.key == "snapshot");
    }
    CHECK(snapshot_names(inst) == std::vector<std::string>{"a", "b"});
    CHECK(pull(inst, "/root/f") == "one");

    // NULL arguments and malformed documents name the parameter.
    li_operation* op = nullptr;
    expect_invalid(CALL(li_instance_snapshot_create_json(&json, nullptr, "{}", ERR)), "inst");
    expect_invalid(CALL(li_instance_snapshot_create_json(&json, inst, nullptr, ERR)), "instance_snapshots_post_json");
    expect_invalid(CALL(li_instance_snapshot_create_json(&json, inst, "{", ERR)), "instance snapshot definition");
    expect_invalid(CALL(li_instance_snapshot_update_json(inst, "a", "[", ERR)), "instance snapshot update");
    expect_invalid(CALL(li_instance_snapshot_create_json(&json, inst, R"({"name":7})", ERR)), "name");
    expect_invalid(CALL(li_instance_snapshot_create_async(nullptr, inst, "{}", ERR)), "out");
    expect_invalid(CALL(li_instance_snapshot_create_async(&op, nullptr, "{}", ERR)), "inst");
    expect_invalid(CALL(li_instance_snapshot_create_async(&op, inst, nullptr, ERR)), "instance_snapshots_post_json");
    expect_invalid(CALL(li_instance_snapshot_list_json(nullptr, inst, ERR)), "out_json");
    expect_invalid(CALL(li_instance_snapshot_list_json(&json, nullptr, ERR)), "inst");
    expect_invalid(CALL(li_instance_snapshot_get_json(nullptr, inst, "a", ERR)), "out_json");
    expect_invalid(CALL(li_instance_snapshot_get_json(&json, inst, nullptr, ERR)), "snapshot");
    expect_invalid(CALL(li_instance_snapshot_update_json(inst, nullptr, "{}", ERR)), "snapshot");
    expect_invalid(CALL(li_instance_snapshot_update_json(inst, "a", nullptr, ERR)), "instance_snapshot_put_json");
    expect_invalid(CALL(li_instance_snapshot_update_json(nullptr, "a", "{}", ERR)), "inst");
    expect_invalid(CALL(li_instance_snapshot_rename(inst, nullptr, "c", ERR)), "snapshot");
    expect_invalid(CALL(li_instance_snapshot_rename(inst, "a", nullptr, ERR)), "new_name");
    expect_invalid(CALL(li_instance_snapshot_delete(inst, nullptr, ERR)), "snapshot");
    expect_invalid(CALL(li_instance_snapshot_delete(nullptr, "a", ERR)), "inst");
    expect_invalid(CALL(li_instance_snapshot_delete_async(nullptr, inst, "a", ERR)), "out");
    expect_invalid(CALL(li_instance_snapshot_delete_async(&op, inst, nullptr, ERR)), "snapshot");
    expect_invalid(CALL(li_instance_restore(inst, nullptr, ERR)), "snapshot");
    expect_invalid(CALL(li_instance_restore(nullptr, "a", ERR)), "inst");
    expect_invalid(CALL(li_instance_restore_async(nullptr, inst, "a", ERR)), "out");
    expect_invalid(CALL(li_instance_restore_async(&op, inst, nullptr, ERR)), "snapshot");
    CHECK(op == nullptr);
    CHECK(snapshot_names(inst) == std::vector<std::string>{"a", "b"});

    expect_ok(CALL(li_instance_delete(inst, nullptr, ERR)));
}

}  // TEST_SUITE
