// An instance's configuration through the C ABI: PUT with ETag, key-level config, devices; bad
// input names the key and leaves the instance unchanged.

#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

// What a change must not touch when it is refused (status and times aside).
nlohmann::json writable(li_instance* inst) {
    auto doc = instance_json(inst);
    return {{"config", doc["config"]}, {"devices", doc["devices"]}, {"profiles", doc["profiles"]},
            {"description", doc["description"]}, {"ephemeral", doc["ephemeral"]},
            {"expanded_config", doc["expanded_config"]}, {"expanded_devices", doc["expanded_devices"]}};
}

std::string etag_of(li_instance* inst) {
    char* out = nullptr;
    expect_ok(CALL(li_instance_etag(&out, inst, ERR)));
    REQUIRE(out != nullptr);
    std::string tag{out};
    li_free(out);
    return tag;
}

// The value of key, or "<unset>" when li_instance_config_get() reports it unset.
std::string config_get(li_instance* inst, const char* key) {
    char* out = reinterpret_cast<char*>(0x1);  // must be overwritten
    expect_ok(CALL(li_instance_config_get(&out, inst, key, ERR)));
    if (out == nullptr) return "<unset>";
    std::string value{out};
    li_free(out);
    return value;
}

std::string exec_stdout(li_instance* inst, std::vector<const char*> argv) {
    argv.push_back(nullptr);
    li_exec_result* res = nullptr;
    expect_ok(CALL(li_instance_exec(&res, inst, argv.data(), nullptr, ERR)));
    ExecResultPtr owned{res};
    REQUIRE(li_exec_result_exit_code(res) == 0);
    return li_exec_result_stdout(res, nullptr);
}

}  // namespace

