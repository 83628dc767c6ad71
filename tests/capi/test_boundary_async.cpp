// The C boundary of operations, subscriptions and logging: NULLs, handle tags, option versions
// and bad values, each rejected by the call itself.

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "support.hpp"

using namespace capi_test;

namespace {

std::atomic<int> g_frees{0};

void ignore_event(const char*, void*) {}
void count_free(void*) {
    ++g_frees;
}

}  // namespace

TEST_SUITE("boundary") {

TEST_CASE("operation and subscription accessors and frees tolerate NULL") {
    CHECK(li_operation_id(nullptr) == nullptr);
    CHECK(li_subscription_dropped(nullptr) == 0);
    li_operation_free(nullptr);
    li_subscription_free(nullptr);
}

TEST_CASE("NULL arguments of operation, event and log calls are InvalidArgument naming them") {
    li_manager* mgr = env().mgr.get();
    char* json = nullptr;
    li_operation* op = nullptr;
    li_subscription* sub = nullptr;
    auto inst = create_container(unique_name("nullasync"));
    li_instance* i = inst.get();
    auto post = post_json(unique_name("nullasync2"));
    auto before = operation_ids(mgr);

    expect_invalid(CALL(li_operation_get_json(&json, nullptr, ERR)), "op", {"op"});
    expect_invalid(CALL(li_operation_wait(nullptr, 0, ERR)), "op", {"op"});
    expect_invalid(CALL(li_operation_cancel(nullptr, ERR)), "op", {"op"});
    expect_invalid(CALL(li_operation_list_json(nullptr, mgr, ERR)), "out_json", {"out_json"});
    expect_invalid(CALL(li_operation_list_json(&json, nullptr, ERR)), "mgr", {"mgr"});
    expect_invalid(CALL(li_operation_get(&op, mgr, nullptr, ERR)), "id", {"id"});
    expect_invalid(CALL(li_operation_get(nullptr, mgr, "x", ERR)), "out", {"out"});
    expect_invalid(CALL(li_operation_get(&op, nullptr, "x", ERR)), "mgr", {"mgr"});

    expect_invalid(CALL(li_image_build_async(nullptr, mgr, nullptr, "busybox", nullptr, ERR)),
                   "out", {"out"});
    expect_invalid(CALL(li_image_build_async(&op, nullptr, nullptr, "busybox", nullptr, ERR)),
                   "mgr", {"mgr"});
    expect_invalid(CALL(li_image_build_async(&op, mgr, nullptr, nullptr, nullptr, ERR)),
                   "builder", {"builder"});
    expect_invalid(CALL(li_image_import_async(&op, mgr, nullptr, nullptr, nullptr, ERR)), "path",
                   {"path"});
    expect_invalid(CALL(li_image_import_async(&op, nullptr, nullptr, "/x.tar", nullptr, ERR)),
                   "mgr");
    expect_invalid(CALL(li_instance_create_json_async(&op, mgr, nullptr, nullptr, ERR)),
                   "instances_post_json", {"instances_post_json"});
    expect_invalid(CALL(li_instance_create_json_async(nullptr, mgr, nullptr, post.c_str(), ERR)),
                   "out", {"out"});
    expect_invalid(CALL(li_instance_create_json_async(&op, nullptr, nullptr, post.c_str(), ERR)),
                   "mgr", {"mgr"});
    expect_invalid(CALL(li_instance_start_async(&op, nullptr, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_start_async(nullptr, i, nullptr, ERR)), "out", {"out"});
    expect_invalid(CALL(li_instance_stop_async(&op, nullptr, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_stop_async(nullptr, i, nullptr, ERR)), "out");
    expect_invalid(CALL(li_instance_restart_async(&op, nullptr, nullptr, ERR)), "inst");
    expect_invalid(CALL(li_instance_restart_async(nullptr, i, nullptr, ERR)), "out");
    expect_invalid(CALL(li_instance_delete_async(&op, nullptr, nullptr, ERR)), "inst");
    expect_invalid(CALL(li_instance_delete_async(nullptr, i, nullptr, ERR)), "out");

    g_frees = 0;
    expect_invalid(CALL(li_manager_subscribe(nullptr, mgr, nullptr, ignore_event, nullptr,
                                             count_free, ERR)),
                   "out", {"out"});
    expect_invalid(CALL(li_manager_subscribe(&sub, nullptr, nullptr, ignore_event, nullptr,
                                             count_free, ERR)),
                   "mgr", {"mgr"});
    expect_invalid(CALL(li_manager_subscribe(&sub, mgr, nullptr, nullptr, nullptr, count_free,
                                             ERR)),
                   "cb", {"cb"});
    // A subscription that never started leaves its payload to the caller.
    CHECK(g_frees.load() == 0);
    expect_invalid(CALL(li_manager_set_log(nullptr, "info", nullptr, ERR)), "mgr", {"mgr"});

    CHECK(json == nullptr);
    CHECK(op == nullptr);
    CHECK(sub == nullptr);
    // Nothing was started by the rejected calls.
    CHECK(operation_ids(mgr) == before);
    CHECK_FALSE(listed(unique_name("nullasync2")));
    int code = 0;
    expect_ok(CALL(li_instance_status_code(&code, i, ERR)));
    CHECK(code == 102);
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

TEST_CASE("operation and subscription handles are tagged: wrong types are rejected, never used") {
    li_manager* mgr = env().mgr.get();
    auto name = unique_name("optags");
    li_operation* raw_op = nullptr;
    expect_ok(CALL(li_instance_create_json_async(&raw_op, mgr, nullptr, post_json(name).c_str(),
                                                 ERR)));
    REQUIRE(raw_op != nullptr);
    OperationPtr op{raw_op};
    expect_ok(CALL(li_operation_wait(op.get(), -1, ERR)));
    li_subscription* raw_sub = nullptr;
    g_frees = 0;
    expect_ok(CALL(li_manager_subscribe(&raw_sub, mgr, nullptr, ignore_event, nullptr, count_free,
                                        ERR)));
    REQUIRE(raw_sub != nullptr);
    SubscriptionPtr sub{raw_sub};
    li_instance* inst = nullptr;
    expect_ok(CALL(li_instance_get(&inst, mgr, nullptr, name.c_str(), ERR)));
    InstancePtr owner{inst};

    auto* mgr_as_op = reinterpret_cast<li_operation*>(mgr);
    auto* inst_as_op = reinterpret_cast<li_operation*>(inst);
    auto* sub_as_op = reinterpret_cast<li_operation*>(sub.get());
    auto* op_as_mgr = reinterpret_cast<li_manager*>(op.get());
    auto* op_as_inst = reinterpret_cast<li_instance*>(op.get());
    auto* sub_as_mgr = reinterpret_cast<li_manager*>(sub.get());
    auto* op_as_sub = reinterpret_cast<li_subscription*>(op.get());
    auto* mgr_as_sub = reinterpret_cast<li_subscription*>(mgr);
    char* json = nullptr;
    li_operation* out_op = nullptr;
    li_subscription* out_sub = nullptr;

    expect_invalid(CALL(li_operation_get_json(&json, mgr_as_op, ERR)), "op", {"op", "li_operation"});
    expect_invalid(CALL(li_operation_wait(inst_as_op, 0, ERR)), "op", {"li_operation"});
    expect_invalid(CALL(li_operation_cancel(sub_as_op, ERR)), "op", {"li_operation"});
    expect_invalid(CALL(li_operation_list_json(&json, op_as_mgr, ERR)), "mgr", {"li_manager"});
    expect_invalid(CALL(li_operation_get(&out_op, sub_as_mgr, li_operation_id(op.get()), ERR)),
                   "mgr", {"li_manager"});
    expect_invalid(CALL(li_instance_start_async(&out_op, op_as_inst, nullptr, ERR)), "inst",
                   {"li_instance"});
    expect_invalid(CALL(li_instance_delete_async(&out_op, op_as_inst, nullptr, ERR)), "inst");
    expect_invalid(CALL(li_instance_create_json_async(&out_op, op_as_mgr, nullptr,
                                                      post_json(name).c_str(), ERR)),
                   "mgr");
    expect_invalid(CALL(li_manager_subscribe(&out_sub, op_as_mgr, nullptr, ignore_event, nullptr,
                                             nullptr, ERR)),
                   "mgr");
    expect_invalid(CALL(li_manager_set_log(sub_as_mgr, "info", nullptr, ERR)), "mgr",
                   {"li_manager"});
    CHECK(json == nullptr);
    CHECK(out_op == nullptr);
    CHECK(out_sub == nullptr);

    // Accessors answer NULL or 0 and frees ignore foreign handles, which stay usable.
    CHECK(li_operation_id(mgr_as_op) == nullptr);
    CHECK(li_operation_id(sub_as_op) == nullptr);
    CHECK(li_subscription_dropped(op_as_sub) == 0);
    li_operation_free(mgr_as_op);
    li_operation_free(inst_as_op);
    li_operation_free(sub_as_op);
    li_subscription_free(op_as_sub);
    li_subscription_free(mgr_as_sub);
    li_instance_free(op_as_inst);
    li_manager_free(op_as_mgr);
    li_manager_free(sub_as_mgr);
    li_error_free(reinterpret_cast<li_error*>(op.get()));
    CHECK(g_frees.load() == 0);
    CHECK(std::string(li_operation_id(op.get())).size() == 36);
    CHECK(operation_json(op.get()).at("status") == "Success");
    CHECK(li_subscription_dropped(sub.get()) == 0);
    CHECK(std::string(li_instance_name(inst)) == name);
    expect_ok(CALL(li_instance_delete(inst, nullptr, ERR)));
    sub.reset();
    CHECK(g_frees.load() == 1);
}

TEST_CASE("_async calls and li_subscribe_opts reject unknown option versions, starting nothing") {
    li_manager* mgr = env().mgr.get();
    auto inst = create_container(unique_name("asyncopts"));
    li_instance* i = inst.get();
    auto before = operation_ids(mgr);
    li_operation* op = nullptr;
    li_subscription* sub = nullptr;
    g_frees = 0;

    for (unsigned int version : {0u, 2u, 99u}) {
        CAPTURE(version);
        auto v = std::to_string(version);
        li_subscribe_opts sopts = LI_SUBSCRIBE_OPTS_INIT;
        sopts.version = version;
        expect_invalid(CALL(li_manager_subscribe(&sub, mgr, &sopts, ignore_event, nullptr,
                                                 count_free, ERR)),
                       "opts.version", {"opts.version", "li_subscribe_opts", v});
        if (version == 2u) {
            continue;  // the other structs are checked with 0 and 99 only; 2 matters for the new one
        }
        li_start_opts start = LI_START_OPTS_INIT;
        start.version = version;
        expect_invalid(CALL(li_instance_start_async(&op, i, &start, ERR)), "opts.version",
                       {"li_start_opts", v});
        li_stop_opts stop = LI_STOP_OPTS_INIT;
        stop.version = version;
        expect_invalid(CALL(li_instance_stop_async(&op, i, &stop, ERR)), "opts.version",
                       {"li_stop_opts", v});
        expect_invalid(CALL(li_instance_restart_async(&op, i, &stop, ERR)), "opts.version",
                       {"li_stop_opts", v});
        li_delete_opts del = LI_DELETE_OPTS_INIT;
        del.version = version;
        expect_invalid(CALL(li_instance_delete_async(&op, i, &del, ERR)), "opts.version",
                       {"li_delete_opts", v});
        li_image_build_opts build = LI_IMAGE_BUILD_OPTS_INIT;
        build.version = version;
        expect_invalid(CALL(li_image_build_async(&op, mgr, nullptr, "busybox", &build, ERR)),
                       "opts.version", {"li_image_build_opts", v});
        li_image_import_opts import = LI_IMAGE_IMPORT_OPTS_INIT;
        import.version = version;
        expect_invalid(CALL(li_image_import_async(&op, mgr, nullptr, "/nonexistent.tar.xz",
                                                  &import, ERR)),
                       "opts.version", {"li_image_import_opts", v});
    }
    CHECK(op == nullptr);
    CHECK(sub == nullptr);
    CHECK(g_frees.load() == 0);
    CHECK(operation_ids(mgr) == before);
    int code = 0;
    expect_ok(CALL(li_instance_status_code(&code, i, ERR)));
    CHECK(code == 102);
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

TEST_CASE("bad subscription filters and log levels are InvalidArgument naming the value") {
    li_manager* mgr = env().mgr.get();
    li_subscription* sub = nullptr;
    g_frees = 0;
    auto subscribe = [&](const li_subscribe_opts& opts) {
        return CALL(li_manager_subscribe(&sub, mgr, &opts, ignore_event, nullptr, count_free, ERR));
    };
    {
        li_subscribe_opts opts = LI_SUBSCRIBE_OPTS_INIT;
        opts.types = "lifecycle,bogus";
        expect_invalid(subscribe(opts), "opts.types", {"bogus"});
        opts.types = "lifecycle,,operation";
        expect_invalid(subscribe(opts), "opts.types", {"lifecycle,,operation"});
        opts.types = "";
        expect_invalid(subscribe(opts), "opts.types");
    }
    {
        li_subscribe_opts opts = LI_SUBSCRIBE_OPTS_INIT;
        opts.log_level = "chatty";
        expect_invalid(subscribe(opts), "opts.log_level", {"chatty"});
    }
    CHECK(sub == nullptr);
    CHECK(g_frees.load() == 0);
    {
        // Spaces around entries are fine.
        li_subscribe_opts opts = LI_SUBSCRIBE_OPTS_INIT;
        opts.types = " lifecycle , logging";
        opts.log_level = "error";
        expect_ok(subscribe(opts));
        REQUIRE(sub != nullptr);
        li_subscription_free(sub);
        CHECK(g_frees.load() == 1);
    }

    expect_invalid(CALL(li_manager_set_log(mgr, "loud", nullptr, ERR)), "level", {"loud"});
    expect_invalid(CALL(li_manager_set_log(mgr, "", nullptr, ERR)), "level");
}

TEST_CASE("a document that does not parse fails create_json_async itself") {
    li_manager* mgr = env().mgr.get();
    auto before = operation_ids(mgr);
    li_operation* op = nullptr;
    expect_fail(CALL(li_instance_create_json_async(&op, mgr, nullptr, "{\"name\": ", ERR)),
                LI_ERR_INVALID_ARGUMENT);
    expect_invalid(CALL(li_instance_create_json_async(&op, mgr, nullptr, "{\"name\": 5}", ERR)),
                   "name");
    CHECK(op == nullptr);
    CHECK(operation_ids(mgr) == before);
}

TEST_CASE("operation and subscription handles outlive their manager") {
    TempDir dir{"capi-outlive"};
    li_manager* mgr = nullptr;
    expect_ok(CALL(li_manager_open(&mgr, dir.path().c_str(), ERR)));
    REQUIRE(mgr != nullptr);
    li_subscription* sub = nullptr;
    g_frees = 0;
    expect_ok(CALL(li_manager_subscribe(&sub, mgr, nullptr, ignore_event, nullptr, count_free,
                                        ERR)));
    REQUIRE(sub != nullptr);
    li_operation* op = nullptr;
    expect_ok(CALL(li_instance_create_json_async(&op, mgr, nullptr,
                                                 post_json("c1", "capi-missing").c_str(), ERR)));
    REQUIRE(op != nullptr);
    OperationPtr op_owner{op};
    li_manager_free(mgr);

    // The operation finishes on its own and still answers; the subscription can still be freed.
    expect_fail(CALL(li_operation_wait(op, -1, ERR)), LI_ERR_NOT_FOUND, {"capi-missing"});
    CHECK(operation_json(op).at("status") == "Failure");
    CHECK(li_subscription_dropped(sub) == 0);
    CHECK(g_frees.load() == 0);
    li_subscription_free(sub);
    CHECK(g_frees.load() == 1);
    // The state directory is closed once the operation's thread has let go of it, which it does
    // just after the operation has ended (so wait() may return a moment before).
    op_owner.reset();
    int rc = -1;
    for (int i = 0; i < 100 && rc != 0; ++i) {
        rc = li_manager_open(&mgr, dir.path().c_str(), nullptr);
        if (rc != 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    CHECK(rc == 0);
    li_manager_free(mgr);
}

}  // TEST_SUITE
