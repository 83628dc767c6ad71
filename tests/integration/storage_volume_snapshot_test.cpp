// Custom volume snapshots, copies and moves through the C++ API, on the dir pool and a btrfs pool
// on a loop file, with real files and a real container attaching the volume.
#include <doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "libinstance/storage_volume.hpp"
#include "shared_manager.hpp"

using namespace li;
using namespace li::test;

namespace {

namespace fs = std::filesystem;

fs::path custom_dir(const std::string& pool) { return shared().dir.path() / "storage-pools" / pool / "custom"; }

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
    REQUIRE(fs::exists(path));
}

std::string read(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> snapshot_names(StorageVolumeStore& store, const std::string& pool, const std::string& volume) {
    std::vector<std::string> out;
    for (const auto& s : store.list_snapshots(pool, volume)) out.push_back(s.name);
    return out;
}

api::StorageVolume make_volume(StorageVolumeStore& store, const std::string& pool, const std::string& name) {
    api::StorageVolumesPost post;
    post.name = name;
    post.description = "data of " + name;
    post.config = {{"user.origin", "test"}};
    return store.create(pool, post);
}

api::StorageVolumeSnapshot snap(StorageVolumeStore& store, const std::string& pool, const std::string& volume,
                                const std::string& name = "") {
    api::StorageVolumeSnapshotsPost post;
    post.name = name;
    return store.create_snapshot(pool, volume, post);
}

// The progress values (percentages) one operation reported under `key`, from its operation events.
struct OperationProgress {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<nlohmann::json> events;

    EventCallback callback() {
        return [this](const std::string& text) {
            std::lock_guard lock(mutex);
            events.push_back(nlohmann::json::parse(text));
            cv.notify_all();
        };
    }
    std::vector<int> percents(const std::string& id, const std::string& key) {
        std::lock_guard lock(mutex);
        std::vector<int> out;
        for (const auto& e : events) {
            if (e["metadata"]["id"] != id || !e["metadata"]["metadata"].contains(key)) continue;
            std::string text = e["metadata"]["metadata"][key];
            out.push_back(std::stoi(text.substr(text.find(": ") + 2)));
        }
        return out;
    }
    bool wait_status(const std::string& id, const std::string& status) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(20), [&] {
            for (const auto& e : events)
                if (e["metadata"]["id"] == id && e["metadata"]["status"] == status) return true;
            return false;
        });
    }
    // Waits (delivery is asynchronous) until the operation reported progress under key.
    bool wait_progress(const std::string& id, const std::string& key) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(20), [&] {
            for (const auto& e : events)
                if (e["metadata"]["id"] == id && e["metadata"]["metadata"].contains(key)) return true;
            return false;
        });
    }
};

// Random (incompressible) files under dir, so that copying and packing them take a while.
void write_bulk(const fs::path& dir, int files, size_t bytes_each) {
    fs::create_directories(dir);
    std::ifstream random("/dev/urandom", std::ios::binary);
    std::string buf(bytes_each, '\0');
    for (int i = 0; i < files; ++i) {
        random.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        std::ofstream(dir / ("f" + std::to_string(i)), std::ios::binary) << buf;
    }
}

Error cancelled_error(Operation& op) {
    try {
        op.get();
    } catch (const Error& e) {
        return e;
    }
    FAIL("the cancelled operation succeeded");
    return Error(ErrorCode::Internal, "");
}

}  // namespace

