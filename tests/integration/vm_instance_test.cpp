// Virtual machines booted for real (TCG on hosts where KVM is unusable) from the debian-vm image:
// the lifecycle through the C++ API, commands and files through the guest agent, and bad inputs
// refused with nothing left behind.
#include <doctest.h>
#include <chrono>
#include <filesystem>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "instance/drivers/qemu/kvm_probe.hpp"
#include "integration/vm_support.hpp"
#include "sys/fs.hpp"
#include "sys/unique_fd.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

// A file's content pulled from the instance.
std::string pull_text(Instance& vm, const std::string& path) {
    UniqueFd fd(::memfd_create("pull", MFD_CLOEXEC));
    REQUIRE(fd);
    vm.file_pull(path, fd.get());
    std::string out(static_cast<size_t>(::lseek(fd.get(), 0, SEEK_END)), '\0');
    REQUIRE(::pread(fd.get(), out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
    return out;
}

fs::path volume_of(const std::string& name) { return shared().dir.path() / "storage-pools" / "default" / "containers" / name; }

// The create must fail with `code` naming `key`, and leave neither a record nor a volume.
void check_refused(const api::InstancesPost& post, ErrorCode code, const std::string& key) {
    Error e = error_of([&] { shared().mgr->instances().create("default", post); });
    CHECK_MESSAGE(e.code() == code, e.what());
    CHECK_MESSAGE(e.key() == key, e.what());
    CHECK_FALSE(instance_exists(post.name));
    CHECK_FALSE(fs::exists(volume_of(post.name)));
}

}  // namespace

TEST_CASE("a VM launches, runs commands and takes files through its agent, stops cleanly, snapshots, copies and goes") {
    TempDir share("li-vm-share");
    write_file_atomic(share.path() / "from-host.txt", "from the host\n");
    api::InstancesPost post = vm_post("vm1", true);
    post.config["limits.cpu"] = "2";
    post.devices["share"] = {{"type", "disk"}, {"source", share.path().string()}, {"path", "/mnt/host share"}};
    post.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", "default"}, {"size", "2GiB"}};
    auto started = std::chrono::steady_clock::now();
    Instance vm = shared().mgr->instances().create("default", post);
    api::InstanceState st = vm.state();
    CHECK(st.status == "Running");
    CHECK(st.accelerator == (probe_kvm().usable ? "kvm" : "tcg"));
    CHECK(st.pid > 0);

    // The first command waits for the guest to boot and its agent to answer.
    ExecResult uname = vm.exec({"uname", "-r"});
    MESSAGE("launch to exec-ready: ",
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(), " ms");
    CHECK(uname.exit_code == 0);
    CHECK(uname.stdout_data.find("-amd64") != std::string::npos);
    // A guest, not the host: its own kernel and memory.
    CHECK(sh(vm, "grep MemTotal /proc/meminfo").find("kB") != std::string::npos);
    CHECK(sh_rc(vm, "exit 3") == 3);
    // Its name, its CPUs, and a host folder shared through 9p, both ways.
    CHECK(sh(vm, "hostname") == "vm1\n");
    CHECK(sh(vm, "nproc") == "2\n");
    CHECK(sh(vm, "cat '/mnt/host share/from-host.txt'; echo back > '/mnt/host share/from-guest.txt'") == "from the host\n");
    CHECK(read_file(share.path() / "from-guest.txt") == "back\n");
    // The root disk's size: the 1 GiB image disk grew to 2 GiB, and the guest grew its file system.
    CHECK(fs::file_size(volume_of("vm1") / "root.img") == (2ull << 30));
    CHECK(std::stoull(sh(vm, "df -k / | awk 'NR==2 {print $2}'")) > (1500ull << 10));

    // The serial console: what is typed runs in the guest's shell, what it prints comes back.
    {
        Console console = vm.console();
        const std::string typed = "echo console-$((6*7))\r";
        REQUIRE(::write(console.fd(), typed.data(), typed.size()) == static_cast<ssize_t>(typed.size()));
        std::string seen;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (seen.find("console-42") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd p{console.fd(), POLLIN, 0};
            if (::poll(&p, 1, 500) <= 0) continue;
            char buf[4096];
            ssize_t n = ::read(console.fd(), buf, sizeof buf);
            if (n <= 0) break;
            seen.append(buf, static_cast<size_t>(n));
        }
        CHECK_MESSAGE(seen.find("console-42") != std::string::npos, seen);
    }
    ExecOptions in;
    in.stdin_data = "through the agent\n";
    CHECK(vm.exec({"cat"}, in).stdout_data == "through the agent\n");

    FileOptions mode;
    mode.mode = 0640;
    vm.file_push_data("/root/hello.txt", "hello vm\n", mode);
    CHECK(sh(vm, "cat /root/hello.txt; stat -c %a /root/hello.txt") == "hello vm\n640\n");
    CHECK(pull_text(vm, "/root/hello.txt") == "hello vm\n");
    CHECK(vm.file_stat("/root").type == "directory");
    Error missing = error_of([&] { pull_text(vm, "/no/such/file"); });
    CHECK(missing.code() == ErrorCode::NotFound);

    st = vm.state();
    CHECK(st.cpu.usage > 0);
    CHECK(st.memory.usage > 0);
    CHECK(st.disk.at("root").usage > 0);
    CHECK_FALSE(vm.console_log().empty());

    // ACPI shutdown: the guest powers off well before the timeout would force it.
    auto stop_started = std::chrono::steady_clock::now();
    StopOptions graceful;
    graceful.timeout = std::chrono::seconds(60);
    vm.stop(graceful);
    CHECK(std::chrono::steady_clock::now() - stop_started < std::chrono::seconds(45));
    CHECK(vm.state().status == "Stopped");
    Error stopped = error_of([&] { vm.exec({"true"}); });
    CHECK(stopped.code() == ErrorCode::Conflict);

    api::InstanceSnapshotsPost snap;
    snap.name = "snap0";
    vm.snapshot(snap);
    CHECK(vm.snapshots().size() == 1);
    api::InstancesPost copy;
    copy.name = "vm1-copy";
    copy.type = "virtual-machine";
    copy.source.type = "copy";
    copy.source.source = "vm1";
    shared().mgr->instances().create("default", copy);
    CHECK(fs::exists(volume_of("vm1-copy") / "root.img"));
    shared().mgr->instances().get("default", "vm1-copy").remove();

    vm.remove();
    CHECK_FALSE(instance_exists("vm1"));
    CHECK_FALSE(fs::exists(volume_of("vm1")));
}

TEST_CASE("bad VM inputs are refused, naming the key, and leave nothing behind") {
    api::InstancesPost container_image = vm_post("vm-bad1", false);
    container_image.source.alias = "busybox";
    check_refused(container_image, ErrorCode::InvalidArgument, "source");

    api::InstancesPost vm_image_as_container = vm_post("vm-bad2", false);
    vm_image_as_container.type = "container";
    vm_image_as_container.config.clear();
    check_refused(vm_image_as_container, ErrorCode::InvalidArgument, "source");

    api::InstancesPost small = vm_post("vm-bad3", false);
    small.config["limits.memory"] = "64MiB";
    check_refused(small, ErrorCode::InvalidArgument, "config.limits.memory");

    api::InstancesPost unknown_disk = vm_post("vm-bad4", false);
    unknown_disk.devices["data"] = {{"type", "disk"}, {"source", "/no/such/dir"}, {"path", "/mnt/data"}};
    check_refused(unknown_disk, ErrorCode::NotFound, "devices.data.source");

    api::InstancesPost container_device = vm_post("vm-bad5", false);
    container_device.devices["tty"] = {{"type", "unix-char"}, {"path", "/dev/ttyX"}, {"source", "/dev/null"}};
    check_refused(container_device, ErrorCode::NotSupported, "devices.tty.type");
}
