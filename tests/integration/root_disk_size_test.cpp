// The root disk's `size` on real containers: a btrfs pool (loop file) enforces it inside the
// container, updates and profile changes move the limit, copies and moves carry their own; a dir
// pool refuses it whole, naming devices.root.size.
#include <doctest.h>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;

namespace {

api::ConfigMap root_disk(const std::string& pool, const std::string& size = {}) {
    api::ConfigMap d{{"type", "disk"}, {"path", "/"}, {"pool", pool}};
    if (!size.empty()) d["size"] = size;
    return d;
}

Instance launch_on(const std::string& name, const api::ConfigMap& root) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.devices["root"] = root;
    post.start = true;
    return shared().mgr->instances().create("default", post);
}

// Writes `mib` MiB to /big in the container (synced, so the quota sees all of it): its exit
// status and what dd said. The file is removed afterwards either way.
std::pair<int, std::string> write_mib(Instance& c, int mib) {
    ExecResult r = c.exec({"sh", "-c", "dd if=/dev/zero of=/big bs=1M count=" + std::to_string(mib) + " conv=fsync 2>&1 && sync; rc=$?; rm -f /big; sync; exit $rc"});
    return {r.exit_code, r.stdout_data + r.stderr_data};
}

bool says_full(const std::string& out) {
    return out.find("No space left") != std::string::npos || out.find("Disk quota exceeded") != std::string::npos;
}

}  // namespace

TEST_CASE("btrfs root disk size: enforced inside the container, raised, refused below usage, lifted") {
    BtrfsPool pool("rootsz");
    Instance c = launch_on("rs-bt", root_disk(pool.name, "32MiB"));

    auto [small_rc, small_out] = write_mib(c, 8);
    CHECK_MESSAGE(small_rc == 0, small_out);
    auto [big_rc, big_out] = write_mib(c, 64);
    CHECK(big_rc != 0);
    CHECK_MESSAGE(says_full(big_out), big_out);

    // Raised by an update of the instance's devices: the same write now fits.
    c.set_device("root", root_disk(pool.name, "128MiB"));
    auto [raised_rc, raised_out] = write_mib(c, 64);
    CHECK_MESSAGE(raised_rc == 0, raised_out);

    // Below what the volume already holds: refused naming the key, config unchanged.
    REQUIRE(sh_rc(c, "dd if=/dev/zero of=/keep bs=1M count=40 2>/dev/null && sync") == 0);
    Error below = error_of([&] { c.set_device("root", root_disk(pool.name, "16MiB")); });
    CHECK(below.code() == ErrorCode::InvalidArgument);
    CHECK(below.key() == "devices.root.size");
    CHECK(std::string(below.what()).find("16MiB") != std::string::npos);
    CHECK(c.info().devices.at("root").at("size") == "128MiB");
    REQUIRE(sh_rc(c, "rm /keep && sync") == 0);

    // A bad value is refused before anything happens.
    Error bad = error_of([&] { c.set_device("root", root_disk(pool.name, "lots")); });
    CHECK(bad.code() == ErrorCode::InvalidArgument);
    CHECK(bad.key() == "devices.root.size");
    CHECK(c.info().devices.at("root").at("size") == "128MiB");

    // Removing the size lifts the limit.
    c.set_device("root", root_disk(pool.name));
    auto [free_rc, free_out] = write_mib(c, 160);
    CHECK_MESSAGE(free_rc == 0, free_out);
    CHECK(c.info().devices.at("root").count("size") == 0);

    force_stop(c);
    c.remove();
}

