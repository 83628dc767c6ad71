#include "instance/drivers/qemu/kvm_probe.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "libinstance/error.hpp"

namespace li {

namespace {

// Exit codes of the probe child: 0 = the guest halted as it should.
enum ProbeExit { kHalted = 0, kNoDevice = 10, kNoVm = 11, kNoVcpu = 12, kRunFailed = 13, kWrongExit = 14 };

// In the child: a VM with one page of memory holding HLT at the reset vector's real-mode address.
[[noreturn]] void run_probe_guest() {
    int kvm = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) ::_exit(kNoDevice);
    int vm = ::ioctl(kvm, KVM_CREATE_VM, 0UL);
    if (vm < 0) ::_exit(kNoVm);
    void* mem = ::mmap(nullptr, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) ::_exit(kNoVm);
    static_cast<unsigned char*>(mem)[0] = 0xf4;  // hlt
    kvm_userspace_memory_region region{};
    region.guest_phys_addr = 0x1000;
    region.memory_size = 0x1000;
    region.userspace_addr = reinterpret_cast<uint64_t>(mem);
    if (::ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) ::_exit(kNoVm);
    int vcpu = ::ioctl(vm, KVM_CREATE_VCPU, 0UL);
    if (vcpu < 0) ::_exit(kNoVcpu);
    int run_size = ::ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size <= 0) ::_exit(kNoVcpu);
    auto* run = static_cast<kvm_run*>(::mmap(nullptr, static_cast<size_t>(run_size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0));
    if (run == MAP_FAILED) ::_exit(kNoVcpu);
    kvm_sregs sregs{};
    if (::ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) ::_exit(kNoVcpu);
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    if (::ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) ::_exit(kNoVcpu);
    kvm_regs regs{};
    regs.rip = 0x1000;
    regs.rflags = 0x2;
    if (::ioctl(vcpu, KVM_SET_REGS, &regs) < 0) ::_exit(kNoVcpu);
    if (::ioctl(vcpu, KVM_RUN, 0) < 0) ::_exit(kRunFailed);
    ::_exit(run->exit_reason == KVM_EXIT_HLT ? kHalted : kWrongExit);
}

KvmProbe run_probe(std::chrono::milliseconds timeout) {
    if (::access("/dev/kvm", R_OK | W_OK) != 0) return {false, fmt::format("/dev/kvm: {}", std::strerror(errno))};
    pid_t pid = ::fork();
    if (pid < 0) return {false, fmt::format("forking the KVM probe: {}", std::strerror(errno))};
    if (pid == 0) run_probe_guest();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return {false, fmt::format("a one-instruction KVM guest did not halt within {} ms (KVM hangs on this host)", timeout.count())};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == kHalted) return {true, ""};
    switch (WIFEXITED(status) ? WEXITSTATUS(status) : -1) {
        case kNoDevice: return {false, "/dev/kvm cannot be opened"};
        case kNoVm: return {false, "KVM_CREATE_VM failed"};
        case kNoVcpu: return {false, "a KVM vCPU cannot be set up"};
        case kRunFailed: return {false, "KVM_RUN failed"};
        case kWrongExit: return {false, "a KVM guest did not halt as expected"};
        default: return {false, "the KVM probe crashed"};
    }
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
