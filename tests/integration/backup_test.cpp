// Backups (`lxc export` / `lxc import`) on real containers and volumes, on the dir pool and a btrfs
// pool on a loop file: what comes back (files with owners, modes, xattrs and links; config,
// devices, profiles, snapshots), optimized btrfs streams, LXD 5.0.2's own backups, and hostile
// archives refused naming the entry with nothing left behind.
#include <doctest.h>

#include <sys/stat.h>
#include <sys/xattr.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "backup/backup_archive.hpp"
#include "integration/shared_manager.hpp"
#include "libinstance/storage_volume.hpp"
#include "support/tar_writer.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

fs::path pools_dir() { return shared().dir.path() / "storage-pools"; }

fs::path backup_file(const std::string& name) {
    fs::path dir = shared().dir.path() / "backups-test";
    fs::create_directories(dir);
    return dir / name;
}

Instance launch_on(const std::string& name, const std::string& pool, std::vector<std::string> profiles = {"default"}) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.start = true;
    post.profiles = std::move(profiles);
    post.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", pool}};
    return shared().mgr->instances().create("default", post);
}

api::InstanceSnapshot snap(Instance& c, const std::string& name) {
    api::InstanceSnapshotsPost post;
    post.name = name;
    return c.snapshot(post);
}

std::vector<std::string> snapshot_names(const Instance& c) {
    std::vector<std::string> out;
    for (const auto& s : c.snapshots()) out.push_back(s.name);
    return out;
}

void remove_instance(Instance& c) {
    if (c.state().status == "Running") force_stop(c);
    c.remove();
}

std::string xattr_of(const fs::path& path, const char* name) {
    char buf[256];
    ssize_t n = ::lgetxattr(path.c_str(), name, buf, sizeof buf);
    return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

// A VFS_CAP_REVISION_2 capability set (cap_net_raw, effective), as setcap writes it.
std::string net_raw_capability() {
    uint32_t words[5] = {0x02000001, 1u << 13, 0, 0, 0};
    return std::string(reinterpret_cast<const char*>(words), sizeof words);
}

// What the files written by write_files() look like from inside the container.
void check_files(Instance& c) {
    CHECK(sh(c, "cat /root/f") == "two\n");
    CHECK(sh(c, "stat -c '%u:%g %a' /root/owned") == "1234:2345 4751\n");
    CHECK(sh(c, "readlink /root/sym") == "owned\n");
    CHECK(sh(c, "stat -c %h /root/owned") == "2\n");
    CHECK(sh(c, "[ $(stat -c %i /root/owned) = $(stat -c %i /root/hard) ] && echo same") == "same\n");
    CHECK(sh(c, "[ -p /root/fifo ] && echo fifo") == "fifo\n");
    CHECK(sh(c, "stat -c '%u:%g' /") == "0:0\n");
}

void write_files(Instance& c) {
    REQUIRE(sh_rc(c, "echo two > /root/f && echo data > /root/owned && chown 1234:2345 /root/owned && chmod 4751 /root/owned && "
                     "ln -s owned /root/sym && ln /root/owned /root/hard && mkfifo /root/fifo") == 0);
}

Error import_error(const fs::path& file, const BackupImportOptions& opts = {}) {
    return error_of([&] { shared().mgr->instances().import_backup("default", file, opts); });
}

const char* kEvilIndex =
    "name: evil\nbackend: dir\npool: default\noptimized: false\noptimized_header: false\ntype: container\n"
    "config:\n  container:\n    name: evil\n    architecture: x86_64\n    config: {}\n    devices: {}\n"
    "    profiles: [default]\n    type: container\n";

}  // namespace

