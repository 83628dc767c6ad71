// Stopped VMs through the C ABI's generic calls, no guest booted: publish as a virtual-machine
// image and init a VM from it; export a backup and import it under another name (same disk size,
// same type); copy; snapshot. A custom block volume (content_type "block") is reported back as
// block, a VM takes it as a disk device and a container refuses it naming the device.

#include <cstdlib>
#include <filesystem>
#include <string>

#include "vm_support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

// A stopped VM (init, not launch) from an image alias.
InstancePtr init_vm(const std::string& name, const std::string& alias = "debian-vm") {
    nlohmann::json post = {{"name", name},
                           {"type", "virtual-machine"},
                           {"config", {{"limits.memory", "256MiB"}}},
                           {"source", {{"type", "image"}, {"alias", alias}}}};
    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_create_json(&raw, env().mgr.get(), nullptr, post.dump().c_str(), ERR)));
    REQUIRE(raw != nullptr);
    return InstancePtr{raw};
}

fs::path root_img(const std::string& name) { return container_dir(name) / "root.img"; }

void expect_vm_with_disk(li_instance* inst) {
    auto doc = instance_json(inst);
    CHECK(doc.at("type") == "virtual-machine");
    CHECK(doc.at("status") == "Stopped");
    CHECK(fs::is_regular_file(root_img(li_instance_name(inst))));
}

nlohmann::json volume_of(li_manager* mgr, const std::string& name) {
    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_get_json(&json, mgr, nullptr, "default", "custom", name.c_str(), ERR)));
    return take_json(json);
}

}  // namespace

TEST_SUITE("vm-images-backups") {

TEST_CASE("a stopped VM publishes as a virtual-machine image and a VM inits from it with the disk") {
    li_manager* mgr = env().mgr.get();
    build_vm_image();
    std::string name = unique_name("vmpub"), child = unique_name("vmpub-child"), alias = name + "-img";
    InstancePtr vm = init_vm(name);
    expect_vm_with_disk(vm.get());

    nlohmann::json req = {{"source", {{"type", "instance"}, {"name", name}}}, {"aliases", {{{"name", alias}}}}};
    char* json = nullptr;
    expect_ok(CALL(li_image_publish(&json, mgr, nullptr, req.dump().c_str(), ERR)));
    auto img = take_json(json);
    CHECK(img.at("type") == "virtual-machine");
    expect_ok(CALL(li_image_get_json(&json, mgr, nullptr, alias.c_str(), ERR)));
    auto got = take_json(json);
    CHECK(got.at("type") == "virtual-machine");
    CHECK(got.at("fingerprint") == img.at("fingerprint"));

    InstancePtr made = init_vm(child, alias);
    expect_vm_with_disk(made.get());
    CHECK(fs::file_size(root_img(child)) == fs::file_size(root_img(name)));

    expect_ok(CALL(li_instance_delete(made.get(), nullptr, ERR)));
    expect_ok(CALL(li_image_delete(mgr, nullptr, alias.c_str(), ERR)));
    expect_ok(CALL(li_instance_delete(vm.get(), nullptr, ERR)));
    CHECK_FALSE(fs::exists(container_dir(name)));
}

TEST_CASE("a stopped VM snapshots, exports, imports under another name and copies as a VM with its disk") {
    li_manager* mgr = env().mgr.get();
    build_vm_image();
    TempDir dir("capi-vm-backup");
    std::string name = unique_name("vmbk"), imported = unique_name("vmbk-imp"), copy = unique_name("vmbk-copy");
    InstancePtr vm = init_vm(name);
    const auto size = fs::file_size(root_img(name));

    // Snapshot of the stopped VM: listed, with its own copy of the disk.
    expect_ok(CALL(li_instance_snapshot_create_json(nullptr, vm.get(), R"({"name":"s0"})", ERR)));
    char* json = nullptr;
    expect_ok(CALL(li_instance_snapshot_list_json(&json, vm.get(), ERR)));
    auto snaps = take_json(json);
    REQUIRE(snaps.size() == 1);
    CHECK(snaps[0].at("name") == "s0");
    fs::path snap_disk = container_dir(name).parent_path().parent_path() / "containers-snapshots" / name / "s0" / "root.img";
    CHECK_MESSAGE(fs::is_regular_file(snap_disk), snap_disk);

    // Export, import under another name: type kept, the same disk size, the snapshot too.
    const fs::path file = dir.path() / "vm.tar.gz";
    expect_ok(CALL(li_instance_export_backup(vm.get(), file.c_str(), nullptr, ERR)));
    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_import_backup(&raw, mgr, nullptr, file.c_str(),
                                             (R"({"name":")" + imported + R"("})").c_str(), ERR)));
    InstancePtr back{raw};
    expect_vm_with_disk(back.get());
    CHECK(fs::file_size(root_img(imported)) == size);
    expect_ok(CALL(li_instance_snapshot_list_json(&json, back.get(), ERR)));
    CHECK(take_json(json).size() == 1);

    // A copy of the stopped VM.
    nlohmann::json post{{"name", copy}, {"source", {{"type", "copy"}, {"source", name}}}};
    expect_ok(CALL(li_instance_create_json(&raw, mgr, nullptr, post.dump().c_str(), ERR)));
    InstancePtr copied{raw};
    expect_vm_with_disk(copied.get());
    CHECK(fs::file_size(root_img(copy)) == size);

    expect_ok(CALL(li_instance_delete(copied.get(), nullptr, ERR)));
    expect_ok(CALL(li_instance_delete(back.get(), nullptr, ERR)));
    expect_ok(CALL(li_instance_delete(vm.get(), nullptr, ERR)));
    CHECK_FALSE(listed(imported));
    CHECK_FALSE(fs::exists(container_dir(name)));
}

