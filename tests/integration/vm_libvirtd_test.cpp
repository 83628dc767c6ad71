// VMs through a libvirtd (LIBINSTANCE_LIBVIRT_URI=qemu:///system) instead of the embedded driver:
// two state directories run a VM of the same name side by side on one daemon, each reachable
// through its agent, with a host folder (root's, mode 0700) shared into it.
#include <doctest.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "backend/libvirt/libvirt_connection.hpp"
#include "integration/shared_manager.hpp"
#include "sys/fs.hpp"
#include "sys/sha256.hpp"
#include "sys/subprocess.hpp"
#include "sys/unix_socket.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSystemUri = "qemu:///system";
// This process runs the embedded driver too (the other VM tests), which libvirt would give
// qemu:///system to: the test's own connection names the transport, as the driver does.
constexpr const char* kDaemonUri = "qemu+unix:///system?socket=/run/libvirt/libvirt-sock";

bool answers(const fs::path& socket) { return static_cast<bool>(connect_unix(socket)); }

// The host's libvirtd when one runs; else one started here with its virtlogd (through which it
// logs QEMU's output), with Debian's defaults as an admin would run it, and stopped at the end.
class SystemLibvirtd {
public:
    SystemLibvirtd() {
        if (answers("/run/libvirt/libvirt-sock")) return;
        fs::create_directories("/var/log/libvirt");
        if (!answers("/run/libvirt/virtlogd-sock")) start("virtlogd");
        start("libvirtd");
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!answers("/run/libvirt/libvirt-sock") && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        REQUIRE_MESSAGE(answers("/run/libvirt/libvirt-sock"), "libvirtd did not start; see /var/log/libvirt/libvirtd.log");
    }
    ~SystemLibvirtd() {
        for (const fs::path& pidfile : started_) {
            pid_t pid = 0;
            try {
                pid = static_cast<pid_t>(std::stol(read_file(pidfile, 64)));
            } catch (...) {
                continue;
            }
            ::kill(pid, SIGTERM);
            for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

private:
    void start(const std::string& daemon) {
        fs::path pidfile = pids_.path() / (daemon + ".pid");
        run_checked({daemon, "--daemon", "--pid-file", pidfile.string()}, "starting " + daemon);
        started_.push_back(pidfile);
    }

    TempDir pids_{"li-libvirtd-pids"};
    std::vector<fs::path> started_;
};

// LIBINSTANCE_LIBVIRT_URI while Managers open (their qemu driver reads it then).
class LibvirtUri {
public:
    explicit LibvirtUri(const char* uri) { ::setenv("LIBINSTANCE_LIBVIRT_URI", uri, 1); }
    ~LibvirtUri() { ::unsetenv("LIBINSTANCE_LIBVIRT_URI"); }
};

std::string domain_on_libvirtd(const fs::path& state, const std::string& instance) {
    Sha256 h;
    h.update(fs::weakly_canonical(state).string());
    return "li-" + h.hex_digest().substr(0, 12) + "-" + instance;
}

uid_t owner_uid_of_process(pid_t pid) {
    std::string status = read_file(fs::path("/proc") / std::to_string(pid) / "status", 1 << 16);
    auto at = status.find("\nUid:");
    REQUIRE(at != std::string::npos);
    return static_cast<uid_t>(std::stoul(status.substr(at + 5)));
}

std::shared_ptr<Manager> open_with_vm_image(const fs::path& dir) {
    auto mgr = Manager::open(dir);
    ImageBuildOptions opts;
    opts.builder = "debian-vm";
    opts.alias = "debian-vm";
    mgr->images().build("default", opts);
    return mgr;
}

}  // namespace

TEST_CASE("two state directories run same-named VMs side by side on a system libvirtd, as root, with shares and agents") {
    SystemLibvirtd daemon;
    TempDir share("li-libvirtd-share");
    fs::permissions(share.path(), fs::perms::owner_all);
    write_file_atomic(share.path() / "note", "root's only\n", 0600);
    TempDir state_a("li-libvirtd-a"), state_b("li-libvirtd-b");
    std::shared_ptr<Manager> a, b;
    {
        LibvirtUri uri(kSystemUri);
        a = open_with_vm_image(state_a.path());
        b = open_with_vm_image(state_b.path());
    }
    api::InstancesPost post;
    post.name = "vm";
    post.type = "virtual-machine";
    post.source.alias = "debian-vm";
    post.config["limits.memory"] = "256MiB";
    post.devices["share"] = {{"type", "disk"}, {"source", share.path().string()}, {"path", "/mnt/share"}};
    post.start = true;
    Instance vm_a = a->instances().create("default", post);
    Instance vm_b = b->instances().create("default", post);

    // Each state directory's domain has a name of its own on the daemon, and QEMU runs as root
    // there too (not libvirtd's default libvirt-qemu user, which could not read the share).
    LibvirtConnection conn(kDaemonUri);
    auto dom_a = conn.find(domain_on_libvirtd(state_a.path(), "vm"));
    auto dom_b = conn.find(domain_on_libvirtd(state_b.path(), "vm"));
    REQUIRE(dom_a);
    REQUIRE(dom_b);
    CHECK(dom_a->state() == VIR_DOMAIN_RUNNING);
    CHECK(dom_b->state() == VIR_DOMAIN_RUNNING);
    CHECK_FALSE(conn.find("vm"));
    api::InstanceState st = vm_a.state();
    CHECK(st.status == "Running");
    REQUIRE(st.pid > 0);  // from the system daemon's pid file
    CHECK(owner_uid_of_process(st.pid) == 0);

    for (Instance* vm : {&vm_a, &vm_b}) {
        ExecResult r = vm->exec({"sh", "-c", "hostname; cat /mnt/share/note"});
        CHECK(r.exit_code == 0);
        CHECK(r.stdout_data == "vm\nroot's only\n");
    }

    // Stopping one leaves the other running; deleting them leaves nothing on the daemon.
    vm_a.stop(StopOptions{});
    CHECK(vm_a.state().status == "Stopped");
    CHECK_FALSE(conn.find(domain_on_libvirtd(state_a.path(), "vm")));
    CHECK(vm_b.exec({"true"}).exit_code == 0);
    vm_b.stop(StopOptions{.force = true});
    vm_a.remove();
    vm_b.remove();
    CHECK_FALSE(conn.find(domain_on_libvirtd(state_b.path(), "vm")));
}
