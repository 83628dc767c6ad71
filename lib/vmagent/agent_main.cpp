// libinstance-vm-agent: runs in a VM guest and serves the host's exec and file calls over one
// virtio-serial port (ADR 0015).
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "--version") == 0) {
        std::printf("%s\n", LI_VM_AGENT_VERSION);
        return 0;
    }
    std::fprintf(stderr, "usage: libinstance-vm-agent --port-name NAME | --path PATH | --fd N\n");
    return 2;
}
