// VM images: the debian-vm builder (real: the kernel .deb comes through apt into
// LIBINSTANCE_CACHE_DIR), LXD-style split VM images (metadata + qcow2), hostile qcow2 disks, and
// unpacking into an image volume (root.img, raw and sparse).
#include <doctest.h>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <thread>

#include "core/operation_state.hpp"
#include "image/image_files.hpp"
#include "image/qcow2.hpp"
#include "image/tarball.hpp"
#include "integration/shared_manager.hpp"
#include "support/tar_writer.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

void run(const std::string& cmd) { REQUIRE_MESSAGE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0, cmd); }

std::string metadata_yaml() { return "architecture: " + host_architecture() + "\ncreation_date: 1700000000\n"; }

std::set<std::string> entries_of(const fs::path& tarball) {
    TempDir out("li-vm-entries");
    unpack_archive(tarball, ArchiveRole::Metadata, out.path(), UnpackLimits{}, {});
    std::set<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(out.path())) names.insert(fs::relative(e.path(), out.path()).string());
    return names;
}

}  // namespace

TEST_CASE("debian-vm: a cached, bootable split image of type virtual-machine") {
    REQUIRE_MESSAGE(std::getenv("LIBINSTANCE_CACHE_DIR") != nullptr, "run through meson (it sets LIBINSTANCE_CACHE_DIR)");
    TempDir dir("li-debian-vm");
    auto mgr = Manager::open(dir.path() / "state");
    ImageBuildOptions opts;
    opts.builder = "debian-vm";
    opts.alias = "debian-vm";
    opts.output_path = dir.path() / "meta.tar.gz";
    Operation op = mgr->images().build_async("default", opts);
    op.wait(std::chrono::minutes(20));
    op.get();
    CHECK(op.info().metadata.count("image_build_progress") == 1);
    api::Image img = mgr->images().get("default", "debian-vm");
    CHECK(img.type == "virtual-machine");
    CHECK(img.architecture == "x86_64");
    CHECK(img.properties.at("os") == "Debian");
    CHECK(img.properties.at("variant") == "vm-busybox");
    CHECK(img.properties.count("release") == 1);
    // The list reads the type back from the store.
    bool listed = false;
    for (const auto& i : mgr->images().list("default")) listed |= i.fingerprint == img.fingerprint && i.type == "virtual-machine";
    CHECK(listed);

    // LXD's split layout: the metadata tarball carries the kernel and initrd, the disk is a qcow2.
    ImageFiles stored = stored_image_files(dir.path() / "state/images", img.fingerprint);
    REQUIRE(stored.split());
    CHECK(is_qcow2(stored.rootfs));
    CHECK(inspect_qcow2(stored.rootfs, UnpackLimits{}).virtual_size == (uint64_t{1} << 30));
    auto names = entries_of(stored.metadata);
    for (const char* n : {"metadata.yaml", "templates/hostname.tpl", "boot/vmlinuz", "boot/initrd.img"}) CHECK_MESSAGE(names.count(n), n);
    CHECK(fs::exists(dir.path() / "meta.tar.gz.qcow2"));
    CHECK(export_names(stored, img.fingerprint).rootfs == img.fingerprint + ".qcow2");

    // Building again takes the cached files: instant, same image, one more alias.
    auto start = std::chrono::steady_clock::now();
    opts.alias = "debian-vm-again";
    opts.output_path.clear();
    api::Image again = mgr->images().build("default", opts);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    CHECK(again.fingerprint == img.fingerprint);

    // Unpacked into a volume: metadata, templates, boot/ and the disk as a sparse raw root.img.
    fs::path volume = dir.path() / "volume";
    OperationContext ctx;
    unpack_image(stored, volume, UnpackLimits{}, ctx, "unpack_progress");
    CHECK(fs::exists(volume / "metadata.yaml"));
    CHECK(fs::exists(volume / "templates/hosts.tpl"));
    CHECK(fs::file_size(volume / "boot/vmlinuz") > 1000000);
    CHECK(fs::file_size(volume / "boot/initrd.img") > 100000);
    CHECK_FALSE(fs::exists(volume / "rootfs"));
    REQUIRE(fs::exists(volume / "root.img"));
    CHECK(fs::file_size(volume / "root.img") == (uint64_t{1} << 30));
    struct stat st {};
    REQUIRE(::stat((volume / "root.img").c_str(), &st) == 0);
    CHECK(static_cast<uint64_t>(st.st_blocks) * 512 < (uint64_t{1} << 30) / 2);  // sparse
    std::ifstream raw(volume / "root.img", std::ios::binary);
    raw.seekg(1024 + 0x38);
    unsigned char magic[2] = {};
    raw.read(reinterpret_cast<char*>(magic), 2);
    CHECK((magic[0] == 0x53 && magic[1] == 0xef));  // ext4's superblock magic: no partition table

    // It boots under plain QEMU (TCG): the kernel and initrd mount root.img, init starts the
    // agent, and the ACPI power button powers it off.
    std::string boot = std::string("python3 ") + LI_VM_BOOT_SCRIPT + " " + volume.string() + " 120";
    CHECK_MESSAGE(std::system(boot.c_str()) == 0, boot);

    ImageBuildOptions bad = opts;
    bad.release = "sid-of-mars";
    CHECK(error_of([&] { mgr->images().build("default", bad); }).key() == "release");
}

