// Container devices against real containers: disk (bind mounts, read-only, shift, hot-plug),
// unix-char (by source and by major/minor, hot-plug, the device cgroup), gpu/usb with nothing
// matching on this host, and none masking a profile's device.
#include <doctest.h>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

// A host directory the container may read: mode 0755 with a root-owned file "hello".
struct HostDir {
    TempDir dir{"li-devsrc"};
    explicit HostDir(mode_t mode = 0755) {
        ::chmod(dir.path().c_str(), mode);
        std::ofstream(dir.path() / "hello") << "from-host\n";
        ::chmod((dir.path() / "hello").c_str(), 0644);
    }
    std::string path() const { return dir.path().string(); }
};


// The host mounts whose mount point contains `needle`.
int host_mounts_with(const std::string& needle) {
    std::ifstream in("/proc/self/mountinfo");
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
    return n;
}

// The running container's cgroup v1 device list ("" on a host without the v1 devices controller).
std::string devices_list(Instance& c) {
    std::ifstream in(fmt::format("/proc/{}/cgroup", c.state().pid));
    for (std::string line; std::getline(in, line);) {
        auto at = line.find(":devices:");
        if (at == std::string::npos) continue;
        std::ifstream list("/sys/fs/cgroup/devices" + line.substr(at + 9) + "/devices.list");
        std::stringstream all;
        all << list.rdbuf();
        return all.str();
    }
    return {};
}

}  // namespace

TEST_CASE("disk: bind mounts of a directory and a file, read-only, shifted, optional") {
    HostDir data, ro(0777), shifted(0700);
    Instance c = launch("dev-disk1", false);
    c.add_device("data", {{"type", "disk"}, {"source", data.path()}, {"path", "/mnt/data"}});
    c.add_device("file", {{"type", "disk"}, {"source", data.path() + "/hello"}, {"path", "/etc/hostfile"}});
    c.add_device("ro", {{"type", "disk"}, {"source", ro.path()}, {"path", "/mnt/ro"}, {"readonly", "true"}});
    c.add_device("sh", {{"type", "disk"}, {"source", shifted.path()}, {"path", "/mnt/sh"}, {"shift", "true"}});
    c.add_device("opt", {{"type", "disk"}, {"source", "/nonexistent-li-source"}, {"path", "/mnt/opt"}, {"required", "false"}});
    c.start();

    CHECK(sh(c, "cat /mnt/data/hello") == "from-host\n");
    CHECK(sh(c, "cat /etc/hostfile") == "from-host\n");
    // Not shifted: host root's files belong to nobody inside (the overflow id), and stay unwritable.
    CHECK(sh(c, "stat -c %u /mnt/data/hello") == "65534\n");
    CHECK(sh_rc(c, "echo x >> /mnt/data/hello") != 0);
    // Shifted: host root's files are the container root's, and what it writes is host root's.
    CHECK(sh(c, "stat -c %u:%g /mnt/sh/hello") == "0:0\n");
    CHECK(sh_rc(c, "echo inside > /mnt/sh/new") == 0);
    struct stat st {};
    REQUIRE(::stat((shifted.path() + "/new").c_str(), &st) == 0);
    CHECK(st.st_uid == 0);
    // Read-only although the directory is world-writable on the host.
    CHECK(sh(c, "touch /mnt/ro/x 2>&1; echo rc=$?").find("Read-only file system") != std::string::npos);
    CHECK_FALSE(fs::exists(ro.path() + "/x"));
    CHECK(sh_rc(c, "mount -o remount,rw /mnt/ro") != 0);
    CHECK(sh(c, "cat /mnt/ro/hello") == "from-host\n");
    // A missing optional source is skipped.
    CHECK(sh_rc(c, "test -e /mnt/opt") != 0);

    // Stopping removes the host-side mounts.
    CHECK(host_mounts_with("dev-disk1/devices/") > 0);
    force_stop(c);
    CHECK(host_mounts_with("dev-disk1/devices/") == 0);
    c.remove();
}

