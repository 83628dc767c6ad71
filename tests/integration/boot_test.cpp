// Host boot and shutdown: the first open after a host boot starts boot.autostart instances (and
// those running at the last shutdown) by priority; shutdown_instances stops the running ones.
#include <doctest.h>
#include <fstream>

#include "support/temp_state.hpp"

using namespace li;
using namespace li::test;

namespace {

Instance make(Manager& mgr, const std::string& name, const api::ConfigMap& config) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.config = config;
    return mgr.instances().create("default", post);
}

// Waits for the open's "Starting instances" operation; false when there is none.
bool wait_autostart(Manager& mgr) {
    for (const auto& op : mgr.operations().list()) {
        if (op.description != "Starting instances") continue;
        mgr.operations().get(op.id).wait();
        return true;
    }
    return false;
}

bool running(Manager& mgr, const std::string& name) { return mgr.instances().get("default", name).state().status_code == 103; }

}  // namespace

TEST_CASE("autostart at the first open after a host boot, by priority; shutdown_instances keeps them to restart") {
    TempDir dir("li-boot");
    {
        auto mgr = open_with_busybox(dir.path());
        wait_autostart(*mgr);  // a new state directory: nothing to start
        make(*mgr, "bta", {{"boot.autostart", "true"}, {"boot.autostart.priority", "1"}});
        make(*mgr, "btb", {{"boot.autostart", "true"}, {"boot.autostart.priority", "5"}, {"boot.autostart.delay", "1"}});
        make(*mgr, "btc", {{"boot.autostart", "false"}});
        Instance d = make(*mgr, "btd", {});
        Instance e = make(*mgr, "bte", {{"boot.host_shutdown_timeout", "3"}, {"boot.stop.priority", "2"}});
        d.start();
        d.stop(StopOptions{true});  // stopped by its user: stays stopped
        e.start();
        mgr->instances().get("default", "btc").start();
        mgr->shutdown_instances();  // host shutdown: e and c stop but e was running
        CHECK_FALSE(running(*mgr, "bte"));
        CHECK_FALSE(running(*mgr, "btc"));
        CHECK(e.info().config.at("volatile.last_state.power") == "RUNNING");
        CHECK(d.info().config.at("volatile.last_state.power") == "STOPPED");
    }
    // Another boot id: the next open is the first of a new boot.
    {
        std::ofstream(dir.path() / "boot_id") << "a-previous-boot\n";
    }
    {
        auto mgr = Manager::open(dir.path());
        REQUIRE(wait_autostart(*mgr));
        CHECK(running(*mgr, "bta"));
        CHECK(running(*mgr, "btb"));
        CHECK(running(*mgr, "bte"));  // running at the host's shutdown, no boot.autostart set
        CHECK_FALSE(running(*mgr, "btc"));  // boot.autostart=false wins over its last state
        CHECK_FALSE(running(*mgr, "btd"));
        // Higher priority first, and a's start waited for b's delay.
        std::string a_used = mgr->instances().get("default", "bta").info().last_used_at;
        std::string b_used = mgr->instances().get("default", "btb").info().last_used_at;
        CHECK(b_used < a_used);
        for (const char* n : {"bta", "btb", "bte"}) mgr->instances().get("default", n).stop(StopOptions{true});
    }
    // Same boot: opening again starts nothing.
    {
        auto mgr = Manager::open(dir.path());
        CHECK_FALSE(wait_autostart(*mgr));
        CHECK_FALSE(running(*mgr, "bta"));
        for (const char* n : {"bta", "btb", "btc", "btd", "bte"}) mgr->instances().get("default", n).remove(DeleteOptions{true});
    }
}
