// Remotes and images from a simplestreams server the test serves itself over TLS, through the C ABI.

#include <chrono>
#include <set>
#include <thread>

#include "support.hpp"
#include "support/simplestreams_fixture.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

// A state directory of its own with a remote "srv" trusting the server's certificate.
struct Fixture {
    li::test::SimplestreamsServer server{[](const fs::path& out) {
        TempDir builder{"capi-ss-builder"};
        li_manager* raw = nullptr;
        expect_ok(CALL(li_manager_open(&raw, (builder.path() / "state").c_str(), ERR)));
        ManagerPtr mgr{raw};
        li_image_build_opts opts = LI_IMAGE_BUILD_OPTS_INIT;
        opts.output_path = out.c_str();
        char* json = nullptr;
        expect_ok(CALL(li_image_build(&json, mgr.get(), nullptr, "busybox", &opts, ERR)));
        li_free(json);
    }};
    std::string unified = server.add("bb-unified", "bbu", "20260101_00:00", "unified");
    std::string split = server.add("bb-split", "bbs", "20260101_00:00", "split");
    TempDir dir{"capi-remote"};
    ManagerPtr mgr;

    Fixture() {
        li_manager* raw = nullptr;
        expect_ok(CALL(li_manager_open(&raw, (dir.path() / "state").c_str(), ERR)));
        mgr.reset(raw);
        nlohmann::json r{{"name", "srv"}, {"url", server.url}, {"certificate", server.certificate}};
        expect_ok(CALL(li_remote_add(mgr.get(), r.dump().c_str(), ERR)));
    }

    nlohmann::json images() {
        char* json = nullptr;
        expect_ok(CALL(li_image_list_json(&json, mgr.get(), nullptr, ERR)));
        return take_json(json);
    }

    bool no_download_leftovers() {
        for (const auto& e : fs::directory_iterator(dir.path() / "state" / "images"))
            if (e.path().filename().string().starts_with("download-")) return false;
        return true;
    }
};

std::string copy_post(const std::string& alias, const std::string& local_alias = "") {
    nlohmann::json post{{"source", {{"type", "image"}, {"mode", "pull"}, {"server", "srv"}, {"protocol", "simplestreams"},
                                    {"alias", alias}}}};
    if (!local_alias.empty()) post["aliases"] = {{{"name", local_alias}}};
    return post.dump();
}

}  // namespace