TEST_CASE("volume snapshots: take, list, show, update, rename, restore and delete on dir and btrfs") {
    auto& volumes = shared().mgr->storage_volumes();
    BtrfsPool bt("volsnapbt", "1GiB");
    for (std::string pool : {"default", "volsnapbt"}) {
        CAPTURE(pool);
        make_volume(volumes, pool, "sv");
        fs::path dir = custom_dir(pool) / "sv";
        write(dir / "f", "one");
        write(dir / ".hidden", "dot");

        auto first = snap(volumes, pool, "sv");  // LXD's default names: snap0, snap1, ...
        CHECK(first.name == "snap0");
        CHECK(first.config.at("user.origin") == "test");
        CHECK_FALSE(first.created_at.empty());
        write(dir / "f", "two");
        CHECK(snap(volumes, pool, "sv").name == "snap1");
        write(dir / "f", "three");
        fs::remove(dir / ".hidden");
        CHECK(snap(volumes, pool, "sv", "named").name == "named");
        CHECK(snapshot_names(volumes, pool, "sv") == std::vector<std::string>{"snap0", "snap1", "named"});

        Error dup = error_of([&] { snap(volumes, pool, "sv", "snap1"); });
        CHECK(dup.code() == ErrorCode::AlreadyExists);
        CHECK(dup.key() == "name");
        Error bad = error_of([&] { snap(volumes, pool, "sv", "a/b"); });
        CHECK(bad.code() == ErrorCode::InvalidArgument);
        CHECK(bad.key() == "name");
        CHECK(std::string(bad.what()).find("a/b") != std::string::npos);
        api::StorageVolumeSnapshotsPost expiring{"exp", "tomorrow"};
        Error bad_expiry = error_of([&] { volumes.create_snapshot(pool, "sv", expiring); });
        CHECK(bad_expiry.key() == "expires_at");
        CHECK(snapshot_names(volumes, pool, "sv").size() == 3);  // nothing made by the refusals

        api::StorageVolumeSnapshotPut put{"before the change", "2030-01-02T03:04:05Z"};
        volumes.update_snapshot(pool, "sv", "snap1", put);
        auto shown = volumes.get_snapshot(pool, "sv", "snap1");
        CHECK(shown.description == "before the change");
        CHECK(shown.expires_at == "2030-01-02T03:04:05Z");

        volumes.rename_snapshot(pool, "sv", "snap1", "second");
        CHECK(snapshot_names(volumes, pool, "sv") == std::vector<std::string>{"snap0", "second", "named"});
        Error taken = error_of([&] { volumes.rename_snapshot(pool, "sv", "second", "named"); });
        CHECK(taken.code() == ErrorCode::AlreadyExists);
        CHECK(taken.key() == "new_name");
        Error missing = error_of([&] { volumes.get_snapshot(pool, "sv", "nope"); });
        CHECK(missing.code() == ErrorCode::NotFound);
        CHECK(missing.key() == "snapshot");

        volumes.restore_snapshot(pool, "sv", "snap0");
        CHECK(read(dir / "f") == "one");
        CHECK(read(dir / ".hidden") == "dot");
        api::StorageVolumePut restore;  // LXD's PUT {"restore": ...}
        restore.restore = "second";
        volumes.update(pool, "sv", restore);
        CHECK(read(dir / "f") == "two");
        CHECK(volumes.get(pool, "custom", "sv").description == "data of sv");  // a restore changes nothing else

        volumes.delete_snapshot(pool, "sv", "second");
        CHECK(snapshot_names(volumes, pool, "sv") == std::vector<std::string>{"snap0", "named"});
        CHECK(snap(volumes, pool, "sv").name == "snap1");  // one past the highest snapN left
        volumes.remove(pool, "sv");  // its snapshots go with it
        CHECK_FALSE(fs::exists(shared().dir.path() / "storage-pools" / pool / "custom-snapshots" / "sv"));
    }
}

TEST_CASE("volume snapshots: no restore under a running container") {
    auto& volumes = shared().mgr->storage_volumes();
    make_volume(volumes, "default", "busyvol");
    snap(volumes, "default", "busyvol");
    Instance c = launch("snap-user");
    c.add_device("data", {{"type", "disk"}, {"pool", "default"}, {"source", "busyvol"}, {"path", "/mnt/data"}});
    CHECK(sh_rc(c, "echo live > /mnt/data/f") == 0);
    Error busy = error_of([&] { volumes.restore_snapshot("default", "busyvol", "snap0"); });
    CHECK(busy.code() == ErrorCode::Busy);
    CHECK(std::string(busy.what()).find("snap-user") != std::string::npos);
    CHECK(sh(c, "cat /mnt/data/f") == "live\n");
    force_stop(c);
    volumes.restore_snapshot("default", "busyvol", "snap0");  // stopped: fine
    CHECK_FALSE(fs::exists(custom_dir("default") / "busyvol" / "f"));
    c.remove();
    volumes.remove("default", "busyvol");
}