TEST_CASE("backups: export, delete and import keep files, owners, modes, xattrs, links, config, devices, profiles and snapshots") {
    BtrfsPool bt("backupbt", "1GiB");
    api::ProfilesPost prof;
    prof.name = "bkprof";
    prof.config = {{"user.from_profile", "yes"}};
    shared().mgr->profiles().create("default", prof);
    for (const std::string& pool : std::vector<std::string>{"default", bt.name}) {
        CAPTURE(pool);
        const std::string name = "bk-" + pool;
        Instance c = launch_on(name, pool, {"default", "bkprof"});
        REQUIRE(sh_rc(c, "echo one > /root/f") == 0);
        snap(c, "snap0");
        write_files(c);
        c.set_config("user.mark", "kept");
        c.add_device("extra", {{"type", "disk"}, {"source", "/tmp"}, {"path", "/mnt/tmp"}});
        fs::path file = backup_file(name + ".tar.gz");
        if (pool == bt.name) {
            // Stopped, so its files can be given xattrs from the host (busybox has no setfattr).
            force_stop(c);
            fs::path owned = bt.root() / "containers" / name / "rootfs" / "root" / "owned";
            REQUIRE(::lsetxattr(owned.c_str(), "user.note", "hello", 5, 0) == 0);
            std::string cap = net_raw_capability();
            REQUIRE(::lsetxattr(owned.c_str(), "security.capability", cap.data(), cap.size(), 0) == 0);
        }
        // The dir pool's instance is exported running: its files are read through its idmapped view.
        c.export_backup(file);
        REQUIRE(fs::exists(file));
        CHECK_FALSE(fs::exists(file.string() + ".partial"));
        remove_instance(c);
        REQUIRE_FALSE(instance_exists(name));

        Instance back = shared().mgr->instances().import_backup("default", file);
        CHECK(back.name() == name);
        api::Instance info = back.info();
        CHECK(info.config.at("user.mark") == "kept");
        CHECK(info.devices.count("extra") == 1);
        CHECK(info.profiles == std::vector<std::string>{"default", "bkprof"});
        CHECK(info.expanded_config.at("user.from_profile") == "yes");
        CHECK(info.expanded_devices.at("root").at("pool") == pool);
        CHECK(snapshot_names(back) == std::vector<std::string>{"snap0"});
        CHECK(back.get_snapshot("snap0").config.count("user.mark") == 0);
        if (pool == bt.name) {
            fs::path owned = bt.root() / "containers" / name / "rootfs" / "root" / "owned";
            CHECK(xattr_of(owned, "user.note") == "hello");
            CHECK(xattr_of(owned, "security.capability") == net_raw_capability());
        }
        back.start();
        check_files(back);
        force_stop(back);
        back.restore("snap0");
        back.start();
        CHECK(sh(back, "cat /root/f; ls /root") == "one\nf\n");
        remove_instance(back);
    }
    shared().mgr->profiles().remove("default", "bkprof");
}