TEST_CASE("disk: hot-plug into a running container and unplug; targets resolve inside its root") {
    HostDir data;
    Instance c = launch("dev-disk2");
    c.add_device("hot", {{"type", "disk"}, {"source", data.path()}, {"path", "/mnt/hot/deep"}});
    CHECK(c.info().devices.count("hot") == 1);
    CHECK(sh(c, "cat /mnt/hot/deep/hello") == "from-host\n");
    // The container's root owns the directories made for the target.
    CHECK(sh(c, "stat -c %u /mnt/hot") == "0\n");

    // Read-only hot-plug.
    c.add_device("hotro", {{"type", "disk"}, {"source", data.path()}, {"path", "/srv/ro"}, {"readonly", "true"}, {"shift", "true"}});
    CHECK(sh(c, "cat /srv/ro/hello") == "from-host\n");
    CHECK(sh(c, "touch /srv/ro/x 2>&1").find("Read-only file system") != std::string::npos);
    // The container's root cannot lift read-only on a hot-plugged disk (the mount is locked).
    CHECK(sh_rc(c, "mount -o remount,rw,bind /srv/ro") != 0);
    CHECK(sh_rc(c, "mount -o remount,rw /srv/ro") != 0);
    CHECK(sh(c, "touch /srv/ro/x 2>&1").find("Read-only file system") != std::string::npos);

    // A symlink to an absolute host-looking path leads to the container's own /tmp, never the host's.
    std::string leaf = fmt::format("li-escape-{}", ::getpid());
    REQUIRE(sh_rc(c, "ln -s /../../../../tmp /linkout") == 0);
    c.add_device("esc", {{"type", "disk"}, {"source", data.path()}, {"path", "/linkout/" + leaf}});
    CHECK_FALSE(fs::exists("/tmp/" + leaf));
    CHECK(sh(c, "cat /tmp/" + leaf + "/hello") == "from-host\n");

    // Unplug: gone inside, the host-side mount too.
    c.remove_device("hot");
    CHECK(c.info().devices.count("hot") == 0);
    CHECK(sh_rc(c, "test -e /mnt/hot/deep/hello") != 0);
    c.remove_device("hotro");
    c.remove_device("esc");
    CHECK(sh_rc(c, "test -e /srv/ro/hello") != 0);
    CHECK(host_mounts_with("dev-disk2/devices/") == 0);

    // Changing a device re-plugs it (detach + attach).
    c.add_device("swap", {{"type", "disk"}, {"source", data.path()}, {"path", "/mnt/a"}});
    c.set_device("swap", {{"type", "disk"}, {"source", data.path()}, {"path", "/mnt/b"}});
    CHECK(sh_rc(c, "test -e /mnt/a/hello") != 0);
    CHECK(sh(c, "cat /mnt/b/hello") == "from-host\n");
    force_stop(c);
    c.remove();
}

TEST_CASE("disk: bad values, missing required sources and missing custom volumes are refused, changing nothing") {
    HostDir data;
    Instance c = launch("dev-disk3");
    auto before = c.info().devices;

    Error bad = error_of([&] {
        c.add_device("bad", {{"type", "disk"}, {"source", data.path()}, {"path", "/mnt/x"}, {"readonly", "maybe"}});
    });
    CHECK(bad.code() == ErrorCode::InvalidArgument);
    CHECK(bad.key() == "devices.bad.readonly");
    CHECK(std::string(bad.what()).find("maybe") != std::string::npos);
    Error unknown = error_of([&] { c.add_device("bad", {{"type", "disk"}, {"source", data.path()}, {"path", "/mnt/x"}, {"colour", "red"}}); });
    CHECK(unknown.key() == "devices.bad.colour");

    // Running: the missing source is refused at once.
    Error missing = error_of([&] { c.add_device("miss", {{"type", "disk"}, {"source", "/nonexistent-li-src"}, {"path", "/mnt/m"}}); });
    CHECK(missing.code() == ErrorCode::NotFound);
    CHECK(missing.key() == "devices.miss.source");
    CHECK(std::string(missing.what()).find("/nonexistent-li-src") != std::string::npos);
    CHECK(sh_rc(c, "test -e /mnt/m") != 0);

    Error pool = error_of([&] { c.add_device("vol", {{"type", "disk"}, {"source", "vol1"}, {"pool", "default"}, {"path", "/mnt/v"}}); });
    // A custom volume that does not exist on the pool (storage_volume_test.cpp attaches real ones).
    CHECK(pool.code() == ErrorCode::InvalidArgument);
    CHECK(pool.key() == "devices.vol.source");
    CHECK(std::string(pool.what()).find("vol1") != std::string::npos);
    CHECK(c.info().devices == before);

    // Stopped: stored, but the start fails naming the source; removing it makes it start again.
    force_stop(c);
    c.add_device("miss", {{"type", "disk"}, {"source", "/nonexistent-li-src"}, {"path", "/mnt/m"}});
    Error at_start = error_of([&] { c.start(); });
    CHECK(at_start.key() == "devices.miss.source");
    CHECK(c.state().status == "Stopped");
    c.remove_device("miss");
    c.start();
    CHECK(c.state().status == "Running");
    force_stop(c);
    c.remove();
}