TEST_CASE("volume copy and move: same pool and across pools, with and without snapshots") {
    auto& volumes = shared().mgr->storage_volumes();
    BtrfsPool bt("volcopybt", "1GiB");
    make_volume(volumes, "default", "src");
    fs::path src = custom_dir("default") / "src";
    write(src / "f", "old");
    snap(volumes, "default", "src", "s1");
    write(src / "f", "new");
    write(src / ".dot", "kept");
    ::chmod(src.c_str(), 0750);

    auto copy = [&](const std::string& pool, const std::string& name, bool volume_only, api::ConfigMap config = {}) {
        api::StorageVolumesPost post;
        post.name = name;
        post.config = std::move(config);
        post.source = {"copy", "default", "src", "", volume_only};
        return volumes.create(pool, post);
    };
    for (std::string pool : {"default", "volcopybt"}) {
        CAPTURE(pool);
        auto full = copy(pool, "full", false, {{"user.extra", "1"}});
        CHECK(full.description == "data of src");
        CHECK(full.config.at("user.origin") == "test");
        CHECK(full.config.at("user.extra") == "1");
        fs::path dir = custom_dir(pool) / "full";
        CHECK(read(dir / "f") == "new");
        CHECK(read(dir / ".dot") == "kept");
        CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms(0750));
        CHECK(snapshot_names(volumes, pool, "full") == std::vector<std::string>{"s1"});
        volumes.restore_snapshot(pool, "full", "s1");
        CHECK(read(dir / "f") == "old");  // the copy's snapshot holds the source snapshot's files

        copy(pool, "bare", true);
        CHECK(read(custom_dir(pool) / "bare" / "f") == "new");
        CHECK(volumes.list_snapshots(pool, "bare").empty());
        volumes.remove(pool, "full");
        volumes.remove(pool, "bare");
    }
    CHECK(read(src / "f") == "new");  // the source is untouched
    CHECK(snapshot_names(volumes, "default", "src") == std::vector<std::string>{"s1"});

    Error unknown = error_of([&] {
        api::StorageVolumesPost post;
        post.name = "x";
        post.source = {"copy", "default", "nope", "", false};
        volumes.create("default", post);
    });
    CHECK(unknown.code() == ErrorCode::NotFound);
    CHECK(unknown.key() == "source.name");
    Error onto = error_of([&] { copy("default", "src", false); });
    CHECK(onto.key() == "name");

    // A copy failing half-way (the source holds more than the target's size allows) leaves no target.
    std::ofstream(src / "big").write(std::string(8 << 20, 'x').data(), 8 << 20);
    Error too_big = error_of([&] { copy("volcopybt", "small", false, {{"size", "2MiB"}}); });
    CHECK(too_big.key() == "config.size");
    CHECK_FALSE(fs::exists(custom_dir("volcopybt") / "small"));
    CHECK_FALSE(fs::exists(shared().dir.path() / "storage-pools" / "volcopybt" / "custom-snapshots" / "small"));
    CHECK_THROWS(volumes.get("volcopybt", "custom", "small"));
    fs::remove(src / "big");

    // Move to btrfs under a new name, snapshots along; the source is gone from disk and store.
    Instance user = launch("move-user", false);
    user.add_device("data", {{"type", "disk"}, {"pool", "default"}, {"source", "src"}, {"path", "/mnt/data"}});
    Error busy = error_of([&] { volumes.move("default", "src", api::StorageVolumePost{"moved", "volcopybt"}); });
    CHECK(busy.code() == ErrorCode::Busy);
    CHECK(std::string(busy.what()).find("move-user") != std::string::npos);
    user.remove();
    Error no_pool = error_of([&] { volumes.move("default", "src", api::StorageVolumePost{"moved", "nopool"}); });
    CHECK(no_pool.code() == ErrorCode::NotFound);
    CHECK(no_pool.key() == "pool");
    CHECK(fs::exists(src / "f"));

    volumes.move("default", "src", api::StorageVolumePost{"moved", "volcopybt"});
    CHECK_FALSE(fs::exists(src));
    CHECK_THROWS(volumes.get("default", "custom", "src"));
    CHECK(read(custom_dir("volcopybt") / "moved" / "f") == "new");
    CHECK(snapshot_names(volumes, "volcopybt", "moved") == std::vector<std::string>{"s1"});
    Error ghost = error_of([&] { volumes.move("volcopybt", "ghost", api::StorageVolumePost{"", ""}); });
    CHECK(ghost.code() == ErrorCode::NotFound);
    CHECK(ghost.key() == "name");
    Error bad_name = error_of([&] { volumes.move("volcopybt", "moved", api::StorageVolumePost{"bad/name", ""}); });
    CHECK(bad_name.key() == "name");
    volumes.move("volcopybt", "moved", api::StorageVolumePost{"renamed", ""});  // same pool: a rename
    CHECK(snapshot_names(volumes, "volcopybt", "renamed") == std::vector<std::string>{"s1"});
    volumes.remove("volcopybt", "renamed");
}

