// A real virtual machine (TCG where KVM is unusable) through the C ABI: launched from the
// debian-vm image, its state, a command and files through the guest agent, a graceful stop and
// the delete; a container image as a VM's source is refused with nothing left.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "vm_support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

std::string vm_post(const std::string& name, const std::string& alias) {
    nlohmann::json post = {{"name", name},
                           {"type", "virtual-machine"},
                           {"config", {{"limits.memory", "256MiB"}}},
                           {"source", {{"type", "image"}, {"alias", alias}}},
                           {"start", true}};
    return post.dump();
}

}  // namespace

TEST_SUITE("vm") {

TEST_CASE("a VM through the C ABI: launch, state, exec and files through its agent, stop, delete") {
    build_vm_image();
    std::string name = unique_name("vm");
    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_create_json(&raw, env().mgr.get(), nullptr, vm_post(name, "debian-vm").c_str(), ERR)));
    REQUIRE(raw != nullptr);
    InstancePtr vm{raw};
    CHECK(instance_json(vm.get()).at("type") == "virtual-machine");

    char* state_json = nullptr;
    expect_ok(CALL(li_instance_state_json(&state_json, vm.get(), ERR)));
    auto state = take_json(state_json);
    CHECK(state.at("status") == "Running");
    std::string accel = state.value("accelerator", "");
    CHECK_MESSAGE((accel == "tcg" || accel == "kvm"), accel);

    // The first command waits for the guest to boot and its agent to answer.
    const char* uname[] = {"uname", "-r", nullptr};
    li_exec_result* res = nullptr;
    expect_ok(CALL(li_instance_exec(&res, vm.get(), uname, nullptr, ERR)));
    ExecResultPtr uname_res{res};
    CHECK(li_exec_result_exit_code(res) == 0);
    size_t len = 0;
    const char* out = li_exec_result_stdout(res, &len);
    CHECK(std::string(out, len).find("-amd64") != std::string::npos);
    const char* fail[] = {"sh", "-c", "exit 3", nullptr};
    expect_ok(CALL(li_instance_exec(&res, vm.get(), fail, nullptr, ERR)));
    ExecResultPtr fail_res{res};
    CHECK(li_exec_result_exit_code(res) == 3);

    li_file_opts opts = LI_FILE_OPTS_INIT;
    opts.mode = 0640;
    const char data[] = "hello vm from C\n";
    expect_ok(CALL(li_instance_file_push_data(vm.get(), "/root/c.txt", data, sizeof data - 1, &opts, ERR)));
    FILE* tmp = std::tmpfile();
    char* info_json = nullptr;
    expect_ok(CALL(li_instance_file_pull(&info_json, vm.get(), "/root/c.txt", fileno(tmp), ERR)));
    auto info = take_json(info_json);
    CHECK(info.at("mode") == 0640);
    CHECK(read_fd(fileno(tmp)) == data);
    std::fclose(tmp);

    // ACPI shutdown: the guest powers off on its own.
    li_stop_opts stop = LI_STOP_OPTS_INIT;
    stop.timeout_seconds = 60;
    expect_ok(CALL(li_instance_stop(vm.get(), &stop, ERR)));
    int code = 0;
    expect_ok(CALL(li_instance_status_code(&code, vm.get(), ERR)));
    CHECK(code == 102);
    expect_fail(CALL(li_instance_exec(&res, vm.get(), uname, nullptr, ERR)), LI_ERR_CONFLICT);

    expect_ok(CALL(li_instance_delete(vm.get(), nullptr, ERR)));
    CHECK_FALSE(listed(name));
    CHECK_FALSE(fs::exists(container_dir(name)));
}

TEST_CASE("a container image as a VM's source is refused naming source, nothing left") {
    std::string name = unique_name("vm-bad");
    li_instance* raw = nullptr;
    expect_invalid(CALL(li_instance_create_json(&raw, env().mgr.get(), nullptr, vm_post(name, "busybox").c_str(), ERR)),
                   "source");
    CHECK(raw == nullptr);
    CHECK_FALSE(listed(name));
    CHECK_FALSE(fs::exists(container_dir(name)));
}

}  // TEST_SUITE