TEST_SUITE("remotes") {

TEST_CASE("remotes through the C ABI: add, list, get, rename, remove, bad input") {
    TempDir dir{"capi-remotes"};
    li_manager* raw = nullptr;
    expect_ok(CALL(li_manager_open(&raw, (dir.path() / "state").c_str(), ERR)));
    ManagerPtr mgr{raw};
    expect_ok(CALL(li_remote_add(mgr.get(), R"({"name":"images","url":"https://images.example.org"})", ERR)));
    char* json = nullptr;
    expect_ok(CALL(li_remote_get_json(&json, mgr.get(), "images", ERR)));
    auto r = take_json(json);
    CHECK(r.at("url") == "https://images.example.org");
    CHECK(r.at("protocol") == "simplestreams");

    expect_invalid(CALL(li_remote_add(mgr.get(), R"({"name":"a:b","url":"https://x"})", ERR)), "name", {"a:b"});
    expect_invalid(CALL(li_remote_add(mgr.get(), R"({"name":"ok","url":"http://x"})", ERR)), "url", {"http://x"});
    expect_invalid(CALL(li_remote_add(mgr.get(), R"({"name":"ok","url":"https://x","protocol":"bogus"})", ERR)),
                   "protocol", {"bogus"});
    expect_invalid(CALL(li_remote_add(mgr.get(), R"({"name":"ok","url":7})", ERR)), "url");
    expect_invalid(CALL(li_remote_add(mgr.get(), "{", ERR)), "remote");
    expect_invalid(CALL(li_remote_add(mgr.get(), nullptr, ERR)), "remote_json");
    expect_fail(CALL(li_remote_add(mgr.get(), R"({"name":"images","url":"https://y"})", ERR)), LI_ERR_ALREADY_EXISTS,
                {"images"});
    expect_ok(CALL(li_remote_list_json(&json, mgr.get(), ERR)));
    CHECK(take_json(json).size() == 1);

    // lxd remotes: a token that does not decode is refused before any connection; an image
    // server is no daemon to connect to. (tests/daemon/test_inst_remote.py drives a real one.)
    expect_invalid(CALL(li_remote_add_with_token(mgr.get(), R"({"name":"d","url":"https://127.0.0.1:1"})", "garbage", ERR)),
                   "token");
    expect_invalid(CALL(li_remote_add_with_token(mgr.get(), R"({"name":"d"})", nullptr, ERR)), "token");
    li_manager* connected = nullptr;
    expect_invalid(CALL(li_remote_connect(&connected, mgr.get(), "images", ERR)), "name", {"images"});
    CHECK(connected == nullptr);
    expect_fail(CALL(li_remote_connect(&connected, mgr.get(), "nosuch", ERR)), LI_ERR_NOT_FOUND, {"nosuch"});

    expect_ok(CALL(li_remote_rename(mgr.get(), "images", "mirror", ERR)));
    expect_fail(CALL(li_remote_get_json(&json, mgr.get(), "images", ERR)), LI_ERR_NOT_FOUND, {"images"});
    expect_ok(CALL(li_remote_remove(mgr.get(), "mirror", ERR)));
    expect_fail(CALL(li_remote_remove(mgr.get(), "mirror", ERR)), LI_ERR_NOT_FOUND, {"mirror"});
    expect_ok(CALL(li_remote_list_json(&json, mgr.get(), ERR)));
    CHECK(take_json(json).empty());
}

TEST_CASE("list a server's images, copy both layouts, launch from it and exec") {
    Fixture f;
    char* json = nullptr;
    expect_ok(CALL(li_remote_image_list_json(&json, f.mgr.get(), "srv", ERR)));
    auto listed = take_json(json);
    REQUIRE(listed.size() == 2);
    std::set<std::string> fps{listed[0].at("fingerprint"), listed[1].at("fingerprint")};
    CHECK(fps == std::set<std::string>{f.unified, f.split});

    expect_ok(CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, copy_post("bbu", "mine").c_str(), ERR)));
    auto img = take_json(json);
    CHECK(img.at("fingerprint") == f.unified);
    CHECK(img.at("aliases")[0].at("name") == "mine");

    li_operation* raw_op = nullptr;
    expect_ok(CALL(li_image_copy_from_remote_async(&raw_op, f.mgr.get(), nullptr, copy_post("bbs").c_str(), ERR)));
    OperationPtr op{raw_op};
    expect_ok(CALL(li_operation_wait(op.get(), -1, ERR)));
    auto doc = operation_json(op.get());
    CHECK(doc.at("metadata").at("fingerprint") == f.split);
    CHECK(doc.at("metadata").at("download_progress").get<std::string>().starts_with("rootfs: 100% ("));
    CHECK(f.no_download_leftovers());

    nlohmann::json post{{"name", unique_name("remote")},
                        {"source", {{"type", "image"}, {"server", "srv"}, {"alias", "bbu"}}}};
    expect_ok(CALL(li_image_delete(f.mgr.get(), nullptr, f.unified.c_str(), ERR)));
    li_instance* raw_inst = nullptr;
    expect_ok(CALL(li_instance_create_json(&raw_inst, f.mgr.get(), nullptr, post.dump().c_str(), ERR)));
    InstancePtr inst{raw_inst};
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    const char* argv[] = {"echo", "from the server", nullptr};
    li_exec_result* res = nullptr;
    expect_ok(CALL(li_instance_exec(&res, inst.get(), argv, nullptr, ERR)));
    REQUIRE(res != nullptr);
    ExecResultPtr owner{res};
    size_t len = 0;
    CHECK(std::string(li_exec_result_stdout(res, &len)) == "from the server\n");
    expect_ok(CALL(li_image_get_json(&json, f.mgr.get(), nullptr, f.unified.c_str(), ERR)));
    CHECK(take_json(json).at("cached") == true);
    li_delete_opts del = LI_DELETE_OPTS_INIT;
    del.force = 1;
    expect_ok(CALL(li_instance_delete(inst.get(), &del, ERR)));
}

TEST_CASE("copy errors: bad documents, sha256 mismatch, untrusted certificate, cancel; nothing stored") {
    Fixture f;
    char* json = nullptr;
    expect_invalid(CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, R"({"source":{"server":"srv"}})", ERR)),
                   "source");
    expect_invalid(CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, R"({"aliases":[]})", ERR)), "source");
    expect_fail(CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, copy_post("x").c_str(), ERR)),
                LI_ERR_NOT_FOUND, {"\"x\""});
    nlohmann::json nosrv{{"source", {{"server", "nosuch"}, {"alias", "bbu"}}}};
    expect_fail(CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, nosrv.dump().c_str(), ERR)), LI_ERR_NOT_FOUND,
                {"nosuch"});

    f.server.corrupt("bb-split");
    auto o = CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, copy_post("bbs").c_str(), ERR));
    expect_invalid(o, "sha256", {"sha256 mismatch", "root.tar.xz"});

    nlohmann::json untrusted{{"source", {{"server", f.server.url}, {"alias", "bbu"}}}};
    expect_fail(CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, untrusted.dump().c_str(), ERR)),
                LI_ERR_PERMISSION_DENIED, {f.server.url, "certificate"});

    f.server.throttle(100 * 1000);
    li_operation* raw_op = nullptr;
    expect_ok(CALL(li_image_copy_from_remote_async(&raw_op, f.mgr.get(), nullptr, copy_post("bbu").c_str(), ERR)));
    OperationPtr op{raw_op};
    for (int i = 0; i < 100; ++i) {
        auto meta = operation_json(op.get()).at("metadata");
        if (meta.contains("download_progress") && meta["download_progress"].get<std::string>().starts_with("rootfs: ") &&
            !meta["download_progress"].get<std::string>().starts_with("rootfs: 0%"))
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    expect_ok(CALL(li_operation_cancel(op.get(), ERR)));
    expect_fail(CALL(li_operation_wait(op.get(), -1, ERR)), LI_ERR_CANCELLED);
    CHECK(f.images().empty());
    CHECK(f.no_download_leftovers());
}

TEST_CASE("refresh follows the server's newer version") {
    Fixture f;
    char* json = nullptr;
    nlohmann::json post = nlohmann::json::parse(copy_post("bbu", "follow"));
    post["auto_update"] = true;
    expect_ok(CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, post.dump().c_str(), ERR)));
    CHECK(take_json(json).at("auto_update") == true);
    expect_ok(CALL(li_image_refresh(&json, f.mgr.get(), nullptr, "follow", ERR)));
    CHECK(take_json(json).at("fingerprint") == f.unified);
    std::string newer = f.server.add("bb-unified", "bbu", "20260102_00:00", "unified");
    li_operation* raw_op = nullptr;
    expect_ok(CALL(li_image_refresh_async(&raw_op, f.mgr.get(), nullptr, "follow", ERR)));
    OperationPtr op{raw_op};
    expect_ok(CALL(li_operation_wait(op.get(), -1, ERR)));
    auto meta = operation_json(op.get()).at("metadata");
    CHECK(meta.at("refreshed") == "true");
    CHECK(meta.at("fingerprint") == newer);
    expect_ok(CALL(li_image_get_json(&json, f.mgr.get(), nullptr, "follow", ERR)));
    CHECK(take_json(json).at("fingerprint") == newer);
    expect_fail(CALL(li_image_get_json(&json, f.mgr.get(), nullptr, f.unified.c_str(), ERR)), LI_ERR_NOT_FOUND);
    expect_fail(CALL(li_image_refresh(&json, f.mgr.get(), nullptr, "nosuch", ERR)), LI_ERR_NOT_FOUND, {"nosuch"});
}

TEST_CASE("image auto-update: the pass past the interval refreshes an auto_update image and reports it") {
    Fixture f;
    char* json = nullptr;
    nlohmann::json post = nlohmann::json::parse(copy_post("bbu", "auto"));
    post["auto_update"] = true;
    expect_ok(CALL(li_image_copy_from_remote(&json, f.mgr.get(), nullptr, post.dump().c_str(), ERR)));
    li_free(json);
    int64_t t0 = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    // The state directory's first look only starts the clock.
    expect_ok(CALL(li_manager_run_image_auto_update(&json, f.mgr.get(), t0, ERR)));
    auto first = take_json(json);
    CHECK(first.at("ran") == false);
    CHECK(first.at("refreshed").empty());
    std::string newer = f.server.add("bb-unified", "bbu", "20260102_00:00", "unified");
    REQUIRE(newer != f.unified);

    // Past images.auto_update_interval (6 hours by default).
    expect_ok(CALL(li_manager_run_image_auto_update(&json, f.mgr.get(), t0 + 7 * 3600, ERR)));
    auto run = take_json(json);
    CHECK(run.at("ran") == true);
    CHECK(run.at("failed").empty());
    REQUIRE(run.at("refreshed").size() == 1);
    auto r = run.at("refreshed")[0];
    CHECK(r.at("project") == "default");
    CHECK(r.at("old_fingerprint") == f.unified);
    CHECK(r.at("new_fingerprint") == newer);
    CHECK(r.at("aliases") == nlohmann::json{"auto"});
    expect_ok(CALL(li_image_get_json(&json, f.mgr.get(), nullptr, "auto", ERR)));
    CHECK(take_json(json).at("fingerprint") == newer);

    // Within the interval of that pass: nothing runs.
    expect_ok(CALL(li_manager_run_image_auto_update(&json, f.mgr.get(), t0 + 8 * 3600, ERR)));
    CHECK(take_json(json).at("ran") == false);

    expect_invalid(CALL(li_manager_run_image_auto_update(&json, f.mgr.get(), -1, ERR)), "now_unix", {"now_unix"});
    expect_invalid(CALL(li_manager_run_image_auto_update(nullptr, f.mgr.get(), 0, ERR)), "out_json");
    expect_invalid(CALL(li_manager_run_image_auto_update(&json, nullptr, 0, ERR)), "mgr");
}

}  // TEST_SUITE