TEST_CASE("volume operations: async copy, move and export report progress; cancelled ones leave nothing behind") {
    auto& volumes = shared().mgr->storage_volumes();
    BtrfsPool bt("volopbt", "1GiB");
    make_volume(volumes, "default", "opsrc");
    fs::path src = custom_dir("default") / "opsrc";
    write(src / "f", "old");
    snap(volumes, "default", "opsrc", "s1");
    write(src / "f", "new");
    write_bulk(src / "bulk", 48, 2 << 20);  // 96 MiB

    OperationProgress log;
    EventFilter f;
    f.types = {"operation"};
    auto sub = shared().mgr->events().subscribe(f, log.callback());

    api::StorageVolumesPost post;
    post.name = "opcopy";
    post.source = {"copy", "default", "opsrc", "", false};

    // A copy to another pool, waited on: progress by passes (the snapshot, then the volume) up to 100.
    Operation copy = volumes.create_async("volopbt", post);
    CHECK(copy.info().description == "Copying storage volume");
    CHECK(copy.info().may_cancel);
    CHECK(copy.info().resources.at("storage_volumes") ==
          std::vector<std::string>{"/1.0/storage-pools/volopbt/volumes/custom/opcopy"});
    copy.get();
    CHECK(copy.info().metadata.at("name") == "opcopy");
    CHECK(read(custom_dir("volopbt") / "opcopy" / "f") == "new");
    CHECK(snapshot_names(volumes, "volopbt", "opcopy") == std::vector<std::string>{"s1"});
    REQUIRE(log.wait_progress(copy.id(), "fs_progress"));
    REQUIRE(log.wait_status(copy.id(), "Success"));  // the last update may still have been on its way
    auto percents = log.percents(copy.id(), "fs_progress");
    REQUIRE(percents.size() >= 2);
    CHECK(percents.front() == 0);
    CHECK(percents.back() == 100);
    CHECK(std::is_sorted(percents.begin(), percents.end()));
    volumes.remove("volopbt", "opcopy");

    // The same copy, cancelled once it has started: no target volume, the source untouched.
    Operation cancelled = volumes.create_async("volopbt", post);
    REQUIRE(log.wait_progress(cancelled.id(), "fs_progress"));
    cancelled.cancel();
    CHECK(cancelled_error(cancelled).code() == ErrorCode::Cancelled);
    CHECK(cancelled.info().status == "Cancelled");
    CHECK_THROWS(volumes.get("volopbt", "custom", "opcopy"));
    CHECK_FALSE(fs::exists(custom_dir("volopbt") / "opcopy"));
    CHECK_FALSE(fs::exists(shared().dir.path() / "storage-pools" / "volopbt" / "custom-snapshots" / "opcopy"));
    CHECK(read(src / "f") == "new");
    CHECK(snapshot_names(volumes, "default", "opsrc") == std::vector<std::string>{"s1"});

    // A cancelled move leaves the source where it was and nothing on the target pool.
    api::StorageVolumePost move;
    move.pool = "volopbt";
    Operation moving = volumes.move_async("default", "opsrc", move);
    CHECK(moving.info().description == "Moving storage volume");
    REQUIRE(log.wait_progress(moving.id(), "fs_progress"));
    moving.cancel();
    CHECK(cancelled_error(moving).code() == ErrorCode::Cancelled);
    CHECK(volumes.get("default", "custom", "opsrc").name == "opsrc");
    CHECK(read(src / "f") == "new");
    CHECK_FALSE(fs::exists(custom_dir("volopbt") / "opsrc"));

    // An export, waited on, then a cancelled one: no file at the target, no partial file.
    fs::path dir = shared().dir.path() / "volume-ops-test";
    fs::create_directories(dir);
    BackupExportOptions none;
    none.compression_algorithm = "none";
    Operation exp = volumes.export_backup_async("default", "opsrc", dir / "opsrc.tar", none);
    CHECK(exp.info().description == "Creating custom volume backup");
    exp.get();
    CHECK(fs::exists(dir / "opsrc.tar"));
    REQUIRE(log.wait_progress(exp.id(), "create_backup_progress"));

    Operation cancelled_exp = volumes.export_backup_async("default", "opsrc", dir / "cancelled.tar.gz");
    REQUIRE(log.wait_progress(cancelled_exp.id(), "create_backup_progress"));
    cancelled_exp.cancel();
    CHECK(cancelled_error(cancelled_exp).code() == ErrorCode::Cancelled);
    CHECK_FALSE(fs::exists(dir / "cancelled.tar.gz"));
    CHECK_FALSE(fs::exists(dir / "cancelled.tar.gz.partial"));

    // An import as an operation names the new volume in its metadata; a cancelled one leaves none.
    BackupImportOptions as;
    as.name = "opimported";
    Operation imp = volumes.import_backup_async("volopbt", dir / "opsrc.tar", as);
    CHECK(imp.info().description == "Restoring custom volume backup");
    imp.get();
    CHECK(imp.info().metadata.at("name") == "opimported");
    CHECK(read(custom_dir("volopbt") / "opimported" / "f") == "new");
    CHECK(snapshot_names(volumes, "volopbt", "opimported") == std::vector<std::string>{"s1"});
    volumes.remove("volopbt", "opimported");
    Operation cancelled_imp = volumes.import_backup_async("volopbt", dir / "opsrc.tar", as);
    REQUIRE(log.wait_progress(cancelled_imp.id(), "create_volume_from_backup_progress"));
    cancelled_imp.cancel();
    CHECK(cancelled_error(cancelled_imp).code() == ErrorCode::Cancelled);
    CHECK_THROWS(volumes.get("volopbt", "custom", "opimported"));
    CHECK_FALSE(fs::exists(custom_dir("volopbt") / "opimported"));

    // What the request alone shows wrong is thrown by the call, before any operation.
    CHECK(error_of([&] { volumes.export_backup_async("default", "nope", dir / "x.tar"); }).code() == ErrorCode::NotFound);
    api::StorageVolumesPost bad = post;
    bad.name = "a/b";
    CHECK(error_of([&] { volumes.create_async("volopbt", bad); }).key() == "name");

    fs::remove_all(dir);
    volumes.delete_snapshot("default", "opsrc", "s1");
    volumes.remove("default", "opsrc");
}
