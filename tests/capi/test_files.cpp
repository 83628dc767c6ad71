// Files through the C ABI on a real container: push/pull by fd and bytes, the info JSON, mkdir,
// symlink, trees, a stopped instance, and the errors (bad options, relative paths, escapes).

#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

std::string run_out(li_instance* inst, std::initializer_list<const char*> args) {
    std::vector<const char*> argv(args);
    argv.push_back(nullptr);
    li_exec_result* res = nullptr;
    expect_ok(CALL(li_instance_exec(&res, inst, argv.data(), nullptr, ERR)));
    ExecResultPtr owner{res};
    REQUIRE(li_exec_result_exit_code(res) == 0);
    size_t len = 0;
    const char* out = li_exec_result_stdout(res, &len);
    return std::string(out, len);
}

}  // namespace

TEST_SUITE("files") {

TEST_CASE("push, pull, stat, mkdir, symlink and delete files through the C ABI") {
    std::string name = unique_name("files");
    InstancePtr inst = create_container(name);
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));

    li_file_opts opts = LI_FILE_OPTS_INIT;
    opts.uid = 1000;
    opts.gid = 1001;
    opts.mode = 0640;
    opts.create_parents = 1;
    const char data[] = "hello from C\n";
    expect_ok(CALL(li_instance_file_push_data(inst.get(), "/srv/c/hello", data, sizeof data - 1, &opts, ERR)));
    CHECK(run_out(inst.get(), {"stat", "-c", "%u %g %a", "/srv/c/hello"}) == "1000 1001 640\n");

    FILE* tmp = std::tmpfile();
    char* info_json = nullptr;
    expect_ok(CALL(li_instance_file_pull(&info_json, inst.get(), "/srv/c/hello", fileno(tmp), ERR)));
    auto info = take_json(info_json);
    CHECK(info["type"] == "file");
    CHECK(info["uid"] == 1000);
    CHECK(info["gid"] == 1001);
    CHECK(info["mode"] == 0640);
    CHECK(info["size"] == sizeof data - 1);
    CHECK(read_fd(fileno(tmp)) == data);

    // Push from an fd (the same temp file, rewound).
    ::lseek(fileno(tmp), 0, SEEK_SET);
    expect_ok(CALL(li_instance_file_push(inst.get(), "/root/from-fd", fileno(tmp), nullptr, ERR)));
    std::fclose(tmp);
    CHECK(run_out(inst.get(), {"cat", "/root/from-fd"}) == data);
    CHECK(run_out(inst.get(), {"stat", "-c", "%u %a", "/root/from-fd"}) == "0 644\n");

    li_file_opts dir_opts = LI_FILE_OPTS_INIT;
    dir_opts.mode = 0700;
    expect_ok(CALL(li_instance_file_mkdir(inst.get(), "/srv/c/d", &dir_opts, ERR)));
    expect_fail(CALL(li_instance_file_mkdir(inst.get(), "/srv/c/d", nullptr, ERR)), LI_ERR_ALREADY_EXISTS, {"/srv/c/d"});
    expect_ok(CALL(li_instance_file_symlink(inst.get(), "/srv/c/link", "hello", nullptr, ERR)));
    char* stat_json = nullptr;
    expect_ok(CALL(li_instance_file_stat_json(&stat_json, inst.get(), "/srv/c", ERR)));
    auto dir = take_json(stat_json);
    CHECK(dir["type"] == "directory");
    CHECK(dir["entries"] == nlohmann::json::array({"d", "hello", "link"}));
    expect_ok(CALL(li_instance_file_stat_json(&stat_json, inst.get(), "/srv/c/link", ERR)));
    CHECK(take_json(stat_json)["target"] == "hello");
    expect_ok(CALL(li_instance_file_delete(inst.get(), "/srv/c/link", ERR)));
    expect_fail(CALL(li_instance_file_stat_json(&stat_json, inst.get(), "/srv/c/link", ERR)), LI_ERR_NOT_FOUND, {"/srv/c/link"});

    // Bad arguments name what is wrong and change nothing.
    expect_invalid(CALL(li_instance_file_push_data(inst.get(), "srv/rel", "x", 1, nullptr, ERR)), "path", {"srv/rel"});
    expect_invalid(CALL(li_instance_file_push_data(inst.get(), "/../x", "x", 1, nullptr, ERR)), "path", {"/../x"});
    li_file_opts bad = LI_FILE_OPTS_INIT;
    bad.mode = 010000;
    expect_invalid(CALL(li_instance_file_push_data(inst.get(), "/x", "x", 1, &bad, ERR)), "mode", {"10000"});
    bad = LI_FILE_OPTS_INIT;
    bad.uid = -5;
    expect_invalid(CALL(li_instance_file_push_data(inst.get(), "/x", "x", 1, &bad, ERR)), "uid", {"-5"});
    bad = LI_FILE_OPTS_INIT;
    bad.version = 99;
    expect_invalid(CALL(li_instance_file_push_data(inst.get(), "/x", "x", 1, &bad, ERR)), "opts.version");
    expect_invalid(CALL(li_instance_file_push(inst.get(), "/x", -1, nullptr, ERR)), "fd");
    expect_invalid(CALL(li_instance_file_push_data(inst.get(), nullptr, "x", 1, nullptr, ERR)), "path");
    expect_fail(CALL(li_instance_file_stat_json(&stat_json, inst.get(), "/x", ERR)), LI_ERR_NOT_FOUND, {"/x"});

    // A symlink inside pointing at a host directory resolves inside the container.
    TempDir host("capi-files-host");
    std::ofstream(host.path() / "secret") << "HOST";
    std::string link_target = host.path().string();
    run_out(inst.get(), {"ln", "-s", link_target.c_str(), "/tmp/escape"});
    expect_fail(CALL(li_instance_file_pull(nullptr, inst.get(), "/tmp/escape/secret", -1, ERR)), LI_ERR_NOT_FOUND,
                {"/tmp/escape/secret"});
    expect_fail(CALL(li_instance_file_push_data(inst.get(), "/tmp/escape/planted", "x", 1, nullptr, ERR)), LI_ERR_NOT_FOUND,
                {"/tmp/escape/planted"});
    CHECK_FALSE(fs::exists(host.path() / "planted"));

    // Trees, then the stopped instance.
    TempDir src("capi-files-src");
    fs::create_directories(src.path() / "a");
    std::ofstream(src.path() / "a" / "f") << "leaf";
    expect_ok(CALL(li_instance_file_push_tree(inst.get(), src.path().c_str(), "/opt/t", nullptr, ERR)));
    CHECK(run_out(inst.get(), {"cat", "/opt/t/a/f"}) == "leaf");
    li_stop_opts stop = LI_STOP_OPTS_INIT;
    stop.force = 1;
    expect_ok(CALL(li_instance_stop(inst.get(), &stop, ERR)));
    TempDir dst("capi-files-dst");
    expect_ok(CALL(li_instance_file_pull_tree(inst.get(), "/opt/t", (dst.path() / "t").c_str(), ERR)));
    std::ifstream leaf(dst.path() / "t" / "a" / "f");
    std::string got((std::istreambuf_iterator<char>(leaf)), std::istreambuf_iterator<char>());
    CHECK(got == "leaf");
    expect_ok(CALL(li_instance_file_push_data(inst.get(), "/root/offline", "off", 3, nullptr, ERR)));
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    CHECK(run_out(inst.get(), {"stat", "-c", "%u", "/root/offline"}) == "0\n");

    li_delete_opts del = LI_DELETE_OPTS_INIT;
    del.force = 1;
    expect_ok(CALL(li_instance_delete(inst.get(), &del, ERR)));
}

}  // TEST_SUITE