TEST_CASE("backups: instance only, another name and pool, compression, refusals") {
    BtrfsPool bt("backupbt2", "1GiB");
    Instance c = launch_on("bk-src", "default");
    REQUIRE(sh_rc(c, "echo hi > /root/hi") == 0);
    snap(c, "s1");
    force_stop(c);

    BackupExportOptions only;
    only.instance_only = true;
    only.compression_algorithm = "xz";
    fs::path file = backup_file("only.tar.xz");
    c.export_backup_async(file, only).get();

    // Imported beside the original, under another name, on another pool, without snapshots.
    BackupImportOptions as;
    as.name = "bk-copy";
    as.pool = bt.name;
    Instance copy = shared().mgr->instances().import_backup("default", file, as);
    CHECK(copy.snapshots().empty());
    CHECK(copy.info().expanded_devices.at("root").at("pool") == bt.name);
    CHECK(fs::is_directory(bt.root() / "containers" / "bk-copy" / "rootfs"));
    copy.start();
    CHECK(sh(copy, "cat /root/hi") == "hi\n");
    remove_instance(copy);

    for (const char* compression : {"zstd", "bzip2", "none"}) {
        CAPTURE(compression);
        BackupExportOptions o;
        o.compression_algorithm = compression;
        fs::path f = backup_file(std::string("c.") + compression);
        c.export_backup(f, o);
        BackupImportOptions named;
        named.name = "bk-comp";
        Instance got = shared().mgr->instances().import_backup("default", f, named);
        CHECK(snapshot_names(got) == std::vector<std::string>{"s1"});
        remove_instance(got);
    }

    BackupExportOptions bad;
    bad.compression_algorithm = "rar";
    Error e = error_of([&] { c.export_backup(backup_file("bad.tar"), bad); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(e.key() == "compression_algorithm");
    CHECK_FALSE(fs::exists(backup_file("bad.tar")));
    BackupExportOptions optimized;
    optimized.optimized_storage = true;
    e = error_of([&] { c.export_backup(backup_file("opt.tar.gz"), optimized); });
    CHECK(e.code() == ErrorCode::NotSupported);
    CHECK(e.key() == "optimized_storage");

    // The original still exists: its name is taken.
    e = import_error(file);
    CHECK(e.code() == ErrorCode::AlreadyExists);
    CHECK(e.key() == "name");
    BackupImportOptions nopool;
    nopool.name = "bk-nopool";
    nopool.pool = "nope";
    e = import_error(file, nopool);
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(e.key() == "pool");
    CHECK_FALSE(instance_exists("bk-nopool"));

    // A profile the backup names must exist.
    api::ProfilesPost prof;
    prof.name = "bkgone";
    shared().mgr->profiles().create("default", prof);
    Instance p = launch_on("bk-prof", "default", {"default", "bkgone"});
    force_stop(p);
    fs::path pfile = backup_file("prof.tar.gz");
    p.export_backup(pfile);
    p.remove();
    shared().mgr->profiles().remove("default", "bkgone");
    e = import_error(pfile);
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(e.key() == "profiles");
    CHECK_FALSE(instance_exists("bk-prof"));
    CHECK_FALSE(fs::exists(pools_dir() / "default" / "containers" / "bk-prof"));
    remove_instance(c);
}

TEST_CASE("backups: optimized btrfs backups are send streams, snapshots incremental, and come back whole") {
    BtrfsPool bt("backupbt3", "1GiB");
    Instance c = launch_on("bk-opt", bt.name);
    REQUIRE(sh_rc(c, "echo zero > /root/v") == 0);
    snap(c, "s0");
    REQUIRE(sh_rc(c, "echo one > /root/v") == 0);
    snap(c, "s1");
    write_files(c);
    REQUIRE(sh_rc(c, "echo now > /root/v") == 0);
    force_stop(c);
    BackupExportOptions o;
    o.optimized_storage = true;
    fs::path file = backup_file("opt.tar.gz");
    c.export_backup(file, o);
    CHECK(backup::has_entry(file, "backup/container.bin"));
    CHECK(backup::has_entry(file, "backup/snapshots/s0.bin"));
    CHECK(backup::has_entry(file, "backup/snapshots/s1.bin"));
    CHECK_FALSE(backup::has_entry(file, "backup/container/rootfs"));
    remove_instance(c);

    // Not onto a dir pool: the streams are btrfs's.
    BackupImportOptions to_dir;
    to_dir.pool = "default";
    Error e = import_error(file, to_dir);
    CHECK(e.code() == ErrorCode::NotSupported);
    CHECK(e.key() == "pool");
    CHECK_FALSE(instance_exists("bk-opt"));
    CHECK_FALSE(fs::exists(pools_dir() / "default" / "containers" / "bk-opt"));

    Instance back = shared().mgr->instances().import_backup("default", file);
    CHECK(snapshot_names(back) == std::vector<std::string>{"s0", "s1"});
    back.start();
    CHECK(sh(back, "cat /root/v") == "now\n");
    check_files(back);
    REQUIRE(sh_rc(back, "echo writable > /root/w") == 0);
    force_stop(back);
    back.restore("s0");
    back.start();
    CHECK(sh(back, "cat /root/v") == "zero\n");
    remove_instance(back);
    CHECK_FALSE(fs::exists(bt.root() / "containers-snapshots" / "bk-opt"));
}

TEST_CASE("backups: hostile archives are refused naming the entry, leaving nothing behind") {
    struct Case {
        const char* what;
        std::vector<TarEntry> entries;
        std::string key;
    };
    TarEntry fifo = device_entry("backup/container/metadata-fifo", AE_IFIFO);
    std::vector<Case> cases = {
        {"path traversal", {file_entry("backup/index.yaml", kEvilIndex), dir_entry("backup/container"),
                            file_entry("backup/container/rootfs/../../../escape", "x")},
         "backup/container/rootfs/../../../escape"},
        {"absolute path", {file_entry("backup/index.yaml", kEvilIndex), file_entry("/backup/container/rootfs/x", "x")},
         "/backup/container/rootfs/x"},
        {"symlink escape", {file_entry("backup/index.yaml", kEvilIndex), dir_entry("backup/container"),
                            dir_entry("backup/container/rootfs"), symlink_entry("backup/container/rootfs/evil", "/"),
                            file_entry("backup/container/rootfs/evil/etc/owned", "x")},
         "backup/container/rootfs/evil/etc/owned"},
        {"hard link leaving its part", {file_entry("backup/index.yaml", kEvilIndex), dir_entry("backup/container"),
                                        hardlink_entry("backup/container/rootfs/h", "backup/index.yaml")},
         "backup/container/rootfs/h"},
        {"special file outside the rootfs", {file_entry("backup/index.yaml", kEvilIndex), dir_entry("backup/container"), fifo},
         "backup/container/metadata-fifo"},
        {"entry outside backup/", {file_entry("backup/index.yaml", kEvilIndex), file_entry("etc/passwd", "x")}, "etc/passwd"},
        {"missing index.yaml", {dir_entry("backup/container"), file_entry("backup/container/backup.yaml", "x")}, "backup/container"},
        {"bad index.yaml", {file_entry("backup/index.yaml", "name: [unclosed\n")}, "index.yaml"},
        {"index.yaml without a name", {file_entry("backup/index.yaml", "backend: dir\n")}, "index.yaml: name"},
    };
    for (const auto& k : cases) {
        CAPTURE(k.what);
        fs::path file = backup_file("evil.tar.gz");
        write_tar_gz(file, k.entries);
        Error e = import_error(file);
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == k.key);
        CHECK(std::string(e.what()).find(k.key) != std::string::npos);
        CHECK_FALSE(instance_exists("evil"));
        CHECK_FALSE(fs::exists(pools_dir() / "default" / "containers" / "evil"));
        CHECK_FALSE(fs::exists("/escape"));
    }
    Error none = import_error(backup_file("does-not-exist.tar.gz"));
    CHECK(none.code() == ErrorCode::NotFound);
    CHECK(none.key() == "path");
}

TEST_CASE("backups: custom volumes with snapshots on dir and btrfs") {
    auto& volumes = shared().mgr->storage_volumes();
    BtrfsPool bt("backupbt4", "1GiB");
    for (const std::string& pool : std::vector<std::string>{"default", bt.name}) {
        CAPTURE(pool);
        api::StorageVolumesPost post;
        post.name = "bkvol";
        post.description = "backed up";
        post.config = {{"user.origin", "test"}};
        volumes.create(pool, post);
        fs::path dir = pools_dir() / pool / "custom" / "bkvol";
        std::ofstream(dir / "data") << "old";
        api::StorageVolumeSnapshotsPost s;
        s.name = "before";
        volumes.create_snapshot(pool, "bkvol", s);
        std::ofstream(dir / "data") << "new";
        fs::create_directory(dir / ".hidden");
        std::ofstream(dir / ".hidden" / "x") << "dot";
        REQUIRE(::chown((dir / "data").c_str(), 4321, 4321) == 0);

        fs::path file = backup_file("vol-" + pool + ".tar.gz");
        volumes.export_backup(pool, "bkvol", file);
        volumes.remove(pool, "bkvol");
        api::StorageVolume got = volumes.import_backup(pool, file);
        CHECK(got.name == "bkvol");
        CHECK(got.description == "backed up");
        CHECK(got.config.at("user.origin") == "test");
        std::ifstream in(dir / "data");
        CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "new");
        CHECK(fs::exists(dir / ".hidden" / "x"));
        struct stat st {};
        REQUIRE(::stat((dir / "data").c_str(), &st) == 0);
        CHECK(st.st_uid == 4321);
        auto snaps = volumes.list_snapshots(pool, "bkvol");
        REQUIRE(snaps.size() == 1);
        CHECK(snaps[0].name == "before");
        volumes.restore_snapshot(pool, "bkvol", "before");
        std::ifstream old(dir / "data");
        CHECK(std::string(std::istreambuf_iterator<char>(old), {}) == "old");

        // volume_only, under another name; a taken name; an instance backup is no volume backup.
        BackupExportOptions only;
        only.instance_only = true;
        volumes.export_backup(pool, "bkvol", file, only);
        BackupImportOptions as;
        as.name = "bkvol2";
        volumes.import_backup(pool, file, as);
        CHECK(volumes.list_snapshots(pool, "bkvol2").empty());
        Error taken = error_of([&] { volumes.import_backup(pool, file); });
        CHECK(taken.code() == ErrorCode::AlreadyExists);
        CHECK(taken.key() == "name");
        volumes.remove(pool, "bkvol2");
        volumes.remove(pool, "bkvol");
    }
    Instance c = launch("bk-notvol", false);
    fs::path ifile = backup_file("inst-as-vol.tar.gz");
    c.export_backup(ifile);
    Error e = error_of([&] { volumes.import_backup("default", ifile); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(e.key() == "type");
    c.remove();
}

TEST_CASE("backups: LXD 5.0.2's own exports import, shifted files shifted back, and the instance runs") {
    const fs::path data = LI_TEST_BACKUPS_DIR;
    BackupImportOptions as;
    as.name = "from-lxd";
    Instance c = shared().mgr->instances().import_backup("default", data / "lxd-5.0.2-container.tar.gz", as);
    api::Instance info = c.info();
    CHECK(info.config.at("user.origin") == "lxd");
    CHECK(info.config.at("volatile.last_state.idmap") == "[]");
    CHECK(snapshot_names(c) == std::vector<std::string>{"snap0"});
    // On disk the files are the container's own ids again (LXD had shifted them by 1000000).
    struct stat st {};
    REQUIRE(::stat((pools_dir() / "default" / "containers" / "from-lxd" / "rootfs" / "root" / "hello").c_str(), &st) == 0);
    CHECK(st.st_uid == 1234);
    CHECK(st.st_gid == 2345);
    c.start();
    CHECK(sh(c, "stat -c '%u:%g %a' /root/hello") == "1234:2345 640\n");
    CHECK(sh(c, "cat /root/v; readlink /root/link; cat /root/hard") == "current\nhello\nhello-from-lxd\n");
    force_stop(c);
    c.restore("snap0");
    c.start();
    CHECK(sh(c, "cat /root/v") == "snapped\n");
    remove_instance(c);

    auto& volumes = shared().mgr->storage_volumes();
    api::StorageVolume v = volumes.import_backup("default", data / "lxd-5.0.2-volume.tar.gz");
    CHECK(v.name == "lxdvol");
    fs::path dir = pools_dir() / "default" / "custom" / "lxdvol";
    std::ifstream in(dir / "data");
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "new\n");
    CHECK(fs::exists(dir / "sub" / "y"));
    REQUIRE(volumes.list_snapshots("default", "lxdvol").size() == 1);
    volumes.restore_snapshot("default", "lxdvol", "snapA");
    std::ifstream old(dir / "data");
    CHECK(std::string(std::istreambuf_iterator<char>(old), {}) == "old\n");
    volumes.remove("default", "lxdvol");
}
