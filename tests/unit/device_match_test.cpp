// gpu and usb devices against a fake sysfs tree (no GPU or USB device needed), and the
// validation tables of disk, unix-char/-block, gpu, usb and none devices.
#include <doctest.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config/device_keys.hpp"
#include "instance/drivers/lxc/devices/host_devices.hpp"
#include "libinstance/error.hpp"
#include "support/temp_state.hpp"

using namespace li;
namespace fs = std::filesystem;

namespace {

void put(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text << "\n";
}

// Two GPUs: an Intel one (card0 + renderD128) and an NVIDIA one (card1 + renderD129 + a
// connector that is not a node), laid out as the kernel does (class links to device dirs).
void fake_gpus(const fs::path& sys, const fs::path& proc) {
    fs::path pci = sys / "devices/pci0000:00";
    put(pci / "0000:00:02.0/vendor", "0x8086");
    put(pci / "0000:00:02.0/device", "0x5916");
    put(pci / "0000:01:00.0/vendor", "0x10de");
    put(pci / "0000:01:00.0/device", "0x1C82");
    auto node = [&](const std::string& name, const std::string& dev, const std::string& pci_dir) {
        fs::path dir = pci / pci_dir / "drm" / name;
        put(dir / "dev", dev);
        fs::create_directories(sys / "class/drm");
        fs::create_directory_symlink(fs::relative(dir, sys / "class/drm"), sys / "class/drm" / name);
        fs::create_directory_symlink("../../../" + pci_dir, dir / "device");
    };
    node("card0", "226:0", "0000:00:02.0");
    node("renderD128", "226:128", "0000:00:02.0");
    node("card1", "226:1", "0000:01:00.0");
    node("renderD129", "226:129", "0000:01:00.0");
    node("card1-HDMI-A-1", "", "0000:01:00.0");
    put(proc / "driver/nvidia/gpus/0000:01:00.0/information", "Model: GeForce GTX 1050 Ti\nDevice Minor: \t 0\n");
}

std::vector<std::string> paths(const std::vector<UnixNode>& nodes) {
    std::vector<std::string> out;
    for (const auto& n : nodes) out.push_back(n.path);
    return out;
}

template <class F> Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error");
    return Error(ErrorCode::Internal, "");
}

}  // namespace

TEST_CASE("gpu: the host's GPUs are read from sysfs with their nodes") {
    test::TempDir root;
    fake_gpus(root.path() / "sys", root.path() / "proc");
    // The NVIDIA nodes are real character nodes (the driver's major 195).
    fs::create_directories(root.path() / "dev");
    REQUIRE(::mknod((root.path() / "dev/nvidia0").c_str(), S_IFCHR | 0600, makedev(195, 0)) == 0);
    REQUIRE(::mknod((root.path() / "dev/nvidiactl").c_str(), S_IFCHR | 0600, makedev(195, 255)) == 0);

    auto gpus = host_gpus(root.path() / "sys", root.path() / "dev", root.path() / "proc");
    REQUIRE(gpus.size() == 2);
    CHECK(gpus[0].pci == "0000:00:02.0");
    CHECK(gpus[0].vendor == "8086");
    CHECK(gpus[0].product == "5916");
    CHECK(gpus[0].id == "0");
    CHECK(paths(gpus[0].nodes) == std::vector<std::string>{"/dev/dri/card0", "/dev/dri/renderD128"});
    CHECK(gpus[0].nodes[1].major == 226);
    CHECK(gpus[0].nodes[1].minor == 128);
    CHECK(gpus[1].id == "1");
    CHECK(gpus[1].product == "1c82");
    CHECK(paths(gpus[1].nodes) ==
          std::vector<std::string>{"/dev/dri/card1", "/dev/dri/renderD129", "/dev/nvidia0", "/dev/nvidiactl"});
    CHECK(gpus[1].nodes[3].major == 195);
    CHECK(gpus[1].nodes[3].minor == 255);

    SUBCASE("matching by vendorid, productid, id and pci; all when nothing is set") {
        CHECK(paths(gpu_nodes("g", {{"type", "gpu"}, {"vendorid", "8086"}}, gpus)) ==
              std::vector<std::string>{"/dev/dri/card0", "/dev/dri/renderD128"});
        CHECK(gpu_nodes("g", {{"type", "gpu"}, {"productid", "1C82"}}, gpus).size() == 4);
        CHECK(paths(gpu_nodes("g", {{"type", "gpu"}, {"id", "1"}}, gpus))[0] == "/dev/dri/card1");
        CHECK(paths(gpu_nodes("g", {{"type", "gpu"}, {"pci", "00:02.0"}}, gpus))[0] == "/dev/dri/card0");
        CHECK(gpu_nodes("g", {{"type", "gpu"}}, gpus).size() == 6);
        auto owned = gpu_nodes("g", {{"type", "gpu"}, {"id", "0"}, {"uid", "1000"}, {"gid", "44"}, {"mode", "0666"}}, gpus);
        CHECK(owned[0].uid == 1000);
        CHECK(owned[0].gid == 44);
        CHECK(owned[0].mode == 0666);
    }
    SUBCASE("no matching GPU is NotFound naming the device and the filter") {
        Error e = error_of([&] { gpu_nodes("mygpu", {{"type", "gpu"}, {"vendorid", "1002"}}, gpus); });
        CHECK(e.code() == ErrorCode::NotFound);
        CHECK(e.key() == "devices.mygpu");
        CHECK(std::string(e.what()).find("vendorid=1002") != std::string::npos);
        // Both filters must match.
        CHECK_THROWS_AS(gpu_nodes("g", {{"type", "gpu"}, {"vendorid", "8086"}, {"id", "1"}}, gpus), Error);
        CHECK(error_of([] { gpu_nodes("none", {{"type", "gpu"}}, {}); }).code() == ErrorCode::NotFound);
    }
}

