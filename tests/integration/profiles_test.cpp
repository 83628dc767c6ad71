// Profiles against real containers: ordered application (later wins, type none masks), used_by,
// rename followed by instances, delete refused while used, bad values and changes that would break
// an instance refused with nothing changed, a change reaching a running container, events.
#include <condition_variable>
#include <doctest.h>
#include <fmt/format.h>
#include <mutex>
#include <nlohmann/json.hpp>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

api::ProfilesPost profile_post(const std::string& name, api::ConfigMap config, api::DeviceMap devices = {}) {
    api::ProfilesPost p;
    p.name = name;
    p.config = std::move(config);
    p.devices = std::move(devices);
    return p;
}

Instance launch_with(const std::string& name, std::vector<std::string> profiles) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.start = true;
    post.profiles = std::move(profiles);
    return shared().mgr->instances().create("default", post);
}


// Lifecycle actions on /1.0/profiles/..., in arrival order.
struct ProfileEvents {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> actions;
    EventCallback callback() {
        return [this](const std::string& text) {
            auto e = nlohmann::json::parse(text);
            if (e["type"] != "lifecycle") return;
            std::string source = e["metadata"]["source"];
            if (source.rfind("/1.0/profiles/ip-ev", 0) != 0) return;
            std::lock_guard lock(mutex);
            actions.push_back(e["metadata"]["action"].get<std::string>() + " " + source);
            cv.notify_all();
        };
    }
    std::vector<std::string> wait_for(size_t n) {
        std::unique_lock lock(mutex);
        cv.wait_for(lock, std::chrono::seconds(20), [&] { return actions.size() >= n; });
        return actions;
    }
};

}  // namespace

TEST_CASE("profiles apply in order, none masks, used_by, rename followed, delete refused while used") {
    auto& profiles = shared().mgr->profiles();
    profiles.create("default", profile_post("ip-a", {{"user.who", "a"}, {"user.only_a", "1"}, {"environment.IP_A", "from-a"}},
                                            {{"tmp", {{"type", "disk"}, {"source", "/tmp"}, {"path", "/mnt/hosttmp"}}}}));
    profiles.create("default", profile_post("ip-b", {{"user.who", "b"}}, {{"tmp", {{"type", "none"}}}}));
    Instance c = launch_with("ipord", {"default", "ip-a", "ip-b"});
    api::Instance info = c.info();
    CHECK(info.expanded_config.at("user.who") == "b");
    CHECK(info.expanded_config.at("user.only_a") == "1");
    CHECK(info.expanded_devices.count("tmp") == 0);  // masked by ip-b's none device
    CHECK(info.expanded_devices.count("root") == 1);
    CHECK(sh(c, "echo $IP_A") == "from-a\n");
    CHECK(sh(c, "tr '\\0' '\\n' < /proc/1/environ | grep IP_A") == "IP_A=from-a\n");
    CHECK(profiles.get("default", "ip-a").used_by == std::vector<std::string>{"/1.0/instances/ipord"});
    auto def_users = profiles.get("default", "default").used_by;
    CHECK(std::find(def_users.begin(), def_users.end(), "/1.0/instances/ipord") != def_users.end());

    Error busy = error_of([&] { profiles.remove("default", "ip-a"); });
    CHECK(busy.code() == ErrorCode::Conflict);
    CHECK(contains(busy.what(), "ip-a"));
    CHECK(contains(busy.what(), "ipord"));
    CHECK(profiles.exists("default", "ip-a"));

    profiles.rename("default", "ip-a", "ip-a2");
    CHECK_FALSE(profiles.exists("default", "ip-a"));
    CHECK(c.info().profiles == std::vector<std::string>{"default", "ip-a2", "ip-b"});
    CHECK(c.info().expanded_config.at("user.only_a") == "1");
    Error taken = error_of([&] { profiles.rename("default", "ip-a2", "ip-b"); });
    CHECK(taken.code() == ErrorCode::AlreadyExists);
    CHECK(taken.key() == "new_name");
    CHECK(error_of([&] { profiles.rename("default", "default", "x"); }).code() == ErrorCode::InvalidArgument);
    CHECK(error_of([&] { profiles.remove("default", "default"); }).code() == ErrorCode::InvalidArgument);

    // Swapping the order through the instance makes ip-a2 win.
    api::InstancePut put = api::put_of(c.info());
    put.profiles = {"default", "ip-b", "ip-a2"};
    c.update(put);
    CHECK(c.info().expanded_config.at("user.who") == "a");
    CHECK(c.info().expanded_devices.count("tmp") == 1);

    c.remove({true});
    profiles.remove("default", "ip-a2");
    profiles.remove("default", "ip-b");
    CHECK(error_of([&] { profiles.get("default", "ip-b"); }).code() == ErrorCode::NotFound);
}

