#include "instance/drivers/qemu/kvm_probe.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

extern char** environ;

namespace li {

namespace {

// The firmware of the probe guest: 64 KiB whose reset vector writes 1 to QEMU's isa-debug-exit
// port, which ends QEMU with status (1 << 1) | 1.
constexpr int kProbeExitStatus = 3;

std::string write_probe_firmware() {
    char path[] = "/tmp/li-kvm-probe-XXXXXX";
    UniqueFd fd(::mkstemp(path));
    if (!fd) throw Error::from_errno("creating the KVM probe's firmware", errno);
    std::string image(65536, '\xf4');                    // hlt everywhere else
    const char code[] = {'\xb0', '\x01', '\xe6', '\xf4', '\xf4'};  // mov al,1; out 0xf4,al; hlt
    image.replace(0xfff0, sizeof code, code, sizeof code);
    if (::write(fd.get(), image.data(), image.size()) != static_cast<ssize_t>(image.size())) {
        ::unlink(path);
        throw Error::from_errno("writing the KVM probe's firmware", errno);
    }
    return path;
}

// A real guest through QEMU itself, with the machine and CPU model VMs get under KVM: /dev/kvm
// may exist and still fail them (MSRs the host refuses) or hang.
KvmProbe run_probe(std::chrono::milliseconds timeout) {
    if (::access("/dev/kvm", R_OK | W_OK) != 0) return {false, fmt::format("/dev/kvm: {}", std::strerror(errno))};
    std::string firmware;
    try {
        firmware = write_probe_firmware();
    } catch (const Error& e) {
        return {false, e.what()};
    }
    std::vector<std::string> args = {"qemu-system-x86_64", "-machine", "q35,accel=kvm", "-cpu", "host", "-m", "16",
                                     "-nodefaults", "-display", "none", "-no-reboot", "-bios", firmware,
                                     "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        ::unlink(firmware.c_str());
        return {false, fmt::format("running qemu-system-x86_64: {}", std::strerror(rc))};
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    bool timed_out = false;
    while (::waitpid(pid, &status, WNOHANG) != pid) {
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::unlink(firmware.c_str());
    if (timed_out) return {false, fmt::format("a KVM guest of one instruction did not finish within {} ms (KVM hangs)", timeout.count())};
    if (WIFEXITED(status) && WEXITSTATUS(status) == kProbeExitStatus) return {true, ""};
    if (WIFSIGNALED(status))
        return {false, fmt::format("QEMU died of signal {} running a KVM guest with -cpu host", WTERMSIG(status))};
    return {false, fmt::format("QEMU exited with status {} running a KVM guest with -cpu host", WEXITSTATUS(status))};
}

}  // namespace

const KvmProbe& probe_kvm(std::chrono::milliseconds timeout) {
    static const KvmProbe probe = run_probe(timeout);
    return probe;
}

std::string choose_accelerator(const std::string& wanted) {
    if (wanted == "tcg") return "tcg";
    if (wanted.empty() || wanted == "auto") return probe_kvm().usable ? "kvm" : "tcg";
    if (wanted == "kvm") {
        const KvmProbe& probe = probe_kvm();
        if (!probe.usable)
            throw Error::invalid("config.boot.accelerator", fmt::format("boot.accelerator is kvm but KVM is not usable: {}", probe.reason));
        return "kvm";
    }
    throw Error::invalid("config.boot.accelerator", fmt::format("boot.accelerator \"{}\" is not auto, kvm or tcg", wanted));
}

}  // namespace li
