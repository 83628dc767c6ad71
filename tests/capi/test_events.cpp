// Events and logging through the C ABI against real containers: lifecycle and operation events
// in order, payload ownership, freeing from the callback, slow subscribers, log output.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// Collects the events of one subscription; the payload of its callbacks.
struct Collector {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<nlohmann::json> events;
    int unparsable = 0;
    std::atomic<int> frees{0};
    std::atomic<int> calls_after_free{0};

    static void on_event(const char* json, void* payload) {
        auto* self = static_cast<Collector*>(payload);
        auto doc = nlohmann::json::parse(json, nullptr, false);
        std::lock_guard lock(self->mutex);
        if (self->frees.load() != 0) {
            ++self->calls_after_free;
        }
        if (doc.is_discarded()) {
            ++self->unparsable;
        } else {
            self->events.push_back(std::move(doc));
        }
        self->cv.notify_all();
    }
    static void on_free(void* payload) {
        ++static_cast<Collector*>(payload)->frees;
    }

    /// Waits until some event satisfies pred; false after the timeout.
    template <class Pred>
    bool wait_for_event(Pred pred, std::chrono::seconds timeout = 30s) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, timeout, [&] {
            return std::any_of(events.begin(), events.end(), pred);
        });
    }
    std::vector<nlohmann::json> snapshot() {
        std::lock_guard lock(mutex);
        return events;
    }
};

SubscriptionPtr subscribe(Collector& c, const char* types, const char* log_level = nullptr) {
    li_subscribe_opts opts = LI_SUBSCRIBE_OPTS_INIT;
    opts.types = types;
    opts.log_level = log_level;
    li_subscription* sub = nullptr;
    auto o = CALL(li_manager_subscribe(&sub, env().mgr.get(), &opts, Collector::on_event, &c,
                                       Collector::on_free, ERR));
    expect_ok(o);
    REQUIRE(sub != nullptr);
    return SubscriptionPtr{sub};
}

std::string source_of(const std::string& name) {
    return "/1.0/instances/" + name;
}

bool is_lifecycle(const nlohmann::json& e, const std::string& action, const std::string& source) {
    return e.value("type", "") == "lifecycle" && e.at("metadata").value("action", "") == action &&
           e.at("metadata").value("source", "") == source;
}

void delete_forced(li_instance* inst) {
    li_delete_opts del = LI_DELETE_OPTS_INIT;
    del.force = 1;
    expect_ok(CALL(li_instance_delete(inst, &del, ERR)));
}

/// Creates and deletes a stopped container: two lifecycle events.
void create_and_delete(const std::string& name) {
    auto inst = create_container(name);
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
}

}  // namespace

