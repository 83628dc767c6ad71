// Scheduled snapshots on real containers: a pass run with the test's own clock (the manager's
// thread is off in this binary, see meson.build) takes each due slot once, names and expires
// snapshots by the instance's settings, and deletes expired snapshots only.
#include <doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;
using Clock = std::chrono::system_clock;

namespace {

// A local time (schedules are read in the server's time zone), far from the real clock.
Clock::time_point local(int hour, int minute, int day = 6) {
    std::tm t{};
    t.tm_year = 2031 - 1900;
    t.tm_mon = 0;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_isdst = -1;
    return Clock::from_time_t(std::mktime(&t));
}

int64_t epoch(Clock::time_point t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

// The entries of one instance ("default/<name>/...").
std::vector<std::string> of(const std::vector<std::string>& entries, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& e : entries)
        if (e.starts_with("default/" + name + "/") || e.starts_with("default/" + name + ":")) out.push_back(e);
    return out;
}

std::vector<std::string> snapshot_names(Instance& c) {
    std::vector<std::string> out;
    for (const auto& s : c.snapshots()) out.push_back(s.name);
    return out;
}

using Names = std::vector<std::string>;

void remove_forced(Instance& c) {
    DeleteOptions force;
    force.force = true;
    c.remove(force);
}

}  // namespace

TEST_CASE("a schedule takes each due slot once, named by snapshots.pattern and expiring by snapshots.expiry") {
    auto& mgr = *shared().mgr;
    Instance c = launch("sched-hourly");
    c.set_config({{"snapshots.schedule", "0 * * * *"}, {"snapshots.pattern", "auto-%d"}, {"snapshots.expiry", "1H"}});

    auto first = mgr.run_snapshot_schedule(local(10, 0));
    CHECK(of(first.taken, "sched-hourly") == Names{"default/sched-hourly/auto-0"});
    CHECK(of(first.failed, "sched-hourly").empty());
    auto snap = c.get_snapshot("auto-0");
    CHECK(rfc3339_to_epoch(snap.expires_at) == epoch(local(11, 0)));

    // The same slot again, and a minute the schedule does not name: nothing.
    CHECK(of(mgr.run_snapshot_schedule(local(10, 0)).taken, "sched-hourly").empty());
    CHECK(of(mgr.run_snapshot_schedule(local(10, 0) + std::chrono::seconds(42)).taken, "sched-hourly").empty());
    CHECK(of(mgr.run_snapshot_schedule(local(10, 1)).taken, "sched-hourly").empty());
    CHECK(snapshot_names(c) == Names{"auto-0"});

    // The next hour: auto-1 is taken, then auto-0 (expiring at 11:00) goes.
    auto next = mgr.run_snapshot_schedule(local(11, 0));
    CHECK(of(next.taken, "sched-hourly") == Names{"default/sched-hourly/auto-1"});
    CHECK(of(next.pruned, "sched-hourly") == Names{"default/sched-hourly/auto-0"});
    CHECK(snapshot_names(c) == Names{"auto-1"});

    // No schedule: nothing more.
    c.unset_config("snapshots.schedule");
    CHECK(of(mgr.run_snapshot_schedule(local(13, 0)).taken, "sched-hourly").empty());
    remove_forced(c);
}

TEST_CASE("stopped instances get scheduled snapshots only with snapshots.schedule.stopped") {
    auto& mgr = *shared().mgr;
    Instance c = launch("sched-stopped", false);
    c.set_config("snapshots.schedule", "@daily");
    CHECK(of(mgr.run_snapshot_schedule(local(0, 0, 7)).taken, "sched-stopped").empty());
    CHECK(c.snapshots().empty());

    c.set_config("snapshots.schedule.stopped", "true");
    auto run = mgr.run_snapshot_schedule(local(0, 0, 8));
    CHECK(of(run.taken, "sched-stopped") == Names{"default/sched-stopped/snap0"});
    CHECK(c.get_snapshot("snap0").expires_at.empty());
    // @daily does not fire at 01:00.
    CHECK(of(mgr.run_snapshot_schedule(local(1, 0, 8)).taken, "sched-stopped").empty());
    remove_forced(c);
}

