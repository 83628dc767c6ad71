// apply_root_disk_size: which device's size is read, the bytes the driver is given, and errors
// that name the device key whatever the driver called it.
#include <doctest.h>

#include <optional>

#include "instance/root_disk_size.hpp"
#include "libinstance/error.hpp"

using namespace li;

namespace {

// Records set_volume_size calls; refuses them like a driver without quotas when `refuse` is set,
// or like btrfs with a volume already too large (InvalidArgument, key "size").
struct SizeRecorder : StorageDriver {
    std::optional<uint64_t> bytes;
    std::optional<ErrorCode> refuse;
    StorageDriverInfo info() const override { return {}; }
    void mount_pool() override {}
    void delete_pool() override {}
    std::filesystem::path volume_path(const VolumeRef& vol) const override { return vol.name; }
    bool volume_exists(const VolumeRef&) const override { return true; }
    void create_volume(const VolumeRef&, const VolumeFiller&) override {}
    void copy_volume(const VolumeRef&, const VolumeRef&, OperationContext&) override {}
    void delete_volume(const VolumeRef&) override {}
    void set_volume_size(const VolumeRef&, uint64_t b) override {
        if (refuse) throw Error(*refuse, "the driver says no", "size");
        bytes = b;
    }
};

const VolumeRef kVol{VolumeType::Container, "c1"};

api::DeviceMap with_root(const std::string& name, const std::string& size) {
    api::DeviceMap devices{{"eth0", {{"type", "nic"}, {"nictype", "bridged"}}},
                           {"data", {{"type", "disk"}, {"path", "/data"}, {"source", "/srv"}}},
                           {name, {{"type", "disk"}, {"path", "/"}, {"pool", "p"}}}};
    if (!size.empty()) devices[name]["size"] = size;
    return devices;
}

}  // namespace

TEST_CASE("root_disk_size reads the disk mounted at / whatever its name") {
    RootDiskSize s = root_disk_size(with_root("rootfs", "1GiB"));
    CHECK(s.key == "devices.rootfs.size");
    CHECK(s.value == "1GiB");
    CHECK(root_disk_size(with_root("root", "")).value.empty());
    CHECK(root_disk_size({}).key.empty());
}

TEST_CASE("apply_root_disk_size gives the driver bytes, 0 for no size") {
    SizeRecorder pool;
    apply_root_disk_size(pool, kVol, with_root("root", "32MiB"));
    CHECK(pool.bytes == 32ull << 20);
    apply_root_disk_size(pool, kVol, with_root("root", ""));
    CHECK(pool.bytes == 0);
}

TEST_CASE("change_root_disk_size calls the driver only when the size changes") {
    SizeRecorder pool;
    CHECK_FALSE(change_root_disk_size(pool, kVol, with_root("root", "1GiB"), with_root("root", "1GiB")));
    CHECK_FALSE(pool.bytes);
    CHECK_FALSE(change_root_disk_size(pool, kVol, {}, with_root("root", "")));
    CHECK_FALSE(pool.bytes);
    CHECK(change_root_disk_size(pool, kVol, with_root("root", "1GiB"), with_root("root", "")));
    CHECK(pool.bytes == 0);
}

TEST_CASE("errors name the device key: bad value, driver refusal, no quota support") {
    SizeRecorder pool;
    try {
        apply_root_disk_size(pool, kVol, with_root("rootfs", "huge"));
        FAIL("a bad size was applied");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "devices.rootfs.size");
        CHECK(std::string(e.what()).find("huge") != std::string::npos);
    }
    CHECK_FALSE(pool.bytes);

    for (ErrorCode code : {ErrorCode::NotSupported, ErrorCode::InvalidArgument}) {
        pool.refuse = code;
        try {
            apply_root_disk_size(pool, kVol, with_root("root", "32MiB"));
            FAIL("a refused size was applied");
        } catch (const Error& e) {
            CHECK(e.code() == code);
            CHECK(e.key() == "devices.root.size");
            CHECK(std::string(e.what()).find("devices.root.size=32MiB") != std::string::npos);
            CHECK(std::string(e.what()).find("the driver says no") != std::string::npos);
        }
    }

    // No size on a pool without quotas: there is no limit to lift, so nothing to refuse.
    pool.refuse = ErrorCode::NotSupported;
    CHECK_NOTHROW(apply_root_disk_size(pool, kVol, with_root("root", "")));
}