TEST_CASE("usb: devices are read from sysfs (interfaces skipped) and matched") {
    test::TempDir root;
    fs::path usb = root.path() / "sys/bus/usb/devices";
    put(usb / "usb1/idVendor", "1d6b");
    put(usb / "usb1/idProduct", "0002");
    put(usb / "usb1/busnum", "1");
    put(usb / "usb1/devnum", "1");
    put(usb / "usb1/dev", "189:0");
    put(usb / "1-2/idVendor", "0781");
    put(usb / "1-2/idProduct", "5567");
    put(usb / "1-2/serial", "4C530001");
    put(usb / "1-2/busnum", "1");
    put(usb / "1-2/devnum", "7");  // no dev file: the minor is computed
    put(usb / "1-2:1.0/bInterfaceClass", "08");

    auto devices = host_usb_devices(root.path() / "sys");
    REQUIRE(devices.size() == 2);
    CHECK(devices[0].vendor == "0781");
    CHECK(devices[0].node.path == "/dev/bus/usb/001/007");
    CHECK(devices[0].node.major == 189);
    CHECK(devices[0].node.minor == 6);
    CHECK(devices[1].node.path == "/dev/bus/usb/001/001");

    CHECK(paths(usb_nodes("u", {{"type", "usb"}, {"vendorid", "0781"}, {"productid", "5567"}}, devices)) ==
          std::vector<std::string>{"/dev/bus/usb/001/007"});
    CHECK(usb_nodes("u", {{"type", "usb"}, {"vendorid", "0781"}, {"serial", "4C530001"}}, devices).size() == 1);
    CHECK(usb_nodes("u", {{"type", "usb"}, {"vendorid", "0781"}, {"serial", "other"}}, devices).empty());
    // Not required (LXD's default): nothing matching is fine; required: NotFound naming the device.
    CHECK(usb_nodes("u", {{"type", "usb"}, {"vendorid", "046d"}}, devices).empty());
    Error e = error_of([&] { usb_nodes("stick", {{"type", "usb"}, {"vendorid", "046d"}, {"required", "true"}}, devices); });
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(e.key() == "devices.stick");
    CHECK(std::string(e.what()).find("046d") != std::string::npos);
}

