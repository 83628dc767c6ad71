// Instance::update and the key-level config calls on real containers, stopped and running:
// the change is stored and applied, a refused change (bad key or value, stale ETag, changed
// volatile key) names what was wrong and leaves the instance exactly as it was.
#include <doctest.h>
#include <string>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;

namespace {

template <typename Fn>
Error expect_error(Fn&& fn, ErrorCode code, const std::string& needle, const std::string& key = {}) {
    try {
        fn();
    } catch (const Error& e) {
        CHECK_MESSAGE(e.code() == code, e.what());
        CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
        if (!key.empty()) CHECK(e.key() == key);
        return e;
    }
    FAIL("no error for ", needle);
    return Error(ErrorCode::Internal, "unreachable");
}

// Everything a refused change must leave alone (info() without the times and status).
std::string fingerprint(const Instance& inst) {
    api::Instance i = inst.info();
    i.last_used_at.clear();
    return api::to_json(i);
}

std::string run(Instance& inst, const std::vector<std::string>& argv) {
    ExecResult r = inst.exec(argv);
    REQUIRE_MESSAGE(r.exit_code == 0, r.stderr_data);
    return r.stdout_data;
}

void refused_changes_leave_everything(Instance& inst) {
    std::string before = fingerprint(inst);
    std::string etag = inst.etag();

    expect_error([&] { inst.set_config("limits.memory", "lots"); }, ErrorCode::InvalidArgument, "lots", "config.limits.memory");
    expect_error([&] { inst.set_config("no.such.key", "1"); }, ErrorCode::InvalidArgument, "no.such.key", "config.no.such.key");
    expect_error([&] { inst.set_config({{"user.fine", "1"}, {"limits.cpu", "many"}}); }, ErrorCode::InvalidArgument, "many", "config.limits.cpu");
    expect_error([&] { inst.add_device("d", {{"type", "disk"}, {"source", "/tmp"}, {"path", "/mnt"}, {"readonly", "perhaps"}}); },
                 ErrorCode::InvalidArgument, "perhaps", "devices.d.readonly");
    api::InstancePut put = api::put_of(inst.info());
    put.config["limits.processes"] = "0";
    expect_error([&] { inst.update(put); }, ErrorCode::InvalidArgument, "\"0\"", "config.limits.processes");
    put = api::put_of(inst.info());
    put.profiles.push_back("ghost");
    expect_error([&] { inst.update(put); }, ErrorCode::NotFound, "ghost");

    CHECK(fingerprint(inst) == before);
    CHECK(inst.etag() == etag);
}

}  // namespace