TEST_SUITE("events") {

TEST_CASE("lifecycle events of one container (create, start, snapshot, stop, delete) arrive in order; none after the free") {
    Collector c;
    auto sub = subscribe(c, "lifecycle");
    auto name = unique_name("evlife");
    auto inst = create_container(name);
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    expect_ok(CALL(li_instance_snapshot_create_json(nullptr, inst.get(), R"({"name":"snap0"})", ERR)));
    li_stop_opts stop = LI_STOP_OPTS_INIT;
    stop.force = 1;
    expect_ok(CALL(li_instance_stop(inst.get(), &stop, ERR)));
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
    auto source = source_of(name);
    REQUIRE(c.wait_for_event(
        [&](const nlohmann::json& e) { return is_lifecycle(e, "instance-deleted", source); }));

    std::vector<std::string> actions;
    for (const auto& e : c.snapshot()) {
        CAPTURE(e.dump());
        CHECK(e.at("type") == "lifecycle");  // the filter holds back operation and logging events
        CHECK(e.at("project") == "default");
        CHECK(e.at("location") == "none");
        CHECK(e.at("timestamp").get<std::string>().size() >= 20);
        auto event_source = e.at("metadata").at("source").get<std::string>();
        if (event_source == source || event_source == source + "/snapshots/snap0") {
            actions.push_back(e.at("metadata").at("action"));
        }
    }
    // Deleting an instance deletes (and announces) its snapshots first, as LXD does.
    CHECK(actions == std::vector<std::string>{"instance-created", "instance-started", "instance-snapshot-created",
                                              "instance-stopped", "instance-snapshot-deleted", "instance-deleted"});
    CHECK(c.unparsable == 0);
    CHECK(li_subscription_dropped(sub.get()) == 0);

    CHECK(c.frees.load() == 0);
    sub.reset();
    CHECK(c.frees.load() == 1);
    auto seen = c.snapshot().size();
    create_and_delete(unique_name("evafter"));
    std::this_thread::sleep_for(200ms);
    CHECK(c.snapshot().size() == seen);
    CHECK(c.calls_after_free.load() == 0);
    CHECK(c.frees.load() == 1);
}

TEST_CASE("operation events follow an async create to Success") {
    Collector c;
    auto sub = subscribe(c, "operation");
    auto name = unique_name("evop");
    li_operation* raw = nullptr;
    expect_ok(CALL(li_instance_create_json_async(&raw, env().mgr.get(), nullptr,
                                                 post_json(name).c_str(), ERR)));
    REQUIRE(raw != nullptr);
    OperationPtr op{raw};
    std::string id = li_operation_id(raw);
    expect_ok(CALL(li_operation_wait(raw, -1, ERR)));
    REQUIRE(c.wait_for_event([&](const nlohmann::json& e) {
        return e.at("metadata").value("id", "") == id && e.at("metadata").value("status", "") == "Success";
    }));

    std::vector<std::string> statuses;
    for (const auto& e : c.snapshot()) {
        CAPTURE(e.dump());
        CHECK(e.at("type") == "operation");
        const auto& md = e.at("metadata");
        if (md.at("id") != id) {
            continue;
        }
        CHECK(md.at("description") == "Creating instance");
        CHECK(md.at("class") == "task");
        CHECK(md.at("resources").at("instances") == nlohmann::json::array({source_of(name)}));
        statuses.push_back(md.at("status"));
    }
    REQUIRE(statuses.size() >= 2);
    CHECK(statuses.back() == "Success");
    CHECK(std::find(statuses.begin(), statuses.end(), "Running") != statuses.end());
    // Nothing after the end, and nothing that is not a step of a successful run.
    CHECK(std::count(statuses.begin(), statuses.end(), "Success") == 1);
    for (const auto& s : statuses) {
        CHECK((s == "Pending" || s == "Running" || s == "Success"));
    }
    // The final event is the operation as li_operation_get_json shows it.
    CHECK(c.snapshot().back().at("metadata").at("status_code") == 200);

    li_instance* i = nullptr;
    expect_ok(CALL(li_instance_get(&i, env().mgr.get(), nullptr, name.c_str(), ERR)));
    InstancePtr inst{i};
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
    sub.reset();
    CHECK(c.frees.load() == 1);
}

TEST_CASE("free_payload runs exactly once, also without events and when it is NULL") {
    {
        Collector c;
        auto sub = subscribe(c, "lifecycle");
        sub.reset();
        CHECK(c.frees.load() == 1);
        CHECK(c.snapshot().empty());
    }
    {
        Collector c;
        li_subscription* sub = nullptr;
        expect_ok(CALL(li_manager_subscribe(&sub, env().mgr.get(), nullptr, Collector::on_event, &c,
                                            nullptr, ERR)));
        REQUIRE(sub != nullptr);
        create_and_delete(unique_name("evnofree"));
        CHECK(c.wait_for_event([](const nlohmann::json& e) {
            return e.at("metadata").value("action", "") == "instance-deleted";
        }));
        li_subscription_free(sub);
        CHECK(c.frees.load() == 0);
    }
}

namespace {

/// A subscriber that ends its own subscription from its first callback.
struct SelfFreeing {
    std::atomic<li_subscription*> sub{nullptr};
    std::atomic<int> calls{0};
    std::atomic<int> frees{0};
    std::atomic<bool> free_returned{false};
    std::atomic<bool> callback_returned{false};
    std::atomic<bool> freed_after_callback{false};

    static void on_event(const char*, void* payload) {
        auto* self = static_cast<SelfFreeing*>(payload);
        if (++self->calls != 1) {
            return;
        }
        // The handle is published right after li_manager_subscribe() returns.
        for (int i = 0; i < 10000 && self->sub.load() == nullptr; ++i) {
            std::this_thread::sleep_for(1ms);
        }
        li_subscription_free(self->sub.load());
        self->free_returned = true;
        std::this_thread::sleep_for(50ms);  // the payload is still in use here
        self->callback_returned = true;
    }
    static void on_free(void* payload) {
        auto* self = static_cast<SelfFreeing*>(payload);
        self->freed_after_callback = self->callback_returned.load();
        ++self->frees;
    }
};

}  // namespace

TEST_CASE("li_subscription_free from inside the callback does not deadlock") {
    SelfFreeing s;
    li_subscription* sub = nullptr;
    expect_ok(CALL(li_manager_subscribe(&sub, env().mgr.get(), nullptr, SelfFreeing::on_event, &s,
                                        SelfFreeing::on_free, ERR)));
    REQUIRE(sub != nullptr);
    s.sub = sub;
    create_and_delete(unique_name("evself"));
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (s.frees.load() == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    CHECK(s.free_returned.load());
    CHECK(s.frees.load() == 1);
    // free_payload waited for the callback that freed the subscription to return.
    CHECK(s.freed_after_callback.load());
    create_and_delete(unique_name("evself2"));
    std::this_thread::sleep_for(200ms);
    CHECK(s.calls.load() == 1);
    CHECK(s.frees.load() == 1);
}

namespace {

/// A subscriber whose callback blocks until released.
struct Blocked {
    std::mutex mutex;
    std::condition_variable cv;
    bool released = false;
    std::atomic<int> calls{0};
    std::atomic<int> frees{0};

    static void on_event(const char*, void* payload) {
        auto* self = static_cast<Blocked*>(payload);
        ++self->calls;
        std::unique_lock lock(self->mutex);
        // Bounded, so a failing test cannot hang the process for ever.
        self->cv.wait_for(lock, 300s, [&] { return self->released; });
    }
    static void on_free(void* payload) {
        ++static_cast<Blocked*>(payload)->frees;
    }
    void release() {
        {
            std::lock_guard lock(mutex);
            released = true;
        }
        cv.notify_all();
    }
};

}  // namespace

TEST_CASE("a blocked subscriber with a small queue drops events; the library goes on") {
    Blocked b;
    li_subscribe_opts opts = LI_SUBSCRIBE_OPTS_INIT;
    opts.types = "lifecycle";
    opts.queue_size = 4;
    li_subscription* raw = nullptr;
    expect_ok(CALL(li_manager_subscribe(&raw, env().mgr.get(), &opts, Blocked::on_event, &b,
                                        Blocked::on_free, ERR)));
    REQUIRE(raw != nullptr);
    SubscriptionPtr sub{raw};

    // Four creates and deletes: eight lifecycle events, one blocking, four queued, three dropped.
    const int rounds = 4;
    auto started = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r) {
        create_and_delete(unique_name("evslow" + std::to_string(r)));
    }
    CHECK(std::chrono::steady_clock::now() - started < 120s);
    CHECK(b.calls.load() == 1);
    uint64_t dropped = li_subscription_dropped(raw);
    CHECK(dropped >= 3);

    b.release();
    // Every event was either delivered or counted as dropped.
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (b.calls.load() + static_cast<int>(li_subscription_dropped(raw)) < 2 * rounds &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    CHECK(b.calls.load() + static_cast<int>(li_subscription_dropped(raw)) == 2 * rounds);
    CHECK(b.calls.load() <= 1 + 4);
    sub.reset();
    CHECK(b.frees.load() == 1);
}

TEST_CASE("logging events and the log file receive the library's records") {
    li_manager* mgr = env().mgr.get();
    TempDir dir{"capi-log"};
    auto file = dir.path() / "libinstance.log";
    Collector info;
    auto info_sub = subscribe(info, "logging", "info");
    Collector errors_only;
    auto error_sub = subscribe(errors_only, "logging", "error");

    expect_ok(CALL(li_manager_set_log(mgr, "debug", file.c_str(), ERR)));
    auto name = unique_name("evlog");
    auto inst = create_container(name);
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    delete_forced(inst.get());

    auto read_all = [&] {
        std::ifstream in{file};
        return std::string{std::istreambuf_iterator<char>(in), {}};
    };
    auto text = read_all();
    CHECK(text.find("instance started") != std::string::npos);
    CHECK(text.find(name) != std::string::npos);

    REQUIRE(info.wait_for_event([&](const nlohmann::json& e) {
        return e.at("metadata").value("message", "") == "instance started" &&
               e.at("metadata").at("context").value("instance", "") == name;
    }));
    for (const auto& e : info.snapshot()) {
        CAPTURE(e.dump());
        CHECK(e.at("type") == "logging");
        auto level = e.at("metadata").at("level").get<std::string>();
        CHECK((level == "info" || level == "warn" || level == "error"));  // no debug records
    }
    for (const auto& e : errors_only.snapshot()) {
        CHECK(e.at("metadata").at("level") == "error");
    }

    // "none": records go nowhere; the file stops growing.
    expect_ok(CALL(li_manager_set_log(mgr, "debug", "none", ERR)));
    auto size = fs::file_size(file);
    create_and_delete(unique_name("evlog2"));
    CHECK(fs::file_size(file) == size);

    auto missing = (dir.path() / "no-such-dir" / "x.log").string();
    // Mapped from errno like every file error of the library (ENOENT: NotFound).
    expect_fail(CALL(li_manager_set_log(mgr, "info", missing.c_str(), ERR)), LI_ERR_NOT_FOUND,
                {missing});
    // Back to the default: warnings to stderr.
    expect_ok(CALL(li_manager_set_log(mgr, nullptr, nullptr, ERR)));
    info_sub.reset();
    error_sub.reset();
    CHECK(info.frees.load() == 1);
    CHECK(errors_only.frees.load() == 1);
}

}  // TEST_SUITE
