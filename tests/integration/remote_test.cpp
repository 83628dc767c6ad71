// Remotes and pulling images from a simplestreams server the test serves itself over TLS.
#include <doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <sys/utsname.h>
#include <thread>

#include "support/simplestreams_fixture.hpp"
#include "support/temp_state.hpp"

namespace fs = std::filesystem;
using namespace li;

namespace {

struct Fixture {
    test::SimplestreamsServer server{[](const fs::path& out) {
        // An image libinstance built itself, written out as a unified tarball.
        test::TempDir builder{"li-ss-builder"};
        ImageBuildOptions opts;
        opts.output_path = out;
        Manager::open(builder.path() / "state")->images().build("default", opts);
    }};
    std::string unified_fp = server.add("bb-unified", "bbu,busybox-unified", "20260101_00:00", "unified");
    std::string split_fp = server.add("bb-split", "bbs", "20260101_00:00", "split");
    test::TempDir dir{"li-remote"};
    // Unprivileged containers' root must traverse into the state directory.
    bool traversable = (fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec), true);
    std::shared_ptr<Manager> mgr = Manager::open(dir.path() / "state");

    Fixture() {
        api::Remote r;
        r.name = "srv";
        r.url = server.url;
        r.public_ = true;
        r.certificate = server.certificate;
        mgr->remotes().add(r);
    }

    api::ImagesPost post(const std::string& alias) {
        api::ImagesPost p;
        p.source.server = "srv";
        p.source.alias = alias;
        return p;
    }

    // Nothing of a failed or cancelled pull stays in the image store's directory.
    bool no_download_leftovers() {
        for (const auto& e : fs::directory_iterator(mgr->state_dir() / "images"))
            if (e.path().filename().string().starts_with("download-")) return false;
        return true;
    }
};

template <class Fn>
Error error_of(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error was thrown");
    return Error(ErrorCode::Internal, "unreachable");
}

std::string host_arch() {
    struct utsname u {};
    ::uname(&u);
    return u.machine;
}

bool has_alias(const api::Image& img, const std::string& name) {
    for (const auto& a : img.aliases)
        if (a.name == name) return true;
    return false;
}

}  // namespace

