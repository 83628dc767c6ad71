// Custom block volumes (LXD's content_type "block"): a sparse root.img of the volume's size that
// grows (never shrinks), copies and snapshots with the volume, is refused by containers and is a
// second virtio disk of a real VM.
#include <doctest.h>
#include <filesystem>
#include <sys/stat.h>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

fs::path block_disk(const std::string& volume) {
    return shared().dir.path() / "storage-pools" / "default" / "custom" / volume / "root.img";
}

api::StorageVolumesPost block_post(const std::string& name, const std::string& size) {
    api::StorageVolumesPost post;
    post.name = name;
    post.content_type = "block";
    if (!size.empty()) post.config["size"] = size;
    return post;
}

uint64_t allocated(const fs::path& file) {
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    return static_cast<uint64_t>(st.st_blocks) * 512;
}

}  // namespace

TEST_CASE("a block volume is a sparse disk file that grows, copies and snapshots, and a container refuses it") {
    StorageVolumeStore& volumes = shared().mgr->storage_volumes();
    api::StorageVolume v = volumes.create("default", block_post("blk-a", "64MiB"));
    CHECK(v.content_type == "block");
    CHECK(fs::file_size(block_disk("blk-a")) == 64ull << 20);
    CHECK(allocated(block_disk("blk-a")) == 0);
    // LXD's default size for a block volume without one: 10GiB (sparse, so nothing is used).
    volumes.create("default", block_post("blk-default", ""));
    CHECK(fs::file_size(block_disk("blk-default")) == 10ull << 30);
    volumes.remove("default", "blk-default");

    api::StorageVolumePut put;
    put.config["size"] = "128MiB";
    volumes.update("default", "blk-a", put);
    CHECK(fs::file_size(block_disk("blk-a")) == 128ull << 20);
    put.config["size"] = "32MiB";
    Error shrink = error_of([&] { volumes.update("default", "blk-a", put); });
    CHECK(shrink.code() == ErrorCode::InvalidArgument);
    CHECK(shrink.key() == "config.size");
    CHECK(fs::file_size(block_disk("blk-a")) == 128ull << 20);
    CHECK(volumes.get("default", "custom", "blk-a").config.at("size") == "128MiB");

    api::StorageVolumeSnapshotsPost snap;
    snap.name = "s0";
    volumes.create_snapshot("default", "blk-a", snap);
    api::StorageVolumesPost copy;
    copy.name = "blk-copy";
    copy.source.type = "copy";
    copy.source.name = "blk-a";
    api::StorageVolume copied = volumes.create("default", copy);
    CHECK(copied.content_type == "block");
    CHECK(fs::file_size(block_disk("blk-copy")) == 128ull << 20);
    CHECK(volumes.list_snapshots("default", "blk-copy").size() == 1);
    volumes.remove("default", "blk-copy");

    // A backup of it imports as a block volume with the same disk.
    TempDir tmp("li-blk-backup");
    volumes.export_backup("default", "blk-a", tmp.path() / "blk.tar.gz");
    BackupImportOptions imp;
    imp.name = "blk-imported";
    CHECK(volumes.import_backup("default", tmp.path() / "blk.tar.gz", imp).content_type == "block");
    CHECK(fs::file_size(block_disk("blk-imported")) == 128ull << 20);
    volumes.remove("default", "blk-imported");

    // Only a VM can take a disk image; the container is not made.
    api::InstancesPost post;
    post.name = "ct-blk";
    post.source.alias = "busybox";
    post.devices["b"] = {{"type", "disk"}, {"pool", "default"}, {"source", "blk-a"}};
    Error refused = error_of([&] { shared().mgr->instances().create("default", post); });
    CHECK(refused.code() == ErrorCode::InvalidArgument);
    CHECK(refused.key() == "devices.b.source");
    CHECK(std::string(refused.what()).find("a block volume can only be attached to a virtual machine") != std::string::npos);
    CHECK_FALSE(instance_exists("ct-blk"));
    Instance ct = launch("ct-blk2", false);
    Error add = error_of([&] { ct.add_device("b", {{"type", "disk"}, {"pool", "default"}, {"source", "blk-a"}, {"path", "/mnt"}}); });
    CHECK(add.code() == ErrorCode::InvalidArgument);
    CHECK(add.key() == "devices.b.source");
    ct.remove();
    volumes.remove("default", "blk-a");
}

TEST_CASE("a block volume is a second virtio disk of a running VM") {
    ImageBuildOptions build;
    build.builder = "debian-vm";
    build.alias = "debian-vm";
    shared().mgr->images().build("default", build);
    shared().mgr->storage_volumes().create("default", block_post("blk-vm", "1GiB"));
    api::InstancesPost post;
    post.name = "vm-blk";
    post.type = "virtual-machine";
    post.source.alias = "debian-vm";
    post.config["limits.memory"] = "256MiB";
    post.devices["data"] = {{"type", "disk"}, {"pool", "default"}, {"source", "blk-vm"}};
    post.start = true;
    Instance vm = shared().mgr->instances().create("default", post);
    // 1GiB in 512-byte sectors, as the guest's kernel sees its second virtio disk.
    CHECK(sh(vm, "cat /sys/block/vdb/size") == "2097152\n");
    Error busy = error_of([&] { shared().mgr->storage_volumes().remove("default", "blk-vm"); });
    CHECK(busy.code() == ErrorCode::Busy);
    StopOptions force;
    force.force = true;
    vm.stop(force);
    vm.remove();
    shared().mgr->storage_volumes().remove("default", "blk-vm");
}
