#include <doctest.h>
#include <cstdlib>
#include <filesystem>

#include "golden/golden.hpp"
#include "instance/drivers/qemu/qemu_render.hpp"
#include "libinstance/error.hpp"
#include "sys/fs.hpp"

using namespace li;
namespace fs = std::filesystem;

using li::test::check_golden;

namespace {
QemuRenderInput basic_vm() {
    QemuRenderInput in;
    in.domain_name = "v1";
    in.instance_name = "v1";
    in.host_memory = 8ull << 30;
    in.host_cpus = "0-3";
    in.kernel = "/var/lib/libinstance/storage-pools/default/containers/v1/boot/vmlinuz";
    in.initrd = "/var/lib/libinstance/storage-pools/default/containers/v1/boot/initrd.img";
    in.disks.push_back({"root", "/var/lib/libinstance/storage-pools/default/containers/v1/root.img", false, false});
    in.console_socket = "/run/libinstance/0123456789ab/ba9876543210/console.sock";
    in.console_log = "/var/lib/libinstance/logs/v1/console.log";
    in.agent_socket = "/run/libinstance/0123456789ab/ba9876543210/agent.sock";
    return in;
}
}  // namespace

TEST_CASE("domain XML of a VM with defaults under TCG") { check_golden("qemu-domain-basic.xml", render_domain_xml(basic_vm())); }

TEST_CASE("domain XML of a VM with limits, KVM, extra disks, a share and nics, on a libvirtd") {
    QemuRenderInput in = basic_vm();
    in.domain_name = "li-0123456789ab-proj_v2";
    in.static_root_label = true;
    in.instance_name = "v2 <&'\">";
    in.kvm = true;
    in.config = {{"limits.memory", "25%"}, {"limits.cpu", "1,3"}};
    in.disks.push_back({"data", "/dev/sdb", true, false});
    in.disks.push_back({"iso", "/srv/images/extra.img", false, true});
    in.shares.push_back({"home", "/srv/home dir", "home", "/mnt/home dir:x", true});
    in.nics.push_back({"eth0", "lxdbr0", "00:16:3e:aa:bb:cc", "tap01234567", ""});
    in.nics.push_back({"eth1", "br1", "00:16:3e:dd:ee:ff", "tap89abcdef", "9000"});
    check_golden("qemu-domain-full.xml", render_domain_xml(in));
}

TEST_CASE("domain XML of a VM booting through UEFI") {
    QemuRenderInput in = basic_vm();
    in.kernel.clear();
    in.initrd.clear();
    in.firmware = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    in.firmware_vars = "/var/lib/libinstance/storage-pools/default/containers/v1/uefi-vars.fd";
    in.config = {{"limits.cpu", "2"}, {"limits.memory", "2GiB"}};
    check_golden("qemu-domain-uefi.xml", render_domain_xml(in));
}

TEST_CASE("VM memory and CPU limits refused with the key named") {
    QemuRenderInput in = basic_vm();
    in.config = {{"limits.memory", "64MiB"}};
    try {
        render_domain_xml(in);
        FAIL("64MiB accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "config.limits.memory");
        CHECK(std::string(e.what()).find("128 MiB") != std::string::npos);
    }
    in.config = {{"limits.cpu", "0-7"}};
    CHECK_THROWS_WITH_AS(render_domain_xml(in), doctest::Contains("CPU 4"), Error);
    in.config = {{"limits.cpu", "0"}};
    CHECK_THROWS_AS(render_domain_xml(in), Error);
    CHECK(vm_memory_bytes({}, 8ull << 30) == (1ull << 30));
    CHECK(vm_memory_bytes({{"limits.memory", "50%"}}, 8ull << 30) == (4ull << 30));
    CHECK(vm_cpus({{"limits.cpu", "2-3"}}, "0-3") == std::pair<unsigned, std::string>{2, "2-3"});
}