TEST_CASE("a block custom volume is reported as block; a VM takes it as a disk, a container refuses it") {
    li_manager* mgr = env().mgr.get();
    build_vm_image();
    std::string vol = unique_name("blk"), vm_name = unique_name("vmblk"), ct_name = unique_name("ctblk");
    nlohmann::json vpost{{"name", vol}, {"content_type", "block"}, {"config", {{"size", "64MiB"}}}};
    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_create_json(&json, mgr, nullptr, "default", vpost.dump().c_str(), ERR)));
    CHECK(take_json(json).at("content_type") == "block");
    auto got = volume_of(mgr, vol);
    CHECK(got.at("content_type") == "block");
    CHECK(got.at("config").at("size") == "64MiB");
    fs::path disk = container_dir(vol).parent_path().parent_path() / "custom" / vol / "root.img";
    CHECK(fs::file_size(disk) == 64ull << 20);

    nlohmann::json dev{{"type", "disk"}, {"pool", "default"}, {"source", vol}};
    InstancePtr vm = init_vm(vm_name);
    expect_ok(CALL(li_instance_device_add_json(vm.get(), "data", dev.dump().c_str(), ERR)));
    CHECK(instance_json(vm.get()).at("devices").at("data").at("source") == vol);
    CHECK(volume_of(mgr, vol).at("used_by").dump().find(vm_name) != std::string::npos);

    // A container: refused naming the device's source and why; the container keeps no such device.
    InstancePtr ct = create_container(ct_name);
    nlohmann::json ct_dev = dev;
    ct_dev["path"] = "/mnt";
    auto o = CALL(li_instance_device_add_json(ct.get(), "b", ct_dev.dump().c_str(), ERR));
    expect_invalid(o, "devices.b.source", {"block volume", "virtual machine"});
    CHECK_FALSE(instance_json(ct.get()).at("devices").contains("b"));
    // Nor is a container created with it.
    nlohmann::json post = nlohmann::json::parse(post_json(ct_name + "x"));
    post["devices"]["b"] = ct_dev;
    li_instance* raw = nullptr;
    expect_invalid(CALL(li_instance_create_json(&raw, mgr, nullptr, post.dump().c_str(), ERR)), "devices.b.source",
                   {"block volume"});
    CHECK(raw == nullptr);
    CHECK_FALSE(listed(ct_name + "x"));
    CHECK(fs::file_size(disk) == 64ull << 20);

    expect_ok(CALL(li_instance_delete(ct.get(), nullptr, ERR)));
    expect_ok(CALL(li_instance_delete(vm.get(), nullptr, ERR)));
    expect_ok(CALL(li_storage_volume_delete(mgr, nullptr, "default", vol.c_str(), ERR)));
    CHECK_FALSE(fs::exists(disk));
}

}  // TEST_SUITE
