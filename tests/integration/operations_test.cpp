#include <doctest.h>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/shared_manager.hpp"
#include "support/tar_writer.hpp"
#include "sys/fs.hpp"

using namespace li;
using namespace li::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Collects events delivered to a subscription.
struct EventLog {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<json> events;

    EventCallback callback() {
        return [this](const std::string& text) {
            std::lock_guard lock(mutex);
            events.push_back(json::parse(text));
            cv.notify_all();
        };
    }
    std::vector<json> snapshot() {
        std::lock_guard lock(mutex);
        return events;
    }
    // Waits until pred holds for the events so far (delivery is asynchronous).
    bool wait_for(const std::function<bool(const std::vector<json>&)>& pred) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(20), [&] { return pred(events); });
    }
};

std::vector<std::string> lifecycle_actions(const std::vector<json>& events, const std::string& source_part) {
    std::vector<std::string> out;
    for (const auto& e : events) {
        if (e["type"] == "lifecycle" && e["metadata"]["source"].get<std::string>().find(source_part) != std::string::npos)
            out.push_back(e["metadata"]["action"]);
    }
    return out;
}

// An uncompressed image whose rootfs holds one big file, so unpacking takes a while.
fs::path write_big_image(const fs::path& dir, size_t megabytes) {
    fs::path tarball = dir / "big.tar";
    std::vector<TarEntry> entries{file_entry("metadata.yaml", kTestMetadata), dir_entry("rootfs"),
                                  dir_entry("rootfs/data")};
    for (size_t i = 0; i < megabytes / 16; i++)
        entries.push_back(file_entry("rootfs/data/blob" + std::to_string(i), std::string(16 << 20, 'x')));
    write_tar_gz(tarball, entries);  // gzip of a constant compresses fast and still reads slowly
    return tarball;
}

api::InstancesPost post_for(const std::string& name, const std::string& image = "busybox") {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = image;
    return post;
}

}  // namespace

TEST_CASE("an async create is an operation that can be waited on, listed and found by id") {
    auto op = shared().mgr->instances().create_async("default", post_for("op1"));
    CHECK(op.id().size() == 36);
    CHECK(op.wait(std::chrono::seconds(60)));
    op.get();
    auto info = op.info();
    CHECK(info.status == "Success");
    CHECK(info.status_code == 200);
    CHECK(info.description == "Creating instance");
    CHECK(info.resources.at("instances") == std::vector<std::string>{"/1.0/instances/op1"});
    CHECK(info.err.empty());
    bool listed = false;
    for (const auto& o : shared().mgr->operations().list()) listed |= o.id == op.id();
    CHECK(listed);
    CHECK(shared().mgr->operations().get(op.id()).info().status == "Success");
    CHECK_THROWS_AS(shared().mgr->operations().get("no-such-operation"), Error);
    CHECK(instance_exists("op1"));

    auto start = shared().mgr->instances().get("default", "op1").start_async();
    start.get();
    auto cancel_start = [&] { start.cancel(); };
    CHECK_NOTHROW(cancel_start());  // ended already: nothing to do
    auto del = shared().mgr->instances().get("default", "op1").remove_async({true});
    try {
        del.cancel();
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::NotSupported);
    }
    del.get();
    CHECK_FALSE(instance_exists("op1"));
}