TEST_CASE("root disk size through a profile, on copies and on moves") {
    BtrfsPool pool("rootsz");
    api::ProfilesPost prof;
    prof.name = "rs-prof";
    prof.devices["root"] = root_disk(pool.name, "32MiB");
    shared().mgr->profiles().create("default", prof);

    api::InstancesPost post;
    post.name = "rs-pc";
    post.source.alias = "busybox";
    post.profiles = std::vector<std::string>{"default", "rs-prof"};
    post.start = true;
    Instance c = shared().mgr->instances().create("default", post);
    auto [rc, out] = write_mib(c, 64);
    CHECK(rc != 0);
    CHECK_MESSAGE(says_full(out), out);

    // The profile's change reaches the instance's volume.
    shared().mgr->profiles().update("default", "rs-prof", api::ProfilePut{"", {}, {{"root", root_disk(pool.name, "128MiB")}}});
    auto [raised_rc, raised_out] = write_mib(c, 64);
    CHECK_MESSAGE(raised_rc == 0, raised_out);

    // A copy gets its own expanded size: the instance's own root device overrides the profile's.
    api::InstancesPost copy;
    copy.name = "rs-copy";
    copy.source.type = "copy";
    copy.source.source = "rs-pc";
    copy.devices["root"] = root_disk(pool.name, "32MiB");
    Instance cp = shared().mgr->instances().create("default", copy);
    cp.start();
    auto [cp_rc, cp_out] = write_mib(cp, 64);
    CHECK(cp_rc != 0);
    CHECK_MESSAGE(says_full(cp_out), cp_out);
    force_stop(cp);

    // A copy onto the dir pool (of the stopped source) with a size: refused naming the key, nothing left.
    force_stop(c);
    api::InstancesPost to_dir = copy;
    to_dir.name = "rs-copy-dir";
    to_dir.devices["root"] = root_disk("default", "32MiB");
    Error refused = error_of([&] { shared().mgr->instances().create("default", to_dir); });
    CHECK(refused.code() == ErrorCode::NotSupported);
    CHECK(refused.key() == "devices.root.size");
    CHECK_FALSE(instance_exists("rs-copy-dir"));

    // Moving the sized copy to the dir pool is refused too; it stays where it was, whole.
    Error moved = error_of([&] { cp.move_to_pool("default"); });
    CHECK(moved.code() == ErrorCode::NotSupported);
    CHECK(moved.key() == "devices.root.size");
    CHECK(cp.info().expanded_devices.at("root").at("pool") == pool.name);
    cp.start();
    CHECK(sh(cp, "echo ok") == "ok\n");
    force_stop(cp);
    cp.remove();

    c.remove();
    shared().mgr->profiles().remove("default", "rs-prof");
}

TEST_CASE("dir pool: a root disk size is refused whole, naming devices.root.size") {
    Error created = error_of([] { launch_on("rs-dir", root_disk("default", "32MiB")); });
    CHECK(created.code() == ErrorCode::NotSupported);
    CHECK(created.key() == "devices.root.size");
    CHECK(std::string(created.what()).find("devices.root.size") != std::string::npos);
    CHECK_FALSE(instance_exists("rs-dir"));

    Instance c = launch("rs-dir2", false);
    api::DeviceMap before = c.info().devices;
    Error updated = error_of([&] { c.set_device("root", root_disk("default", "32MiB")); });
    CHECK(updated.code() == ErrorCode::NotSupported);
    CHECK(updated.key() == "devices.root.size");
    CHECK(c.info().devices == before);

    // Through a profile: the profile change is refused and stays as it was.
    api::ProfilesPost prof;
    prof.name = "rs-dirprof";
    shared().mgr->profiles().create("default", prof);
    api::Instance info = c.info();
    c.update(api::InstancePut{"", info.config, info.devices, {"default", "rs-dirprof"}, false, ""});
    Error via_profile = error_of([] {
        shared().mgr->profiles().update("default", "rs-dirprof", api::ProfilePut{"", {}, {{"root", root_disk("default", "32MiB")}}});
    });
    CHECK(via_profile.code() == ErrorCode::NotSupported);
    CHECK(via_profile.key() == "devices.root.size");
    CHECK(shared().mgr->profiles().get("default", "rs-dirprof").devices.empty());
    c.remove();
    shared().mgr->profiles().remove("default", "rs-dirprof");
}
