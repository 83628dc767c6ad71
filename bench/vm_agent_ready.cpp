// The floor of the VM launch benchmark (bench/vm_launch.py): waits until the guest agent behind a
// unix socket answers, through the very client the QEMU driver uses (li::VmAgentClient: same
// connect retry, same hello), then runs `true` in the guest. Prints the milliseconds from this
// program's start until the agent answered and until `true` returned, as one JSON object.
// Usage: vm-agent-ready SOCKET TIMEOUT_MS
#include <chrono>
#include <cstdio>
#include <string>

#include "instance/drivers/qemu/agent_client.hpp"

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SOCKET TIMEOUT_MS\n", argv[0]);
        return 2;
    }
    auto t0 = std::chrono::steady_clock::now();
    try {
        li::VmAgentClient client;
        client.connect(argv[1], std::chrono::milliseconds(std::stol(argv[2])));
        double connected = ms_since(t0);
        li::ExecResult r = client.exec({"true"}, {});
        double exec = ms_since(t0);
        if (r.exit_code != 0) {
            std::fprintf(stderr, "vm-agent-ready: `true` exited %d\n", r.exit_code);
            return 1;
        }
        std::printf("{\"connected_ms\": %.3f, \"exec_ms\": %.3f}\n", connected, exec);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vm-agent-ready: %s\n", e.what());
        return 1;
    }
}