TEST_CASE("update on a stopped container: stored, validated, ETag-guarded, volatile keys kept") {
    Instance inst = launch("icfg-stopped", false);
    std::string etag = inst.etag();
    CHECK(inst.etag() == etag);

    // put_of(info()) sent back as is (volatile keys included) is accepted and changes nothing.
    api::Instance info = inst.info();
    bool has_volatile = false;
    for (const auto& [k, v] : info.config) has_volatile = has_volatile || k.rfind("volatile.", 0) == 0;
    CHECK_MESSAGE(has_volatile, api::to_json(info));
    std::string before = fingerprint(inst);
    inst.update(api::put_of(info), etag);
    CHECK(fingerprint(inst) == before);
    CHECK(inst.etag() == etag);

    api::InstancePut put = api::put_of(info);
    put.config["user.owner"] = "team-a";
    put.config["environment.GREETING"] = "hello-update";
    put.description = "configured";
    inst.update(put, etag);
    info = inst.info();
    CHECK(info.config.at("user.owner") == "team-a");
    CHECK(info.expanded_config.at("user.owner") == "team-a");
    CHECK(info.description == "configured");
    std::string etag2 = inst.etag();
    CHECK(etag2 != etag);

    // The first ETag is stale now.
    put.description = "lost update";
    expect_error([&] { inst.update(put, etag); }, ErrorCode::Conflict, "icfg-stopped", "etag");
    CHECK(inst.info().description == "configured");

    // A volatile key may not change, nor be added.
    for (const auto& [k, v] : info.config) {
        if (k.rfind("volatile.", 0) != 0) continue;
        api::InstancePut bad = api::put_of(info);
        bad.config[k] = v + "-changed";
        expect_error([&] { inst.update(bad); }, ErrorCode::InvalidArgument, k, "config." + k);
        break;
    }
    expect_error([&] { inst.set_config("volatile.made.up", "1"); }, ErrorCode::InvalidArgument, "volatile.made.up", "config.volatile.made.up");
    // volatile keys left out of a PUT are kept (a PUT replaces only what the user may set).
    api::InstancePut without;
    without.profiles = {"default"};
    without.config = {{"user.only", "1"}};
    inst.update(without);
    api::Instance after = inst.info();
    for (const auto& [k, v] : info.config)
        if (k.rfind("volatile.", 0) == 0) CHECK(after.config.at(k) == v);
    CHECK(after.config.count("user.owner") == 0);

    refused_changes_leave_everything(inst);

    // Devices: added, refused twice, removed; a profile's device is not the instance's own.
    inst.add_device("data", {{"type", "disk"}, {"source", "/tmp"}, {"path", "/mnt/data"}});
    CHECK(inst.info().expanded_devices.at("data").at("path") == "/mnt/data");
    expect_error([&] { inst.add_device("data", {{"type", "none"}}); }, ErrorCode::AlreadyExists, "data", "devices.data");
    inst.set_device("data", {{"type", "disk"}, {"source", "/tmp"}, {"path", "/mnt/other"}, {"readonly", "true"}});
    CHECK(inst.info().devices.at("data").at("path") == "/mnt/other");
    inst.remove_device("data");
    CHECK(inst.info().devices.count("data") == 0);
    expect_error([&] { inst.remove_device("data"); }, ErrorCode::NotFound, "data", "devices.data");
    expect_error([&] { inst.remove_device("root"); }, ErrorCode::NotFound, "profile", "devices.root");

    // Key level.
    CHECK(inst.get_config("user.only") == std::optional<std::string>("1"));
    inst.set_config("user.only", "");
    CHECK_FALSE(inst.get_config("user.only").has_value());
    expect_error([&] { inst.unset_config("user.only"); }, ErrorCode::NotFound, "user.only", "config.user.only");

    // The environment reaches the container once it runs.
    inst.set_config("environment.GREETING", "hello-stopped");
    inst.start();
    CHECK(run(inst, {"sh", "-c", "echo $GREETING"}) == "hello-stopped\n");
    inst.stop({.force = true});
    inst.remove();
}

TEST_CASE("update on a running container: live keys at once, environment after a restart, refusals change nothing") {
    Instance inst = launch("icfg-running");
    REQUIRE(inst.state().status == "Running");

    api::InstancePut put = api::put_of(inst.info());
    put.config["user.visible"] = "yes";
    put.config["environment.ICFG"] = "first";
    inst.update(put, inst.etag());
    CHECK(inst.info().config.at("user.visible") == "yes");
    CHECK(inst.info().expanded_config.at("user.visible") == "yes");
    CHECK(inst.state().status == "Running");
    // exec sessions take the instance's environment.* keys.
    CHECK(run(inst, {"sh", "-c", "echo $ICFG"}) == "first\n");

    inst.set_config("environment.ICFG", "second");
    inst.restart({.force = true});
    CHECK(run(inst, {"sh", "-c", "echo $ICFG"}) == "second\n");
    // The init got it too (lxc.environment): visible in PID 1's environment.
    CHECK(run(inst, {"sh", "-c", "tr '\\0' '\\n' < /proc/1/environ | grep ^ICFG="}) == "ICFG=second\n");

    refused_changes_leave_everything(inst);
    CHECK(inst.state().status == "Running");

    // As an operation.
    put = api::put_of(inst.info());
    put.config["user.async"] = "1";
    Operation op = inst.update_async(put, inst.etag());
    op.wait(std::chrono::seconds(60));
    op.get();
    CHECK(inst.get_config("user.async") == std::optional<std::string>("1"));

    inst.stop({.force = true});
    inst.remove();
}