TEST_CASE("a failed async operation reports its error through get() and the operation") {
    auto op = shared().mgr->instances().create_async("default", post_for("opfail", "no-such-image"));
    try {
        op.get();
        FAIL("succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::NotFound);
    }
    CHECK(op.info().status == "Failure");
    CHECK(op.info().err.find("no-such-image") != std::string::npos);
}

TEST_CASE("lifecycle and operation events of create, start, exec, snapshot, stop, delete arrive in order") {
    EventLog log;
    auto sub = shared().mgr->events().subscribe(EventFilter{}, log.callback());
    Instance c = launch("ev1", false);
    c.start();
    CHECK(c.exec({"true"}).exit_code == 0);
    api::InstanceSnapshotsPost snap;
    snap.name = "snap0";
    c.snapshot(snap);
    c.stop({true});
    c.remove();
    // The snapshot's events name it under its instance; deleting the instance deletes (and
    // announces) its snapshots first, as LXD does.
    std::vector<std::string> expected{"instance-created",          "instance-started", "instance-exec",
                                      "instance-snapshot-created", "instance-stopped", "instance-snapshot-deleted",
                                      "instance-deleted"};
    CHECK(log.wait_for([&](const auto& ev) { return lifecycle_actions(ev, "/instances/ev1").size() >= expected.size(); }));
    CHECK(lifecycle_actions(log.snapshot(), "/instances/ev1") == expected);
    for (const auto& e : log.snapshot()) {
        if (e["type"] != "lifecycle") continue;
        const auto& meta = e["metadata"];
        if (meta["action"] == "instance-exec") CHECK(meta["context"]["command"] == json::array({"true"}));
        if (meta["action"].get<std::string>().starts_with("instance-snapshot-"))
            CHECK(meta["source"] == "/1.0/instances/ev1/snapshots/snap0");
    }

    // Each operation goes Pending -> Running -> Success, as operation events. Those are delivered
    // asynchronously: the last Success may come after the call returned, so wait for all five.
    auto statuses_of = [](const std::vector<json>& events) {
        std::map<std::string, std::vector<std::string>> statuses;
        for (const auto& e : events)
            if (e["type"] == "operation" && e["metadata"]["resources"]["instances"][0] == "/1.0/instances/ev1")
                statuses[e["metadata"]["id"]].push_back(e["metadata"]["status"]);
        return statuses;
    };
    CHECK(log.wait_for([&](const auto& ev) {
        auto statuses = statuses_of(ev);
        return statuses.size() >= 5 &&
               std::all_of(statuses.begin(), statuses.end(), [](const auto& s) { return s.second.back() == "Success"; });
    }));
    for (const auto& e : log.snapshot()) {
        CHECK(e["project"] == "default");
        CHECK(e.contains("timestamp"));
    }
    auto statuses = statuses_of(log.snapshot());
    CHECK(statuses.size() == 5);  // create, start, snapshot, stop, delete
    for (const auto& [id, seq] : statuses) {
        CAPTURE(id);
        REQUIRE(seq.size() >= 3);
        CHECK(seq.front() == "Pending");
        CHECK(seq.back() == "Success");
    }
    CHECK(sub->dropped() == 0);
}

TEST_CASE("a subscription filters by type and project, and logging events carry context") {
    EventLog lifecycle_only, other_project, logging;
    EventFilter f1;
    f1.types = {"lifecycle"};
    auto s1 = shared().mgr->events().subscribe(f1, lifecycle_only.callback());
    EventFilter f2;
    f2.types = {"lifecycle", "operation"};  // logging events belong to no project
    f2.project = "elsewhere";
    auto s2 = shared().mgr->events().subscribe(f2, other_project.callback());
    EventFilter f3;
    f3.types = {"logging"};
    f3.log_level = "info";
    auto s3 = shared().mgr->events().subscribe(f3, logging.callback());
    Instance c = launch("ev2", false);
    c.remove();
    CHECK(lifecycle_only.wait_for([](const auto& ev) { return ev.size() >= 2; }));
    for (const auto& e : lifecycle_only.snapshot()) CHECK(e["type"] == "lifecycle");
    CHECK(logging.wait_for([](const auto& ev) {
        for (const auto& e : ev)
            if (e["metadata"]["message"] == "instance created" && e["metadata"]["context"]["instance"] == "ev2") return true;
        return false;
    }));
    CHECK(other_project.snapshot().empty());
    EventFilter bad;
    bad.types = {"nonsense"};
    CHECK_THROWS_AS(shared().mgr->events().subscribe(bad, [](const std::string&) {}), Error);
}

TEST_CASE("a subscriber that never returns does not block the library; overflow is counted") {
    std::mutex gate;
    gate.lock();  // the callback blocks on it until the test ends
    std::atomic<int> calls{0};
    EventFilter f;
    f.queue_size = 4;
    auto sub = shared().mgr->events().subscribe(f, [&](const std::string&) {
        calls++;
        std::lock_guard wait(gate);
    });
    for (int i = 0; i < 3; i++) {
        Instance c = launch("slow" + std::to_string(i), false);
        c.remove();
    }
    CHECK(sub->dropped() > 0);
    CHECK(calls == 1);
    gate.unlock();
    sub->unsubscribe();
}

TEST_CASE("log records go to a configured file") {
    TempDir dir("li-logfile");
    fs::path file = dir.path() / "lib.log";
    shared().mgr->set_log(LogOptions{"info", file.string()});
    Instance c = launch("logf1", false);
    c.remove();
    shared().mgr->set_log(LogOptions{"warn", "none"});
    std::string text = read_file(file);
    CHECK(text.find("instance created") != std::string::npos);
    CHECK(text.find("instance=logf1") != std::string::npos);
    CHECK_THROWS_AS(shared().mgr->set_log(LogOptions{"loud", ""}), Error);
}

TEST_CASE("progress is reported and monotonic, and a cancelled create leaves nothing behind") {
    TempDir dir("li-big");
    fs::path tarball = write_big_image(dir.path(), 512);
    ImageImportOptions import_opts;
    import_opts.alias = "big";
    auto image = shared().mgr->images().import_file("default", tarball, import_opts);
    fs::path pool = shared().dir.path() / "storage-pools/default";

    EventLog log;
    EventFilter f;
    f.types = {"operation"};
    auto sub = shared().mgr->events().subscribe(f, log.callback());
    auto op = shared().mgr->instances().create_async("default", post_for("big1", "big"));
    CHECK(op.info().may_cancel);
    // Wait until unpacking has visibly started, then cancel.
    CHECK(log.wait_for([&](const auto& ev) {
        for (const auto& e : ev)
            if (e["metadata"]["id"] == op.id() && e["metadata"]["metadata"].contains("create_instance_from_image_unpack_progress"))
                return true;
        return false;
    }));
    CHECK_FALSE(op.wait(std::chrono::milliseconds(0)));
    op.cancel();
    try {
        op.get();
        FAIL("cancelled create succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Cancelled);
    }
    CHECK(op.info().status == "Cancelled");
    CHECK(op.info().status_code == 401);
    CHECK_FALSE(instance_exists("big1"));
    CHECK_FALSE(fs::exists(pool / "containers/big1"));
    CHECK_FALSE(fs::exists(pool / "containers/big1.creating"));
    CHECK_FALSE(fs::exists(pool / "images" / image.fingerprint));
    CHECK_FALSE(fs::exists(pool / "images" / (image.fingerprint + ".creating")));

    // The same create, not cancelled: the unpack percentages only go up and reach 100.
    log.events.clear();
    auto done = shared().mgr->instances().create_async("default", post_for("big2", "big"));
    done.get();
    std::vector<int> percents;
    for (const auto& e : log.snapshot()) {
        if (e["metadata"]["id"] != done.id()) continue;
        auto md = e["metadata"]["metadata"];
        if (!md.contains("create_instance_from_image_unpack_progress")) continue;
        std::string text = md["create_instance_from_image_unpack_progress"];
        percents.push_back(std::stoi(text.substr(text.find(": ") + 2)));
    }
    CHECK(percents.size() >= 3);
    CHECK(std::is_sorted(percents.begin(), percents.end()));
    CHECK(percents.back() == 100);
    shared().mgr->instances().get("default", "big2").remove();
    shared().mgr->images().remove("default", "big");
}

TEST_CASE("8 threads creating, starting, exec-ing and deleting 50 containers all succeed") {
    constexpr int kThreads = 8;
    constexpr int kContainers = 50;
    std::atomic<int> next{0};
    std::mutex failures_mutex;
    std::vector<std::string> failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&] {
            for (int i = next++; i < kContainers; i = next++) {
                std::string name = "stress" + std::to_string(i);
                try {
                    api::InstancesPost post = post_for(name);
                    post.start = true;
                    Instance c = shared().mgr->instances().create("default", post);
                    auto r = c.exec({"cat", "/etc/hostname"});
                    if (r.exit_code != 0 || r.stdout_data != name + "\n")
                        throw Error(ErrorCode::Internal, "exec in " + name + " gave " + r.stdout_data);
                    c.remove({true});
                } catch (const std::exception& e) {
                    std::lock_guard lock(failures_mutex);
                    failures.push_back(name + ": " + e.what());
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& f : failures) CAPTURE(f);
    CHECK_MESSAGE(failures.empty(), failures.size(), " failures, first: ", failures.empty() ? "" : failures.front());
    // Other tests share the manager: only this test's containers must be gone.
    for (const auto& i : shared().mgr->instances().list("default")) CHECK_MESSAGE(i.name.rfind("stress", 0) != 0, i.name, " was left");
}
