// A VM image as LXD ships them: a metadata tarball with no kernel (no boot/) and a qcow2 disk with
// a GPT, an EFI system partition and an ext4 root. The VM boots it through UEFI (OVMF) for real:
// the firmware runs the disk's \EFI\BOOT\BOOTX64.EFI (GRUB), which loads the kernel and initrd of
// the debian-vm image from the root partition; its init then starts our agent.
#include <doctest.h>
#include <chrono>
#include <filesystem>

#include "image/image_files.hpp"
#include "integration/vm_support.hpp"
#include "support/tar_writer.hpp"
#include "sys/fs.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kOvmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd";

// The LXD-style image of the debian-vm image's kernel, initrd and root file system, imported
// under `alias`. The disk takes seconds to make (tests/vm/make_uefi_disk.sh, no loop mounts).
void import_uefi_image(const TempDir& dir, const std::string& alias, const std::string& hostname) {
    api::Image debian_vm = shared().mgr->images().get("default", vm_image());
    ImageFiles files = stored_image_files(shared().dir.path() / "images", debian_vm.fingerprint);
    REQUIRE(files.split());
    fs::path disk = dir.path() / "disk.qcow2";
    // GRUB's embedded grub.cfg passes what the debian-vm init reads (as vm_kernel_cmdline() does
    // on a direct kernel boot); not quiet, so that the console log shows the kernel.
    std::string make = std::string("sh ") + LI_UEFI_DISK_SCRIPT + " " + files.metadata.string() + " " + files.rootfs.string() + " " +
                       disk.string() + " 'rw console=ttyS0 panic=-1 libinstance.hostname=" + hostname + "'";
    auto started = std::chrono::steady_clock::now();
    REQUIRE_MESSAGE(std::system(make.c_str()) == 0, make);
    MESSAGE("UEFI disk made in ", std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(),
            " ms");
    write_tar(dir.path() / "meta.tar.xz",
              {file_entry("metadata.yaml", "architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  os: Debian\n"
                                           "  release: bookworm\n  variant: uefi\n  description: Debian bookworm (UEFI)\n"),
               dir_entry("templates")},
              "xz");
    ImageImportOptions opts;
    opts.rootfs_path = disk;
    opts.alias = alias;
    api::Image img = shared().mgr->images().import_file("default", dir.path() / "meta.tar.xz", opts);
    CHECK(img.type == "virtual-machine");
    CHECK(img.properties.at("variant") == "uefi");
}

}  // namespace

TEST_CASE("an LXD-style UEFI VM image (GPT, EFI system partition, no boot/) boots through OVMF and runs its agent") {
    REQUIRE_MESSAGE(fs::exists(kOvmfVars), "OVMF is not installed (tools/setup-debian.sh installs ovmf)");
    TempDir dir("li-vm-uefi");
    import_uefi_image(dir, "uefi-vm", "uefi1");

    api::InstancesPost post = vm_post("uefi1", true);
    post.source.alias = "uefi-vm";
    // Debian's GRUB runs out of memory loading the kernel under OVMF with 256 MiB (320 MiB do).
    post.config["limits.memory"] = "384MiB";
    auto started = std::chrono::steady_clock::now();
    Instance vm = shared().mgr->instances().create("default", post);
    fs::path volume = shared().dir.path() / "storage-pools" / "default" / "containers" / "uefi1";
    CHECK_FALSE(fs::exists(volume / "boot"));

    // The first command waits for firmware, GRUB, kernel and init, then the agent.
    ExecResult uname = vm.exec({"uname", "-r"});
    MESSAGE("UEFI launch to exec-ready: ",
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(), " ms");
    CHECK(uname.exit_code == 0);
    CHECK(uname.stdout_data.find("-amd64") != std::string::npos);
    // Booted through UEFI (the kernel sees EFI runtime services), from the GPT's second partition.
    CHECK(sh_rc(vm, "test -d /sys/firmware/efi") == 0);
    CHECK(sh(vm, "awk '$2 == \"/\" {print $1}' /proc/mounts | tail -n 1") == "/dev/vda2\n");
    CHECK(sh(vm, "hostname") == "uefi1\n");

    // The console log has the firmware's boot of the disk, GRUB, the kernel and our init.
    std::string log = vm.console_log();
    for (const char* seen : {"BdsDxe: starting", "libinstance-uefi: grub loading the kernel", "Linux version", "libinstance-vm: system started"})
        CHECK_MESSAGE(log.find(seen) != std::string::npos, seen);

    // The domain: OVMF's code read-only, the variables the instance's own copy in its volume.
    std::string xml = read_file(shared().dir.path() / "logs" / "uefi1" / "domain.xml");
    CHECK(xml.find("<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>") != std::string::npos);
    CHECK(xml.find("<nvram>" + (volume / "uefi-vars.fd").string() + "</nvram>") != std::string::npos);
    CHECK(xml.find("<kernel>") == std::string::npos);
    CHECK(xml.find("machine='q35'") != std::string::npos);
    REQUIRE(fs::exists(volume / "uefi-vars.fd"));
    // The firmware wrote its boot entries into the instance's copy, not into the template.
    CHECK(read_file(volume / "uefi-vars.fd") != read_file(kOvmfVars));

    // A second boot keeps the variables and boots again.
    StopOptions graceful;
    graceful.timeout = std::chrono::seconds(60);
    vm.stop(graceful);
    CHECK(vm.state().status == "Stopped");
    vm.start();
    CHECK(sh(vm, "test -d /sys/firmware/efi && echo efi") == "efi\n");
    vm.stop(graceful);
    CHECK(vm.state().status == "Stopped");

    vm.remove();
    CHECK_FALSE(instance_exists("uefi1"));
    CHECK_FALSE(fs::exists(volume));
    shared().mgr->images().remove("default", shared().mgr->images().get("default", "uefi-vm").fingerprint);
}