TEST_CASE("remotes: add, list, get, rename, remove; bad names and URLs leave the store unchanged") {
    test::TempDir dir{"li-remote"};
    auto mgr = Manager::open(dir.path() / "state");
    api::Remote r;
    r.name = "images";
    r.url = "https://images.example.org/";
    mgr->remotes().add(r);
    CHECK(mgr->remotes().get("images").url == "https://images.example.org");
    CHECK(mgr->remotes().get("images").protocol == "simplestreams");

    auto bad = r;
    bad.name = "bad:name";
    auto e = error_of([&] { mgr->remotes().add(bad); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(e.key() == "name");
    CHECK(std::string(e.what()).find("bad:name") != std::string::npos);
    bad.name = "local";
    CHECK(error_of([&] { mgr->remotes().add(bad); }).key() == "name");
    bad.name = "other";
    bad.url = "ftp://x";
    e = error_of([&] { mgr->remotes().add(bad); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(e.key() == "url");
    CHECK(std::string(e.what()).find("ftp://x") != std::string::npos);
    bad.url = "https://x";
    bad.protocol = "bogus";  // "simplestreams" and "lxd" only
    e = error_of([&] { mgr->remotes().add(bad); });
    CHECK(e.key() == "protocol");
    CHECK(std::string(e.what()).find("\"bogus\"") != std::string::npos);
    bad.protocol = "simplestreams";
    bad.certificate = "not a pem";
    CHECK(error_of([&] { mgr->remotes().add(bad); }).key() == "certificate");
    CHECK(error_of([&] { mgr->remotes().add(r); }).code() == ErrorCode::AlreadyExists);
    REQUIRE(mgr->remotes().list().size() == 1);

    mgr->remotes().rename("images", "mirror");
    CHECK(mgr->remotes().list().at(0).name == "mirror");
    CHECK(error_of([&] { mgr->remotes().get("images"); }).code() == ErrorCode::NotFound);
    CHECK(error_of([&] { mgr->remotes().rename("mirror", "a/b"); }).key() == "new_name");
    mgr->remotes().remove("mirror");
    CHECK(mgr->remotes().list().empty());
    CHECK(error_of([&] { mgr->remotes().remove("mirror"); }).code() == ErrorCode::NotFound);

    // Remotes persist in the state database.
    mgr->remotes().add(r);
    mgr.reset();
    mgr = Manager::open(dir.path() / "state");
    CHECK(mgr->remotes().get("images").url == "https://images.example.org");
}

TEST_CASE("a remote's images are listed with fingerprints, aliases and properties") {
    Fixture f;
    auto images = f.mgr->remotes().images("srv");
    REQUIRE(images.size() == 2);
    for (const auto& img : images) {
        CHECK(img.architecture == host_arch());
        CHECK(img.size > 0);
        CHECK(img.properties.at("serial") == "20260101_00:00");
        if (img.fingerprint == f.unified_fp) {
            CHECK(has_alias(img, "bbu"));
            CHECK(has_alias(img, "busybox-unified"));
        } else {
            CHECK(img.fingerprint == f.split_fp);
            CHECK(has_alias(img, "bbs"));
        }
    }
    CHECK(f.mgr->remotes().image("srv", "bbs").fingerprint == f.split_fp);
    CHECK(f.mgr->remotes().image("srv", f.unified_fp.substr(0, 12)).fingerprint == f.unified_fp);
    auto e = error_of([&] { f.mgr->remotes().image("srv", "nope"); });
    CHECK(e.code() == ErrorCode::NotFound);
    CHECK(std::string(e.what()).find("nope") != std::string::npos);
}

TEST_CASE("pull a unified image by alias, with progress, aliases and its source") {
    Fixture f;
    auto p = f.post("bbu");
    p.aliases = {{"mine", ""}};
    Operation op = f.mgr->images().copy_from_remote_async("default", p);
    op.get();
    auto meta = op.info().metadata;
    CHECK(meta.at("fingerprint") == f.unified_fp);
    CHECK(std::regex_match(meta.at("download_progress"), std::regex(R"(rootfs: 100% \([0-9.]+[kMG]?B/s\))")));
    api::Image img = f.mgr->images().get("default", "mine");
    CHECK(img.fingerprint == f.unified_fp);
    CHECK_FALSE(img.cached);
    CHECK(img.properties.at("serial") == "20260101_00:00");
    CHECK(f.no_download_leftovers());

    // Copying again only adds aliases; a taken alias is refused before anything happens.
    p.aliases = {{"again", ""}};
    CHECK(f.mgr->images().copy_from_remote("default", p).fingerprint == f.unified_fp);
    CHECK(f.mgr->images().list("default").size() == 1);
    CHECK(has_alias(f.mgr->images().get("default", f.unified_fp), "again"));
    p.aliases = {{"mine", ""}};
    auto e = error_of([&] { f.mgr->images().copy_from_remote("default", p); });
    CHECK(e.code() == ErrorCode::AlreadyExists);
    CHECK(e.key() == "aliases");

    // --copy-aliases takes the server's own aliases.
    f.mgr->images().remove("default", f.unified_fp);
    auto c = f.post(f.unified_fp.substr(0, 16));
    c.copy_aliases = true;
    api::Image copied = f.mgr->images().copy_from_remote("default", c);
    CHECK(has_alias(copied, "bbu"));
    CHECK(has_alias(copied, "busybox-unified"));
}

TEST_CASE("pull a split image (metadata + rootfs tarballs) by alias") {
    Fixture f;
    api::Image img = f.mgr->images().copy_from_remote("default", f.post("bbs"));
    CHECK(img.fingerprint == f.split_fp);
    CHECK(f.mgr->images().get("default", f.split_fp).fingerprint == f.split_fp);
    CHECK(f.no_download_leftovers());
}

TEST_CASE("launch REMOTE:ALIAS pulls a cached image and the container runs") {
    Fixture f;
    for (const std::string alias : {"bbu", "bbs"}) {
        CAPTURE(alias);
        api::InstancesPost post;
        post.name = "remote-" + std::string(alias == "bbu" ? "u" : "s");
        post.source.server = "srv";
        post.source.alias = alias;
        post.start = true;
        Instance c = f.mgr->instances().create("default", post);
        CHECK(c.exec({"echo", "hello from the server's image"}).stdout_data == "hello from the server's image\n");
        api::Image img = f.mgr->images().get("default", alias == "bbu" ? f.unified_fp : f.split_fp);
        CHECK(img.cached);
        CHECK(img.aliases.empty());
        c.remove({true});
    }
}

TEST_CASE("a file whose sha256 differs from the index is refused and nothing is stored") {
    Fixture f;
    f.server.corrupt("bb-unified");
    auto e = error_of([&] { f.mgr->images().copy_from_remote("default", f.post("bbu")); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(e.key() == "sha256");
    CHECK(std::string(e.what()).find("sha256 mismatch") != std::string::npos);
    CHECK(std::string(e.what()).find("lxd_combined.tar.gz") != std::string::npos);
    CHECK(f.mgr->images().list("default").empty());
    CHECK(f.no_download_leftovers());

    f.server.corrupt("bb-split");
    e = error_of([&] { f.mgr->images().copy_from_remote("default", f.post("bbs")); });
    CHECK(e.key() == "sha256");
    CHECK(std::string(e.what()).find("root.tar.xz") != std::string::npos);
    CHECK(f.mgr->images().list("default").empty());
}

TEST_CASE("a server whose certificate is not trusted is refused") {
    Fixture f;
    api::Remote r;
    r.name = "untrusted";
    r.url = f.server.url;  // no certificate: the system CAs do not know the self-signed one
    f.mgr->remotes().add(r);
    auto e = error_of([&] { f.mgr->remotes().images("untrusted"); });
    CHECK(e.code() == ErrorCode::PermissionDenied);
    CHECK(e.key() == "certificate");
    CHECK(std::string(e.what()).find(f.server.url) != std::string::npos);
    api::ImagesPost p;
    p.source.server = f.server.url;
    p.source.alias = "bbu";
    e = error_of([&] { f.mgr->images().copy_from_remote("default", p); });
    CHECK(e.code() == ErrorCode::PermissionDenied);
    CHECK(f.mgr->images().list("default").empty());
    // The certificate a server presents can be fetched (what --accept-certificate pins).
    CHECK(RemoteStore::fetch_certificate(f.server.url).find("BEGIN CERTIFICATE") != std::string::npos);
}

TEST_CASE("a cancelled pull leaves nothing behind") {
    Fixture f;
    f.server.throttle(100 * 1000);
    Operation op = f.mgr->images().copy_from_remote_async("default", f.post("bbu"));
    for (int i = 0; i < 100; ++i) {
        auto meta = op.info().metadata;
        if (meta.count("download_progress") && meta.at("download_progress").starts_with("rootfs: ") &&
            meta.at("download_progress") != "rootfs: 0% (0B/s)")
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    op.cancel();
    auto e = error_of([&] { op.get(); });
    CHECK(e.code() == ErrorCode::Cancelled);
    CHECK(op.info().status == "Cancelled");
    CHECK(f.mgr->images().list("default").empty());
    CHECK(f.no_download_leftovers());
}

TEST_CASE("refresh replaces an image by the server's newer version and moves its aliases") {
    Fixture f;
    auto p = f.post("bbu");
    p.aliases = {{"follow", ""}};
    p.auto_update = true;
    api::Image old = f.mgr->images().copy_from_remote("default", p);
    CHECK(old.auto_update);
    CHECK(f.mgr->images().refresh("default", "follow").fingerprint == old.fingerprint);  // up to date

    std::mutex m;
    std::vector<std::string> events;
    EventFilter filter;
    filter.types = {"lifecycle"};
    auto sub = f.mgr->events().subscribe(filter, [&](const std::string& ev) {
        std::lock_guard lock(m);
        events.push_back(ev);
    });
    std::string newer = f.server.add("bb-unified", "bbu,busybox-unified", "20260102_00:00", "unified");
    REQUIRE(newer != old.fingerprint);
    Operation op = f.mgr->images().refresh_async("default", "follow");
    op.get();
    CHECK(op.info().metadata.at("refreshed") == "true");
    api::Image now = f.mgr->images().get("default", "follow");
    CHECK(now.fingerprint == newer);
    CHECK(now.auto_update);
    CHECK(now.properties.at("serial") == "20260102_00:00");
    CHECK(error_of([&] { f.mgr->images().get("default", old.fingerprint); }).code() == ErrorCode::NotFound);
    for (int i = 0; i < 50; ++i) {
        {
            std::lock_guard lock(m);
            bool seen = false;
            for (const auto& ev : events) seen |= ev.find("\"image-refreshed\"") != std::string::npos;
            if (seen) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    {
        std::lock_guard lock(m);
        bool seen = false;
        for (const auto& ev : events) seen |= ev.find("\"image-refreshed\"") != std::string::npos && ev.find(newer) != std::string::npos;
        CHECK(seen);
    }
    auto again = f.mgr->images().refresh_async("default", "follow");
    again.get();
    CHECK(again.info().metadata.at("refreshed") == "false");

    // An image that did not come from a server cannot be refreshed.
    ImageBuildOptions b;
    b.alias = "local-bb";
    f.mgr->images().build("default", b);
    auto e = error_of([&] { f.mgr->images().refresh("default", "local-bb"); });
    CHECK(e.code() == ErrorCode::InvalidArgument);
    CHECK(e.key() == "image");
}

TEST_CASE("auto_update images are refreshed every images.auto_update_interval hours; a failing one does not stop the pass") {
    using std::chrono::hours;
    Fixture f;
    auto p = f.post("bbu");
    p.aliases = {{"auto", ""}};
    p.auto_update = true;
    api::Image unified = f.mgr->images().copy_from_remote("default", p);
    // As a launch leaves it: cached, following its server.
    auto c = f.post("bbs");
    c.cached = true;
    c.auto_update = true;
    api::Image split = f.mgr->images().copy_from_remote("default", c);
    REQUIRE(split.cached);
    auto fingerprint_of_auto = [&] { return f.mgr->images().get("default", "auto").fingerprint; };
    auto present = [&](const std::string& fp) {
        try {
            f.mgr->images().get("default", fp);
            return true;
        } catch (const Error&) {
            return false;
        }
    };

    std::mutex m;
    std::vector<std::string> events;
    EventFilter filter;
    filter.types = {"lifecycle"};
    auto sub = f.mgr->events().subscribe(filter, [&](const std::string& ev) {
        std::lock_guard lock(m);
        events.push_back(ev);
    });
    auto refreshed_event = [&](const std::string& fp) {
        for (int i = 0; i < 50; ++i) {
            {
                std::lock_guard lock(m);
                for (const auto& ev : events)
                    if (ev.find("\"image-refreshed\"") != std::string::npos && ev.find(fp) != std::string::npos) return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    };

    const auto t0 = std::chrono::system_clock::now();
    CHECK_FALSE(f.mgr->run_image_auto_update(t0).ran);  // the state directory's first look starts the clock
    std::string unified2 = f.server.add("bb-unified", "bbu,busybox-unified", "20260102_00:00", "unified");
    std::string split2 = f.server.add("bb-split", "bbs", "20260102_00:00", "split");
    REQUIRE(unified2 != unified.fingerprint);
    REQUIRE(split2 != split.fingerprint);

    // Before the interval (6 hours by default) nothing is refreshed.
    ImageAutoUpdateRun early = f.mgr->run_image_auto_update(t0 + hours(6) - std::chrono::minutes(1));
    CHECK_FALSE(early.ran);
    CHECK(early.refreshed.empty());
    CHECK(fingerprint_of_auto() == unified.fingerprint);
    CHECK(present(split.fingerprint));

    // Interval 0: never.
    f.mgr->set_config("images.auto_update_interval", "0");
    CHECK_FALSE(f.mgr->run_image_auto_update(t0 + hours(100)).ran);
    CHECK(fingerprint_of_auto() == unified.fingerprint);
    f.mgr->set_config("images.auto_update_interval", "");

    // Past the interval: the auto_update image follows its server (not the cached one while
    // images.auto_update_cached is false).
    f.mgr->set_config("images.auto_update_cached", "false");
    ImageAutoUpdateRun first = f.mgr->run_image_auto_update(t0 + hours(6));
    CHECK(first.ran);
    REQUIRE(first.refreshed.size() == 1);
    CHECK(first.refreshed[0].project == "default");
    CHECK(first.refreshed[0].old_fingerprint == unified.fingerprint);
    CHECK(first.refreshed[0].new_fingerprint == unified2);
    CHECK(first.refreshed[0].aliases == std::vector<std::string>{"auto"});
    CHECK(first.failed.empty());
    CHECK(fingerprint_of_auto() == unified2);
    CHECK(f.mgr->images().get("default", "auto").auto_update);
    CHECK_FALSE(present(unified.fingerprint));
    CHECK(refreshed_event(unified2));
    CHECK(present(split.fingerprint));
    CHECK_FALSE(present(split2));

    // The next pass counts from the last one (t0 + 6h), whoever ran it.
    std::string unified3 = f.server.add("bb-unified", "bbu,busybox-unified", "20260103_00:00", "unified");
    CHECK_FALSE(f.mgr->run_image_auto_update(t0 + hours(11)).ran);
    CHECK(fingerprint_of_auto() == unified2);

    // The cached image's newest version is corrupt: its refresh fails and is logged, the pass goes
    // on to the other image (listed after it).
    f.mgr->set_config("images.auto_update_cached", "true");
    f.server.add("bb-split", "bbs", "20260103_00:00", "split");
    f.server.corrupt("bb-split");
    ImageAutoUpdateRun partial = f.mgr->run_image_auto_update(t0 + hours(12));
    CHECK(partial.ran);
    REQUIRE(partial.failed.size() == 1);
    CHECK(partial.failed[0].starts_with("default/" + split.fingerprint + ": "));
    REQUIRE(partial.refreshed.size() == 1);
    CHECK(partial.refreshed[0].new_fingerprint == unified3);
    CHECK(present(split.fingerprint));
    CHECK(fingerprint_of_auto() == unified3);
    CHECK(refreshed_event(unified3));

    // A good newer version: the cached image is refreshed, and stays cached.
    std::string split4 = f.server.add("bb-split", "bbs", "20260104_00:00", "split");
    ImageAutoUpdateRun last = f.mgr->run_image_auto_update(t0 + hours(18));
    CHECK(last.ran);
    CHECK(last.failed.empty());
    REQUIRE(last.refreshed.size() == 1);  // the unified image is up to date: not listed
    CHECK(last.refreshed[0].old_fingerprint == split.fingerprint);
    CHECK(last.refreshed[0].new_fingerprint == split4);
    CHECK_FALSE(present(split.fingerprint));
    REQUIRE(present(split4));
    CHECK(f.mgr->images().get("default", split4).cached);
    CHECK(f.mgr->images().get("default", split4).auto_update);
    CHECK(refreshed_event(split4));
    CHECK(f.no_download_leftovers());
}

TEST_CASE("the image auto-update settings are validated naming the key") {
    test::TempDir dir{"li-autoupd-config"};
    auto mgr = Manager::open(dir.path() / "state");
    CHECK(mgr->get_config("images.auto_update_interval") == "6");
    CHECK(mgr->get_config("images.auto_update_cached") == "true");
    for (auto [key, value] : {std::pair{"images.auto_update_interval", "abc"}, {"images.auto_update_interval", "-1"},
                              {"images.auto_update_interval", "1.5"}, {"images.auto_update_cached", "maybe"}}) {
        CAPTURE(value);
        Error e = error_of([&] { mgr->set_config(key, value); });
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == key);
        CHECK(std::string(e.what()).find(key) != std::string::npos);
    }
    mgr->set_config("images.auto_update_interval", "12");
    mgr->set_config("images.auto_update_cached", "false");
    CHECK(mgr->config().at("images.auto_update_interval") == "12");
    CHECK(mgr->get_config("images.auto_update_cached") == "false");
    // Nothing is recorded as a setting by the passes themselves.
    mgr->run_image_auto_update();
    CHECK(mgr->config().size() == 2);
}
