// Stopped VMs through the generic volume operations: a backup exported and imported under another
// name (root.img bit for bit, type kept), a copy, a rename and a move to another pool. No guest boots.
#include <doctest.h>
#include <filesystem>

#include "integration/shared_manager.hpp"
#include "sys/sha256.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

Instance create_vm(const std::string& name) {
    ImageBuildOptions build;
    build.builder = "debian-vm";
    build.alias = "debian-vm";
    shared().mgr->images().build("default", build);
    api::InstancesPost post;
    post.name = name;
    post.type = "virtual-machine";
    post.source.alias = "debian-vm";
    return shared().mgr->instances().create("default", post);
}

fs::path volume_of(const std::string& name) { return shared().dir.path() / "storage-pools" / "default" / "containers" / name; }

}  // namespace

TEST_CASE("a stopped VM exports to a backup and imports under another name with the same disk and type") {
    Instance vm = create_vm("vmbk");
    api::InstanceSnapshotsPost snap;
    snap.name = "s0";
    vm.snapshot(snap);
    const std::string sum = sha256_file(volume_of("vmbk") / "root.img");
    TempDir tmp("li-vm-backup");
    fs::path file = tmp.path() / "vmbk.tar.gz";
    vm.export_backup(file);

    BackupImportOptions opts;
    opts.name = "vmbk-imported";
    Instance imported = shared().mgr->instances().import_backup("default", file, opts);
    api::Instance info = imported.info();
    CHECK(info.type == "virtual-machine");
    fs::path vol = volume_of("vmbk-imported");
    CHECK(sha256_file(vol / "root.img") == sum);
    // Sparse as it was: the restore does not fill the disk's holes.
    CHECK(fs::file_size(vol / "root.img") == fs::file_size(volume_of("vmbk") / "root.img"));
    CHECK(fs::file_size(vol / "boot" / "vmlinuz") == fs::file_size(volume_of("vmbk") / "boot" / "vmlinuz"));
    CHECK(fs::is_regular_file(vol / "metadata.yaml"));
    CHECK(imported.snapshots().size() == 1);
    imported.remove();
    vm.remove();
}

TEST_CASE("a stopped VM copies, renames and moves to another pool with its disk") {
    Instance vm = create_vm("vmcp");
    const std::string sum = sha256_file(volume_of("vmcp") / "root.img");
    api::InstancesPost copy;
    copy.name = "vmcp-copy";
    copy.source.type = "copy";
    copy.source.source = "vmcp";
    Instance copied = shared().mgr->instances().create("default", copy);
    CHECK(copied.info().type == "virtual-machine");
    CHECK(sha256_file(volume_of("vmcp-copy") / "root.img") == sum);
    CHECK(fs::is_regular_file(volume_of("vmcp-copy") / "boot" / "initrd.img"));

    copied.rename("vmcp-renamed");
    CHECK_FALSE(fs::exists(volume_of("vmcp-copy")));
    CHECK(sha256_file(volume_of("vmcp-renamed") / "root.img") == sum);
    CHECK(shared().mgr->instances().get("default", "vmcp-renamed").info().type == "virtual-machine");

    // Moved to another pool: the whole folder goes, disk and boot files.
    api::StoragePoolsPost pool;
    pool.name = "vmdir2";
    pool.driver = "dir";
    shared().mgr->storage_pools().create(pool);
    copied.move_to_pool("vmdir2");
    fs::path moved = shared().dir.path() / "storage-pools" / "vmdir2" / "containers" / "vmcp-renamed";
    CHECK(sha256_file(moved / "root.img") == sum);
    CHECK(fs::is_regular_file(moved / "boot" / "vmlinuz"));
    CHECK_FALSE(fs::exists(volume_of("vmcp-renamed")));
    CHECK(copied.info().expanded_devices.at("root").at("pool") == "vmdir2");
    copied.remove();
    shared().mgr->storage_pools().remove("vmdir2");
    vm.remove();
}
