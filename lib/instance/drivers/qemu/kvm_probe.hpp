#pragma once
// Whether KVM works on this host: a real, short run of a guest, not just /dev/kvm existing (on
// some hosts it exists and hangs).

#include <chrono>
#include <string>

namespace li {

struct KvmProbe {
    bool usable = false;
    std::string reason;  ///< why not, when not
};

/// Runs a guest of one instruction through qemu-system-x86_64 with KVM and the CPU model VMs
/// get (-cpu host), killed after `timeout`. The answer is kept for the life of the process.
const KvmProbe& probe_kvm(std::chrono::milliseconds timeout = std::chrono::milliseconds(1500));

/// The accelerator a VM starts with: boot.accelerator ("auto", "kvm", "tcg"; "" is auto).
/// InvalidArgument when kvm is asked for and unusable (naming the probe's reason).
std::string choose_accelerator(const std::string& wanted);

}  // namespace li
