// Publishing a stopped VM (and a VM snapshot) as an image: a split image of type
// virtual-machine whose qcow2 holds the instance's disk, and a new VM made from it. The disks are
// read on the host with debugfs (e2fsprogs), so no guest boots.
#include <doctest.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "image/image_files.hpp"
#include "image/qcow2.hpp"
#include "integration/shared_manager.hpp"
#include "sys/fs.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

std::string debian_vm_image() {
    ImageBuildOptions opts;
    opts.builder = "debian-vm";
    opts.alias = "debian-vm";
    shared().mgr->images().build("default", opts);
    return "debian-vm";
}

fs::path volume_of(const std::string& name) { return shared().dir.path() / "storage-pools" / "default" / "containers" / name; }

// stdout of a host command.
std::string host_output(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    ::pclose(p);
    return out;
}

// A file of the ext4 disk image, read by debugfs (empty when absent).
std::string disk_file(const fs::path& raw, const std::string& path) {
    return host_output("debugfs -R 'cat " + path + "' " + raw.string());
}

void disk_write(const fs::path& raw, const std::string& path, const std::string& content) {
    TempDir tmp("li-vm-publish-src");
    write_file_atomic(tmp.path() / "src", content);
    std::string cmd = "debugfs -w -R 'write " + (tmp.path() / "src").string() + " " + path + "' " + raw.string() + " >/dev/null 2>&1";
    REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, cmd);
}

// The raw disk of a stored image's qcow2, converted back.
fs::path stored_disk(const std::string& fingerprint, const fs::path& out) {
    ImageFiles files = stored_image_files(shared().dir.path() / "images", fingerprint);
    REQUIRE(files.split());
    CHECK(is_qcow2(files.rootfs));
    convert_qcow2_to_raw(files.rootfs, out, {}, {});
    return out;
}

}  // namespace

TEST_CASE("a stopped VM and a VM snapshot publish as virtual-machine images holding their disk; a VM launched from one has it") {
    api::InstancesPost post;
    post.name = "vmpub";
    post.type = "virtual-machine";
    post.source.alias = debian_vm_image();
    Instance vm = shared().mgr->instances().create("default", post);
    fs::path root_img = volume_of("vmpub") / "root.img";
    REQUIRE(fs::is_regular_file(root_img));
    disk_write(root_img, "/marker", "before snapshot\n");
    api::InstanceSnapshotsPost snap;
    snap.name = "s0";
    vm.snapshot(snap);
    disk_write(root_img, "/marker2", "published content\n");

    ImagePublishOptions opts;
    opts.instance = "vmpub";
    opts.alias = "vmpub-img";
    opts.properties["description"] = "a published VM";
    api::Image img = shared().mgr->images().publish("default", opts);
    CHECK(img.type == "virtual-machine");
    CHECK(img.properties.at("description") == "a published VM");
    CHECK(img.properties.at("os") == "Debian");  // the source image's properties are kept
    TempDir tmp("li-vm-publish");
    fs::path raw = stored_disk(img.fingerprint, tmp.path() / "published.raw");
    CHECK(disk_file(raw, "/marker2") == "published content\n");

    // The snapshot's disk, not the instance's current one.
    opts.instance = "vmpub/s0";
    opts.alias = "vmpub-snap";
    opts.compression = "none";
    api::Image snap_img = shared().mgr->images().publish("default", opts);
    CHECK(snap_img.type == "virtual-machine");
    fs::path snap_raw = stored_disk(snap_img.fingerprint, tmp.path() / "snap.raw");
    CHECK(disk_file(snap_raw, "/marker") == "before snapshot\n");
    CHECK(disk_file(snap_raw, "/marker2").empty());

    // A VM from the published image: its volume has the boot files and the published disk.
    post.name = "vmpub-child";
    post.source.alias = "vmpub-img";
    Instance child = shared().mgr->instances().create("default", post);
    CHECK(child.info().type == "virtual-machine");
    fs::path child_vol = volume_of("vmpub-child");
    CHECK(fs::file_size(child_vol / "boot" / "vmlinuz") == fs::file_size(volume_of("vmpub") / "boot" / "vmlinuz"));
    CHECK(fs::is_regular_file(child_vol / "boot" / "initrd.img"));
    CHECK(fs::is_directory(child_vol / "templates"));
    CHECK(disk_file(child_vol / "root.img", "/marker2") == "published content\n");

    child.remove();
    vm.remove();
    for (const char* alias : {"vmpub-img", "vmpub-snap"}) shared().mgr->images().remove("default", alias);
}
