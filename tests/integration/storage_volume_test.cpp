// Custom storage volumes against real containers: one volume shared by two containers (written in
// one, read in the other), a read-only attach, used_by, rename/delete refused while attached and
// working once detached, bad input naming the key with nothing changed, hot-plug.

#include <doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <filesystem>
#include <string>

#include "libinstance/storage_volume.hpp"
#include <nlohmann/json.hpp>

#include "shared_manager.hpp"

using namespace li;
using namespace li::test;

namespace {

api::ConfigMap volume_disk(const std::string& volume, const std::string& path, bool readonly = false) {
    api::ConfigMap d{{"type", "disk"}, {"pool", "default"}, {"source", volume}, {"path", path}};
    if (readonly) d["readonly"] = "true";
    return d;
}

std::vector<std::string> custom_volumes(StorageVolumeStore& store) {
    std::vector<std::string> out;
    for (const auto& v : store.list("default"))
        if (v.type == "custom") out.push_back(v.name);
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("volume: a custom volume shared by two containers, read-only, used_by, busy until detached") {
    auto& mgr = *shared().mgr;
    auto& volumes = mgr.storage_volumes();
    std::filesystem::path custom_dir = shared().dir.path() / "storage-pools" / "default" / "custom";
    api::StorageVolumesPost post;
    post.name = "vol-shared";
    auto created = volumes.create("default", post);
    CHECK(created.type == "custom");
    CHECK(std::filesystem::is_directory(custom_dir / "vol-shared"));

    Instance a = launch("vol-a");
    Instance b = launch("vol-b", false);
    a.add_device("data", volume_disk("vol-shared", "/mnt/data"));  // hot-plug on a running container
    b.add_device("data", volume_disk("vol-shared", "/mnt/data", true));
    b.start();

    // The fresh volume is handed to the containers' root: written in a, read in b.
    CHECK(sh_rc(a, "echo hello > /mnt/data/f && mkdir /mnt/data/d") == 0);
    CHECK(sh(b, "cat /mnt/data/f") == "hello\n");
    CHECK(sh(a, "cat /mnt/data/f") == "hello\n");
    CHECK(std::filesystem::exists(custom_dir / "vol-shared" / "f"));
    // Read-only in b, even for its root.
    CHECK(sh_rc(b, "echo x > /mnt/data/g") != 0);
    CHECK(!std::filesystem::exists(custom_dir / "vol-shared" / "g"));

    auto got = volumes.get("default", "custom", "vol-shared");
    CHECK(contains(got.used_by, "/1.0/instances/vol-a"));
    CHECK(contains(got.used_by, "/1.0/instances/vol-b"));
    CHECK(got.used_by.size() == 2);
    // list() has the containers' own volumes too.
    bool has_container = false;
    for (const auto& v : volumes.list("default"))
        if (v.type == "container" && v.name == "vol-a") has_container = true;
    CHECK(has_container);
    CHECK(volumes.get("default", "container", "vol-a").used_by == std::vector<std::string>{"/1.0/instances/vol-a"});

    Error busy = error_of([&] { volumes.remove("default", "vol-shared"); });
    CHECK(busy.code() == ErrorCode::Busy);
    CHECK(busy.key() == "name");
    CHECK(std::string(busy.what()).find("vol-a") != std::string::npos);
    CHECK(std::string(busy.what()).find("vol-b") != std::string::npos);
    Error busy_rename = error_of([&] { volumes.rename("default", "vol-shared", "vol-other"); });
    CHECK(busy_rename.code() == ErrorCode::Busy);
    CHECK(std::string(busy_rename.what()).find("vol-a") != std::string::npos);
    Error pool_busy = error_of([&] { mgr.storage_pools().remove("default"); });
    CHECK(pool_busy.code() == ErrorCode::Busy);
    CHECK(std::string(pool_busy.what()).find("volumes/custom/vol-shared") != std::string::npos);
    CHECK(contains(custom_volumes(volumes), "vol-shared"));
    CHECK(std::filesystem::exists(custom_dir / "vol-shared" / "f"));

    // A device naming a volume that is not there is refused naming the source, nothing changes.
    auto devices_before = a.info().devices;
    Error missing = error_of([&] { a.add_device("nope", volume_disk("no-such-volume", "/mnt/nope")); });
    CHECK(missing.code() == ErrorCode::InvalidArgument);
    CHECK(missing.key() == "devices.nope.source");
    CHECK(std::string(missing.what()).find("no-such-volume") != std::string::npos);
    CHECK(a.info().devices == devices_before);

    // Detached (hot-unplugged from a running container): rename and delete work.
    a.remove_device("data");
    CHECK(sh_rc(a, "test -e /mnt/data/f") != 0);
    force_stop(b);
    b.remove_device("data");
    CHECK(volumes.get("default", "custom", "vol-shared").used_by.empty());
    volumes.rename("default", "vol-shared", "vol-renamed");
    CHECK(std::filesystem::exists(custom_dir / "vol-renamed" / "f"));
    CHECK(!std::filesystem::exists(custom_dir / "vol-shared"));
    // Attach the renamed volume again: the data followed it.
    a.add_device("data", volume_disk("vol-renamed", "/mnt/data"));
    CHECK(sh(a, "cat /mnt/data/f") == "hello\n");
    a.remove_device("data");
    volumes.remove("default", "vol-renamed");
    CHECK(!std::filesystem::exists(custom_dir / "vol-renamed"));
    CHECK(!contains(custom_volumes(volumes), "vol-renamed"));

    force_stop(a);
    a.remove();
    b.remove();
}

TEST_CASE("volume: bad keys and names are refused naming the key; a failed create leaves nothing") {
    auto& volumes = shared().mgr->storage_volumes();
    std::filesystem::path custom_dir = shared().dir.path() / "storage-pools" / "default" / "custom";
    auto before = custom_volumes(volumes);

    api::StorageVolumesPost post;
    post.name = "vol-bad";
    post.config = {{"colour", "red"}};
    Error unknown = error_of([&] { volumes.create("default", post); });
    CHECK(unknown.code() == ErrorCode::InvalidArgument);
    CHECK(unknown.key() == "config.colour");
    CHECK(std::string(unknown.what()).find("red") != std::string::npos);

    post.config = {{"security.shifted", "perhaps"}};
    Error shifted = error_of([&] { volumes.create("default", post); });
    CHECK(shifted.key() == "config.security.shifted");
    CHECK(std::string(shifted.what()).find("perhaps") != std::string::npos);

    // dir cannot enforce a size: NotSupported naming config.size, and no directory is left.
    post.config = {{"size", "100MiB"}};
    Error size = error_of([&] { volumes.create("default", post); });
    CHECK(size.code() == ErrorCode::NotSupported);
    CHECK(size.key() == "config.size");
    CHECK(!std::filesystem::exists(custom_dir / "vol-bad"));

    post.config = {};
    post.name = "../escape";
    Error name = error_of([&] { volumes.create("default", post); });
    CHECK(name.key() == "name");
    CHECK(std::string(name.what()).find("../escape") != std::string::npos);

    post.name = "vol-bad";
    Error pool = error_of([&] { volumes.create("no-such-pool", post); });
    CHECK(pool.code() == ErrorCode::NotFound);
    CHECK(pool.key() == "pool");

    CHECK(custom_volumes(volumes) == before);
    CHECK(!std::filesystem::exists(custom_dir / "vol-bad"));

    // A stopped instance is refused a device naming a missing volume too (not only at start).
    Instance s = launch("vol-stopped", false);
    Error absent = error_of([&] { s.add_device("v", volume_disk("vol-absent", "/mnt/v")); });
    CHECK(absent.code() == ErrorCode::InvalidArgument);
    CHECK(absent.key() == "devices.v.source");
    CHECK(std::string(absent.what()).find("vol-absent") != std::string::npos);
    CHECK(s.info().devices.count("v") == 0);
    s.remove();

    // Updates are checked the same way and change nothing when refused.
    volumes.create("default", post);
    api::StorageVolumePut put;
    put.description = "changed";
    put.config = {{"user.note", "x"}, {"bogus", "1"}};
    Error upd = error_of([&] { volumes.update("default", "vol-bad", put); });
    CHECK(upd.key() == "config.bogus");
    auto unchanged = volumes.get("default", "custom", "vol-bad");
    CHECK(unchanged.description.empty());
    CHECK(unchanged.config.empty());
    put.config = {{"user.note", "x"}};
    volumes.update("default", "vol-bad", put);
    auto changed = volumes.get("default", "custom", "vol-bad");
    CHECK(changed.description == "changed");
    CHECK(changed.config == api::ConfigMap{{"user.note", "x"}});
    volumes.remove("default", "vol-bad");
}

TEST_CASE("volume: security.shifted volumes are idmapped: host root's files are the container root's") {
    auto& volumes = shared().mgr->storage_volumes();
    std::filesystem::path custom_dir = shared().dir.path() / "storage-pools" / "default" / "custom";
    api::StorageVolumesPost post;
    post.name = "vol-shifted";
    post.config = {{"security.shifted", "true"}};
    volumes.create("default", post);
    Instance c = launch("vol-shift");
    c.add_device("s", volume_disk("vol-shifted", "/mnt/s"));
    CHECK(sh_rc(c, "echo in > /mnt/s/f") == 0);
    struct stat st {};
    REQUIRE(::stat((custom_dir / "vol-shifted" / "f").c_str(), &st) == 0);
    CHECK(st.st_uid == 0);  // written by the container's root through the idmapped mount: host root
    CHECK(sh(c, "stat -c %u /mnt/s/f") == "0\n");
    c.remove_device("s");
    force_stop(c);
    c.remove();
    volumes.remove("default", "vol-shifted");
}

TEST_CASE("volume: on a btrfs pool a custom volume's size is a quota the container cannot write past") {
    TempDir dir("li-vol-btrfs");  // unmounts the pool and frees its loop device even when the test fails
    ::chmod(dir.path().c_str(), 0711);
    auto mgr = open_with_busybox(dir.path());
    api::StoragePoolsPost pool_post;
    pool_post.name = "vbt";
    pool_post.driver = "btrfs";
    pool_post.config = {{"size", "1GiB"}};
    mgr->storage_pools().create(pool_post);
    auto& volumes = mgr->storage_volumes();
    api::StorageVolumesPost post;
    post.name = "quota";
    post.config = {{"size", "20MiB"}};
    CHECK(volumes.create("vbt", post).config.at("size") == "20MiB");

    api::InstancesPost ipost;
    ipost.name = "vol-q";
    ipost.source.alias = "busybox";
    ipost.start = true;
    ipost.devices = {{"q", {{"type", "disk"}, {"pool", "vbt"}, {"source", "quota"}, {"path", "/mnt/q"}}}};
    Instance c = mgr->instances().create("default", ipost);
    CHECK(sh_rc(c, "dd if=/dev/zero of=/mnt/q/small bs=1M count=5 && sync") == 0);
    auto big = c.exec({"sh", "-c", "dd if=/dev/zero of=/mnt/q/big bs=1M count=40 && sync"});
    CHECK(big.exit_code != 0);
    CHECK(big.stderr_data.find("quota") != std::string::npos);  // EDQUOT: "Disk quota exceeded"

    // A larger size is applied at once; a bad one changes nothing.
    api::StorageVolumePut put;
    put.config = {{"size", "lots"}};
    Error bad = error_of([&] { volumes.update("vbt", "quota", put); });
    CHECK(bad.key() == "config.size");
    CHECK(volumes.get("vbt", "custom", "quota").config.at("size") == "20MiB");
    put.config = {{"size", "100MiB"}};
    volumes.update("vbt", "quota", put);
    CHECK(sh_rc(c, "rm -f /mnt/q/big && dd if=/dev/zero of=/mnt/q/big bs=1M count=40 && sync") == 0);

    Error pool_busy = error_of([&] { mgr->storage_pools().remove("vbt"); });
    CHECK(pool_busy.code() == ErrorCode::Busy);
    force_stop(c);
    c.remove();
    volumes.remove("vbt", "quota");
    mgr->storage_pools().remove("vbt");
}

TEST_CASE("volume: lifecycle events name the volume's API path, in another project too") {
    struct Events {
        std::mutex mutex;
        std::condition_variable cv;
        std::vector<std::string> seen;
    } events;
    EventFilter filter;
    filter.project = "proj1";
    auto sub = shared().mgr->events().subscribe(filter, [&](const std::string& text) {
        auto e = nlohmann::json::parse(text);
        if (e["type"] != "lifecycle") return;
        std::string source = e["metadata"]["source"];
        if (source.find("/volumes/custom/vol-ev") == std::string::npos) return;
        std::lock_guard lock(events.mutex);
        events.seen.push_back(e["metadata"]["action"].get<std::string>() + " " + source);
        events.cv.notify_all();
    });
    api::ProjectsPost project;
    project.name = "proj1";  // with its own custom volumes (features.storage.volumes, a new project's default)
    shared().mgr->projects().create(project);
    auto& volumes = shared().mgr->storage_volumes();
    api::StorageVolumesPost post;
    post.name = "vol-ev";
    volumes.create("default", post, "proj1");
    volumes.update("default", "vol-ev", api::StorageVolumePut{"d", {{"user.a", "1"}}}, "proj1");
    volumes.rename("default", "vol-ev", "vol-ev2", "proj1");
    volumes.remove("default", "vol-ev2", "proj1");
    std::vector<std::string> expected{
        "storage-volume-created /1.0/storage-pools/default/volumes/custom/vol-ev?project=proj1",
        "storage-volume-updated /1.0/storage-pools/default/volumes/custom/vol-ev?project=proj1",
        "storage-volume-renamed /1.0/storage-pools/default/volumes/custom/vol-ev2?project=proj1",
        "storage-volume-deleted /1.0/storage-pools/default/volumes/custom/vol-ev2?project=proj1"};
    std::unique_lock lock(events.mutex);
    events.cv.wait_for(lock, std::chrono::seconds(20), [&] { return events.seen.size() >= 4; });
    CHECK(events.seen == expected);
    shared().mgr->projects().remove("proj1");
}