TEST_SUITE("config") {

TEST_CASE("key-level config: set, get, unset, several at once; unset reads as NULL") {
    auto name = unique_name("cfgkey");
    auto inst = create_container(name);
    li_instance* i = inst.get();

    CHECK(config_get(i, "user.color") == "<unset>");
    expect_ok(CALL(li_instance_config_set(i, "user.color", "blue", ERR)));
    CHECK(config_get(i, "user.color") == "blue");
    CHECK(instance_json(i)["config"]["user.color"] == "blue");

    expect_ok(CALL(li_instance_config_set_json(i, R"({"user.a":"1","limits.memory":"256MiB","user.color":""})", ERR)));
    CHECK(config_get(i, "user.a") == "1");
    CHECK(config_get(i, "limits.memory") == "256MiB");
    CHECK(config_get(i, "user.color") == "<unset>");  // "" unsets
    CHECK(instance_json(i)["expanded_config"]["limits.memory"] == "256MiB");

    expect_ok(CALL(li_instance_config_unset(i, "user.a", ERR)));
    CHECK(config_get(i, "user.a") == "<unset>");
    expect_ok(CALL(li_instance_config_set(i, "user.b", "x", ERR)));
    expect_ok(CALL(li_instance_config_set(i, "user.b", "", ERR)));
    CHECK(config_get(i, "user.b") == "<unset>");

    // Unsetting what is not set, and NULL arguments.
    expect_fail(CALL(li_instance_config_unset(i, "user.never", ERR)), LI_ERR_NOT_FOUND, {"user.never"});
    expect_invalid(CALL(li_instance_config_set(i, nullptr, "x", ERR)), "key");
    expect_invalid(CALL(li_instance_config_set(i, "user.x", nullptr, ERR)), "value");
    expect_invalid(CALL(li_instance_config_get(nullptr, i, "user.x", ERR)), "out");
    expect_invalid(CALL(li_instance_config_set_json(i, nullptr, ERR)), "config_json");
    expect_invalid(CALL(li_instance_config_set(nullptr, "user.x", "1", ERR)), "inst");

    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

TEST_CASE("bad keys and values are refused naming the key and the value; nothing changes") {
    auto name = unique_name("cfgbad");
    auto inst = create_container(name);
    li_instance* i = inst.get();
    expect_ok(CALL(li_instance_config_set(i, "user.keep", "me", ERR)));
    auto before = writable(i);
    auto tag = etag_of(i);

    expect_invalid(CALL(li_instance_config_set(i, "limits.memory", "lots", ERR)), "config.limits.memory", {"lots"});
    expect_invalid(CALL(li_instance_config_set(i, "no.such.key", "1", ERR)), "config.no.such.key", {"no.such.key"});
    // One bad key spoils the whole batch: the good key is not applied either.
    expect_invalid(CALL(li_instance_config_set_json(i, R"({"user.fine":"1","limits.processes":"-3"})", ERR)),
                   "config.limits.processes", {"-3"});
    expect_invalid(CALL(li_instance_config_set_json(i, R"({"user.n":5})", ERR)), "config.user.n");
    expect_invalid(CALL(li_instance_config_set_json(i, R"(["user.a"])", ERR)), "config");
    expect_invalid(CALL(li_instance_config_set_json(i, "{not json", ERR)), "config");
    // volatile.* keys are libinstance's.
    expect_invalid(CALL(li_instance_config_set(i, "volatile.mine", "1", ERR)), "config.volatile.mine");

    // Devices: unknown type, bad value, missing required key, wrong JSON type.
    expect_invalid(CALL(li_instance_device_add_json(i, "d1", R"({"type":"teleporter"})", ERR)), "devices.d1.type", {"teleporter"});
    expect_invalid(CALL(li_instance_device_add_json(i, "d1", R"({"type":"disk","source":"/tmp","path":"/mnt","readonly":"perhaps"})", ERR)),
                   "devices.d1.readonly", {"perhaps"});
    expect_invalid(CALL(li_instance_device_add_json(i, "d1", R"({"type":"disk","source":"/tmp"})", ERR)), "devices.d1.path");
    expect_invalid(CALL(li_instance_device_add_json(i, "d1", R"({"type":"disk","readonly":true})", ERR)), "devices.d1.readonly");

    // A PUT with a bad value, or changing a volatile key.
    auto put = before;
    put.erase("expanded_config");
    put.erase("expanded_devices");
    put["config"]["limits.cpu"] = "many";
    expect_invalid(CALL(li_instance_update_json(i, put.dump().c_str(), nullptr, ERR)), "config.limits.cpu", {"many"});

    CHECK(writable(i) == before);
    CHECK(etag_of(i) == tag);
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

TEST_CASE("PUT with ETag: a stale ETag is a Conflict, volatile keys round-trip, async form") {
    auto name = unique_name("cfgput");
    auto inst = create_container(name);
    li_instance* i = inst.get();

    auto doc = instance_json(i);
    auto tag = etag_of(i);
    CHECK(tag.size() >= 16);
    CHECK(etag_of(i) == tag);  // stable while nothing changes

    // Sending back what get_json gave (volatile keys included) is accepted and changes nothing.
    nlohmann::json put = {{"config", doc["config"]}, {"devices", doc["devices"]}, {"profiles", doc["profiles"]},
                          {"description", doc["description"]}, {"ephemeral", doc["ephemeral"]},
                          {"architecture", doc["architecture"]}};
    expect_ok(CALL(li_instance_update_json(i, put.dump().c_str(), tag.c_str(), ERR)));
    CHECK(etag_of(i) == tag);

    put["description"] = "edited";
    put["config"]["user.put"] = "yes";
    expect_ok(CALL(li_instance_update_json(i, put.dump().c_str(), tag.c_str(), ERR)));
    auto after = instance_json(i);
    CHECK(after["description"] == "edited");
    CHECK(after["config"]["user.put"] == "yes");
    auto new_tag = etag_of(i);
    CHECK(new_tag != tag);

    // The old ETag is stale now: Conflict, and nothing changes.
    put["description"] = "lost update";
    expect_fail(CALL(li_instance_update_json(i, put.dump().c_str(), tag.c_str(), ERR)), LI_ERR_CONFLICT, {name, "ETag"});
    CHECK(instance_json(i)["description"] == "edited");

    // Changing a volatile key is refused.
    bool has_volatile = false;
    for (auto& [k, v] : put["config"].items()) {
        if (k.rfind("volatile.", 0) == 0) {
            v = "changed-by-me";
            has_volatile = true;
            auto bad = CALL(li_instance_update_json(i, put.dump().c_str(), nullptr, ERR));
            expect_invalid(bad, "config." + k, {k});
            break;
        }
    }
    CHECK_MESSAGE(has_volatile, "a created container has volatile keys: " << doc["config"].dump());

    // Async: a malformed document fails the call itself; a good one runs as an operation.
    li_operation* op = nullptr;
    expect_invalid(CALL(li_instance_update_json_async(&op, i, "[1]", nullptr, ERR)), "body");
    CHECK(op == nullptr);
    expect_invalid(CALL(li_instance_update_json_async(&op, i, "{", nullptr, ERR)), "instance configuration");
    nlohmann::json small = {{"config", {{"user.async", "1"}}}, {"profiles", {"default"}}};
    expect_ok(CALL(li_instance_update_json_async(&op, i, small.dump().c_str(), new_tag.c_str(), ERR)));
    OperationPtr owned{op};
    expect_ok(CALL(li_operation_wait(op, 60000, ERR)));
    auto fin = instance_json(i);
    CHECK(fin["config"]["user.async"] == "1");
    CHECK(fin["config"].count("user.put") == 0);  // PUT replaces the whole config
    CHECK(fin["description"] == "");
    // volatile keys left out of a PUT are kept.
    for (auto& [k, v] : doc["config"].items())
        if (k.rfind("volatile.", 0) == 0) CHECK(fin["config"][k] == v);

    // A failing async update fails its operation with the same error.
    nlohmann::json bad = {{"config", {{"limits.memory", "lots"}}}, {"profiles", {"default"}}};
    li_operation* bad_op = nullptr;
    expect_ok(CALL(li_instance_update_json_async(&bad_op, i, bad.dump().c_str(), nullptr, ERR)));
    OperationPtr owned_bad{bad_op};
    expect_invalid(CALL(li_operation_wait(bad_op, 60000, ERR)), "config.limits.memory", {"lots"});
    CHECK(instance_json(i)["config"]["user.async"] == "1");

    // An unknown profile.
    nlohmann::json ghost = {{"profiles", {"default", "ghost"}}};
    expect_fail(CALL(li_instance_update_json(i, ghost.dump().c_str(), nullptr, ERR)), LI_ERR_NOT_FOUND, {"ghost"});
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

TEST_CASE("devices: add, replace, remove; duplicates and missing ones are errors") {
    auto name = unique_name("cfgdev");
    auto inst = create_container(name);
    li_instance* i = inst.get();
    TempDir shared{"cfgdev-src"};

    std::string disk = nlohmann::json{{"type", "disk"}, {"source", shared.path().string()}, {"path", "/mnt/shared"}}.dump();
    expect_ok(CALL(li_instance_device_add_json(i, "data", disk.c_str(), ERR)));
    auto doc = instance_json(i);
    CHECK(doc["devices"]["data"]["path"] == "/mnt/shared");
    CHECK(doc["expanded_devices"]["data"]["source"] == shared.path().string());

    expect_fail(CALL(li_instance_device_add_json(i, "data", disk.c_str(), ERR)), LI_ERR_ALREADY_EXISTS, {"data"});

    std::string ro = nlohmann::json{{"type", "disk"}, {"source", shared.path().string()}, {"path", "/mnt/ro"}, {"readonly", "true"}}.dump();
    expect_ok(CALL(li_instance_device_set_json(i, "data", ro.c_str(), ERR)));
    doc = instance_json(i);
    CHECK(doc["devices"]["data"]["path"] == "/mnt/ro");
    CHECK(doc["devices"]["data"]["readonly"] == "true");

    // Masking the profile's root disk is refused (an instance needs one); nothing changes.
    auto before = writable(i);
    CHECK(CALL(li_instance_device_set_json(i, "root", R"({"type":"none"})", ERR)).rc != 0);
    CHECK(writable(i) == before);

    expect_ok(CALL(li_instance_device_remove(i, "data", ERR)));
    CHECK(instance_json(i)["devices"].count("data") == 0);
    expect_fail(CALL(li_instance_device_remove(i, "data", ERR)), LI_ERR_NOT_FOUND, {"data"});
    // root comes from the default profile: not the instance's own device.
    expect_fail(CALL(li_instance_device_remove(i, "root", ERR)), LI_ERR_NOT_FOUND, {"root", "profile"});
    expect_invalid(CALL(li_instance_device_add_json(i, nullptr, disk.c_str(), ERR)), "name");
    expect_invalid(CALL(li_instance_device_add_json(i, "x", nullptr, ERR)), "device_json");
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

TEST_CASE("a running container: live keys apply at once, environment reaches exec") {
    auto name = unique_name("cfglive");
    auto inst = create_container(name);
    li_instance* i = inst.get();
    expect_ok(CALL(li_instance_start(i, nullptr, ERR)));

    expect_ok(CALL(li_instance_config_set_json(i, R"({"user.live":"1","environment.GREETING":"hello-config"})", ERR)));
    CHECK(config_get(i, "user.live") == "1");
    CHECK(exec_stdout(i, {"sh", "-c", "echo $GREETING"}) == "hello-config\n");
    int code = 0;
    expect_ok(CALL(li_instance_status_code(&code, i, ERR)));
    CHECK(code == 103);  // still running: nothing needed a restart

    auto before = writable(i);
    expect_invalid(CALL(li_instance_config_set(i, "limits.memory", "lots", ERR)), "config.limits.memory", {"lots"});
    CHECK(writable(i) == before);

    li_stop_opts stop = LI_STOP_OPTS_INIT;
    stop.force = 1;
    expect_ok(CALL(li_instance_stop(i, &stop, ERR)));
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

}  // TEST_SUITE