TEST_CASE("device tables: disk, unix, gpu, usb and none values are checked naming devices.<name>.<key>") {
    auto key_of = [](api::DeviceMap devices) {
        try {
            config::validate_devices(devices, "container");
        } catch (const Error& e) {
            return std::string(error_code_name(e.code())) + " " + e.key();
        }
        return std::string("ok");
    };
    CHECK(key_of({{"d", {{"type", "disk"}, {"source", "/srv"}, {"path", "/mnt"}, {"readonly", "true"}, {"shift", "yes"},
                         {"propagation", "rslave"}, {"recursive", "true"}, {"required", "false"}}}}) == "ok");
    CHECK(key_of({{"d", {{"type", "disk"}, {"source", "/srv"}, {"path", "/mnt"}, {"readonly", "maybe"}}}}) ==
          "InvalidArgument devices.d.readonly");
    CHECK(key_of({{"d", {{"type", "disk"}, {"source", "/srv"}, {"path", "/mnt"}, {"propagation", "sideways"}}}}) ==
          "InvalidArgument devices.d.propagation");
    CHECK(key_of({{"d", {{"type", "disk"}, {"source", "/srv"}, {"path", "mnt"}}}}) == "InvalidArgument devices.d.path");
    CHECK(key_of({{"d", {{"type", "disk"}, {"source", "srv"}, {"path", "/mnt"}}}}) == "InvalidArgument devices.d.source");
    CHECK(key_of({{"d", {{"type", "disk"}, {"path", "/mnt"}}}}) == "InvalidArgument devices.d.source");
    CHECK(key_of({{"d", {{"type", "disk"}, {"source", "/srv"}, {"path", "/mnt"}, {"bogus", "1"}}}}) ==
          "InvalidArgument devices.d.bogus");
    // A custom volume by name on a pool (whether it exists is the instance's check, not the table's).
    CHECK(key_of({{"v", {{"type", "disk"}, {"source", "vol1"}, {"pool", "default"}, {"path", "/mnt"}}}}) == "ok");
    CHECK(key_of({{"v", {{"type", "disk"}, {"source", "/srv/vol1"}, {"pool", "default"}, {"path", "/mnt"}}}}) ==
          "InvalidArgument devices.v.source");

    CHECK(key_of({{"z", {{"type", "unix-char"}, {"source", "/dev/zero"}, {"path", "/dev/myzero"}, {"mode", "0666"}}}}) == "ok");
    CHECK(key_of({{"z", {{"type", "unix-char"}, {"major", "1"}, {"minor", "3"}, {"path", "/dev/mynull"}}}}) == "ok");
    CHECK(key_of({{"z", {{"type", "unix-char"}, {"major", "1"}, {"path", "/dev/mynull"}}}}) == "InvalidArgument devices.z.minor");
    CHECK(key_of({{"z", {{"type", "unix-char"}, {"major", "1"}, {"minor", "3"}}}}) == "InvalidArgument devices.z.path");
    CHECK(key_of({{"z", {{"type", "unix-char"}, {"source", "/dev/zero"}, {"mode", "rw"}}}}) == "InvalidArgument devices.z.mode");
    CHECK(key_of({{"z", {{"type", "unix-block"}, {"source", "/dev/loop0"}, {"uid", "-1"}}}}) == "InvalidArgument devices.z.uid");
    CHECK(key_of({{"z", {{"type", "unix-char"}, {"source", "dev/zero"}}}}) == "InvalidArgument devices.z.source");

    CHECK(key_of({{"g", {{"type", "gpu"}, {"vendorid", "10de"}, {"pci", "0000:01:00.0"}, {"id", "0"}}}}) == "ok");
    CHECK(key_of({{"g", {{"type", "gpu"}, {"vendorid", "nvidia"}}}}) == "InvalidArgument devices.g.vendorid");
    CHECK(key_of({{"g", {{"type", "gpu"}, {"pci", "1:0"}}}}) == "InvalidArgument devices.g.pci");
    CHECK(key_of({{"g", {{"type", "gpu"}, {"gputype", "mdev"}}}}) == "InvalidArgument devices.g.gputype");

    CHECK(key_of({{"u", {{"type", "usb"}, {"vendorid", "0781"}, {"productid", "5567"}, {"required", "true"}}}}) == "ok");
    CHECK(key_of({{"u", {{"type", "usb"}, {"productid", "5567"}}}}) == "InvalidArgument devices.u.vendorid");
    CHECK(key_of({{"u", {{"type", "usb"}, {"vendorid", "07811"}}}}) == "InvalidArgument devices.u.vendorid");

    CHECK(key_of({{"n", {{"type", "none"}}}}) == "ok");
    CHECK(key_of({{"n", {{"type", "none"}, {"path", "/x"}}}}) == "InvalidArgument devices.n.path");
}