TEST_CASE("debian-vm: two builds at once into an empty cache make one image, and each alias lands on it") {
    // Without the cache lock both built side by side, each image with its own creation date, so the
    // second failed on the alias the first had taken (or, in the same second, on the fingerprint).
    const char* shared_cache = std::getenv("LIBINSTANCE_CACHE_DIR");
    REQUIRE_MESSAGE(shared_cache != nullptr, "run through meson (it sets LIBINSTANCE_CACHE_DIR)");
    TempDir dir("li-debian-vm-race");
    fs::path cache = dir.path() / "cache";
    fs::create_directories(cache);
    // The kernel package the shared cache holds already (it is large); the image itself is built anew.
    if (fs::is_directory(fs::path(shared_cache) / "debian-vm-debs"))
        fs::copy(fs::path(shared_cache) / "debian-vm-debs", cache / "debian-vm-debs", fs::copy_options::recursive);
    auto mgr = Manager::open(dir.path() / "state");
    std::vector<Operation> ops;
    for (const char* alias : {"vm-a", "vm-b"}) {
        ImageBuildOptions opts;
        opts.builder = "debian-vm";
        opts.alias = alias;
        opts.cache_dir = cache;
        ops.push_back(mgr->images().build_async("default", opts));
        // Started in another second than the first: built side by side, the two would differ
        // in creation date, hence in fingerprint.
        if (ops.size() == 1) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    }
    for (auto& op : ops) {
        op.wait(std::chrono::minutes(20));
        CHECK_NOTHROW(op.get());
    }
    auto images = mgr->images().list("default");
    REQUIRE(images.size() == 1);
    std::set<std::string> aliases;
    for (const auto& a : images[0].aliases) aliases.insert(a.name);
    CHECK(aliases == std::set<std::string>{"vm-a", "vm-b"});
    int disks = 0;
    for (const auto& e : fs::directory_iterator(cache)) disks += e.path().extension() == ".qcow2";
    CHECK(disks == 1);
}

TEST_CASE("an LXD-style VM image (metadata tarball + qcow2 disk) imports as virtual-machine; a tarball rootfs stays container") {
    TempDir dir("li-lxd-vm");
    write_tar(dir.path() / "meta.tar.xz", {file_entry("metadata.yaml", metadata_yaml()), dir_entry("templates")}, "xz");
    run("qemu-img create -f qcow2 " + (dir.path() / "disk.qcow2").string() + " 64M");
    auto mgr = Manager::open(dir.path() / "state");
    ImageImportOptions opts;
    opts.rootfs_path = dir.path() / "disk.qcow2";
    opts.alias = "lxd-vm";
    api::Image img = mgr->images().import_file("default", dir.path() / "meta.tar.xz", opts);
    CHECK(img.type == "virtual-machine");
    CHECK(mgr->images().get("default", "lxd-vm").type == "virtual-machine");
    ImageFiles stored = stored_image_files(dir.path() / "state/images", img.fingerprint);
    CHECK(export_names(stored, img.fingerprint).rootfs == img.fingerprint + ".qcow2");

    fs::path volume = dir.path() / "volume";
    OperationContext ctx;
    unpack_image(stored, volume, UnpackLimits{}, ctx, "unpack_progress");
    CHECK(fs::file_size(volume / "root.img") == (uint64_t{64} << 20));
    CHECK_FALSE(fs::exists(volume / "boot"));

    write_tar(dir.path() / "rootfs.tar.gz", {dir_entry("."), dir_entry("etc"), file_entry("etc/hostname", "x\n")}, "gzip");
    ImageImportOptions ct;
    ct.rootfs_path = dir.path() / "rootfs.tar.gz";
    CHECK(mgr->images().import_file("default", dir.path() / "meta.tar.xz", ct).type == "container");
}

TEST_CASE("hostile qcow2 disks are refused, naming the file, and leave nothing in the store") {
    TempDir dir("li-hostile-vm");
    write_tar(dir.path() / "meta.tar.gz", {file_entry("metadata.yaml", metadata_yaml())}, "gzip");
    fs::path d = dir.path();
    {
        std::ofstream(d / "secret.raw") << std::string(65536, 's');
    }
    // A backing file would make the guest's disk show any host file.
    run("qemu-img create -f qcow2 -F raw -b " + (d / "secret.raw").string() + " " + (d / "backing.qcow2").string());
    run("qemu-img create -f qcow2 -o data_file=" + (d / "data.raw").string() + " " + (d / "datafile.qcow2").string() + " 1M");
    run("qemu-img create -f qcow2 " + (d / "huge.qcow2").string() + " 100T");
    {
        std::ofstream(d / "fake.qcow2", std::ios::binary) << std::string("QFI\xfb", 4) << std::string(4096, '\x7f');
    }
    auto mgr = Manager::open(d / "state");
    for (auto [file, needle] : {std::pair{"backing.qcow2", "backing file"}, std::pair{"datafile.qcow2", "data file"},
                                std::pair{"huge.qcow2", "over the limit"}, std::pair{"fake.qcow2", "not a readable qcow2"}}) {
        CAPTURE(file);
        ImageImportOptions opts;
        opts.rootfs_path = d / file;
        Error e = error_of([&] { mgr->images().import_file("default", d / "meta.tar.gz", opts); });
        CHECK_MESSAGE(e.code() == ErrorCode::InvalidArgument, e.what());
        CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
        CHECK_MESSAGE(std::string(e.what()).find(file) != std::string::npos, e.what());
    }
    CHECK(mgr->images().list("default").empty());
    CHECK(fs::is_empty(d / "state/images"));
}