TEST_CASE("a profile change reaches running instances; refused changes keep everything as it was") {
    auto& profiles = shared().mgr->profiles();
    profiles.create("default", profile_post("ip-live", {{"environment.IP_LIVE", "one"}, {"user.k", "v1"}}));
    Instance c = launch_with("iplive", {"default", "ip-live"});
    CHECK(sh(c, "echo $IP_LIVE") == "one\n");

    std::string etag = profiles.etag("default", "ip-live");
    api::ProfilePut put = api::put_of(profiles.get("default", "ip-live"));
    put.config["environment.IP_LIVE"] = "two";
    put.config["user.k"] = "v2";
    profiles.update("default", "ip-live", put, etag);
    CHECK(c.info().expanded_config.at("user.k") == "v2");
    CHECK(sh(c, "echo $IP_LIVE") == "two\n");
    // A stale ETag is refused.
    Error stale = error_of([&] { profiles.update("default", "ip-live", put, etag); });
    CHECK(stale.code() == ErrorCode::Conflict);
    CHECK(stale.key() == "etag");
    // After a restart the init itself has the new value.
    c.restart({true});
    CHECK(sh(c, "tr '\\0' '\\n' < /proc/1/environ | grep IP_LIVE") == "IP_LIVE=two\n");

    // A bad value: refused naming the key and value; nothing changed.
    api::ProfilePut bad = put;
    bad.config["limits.processes"] = "lots";
    Error invalid = error_of([&] { profiles.update("default", "ip-live", bad, {}); });
    CHECK(invalid.code() == ErrorCode::InvalidArgument);
    CHECK(invalid.key() == "config.limits.processes");
    CHECK(contains(invalid.what(), "lots"));
    CHECK(profiles.get("default", "ip-live").config == put.config);

    // Taking the root disk away from the instance: refused, naming it; nothing changed.
    api::ProfilePut no_root = api::put_of(profiles.get("default", "default"));
    no_root.devices.erase("root");
    Error broken = error_of([&] { profiles.update("default", "default", no_root); });
    CHECK(broken.code() == ErrorCode::InvalidArgument);
    CHECK(contains(broken.what(), "iplive"));
    CHECK(profiles.get("default", "default").devices.count("root") == 1);
    CHECK(c.state().status == "Running");

    c.remove({true});
    profiles.remove("default", "ip-live");
}

TEST_CASE("bad profiles are refused naming the key; nothing is created") {
    auto& profiles = shared().mgr->profiles();
    auto count = profiles.list("default").size();
    Error e1 = error_of([&] { profiles.create("default", profile_post("ip-bad", {{"no.such.key", "1"}})); });
    CHECK(e1.code() == ErrorCode::InvalidArgument);
    CHECK(e1.key() == "config.no.such.key");
    Error e2 = error_of([&] { profiles.create("default", profile_post("ip-bad", {}, {{"d", {{"type", "warp-drive"}}}})); });
    CHECK(e2.code() == ErrorCode::InvalidArgument);
    CHECK(contains(e2.what(), "warp-drive"));
    Error e3 = error_of([&] { profiles.create("default", profile_post("a/b", {})); });
    CHECK(e3.key() == "name");
    CHECK(contains(e3.what(), "a/b"));
    CHECK(error_of([&] { profiles.create("default", profile_post("default", {})); }).code() == ErrorCode::AlreadyExists);
    CHECK(profiles.list("default").size() == count);
}

TEST_CASE("profile lifecycle events") {
    ProfileEvents events;
    auto sub = shared().mgr->events().subscribe(EventFilter{}, events.callback());
    auto& profiles = shared().mgr->profiles();
    profiles.create("default", profile_post("ip-ev", {}));
    profiles.update("default", "ip-ev", api::ProfilePut{"d", {{"user.x", "1"}}, {}});
    profiles.rename("default", "ip-ev", "ip-ev2");
    profiles.remove("default", "ip-ev2");
    std::vector<std::string> expected{"profile-created /1.0/profiles/ip-ev", "profile-updated /1.0/profiles/ip-ev",
                                      "profile-renamed /1.0/profiles/ip-ev2", "profile-deleted /1.0/profiles/ip-ev2"};
    CHECK(events.wait_for(4) == expected);
}
