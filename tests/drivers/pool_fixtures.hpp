#pragma once
// Pools the conformance cases run on: each fixture makes a fresh pool in a temporary directory and
// removes it (mounts and loop devices included) whatever the test did.

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "core/operation_state.hpp"
#include "storage/drivers/btrfs/btrfs_driver.hpp"
#include "storage/drivers/dir/dir_driver.hpp"
#include "storage/drivers/mock/mock_driver.hpp"
#include "support/temp_state.hpp"

namespace li::test {

namespace fs = std::filesystem;

inline void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

inline std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Fills a volume like an unpacked image: metadata.yaml, templates/, rootfs/.
inline void fill_image(const fs::path& dest) {
    fs::create_directories(dest);
    write_text(dest / "metadata.yaml", "architecture: x86_64\ncreation_date: 1\n");
    write_text(dest / "templates" / "hostname.tpl", "{{ instance.name }}\n");
    write_text(dest / "rootfs" / "etc" / "hostname", "image\n");
    write_text(dest / "rootfs" / "etc" / "motd", "hello\n");
    write_text(dest / "rootfs" / "bin" / "tool", "#!/bin/sh\n");
    ::chmod((dest / "rootfs").c_str(), 0755);
}

struct DirPool {
    static constexpr const char* kName = "dir";
    TempDir tmp{"li-drivers-dir"};
    std::unique_ptr<StorageDriver> driver;
    explicit DirPool(bool overlay = true) {
        ::chmod(tmp.path().c_str(), 0711);
        if (!overlay) ::setenv("LIBINSTANCE_DIR_NO_OVERLAY", "1", 1);
        StoragePoolParams params{"p1", tmp.path() / "pool", tmp.path() / "disks", {}};
        params.config = DirDriver::pool_config(params);
        driver = std::make_unique<DirDriver>(params);
        driver->create_pool();
        ::unsetenv("LIBINSTANCE_DIR_NO_OVERLAY");
    }
    ~DirPool() {
        try {
            driver->delete_pool();
        } catch (...) {
        }
    }
};

struct DirCopyPool : DirPool {
    static constexpr const char* kName = "dir (copies)";
    DirCopyPool() : DirPool(false) {}
};

/// Plain directories, full copies, no mounts: the reference driver.
struct MockPool {
    static constexpr const char* kName = "mock";
    TempDir tmp{"li-drivers-mock"};
    std::unique_ptr<StorageDriver> driver;
    MockPool() {
        StoragePoolParams params{"p1", tmp.path() / "pool", tmp.path() / "disks", {}};
        params.config = MockDriver::pool_config(params);
        driver = std::make_unique<MockDriver>(params);
        driver->create_pool();
    }
    ~MockPool() {
        try {
            driver->delete_pool();
        } catch (...) {
        }
    }
};

struct BtrfsPool {
    static constexpr const char* kName = "btrfs";
    TempDir tmp{"li-drivers-btrfs"};
    std::unique_ptr<StorageDriver> driver;
    StoragePoolParams params{"p1", tmp.path() / "pool", tmp.path() / "disks", {{"size", "512MiB"}}};
    BtrfsPool() {
        ::chmod(tmp.path().c_str(), 0711);
        params.config = BtrfsDriver::pool_config(params);
        driver = std::make_unique<BtrfsDriver>(params);
        driver->create_pool();
    }
    ~BtrfsPool() {
        try {
            driver->delete_pool();
        } catch (...) {
        }
    }
};

inline OperationContext& null_ctx() {
    static OperationContext ctx;
    return ctx;
}

}  // namespace li::test

// Every driver the conformance suites run over: a new driver adds its fixture above and its name here.
#define POOLS MockPool, DirPool, DirCopyPool, BtrfsPool
