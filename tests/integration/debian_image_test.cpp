// The debian builder end to end: debootstrap (cached under the build tree by meson's
// LIBINSTANCE_CACHE_DIR), the image's LXD-like properties, and systemd booting unprivileged.
#include <doctest.h>
#include <chrono>
#include <cstdlib>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

TEST_CASE("debian: a cached debootstrap image whose container boots systemd unprivileged") {
    const char* cache = std::getenv("LIBINSTANCE_CACHE_DIR");
    REQUIRE_MESSAGE(cache != nullptr, "run through meson (it sets LIBINSTANCE_CACHE_DIR to <build>/test-cache)");
    auto& images = shared().mgr->images();
    ImageBuildOptions opts;
    opts.builder = "debian";
    opts.alias = "debian";
    Operation op = images.build_async("default", opts);  // minutes the first time in a build tree
    op.wait(std::chrono::hours(1));
    op.get();
    api::Image img = images.get("default", "debian");
    CHECK(img.properties.at("os") == "debian");
    CHECK(img.properties.at("release") == "bookworm");
    CHECK(img.properties.at("variant") == "minbase");
    CHECK(img.properties.at("architecture") == "amd64");
    CHECK(img.properties.count("description") == 1);
    CHECK(op.info().metadata.count("image_build_progress") == 1);
    bool cached = false;
    for (const auto& e : fs::directory_iterator(cache))
        cached |= e.path().filename().string().rfind("debian-bookworm-minbase-", 0) == 0;
    CHECK(cached);

    // Building again takes the cached tarball: instant, same image, one more alias.
    auto start = std::chrono::steady_clock::now();
    opts.alias = "debian-again";
    api::Image again = images.build("default", opts);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    CHECK(again.fingerprint == img.fingerprint);

    // Bad options: refused before anything runs, naming the option.
    ImageBuildOptions bad = opts;
    bad.variant = "huge";
    try {
        images.build("default", bad);
        FAIL("variant huge accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "variant");
        CHECK(std::string(e.what()).find("huge") != std::string::npos);
    }

    api::InstancesPost post;
    post.name = "deb-boot";
    post.source.alias = "debian";
    post.start = true;
    Instance inst = shared().mgr->instances().create("default", post);
    // systemd's private socket appears a moment after start; then wait for the boot to settle.
    auto r = inst.exec({"sh", "-c", "for i in $(seq 100); do [ -S /run/systemd/private ] && break; sleep 0.2; done; "
                                    "timeout 120 systemctl is-system-running --wait"});
    INFO("systemctl: " << r.stdout_data << r.stderr_data);
    bool booted = r.stdout_data == "running\n" || r.stdout_data == "degraded\n";
    if (!booted) INFO(inst.exec({"systemctl", "--failed", "--no-pager"}).stdout_data);
    CHECK(booted);
    CHECK(inst.exec({"cat", "/etc/hostname"}).stdout_data == "deb-boot\n");
    CHECK(inst.exec({"hostname"}).stdout_data == "deb-boot\n");
    // Each instance got its own machine id at boot; the image's is empty.
    CHECK(inst.exec({"cat", "/etc/machine-id"}).stdout_data.size() == 33);
    CHECK(inst.exec({"systemctl", "is-enabled", "systemd-networkd"}).stdout_data == "enabled\n");
    // networkd only configures links udev has initialised: without udev, eth0 never gets DHCP.
    CHECK(inst.exec({"sh", "-c", "command -v udevadm"}).exit_code == 0);
    CHECK(inst.exec({"sh", "-c", "ls /var/cache/apt/archives/*.deb 2>/dev/null | wc -l"}).stdout_data == "0\n");
    inst.remove(DeleteOptions{true});
}

TEST_CASE("debian: cancelling a build kills debootstrap and removes its tree") {
    TempDir cache("li-deb-cancel");
    auto& images = shared().mgr->images();
    size_t before = images.list("default").size();
    ImageBuildOptions opts;
    opts.builder = "debian";
    opts.variant = "buildd";  // not in any cache: debootstrap really runs
    opts.cache_dir = cache.path();
    Operation op = images.build_async("default", opts);
    // Wait until debootstrap has started (its tree exists and it reported progress).
    bool started = false;
    for (int i = 0; i < 600 && !started; i++) {
        for (const auto& e : fs::directory_iterator(cache.path()))
            started |= e.path().filename().string().rfind(".build-", 0) == 0 && fs::exists(e.path() / "rootfs");
        if (!started) usleep(50000);
    }
    REQUIRE(started);
    op.cancel();
    try {
        op.get();
        FAIL("the cancelled build succeeded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Cancelled);
    }
    for (const auto& e : fs::directory_iterator(cache.path()))
        CHECK_MESSAGE(e.path().filename().string().rfind(".build-", 0) != 0, e.path());
    CHECK(images.list("default").size() == before);
}