// Delegates host id 1000 to root in /etc/subuid and /etc/subgid (shadow's newuidmap, which
// liblxc uses when installed, maps nothing else), restoring the files afterwards.
struct DelegatedId1000 {
    std::string uid_before = slurp("/etc/subuid"), gid_before = slurp("/etc/subgid");
    DelegatedId1000() {
        std::ofstream("/etc/subuid", std::ios::app) << "root:1000:1\n";
        std::ofstream("/etc/subgid", std::ios::app) << "root:1000:1\n";
    }
    ~DelegatedId1000() {
        std::ofstream("/etc/subuid", std::ios::trunc) << uid_before;
        std::ofstream("/etc/subgid", std::ios::trunc) << gid_before;
    }
    static std::string slurp(const char* path) {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

TEST_CASE("raw.idmap: host uid/gid 1000 is 1000 inside, in a disk device and the rootfs, both ways") {
    HostDir home;
    REQUIRE(::chown((home.path() + "/hello").c_str(), 1000, 1000) == 0);
    REQUIRE(::chown(home.path().c_str(), 1000, 1000) == 0);  // a user's home, as in LXD's example
    api::InstancesPost post;
    post.name = "rawidmap";
    post.source.alias = "busybox";
    post.config = {{"raw.idmap", "both 1000 1000"}};
    Instance c = shared().mgr->instances().create("default", post);
    c.add_device("home", {{"type", "disk"}, {"source", home.path()}, {"path", "/mnt/home"}});
    // With shadow's tools installed (as CI's setup does) the host must delegate the id first.
    if (::access("/usr/bin/newuidmap", X_OK) == 0 && DelegatedId1000::slurp("/etc/subuid").find("root:1000:1\n") == std::string::npos) {
        Error refused = error_of([&] { c.start(); });
        CHECK(refused.code() == ErrorCode::PermissionDenied);
        CHECK(refused.key() == "config.raw.idmap");
        CHECK(std::string(refused.what()).find("add \"root:1000:1\" to /etc/subuid") != std::string::npos);
        CHECK(c.state().status == "Stopped");
    }
    DelegatedId1000 delegated;
    c.start();

    // The kernel's map has the main range split around the entry.
    std::ifstream uid_map(fmt::format("/proc/{}/uid_map", c.state().pid));
    std::stringstream lines;
    lines << uid_map.rdbuf();
    CHECK(lines.str().find(" 1000       1000          1\n") != std::string::npos);
    CHECK(sh(c, "awk '$1==1000 {print $2, $3}' /proc/self/gid_map") == "1000 1\n");
    // Host 1000 is 1000 inside, without shifting, and what 1000 owns inside is host 1000's (the
    // container's root may write there: the directory's owner is mapped in its namespace).
    CHECK(sh(c, "stat -c %u:%g /mnt/home/hello") == "1000:1000\n");
    CHECK(sh_rc(c, "touch /mnt/home/made && chown 1000:1000 /mnt/home/made") == 0);
    struct stat st {};
    REQUIRE(::stat((home.path() + "/made").c_str(), &st) == 0);
    CHECK(st.st_uid == 1000);
    CHECK(st.st_gid == 1000);
    // Its neighbours keep the container's range; files pushed as 1000 are 1000 inside.
    CHECK(sh(c, "touch /root/n && chown 1001 /root/n && stat -c %u /root/n") == "1001\n");
    FileOptions as_1000;
    as_1000.uid = as_1000.gid = 1000;
    c.file_push_data("/root/pushed", "x", as_1000);
    CHECK(sh(c, "stat -c %u:%g /root/pushed") == "1000:1000\n");
    CHECK(c.file_stat("/root/pushed").uid == 1000);

    // Bad entries are refused naming the key; the stored value stays.
    Error bad = error_of([&] { c.set_config("raw.idmap", "both 1000"); });
    CHECK(bad.code() == ErrorCode::InvalidArgument);
    CHECK(bad.key() == "config.raw.idmap");
    CHECK(c.get_config("raw.idmap") == "both 1000 1000");
    force_stop(c);
    // A host id the container's own range already maps is refused at the next start.
    std::string current = c.info().config.at("volatile.idmap.current");
    auto at = current.find("\"Hostid\":") + 9;
    uint64_t main_start = std::stoull(current.substr(at, current.find(',', at) - at));
    c.set_config("raw.idmap", fmt::format("both {} 5", main_start + 500));
    Error taken = error_of([&] { c.start(); });
    CHECK(taken.code() == ErrorCode::InvalidArgument);
    CHECK(taken.key() == "config.raw.idmap");
    CHECK(std::string(taken.what()).find(fmt::format("host uid {} already is container uid 500", main_start + 500)) != std::string::npos);
    c.remove();
}

TEST_CASE("unix-char: by source and by major/minor, at start and hot-plugged, with the device cgroup") {
    Instance c = launch("dev-unix1", false);
    c.add_device("z", {{"type", "unix-char"}, {"source", "/dev/zero"}, {"path", "/dev/myzero"}});
    c.start();
    CHECK(sh(c, "head -c 10 /dev/myzero | wc -c").find("10") != std::string::npos);

    c.add_device("n", {{"type", "unix-char"}, {"major", "1"}, {"minor", "3"}, {"path", "/dev/mynull"}, {"mode", "0666"},
                       {"uid", "1000"}, {"gid", "100"}});
    CHECK(sh(c, "stat -c '%u %g %a %t:%T' /dev/mynull") == "1000 100 666 1:3\n");
    CHECK(sh_rc(c, "echo discarded > /dev/mynull") == 0);
    CHECK(sh(c, "wc -c < /dev/mynull").find("0") != std::string::npos);

    // A node no container gets by default: allowed in the device cgroup while plugged.
    std::string list = devices_list(c);
    if (!list.empty()) {
        CHECK(list.find("c 1:11 rwm") == std::string::npos);
        c.add_device("k", {{"type", "unix-char"}, {"major", "1"}, {"minor", "11"}, {"path", "/dev/mykmsg"}});
        CHECK(devices_list(c).find("c 1:11 rwm") != std::string::npos);
        CHECK(sh(c, "stat -c %t:%T /dev/mykmsg") == "1:b\n");
        c.remove_device("k");
        CHECK(devices_list(c).find("c 1:11 rwm") == std::string::npos);
        CHECK(sh_rc(c, "test -e /dev/mykmsg") != 0);
    }

    c.remove_device("n");
    CHECK(sh_rc(c, "test -e /dev/mynull") != 0);
    // /dev/null itself is still usable (its rule is every container's, never denied).
    CHECK(sh_rc(c, "echo x > /dev/null") == 0);

    Error missing = error_of([&] { c.add_device("m", {{"type", "unix-char"}, {"source", "/dev/nonexistent-li"}}); });
    CHECK(missing.code() == ErrorCode::NotFound);
    CHECK(missing.key() == "devices.m.source");
    Error block = error_of([&] { c.add_device("b", {{"type", "unix-block"}, {"source", "/dev/zero"}, {"path", "/dev/b"}}); });
    CHECK(block.key() == "devices.b.source");
    Error mode = error_of([&] { c.add_device("b", {{"type", "unix-char"}, {"source", "/dev/zero"}, {"mode", "rwx"}}); });
    CHECK(mode.key() == "devices.b.mode");
    CHECK(c.info().devices.count("m") == 0);
    CHECK(c.info().devices.count("b") == 0);

    // Across a restart the start path makes it again.
    force_stop(c);
    c.start();
    CHECK(sh(c, "head -c 10 /dev/myzero | wc -c").find("10") != std::string::npos);
    force_stop(c);
    c.remove();
}

TEST_CASE("gpu and usb: nothing matches on this host") {
    Instance c = launch("dev-gpu1");
    if (!fs::exists("/sys/class/drm/card0")) {
        Error e = error_of([&] { c.add_device("mygpu", {{"type", "gpu"}, {"vendorid", "10de"}}); });
        CHECK(e.code() == ErrorCode::NotFound);
        CHECK(e.key() == "devices.mygpu");
        CHECK(c.info().devices.count("mygpu") == 0);
    }
    // usb: not required by default, so a missing device is fine; required, it is refused.
    c.add_device("stick", {{"type", "usb"}, {"vendorid", "ffff"}, {"productid", "fffe"}});
    CHECK(c.info().devices.count("stick") == 1);
    c.remove_device("stick");
    Error e = error_of([&] { c.add_device("stick", {{"type", "usb"}, {"vendorid", "ffff"}, {"required", "true"}}); });
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(e.key() == "devices.stick");
    force_stop(c);
    c.remove();
}

TEST_CASE("none: masks a profile's disk, unplugging it from the running container") {
    HostDir data;
    auto& profiles = shared().mgr->profiles();
    api::ProfilesPost p;
    p.name = "devshare";
    p.devices["shared"] = {{"type", "disk"}, {"source", data.path()}, {"path", "/mnt/shared"}};
    profiles.create("default", p);
    api::InstancesPost post;
    post.name = "dev-none1";
    post.source.alias = "busybox";
    post.profiles = std::vector<std::string>{"default", "devshare"};
    post.start = true;
    Instance c = shared().mgr->instances().create("default", post);
    CHECK(sh(c, "cat /mnt/shared/hello") == "from-host\n");
    c.add_device("shared", {{"type", "none"}});
    CHECK(sh_rc(c, "test -e /mnt/shared/hello") != 0);
    c.remove_device("shared");
    CHECK(sh(c, "cat /mnt/shared/hello") == "from-host\n");
    force_stop(c);
    c.remove();
    profiles.remove("default", "devshare");
}