TEST_CASE("pruning deletes the expired snapshots only, of every instance, with their events") {
    auto& mgr = *shared().mgr;
    Instance c = launch("sched-prune", false);  // no schedule at all
    auto make = [&](const std::string& name, Clock::time_point expires) {
        api::InstanceSnapshotsPost post;
        post.name = name;
        if (expires != Clock::time_point()) post.expires_at = epoch_to_rfc3339(epoch(expires));
        c.snapshot(post);
    };
    make("old", local(9, 0, 9));
    make("exact", local(10, 0, 9));
    make("later", local(12, 0, 9));
    make("forever", Clock::time_point());

    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> events;
    auto sub = mgr.events().subscribe(EventFilter{{"lifecycle"}}, [&](const std::string& e) {
        std::lock_guard lock(m);
        events.push_back(e);
        cv.notify_all();
    });

    auto run = mgr.run_snapshot_schedule(local(10, 0, 9) + std::chrono::seconds(30));
    auto pruned = of(run.pruned, "sched-prune");
    std::sort(pruned.begin(), pruned.end());
    CHECK(pruned == Names{"default/sched-prune/exact", "default/sched-prune/old"});
    CHECK(snapshot_names(c) == Names{"later", "forever"});
    {
        std::unique_lock lock(m);
        bool seen = cv.wait_for(lock, std::chrono::seconds(5), [&] {
            int deleted = 0;
            for (const auto& e : events)
                if (e.find("instance-snapshot-deleted") != std::string::npos && e.find("sched-prune/snapshots/") != std::string::npos)
                    ++deleted;
            return deleted == 2;
        });
        CHECK(seen);
    }
    sub.reset();
    remove_forced(c);
}

TEST_CASE("two passes over the same slot at once take one snapshot between them") {
    auto& mgr = *shared().mgr;
    Instance c = launch("sched-race");
    c.set_config("snapshots.schedule", "*/5 * * * *");
    std::atomic<int> taken{0};
    auto pass = [&] {
        auto run = mgr.run_snapshot_schedule(local(15, 5, 10));
        taken += static_cast<int>(of(run.taken, "sched-race").size());
        CHECK(of(run.failed, "sched-race").empty());
    };
    std::thread a(pass), b(pass);
    a.join();
    b.join();
    CHECK(taken == 1);
    CHECK(snapshot_names(c) == Names{"snap0"});
    remove_forced(c);
}

TEST_CASE("@startup takes a snapshot when the instance starts, never on a minute") {
    auto& mgr = *shared().mgr;
    Instance c = launch("sched-startup", false);
    c.set_config({{"snapshots.schedule", "@startup, 0 0 1 1 *"}, {"snapshots.pattern", "boot-%d"}});
    CHECK(c.snapshots().empty());
    c.start();
    CHECK(snapshot_names(c) == Names{"boot-0"});
    CHECK(of(mgr.run_snapshot_schedule(local(10, 0)).taken, "sched-startup").empty());
    force_stop(c);
    c.start();
    CHECK(snapshot_names(c) == Names{"boot-0", "boot-1"});
    remove_forced(c);
}

TEST_CASE("bad schedules are refused naming the key") {
    Instance c = launch("sched-bad", false);
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"snapshots.schedule", "61 * * * *"}, {"snapshots.schedule", "@sometimes"},
             {"snapshots.schedule", "0 * * *"}, {"snapshots.schedule.stopped", "maybe"}}) {
        CAPTURE(value);
        Error e = error_of([&] { c.set_config(key, value); });
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "config." + key);
    }
    CHECK(c.info().config.count("snapshots.schedule") == 0);
    remove_forced(c);
}

TEST_CASE("the manager's own thread takes a due snapshot within the minute") {
    const char* saved = std::getenv("LIBINSTANCE_SNAPSHOT_SCHEDULER");
    std::string keep = saved ? saved : "";
    ::unsetenv("LIBINSTANCE_SNAPSHOT_SCHEDULER");
    TempDir dir("li-sched-thread");
    {
        auto mgr = open_with_busybox(dir.path());
        if (saved) ::setenv("LIBINSTANCE_SNAPSHOT_SCHEDULER", keep.c_str(), 1);
        api::InstancesPost post;
        post.name = "sched-thread";
        post.source.alias = "busybox";
        post.config = {{"snapshots.schedule", "* * * * *"}, {"snapshots.schedule.stopped", "true"}};
        Instance c = mgr->instances().create("default", post);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(75);
        while (c.snapshots().empty() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        CHECK(snapshot_names(c) == Names{"snap0"});
        remove_forced(c);
    }
}

TEST_CASE("a manager with its scheduler thread opens and closes without waiting for a minute") {
    const char* saved = std::getenv("LIBINSTANCE_SNAPSHOT_SCHEDULER");
    std::string keep = saved ? saved : "";
    ::unsetenv("LIBINSTANCE_SNAPSHOT_SCHEDULER");
    TempDir dir("li-sched");
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        auto mgr = Manager::open(dir.path());
        mgr.reset();
    }
    if (saved) ::setenv("LIBINSTANCE_SNAPSHOT_SCHEDULER", keep.c_str(), 1);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}
