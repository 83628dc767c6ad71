// The C boundary itself: error invariant, handle tags, NULL arguments, option struct versions.

#include <cerrno>
#include <cstring>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

using namespace capi_test;

TEST_SUITE("boundary") {

TEST_CASE("version and status names are static and stable") {
    CHECK(std::string(li_version()) == LI_EXPECTED_VERSION);
    const char* names[] = {"OK",       "NotFound",         "AlreadyExists", "InvalidArgument",
                           "NotSupported", "Busy",         "Conflict",      "PermissionDenied",
                           "Timeout",  "Cancelled",        "System",        "Backend",
                           "Internal"};
    for (int code = LI_OK; code <= LI_ERR_INTERNAL; ++code) {
        CAPTURE(code);
        CHECK(std::string(li_status_name(code)) == names[code]);
        CHECK(li_status_name(code) == li_status_name(code));  // the same static storage
    }
    CHECK(std::string(li_status_name(-1)) == "Unknown");
    CHECK(std::string(li_status_name(LI_ERR_INTERNAL + 1)) == "Unknown");
}

TEST_CASE("error accessors tolerate NULL") {
    CHECK(li_error_code(nullptr) == LI_ERR_INTERNAL);
    CHECK(li_error_message(nullptr) != nullptr);
    CHECK(std::string(li_error_key(nullptr)).empty());
    CHECK(li_error_errno(nullptr) == 0);
    li_error_free(nullptr);
    li_free(nullptr);
    li_manager_free(nullptr);
    li_instance_free(nullptr);
    li_exec_result_free(nullptr);
    CHECK(li_manager_state_dir(nullptr) == nullptr);
    CHECK(li_instance_name(nullptr) == nullptr);
    CHECK(li_instance_project(nullptr) == nullptr);
    CHECK(li_exec_result_exit_code(nullptr) == -1);
    size_t len = 42;
    CHECK(li_exec_result_stdout(nullptr, &len) == nullptr);
    CHECK(len == 0);
    len = 42;
    CHECK(li_exec_result_stderr(nullptr, &len) == nullptr);
    CHECK(len == 0);
}

TEST_CASE("NULL handles and out-parameters are InvalidArgument naming the parameter") {
    char* json = nullptr;
    li_instance* inst = nullptr;
    li_manager* mgr = nullptr;
    li_exec_result* res = nullptr;
    int code = 0;
    const char* argv[] = {"true", nullptr};

    expect_invalid(CALL(li_manager_open(nullptr, "/nonexistent", ERR)), "out", {"out"});
    expect_invalid(CALL(li_image_build(&json, nullptr, nullptr, "busybox", nullptr, ERR)), "mgr",
                   {"mgr"});
    expect_invalid(CALL(li_image_build(nullptr, env().mgr.get(), nullptr, "busybox", nullptr, ERR)),
                   "out_json", {"out_json"});
    expect_invalid(CALL(li_image_build(&json, env().mgr.get(), nullptr, nullptr, nullptr, ERR)),
                   "builder", {"builder"});
    expect_invalid(CALL(li_image_import(&json, env().mgr.get(), nullptr, nullptr, nullptr, ERR)),
                   "path", {"path"});
    expect_invalid(CALL(li_image_list_json(&json, nullptr, nullptr, ERR)), "mgr", {"mgr"});
    expect_invalid(CALL(li_image_get_json(&json, env().mgr.get(), nullptr, nullptr, ERR)), "ref",
                   {"ref"});
    expect_invalid(CALL(li_image_delete(env().mgr.get(), nullptr, nullptr, ERR)), "ref", {"ref"});
    expect_invalid(CALL(li_image_alias_create(env().mgr.get(), nullptr, nullptr, "busybox",
                                              nullptr, ERR)),
                   "alias", {"alias"});
    expect_invalid(CALL(li_image_alias_create(env().mgr.get(), nullptr, "x", nullptr, nullptr,
                                              ERR)),
                   "image_ref", {"image_ref"});
    expect_invalid(CALL(li_image_alias_delete(env().mgr.get(), nullptr, nullptr, ERR)), "alias",
                   {"alias"});
    expect_invalid(CALL(li_instance_create_json(&inst, env().mgr.get(), nullptr, nullptr, ERR)),
                   "instances_post_json", {"instances_post_json"});
    expect_invalid(CALL(li_instance_create_json(nullptr, env().mgr.get(), nullptr,
                                                post_json("x").c_str(), ERR)),
                   "out", {"out"});
    expect_invalid(CALL(li_instance_get(&inst, env().mgr.get(), nullptr, nullptr, ERR)), "name",
                   {"name"});
    expect_invalid(CALL(li_instance_list_json(&json, nullptr, nullptr, 0, ERR)), "mgr", {"mgr"});
    expect_invalid(CALL(li_instance_list_json(&json, env().mgr.get(), nullptr, 0x80, ERR)),
                   "flags", {"flags", "0x80"});
    expect_invalid(CALL(li_instance_get_json(&json, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_state_json(&json, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_status_code(&code, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_start(nullptr, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_stop(nullptr, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_restart(nullptr, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_delete(nullptr, nullptr, ERR)), "inst", {"inst"});
    expect_invalid(CALL(li_instance_exec(&res, nullptr, argv, nullptr, ERR)), "inst", {"inst"});
    CHECK(json == nullptr);
    CHECK(inst == nullptr);
    CHECK(mgr == nullptr);
    CHECK(res == nullptr);
}

TEST_CASE("a handle of the wrong type is rejected, never used") {
    li_manager* mgr = env().mgr.get();
    auto inst = create_container(unique_name("tags"));
    auto* mgr_as_inst = reinterpret_cast<li_instance*>(mgr);
    auto* inst_as_mgr = reinterpret_cast<li_manager*>(inst.get());
    char* json = nullptr;
    int code = -7;
    li_exec_result* res = nullptr;
    const char* argv[] = {"true", nullptr};

    expect_invalid(CALL(li_instance_start(mgr_as_inst, nullptr, ERR)), "inst",
                   {"inst", "li_instance"});
    expect_invalid(CALL(li_instance_get_json(&json, mgr_as_inst, ERR)), "inst", {"li_instance"});
    expect_invalid(CALL(li_instance_status_code(&code, mgr_as_inst, ERR)), "inst");
    CHECK(code == -7);
    expect_invalid(CALL(li_instance_exec(&res, mgr_as_inst, argv, nullptr, ERR)), "inst");
    expect_invalid(CALL(li_instance_delete(mgr_as_inst, nullptr, ERR)), "inst");
    expect_invalid(CALL(li_image_list_json(&json, inst_as_mgr, nullptr, ERR)), "mgr",
                   {"mgr", "li_manager"});
    expect_invalid(CALL(li_instance_list_json(&json, inst_as_mgr, nullptr, 0, ERR)), "mgr");
    expect_invalid(CALL(li_instance_create_json(nullptr, inst_as_mgr, nullptr, "{}", ERR)), "out");

    // An error or an exec result is not a manager either.
    li_error* err = nullptr;
    CHECK(li_instance_get(nullptr, mgr, nullptr, "x", &err) == -LI_ERR_INVALID_ARGUMENT);
    REQUIRE(err != nullptr);
    expect_invalid(CALL(li_image_list_json(&json, reinterpret_cast<li_manager*>(err), nullptr, ERR)),
                   "mgr");
    CHECK(li_error_code(reinterpret_cast<li_error*>(mgr)) == LI_ERR_INTERNAL);

    // Accessors answer NULL and frees ignore the foreign handle, which stays usable.
    CHECK(li_instance_name(mgr_as_inst) == nullptr);
    CHECK(li_manager_state_dir(inst_as_mgr) == nullptr);
    CHECK(li_exec_result_exit_code(reinterpret_cast<li_exec_result*>(mgr)) == -1);
    li_instance_free(mgr_as_inst);
    li_manager_free(inst_as_mgr);
    li_exec_result_free(reinterpret_cast<li_exec_result*>(mgr));
    li_error_free(reinterpret_cast<li_error*>(mgr));
    li_manager_free(reinterpret_cast<li_manager*>(err));
    li_error_free(err);
    CHECK(std::string(li_manager_state_dir(mgr)) == env().dir.path().string());
    CHECK(std::string(li_instance_name(inst.get())) == unique_name("tags"));
    expect_ok(CALL(li_instance_status_code(&code, inst.get(), ERR)));
    CHECK(code == 102);
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
    CHECK(json == nullptr);
    CHECK(res == nullptr);
}

TEST_CASE("option structs with an unknown version are rejected naming opts.version") {
    auto name = unique_name("opts");
    auto inst = create_container(name);
    li_manager* mgr = env().mgr.get();
    char* json = nullptr;
    li_exec_result* res = nullptr;
    const char* argv[] = {"true", nullptr};

    for (unsigned int version : {0u, 99u}) {
        CAPTURE(version);
        auto v = std::to_string(version);
        li_start_opts start = LI_START_OPTS_INIT;
        start.version = version;
        expect_invalid(CALL(li_instance_start(inst.get(), &start, ERR)), "opts.version",
                       {"opts.version", v});
        li_stop_opts stop = LI_STOP_OPTS_INIT;
        stop.version = version;
        expect_invalid(CALL(li_instance_stop(inst.get(), &stop, ERR)), "opts.version", {v});
        expect_invalid(CALL(li_instance_restart(inst.get(), &stop, ERR)), "opts.version", {v});
        li_delete_opts del = LI_DELETE_OPTS_INIT;
        del.version = version;
        expect_invalid(CALL(li_instance_delete(inst.get(), &del, ERR)), "opts.version", {v});
        li_exec_opts exec = LI_EXEC_OPTS_INIT;
        exec.version = version;
        expect_invalid(CALL(li_instance_exec(&res, inst.get(), argv, &exec, ERR)),
                       "opts.version", {v});
        li_image_build_opts build = LI_IMAGE_BUILD_OPTS_INIT;
        build.version = version;
        expect_invalid(CALL(li_image_build(&json, mgr, nullptr, "busybox", &build, ERR)),
                       "opts.version", {v});
        li_image_import_opts import = LI_IMAGE_IMPORT_OPTS_INIT;
        import.version = version;
        expect_invalid(CALL(li_image_import(&json, mgr, nullptr, "/nonexistent.tar.xz", &import,
                                            ERR)),
                       "opts.version", {v});
    }
    // The rejected calls did nothing: the container is still there and stopped.
    int code = 0;
    expect_ok(CALL(li_instance_status_code(&code, inst.get(), ERR)));
    CHECK(code == 102);
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
    CHECK(json == nullptr);
    CHECK(res == nullptr);
}

TEST_CASE("err is optional and set exactly on failure across many calls") {
    li_manager* mgr = env().mgr.get();
    char* json = nullptr;

    // Failures still return the code when err is NULL.
    CHECK(li_image_get_json(&json, mgr, nullptr, "no-such-image", nullptr) == -LI_ERR_NOT_FOUND);
    CHECK(json == nullptr);
    CHECK(li_instance_start(nullptr, nullptr, nullptr) == -LI_ERR_INVALID_ARGUMENT);

    // Alternate successes and failures on the same manager; call() checks the invariant each time.
    for (int round = 0; round < 20; ++round) {
        CAPTURE(round);
        expect_ok(CALL(li_image_list_json(&json, mgr, nullptr, ERR)));
        CHECK(take_json(json).is_array());
        json = nullptr;
        expect_fail(CALL(li_image_get_json(&json, mgr, nullptr, "no-such-image", ERR)),
                    LI_ERR_NOT_FOUND, {"no-such-image"});
        CHECK(json == nullptr);
        expect_ok(CALL(li_image_get_json(&json, mgr, "", "busybox", ERR)));
        CHECK(take_json(json).at("fingerprint") == env().busybox_fingerprint);
        json = nullptr;
        li_instance* inst = nullptr;
        expect_fail(CALL(li_instance_get(&inst, mgr, nullptr, "capi-missing", ERR)),
                    LI_ERR_NOT_FOUND, {"capi-missing"});
        CHECK(inst == nullptr);
        expect_ok(CALL(li_instance_list_json(&json, mgr, "default", LI_LIST_WITH_STATE, ERR)));
        CHECK(take_json(json).is_array());
        json = nullptr;
    }
}

TEST_CASE("one manager and one instance handle are used from several threads at once") {
    li_manager* mgr = env().mgr.get();
    auto inst = create_container(unique_name("threads"));
    // Threads only count; doctest assertions stay on the main thread.
    std::atomic<int> bad{0};
    auto worker = [&] {
        for (int i = 0; i < 25; ++i) {
            char* json = nullptr;
            li_error* err = nullptr;
            if (li_image_list_json(&json, mgr, nullptr, &err) != 0 || err != nullptr) {
                ++bad;
            }
            li_free(json);
            int code = 0;
            if (li_instance_status_code(&code, inst.get(), &err) != 0 || code != 102) {
                ++bad;
            }
            li_error_free(err);
            err = nullptr;
            if (li_image_get_json(&json, mgr, nullptr, "no-such-image", &err) !=
                    -LI_ERR_NOT_FOUND ||
                li_error_code(err) != LI_ERR_NOT_FOUND || json != nullptr) {
                ++bad;
            }
            li_error_free(err);
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back(worker);
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(bad.load() == 0);
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
}

TEST_CASE("a second open of a state directory is Busy; closing releases it") {
    li_manager* again = nullptr;
    auto dir = env().dir.path().string();
    expect_fail(CALL(li_manager_open(&again, dir.c_str(), ERR)), LI_ERR_BUSY, {dir});
    CHECK(again == nullptr);

    TempDir other{"capi-open"};
    li_manager* first = nullptr;
    expect_ok(CALL(li_manager_open(&first, other.path().c_str(), ERR)));
    REQUIRE(first != nullptr);
    CHECK(std::string(li_manager_state_dir(first)) == other.path().string());
    expect_fail(CALL(li_manager_open(&again, other.path().c_str(), ERR)), LI_ERR_BUSY);
    li_manager_free(first);
    expect_ok(CALL(li_manager_open(&again, other.path().c_str(), ERR)));
    REQUIRE(again != nullptr);
    li_manager_free(again);
}

TEST_CASE("opening a state directory below a regular file is a System error with errno") {
    TempDir dir{"capi-notdir"};
    auto file = dir.path() / "file";
    { FILE* f = fopen(file.c_str(), "w"); REQUIRE(f != nullptr); fclose(f); }
    auto below = (file / "state").string();
    li_manager* mgr = nullptr;
    auto o = CALL(li_manager_open(&mgr, below.c_str(), ERR));
    expect_fail(o, LI_ERR_SYSTEM, {file.string()});
    CHECK(o.sys_errno == ENOTDIR);
    CHECK(mgr == nullptr);
}

}  // TEST_SUITE
