// Publishing instances as images, and the image templates applied on create and start.
#include <doctest.h>
#include <atomic>
#include <mutex>

#include "integration/shared_manager.hpp"
#include "sys/fs.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

std::string exec_out(Instance& inst, const std::vector<std::string>& argv) {
    auto r = inst.exec(argv);
    INFO(r.stderr_data);
    CHECK(r.exit_code == 0);
    return r.stdout_data;
}

template <class Fn>
void expect_error(ErrorCode code, const std::string& needle, Fn fn) {
    try {
        fn();
        FAIL("no error; expected one mentioning " << needle);
    } catch (const Error& e) {
        CHECK_MESSAGE(e.code() == code, e.what());
        CHECK_MESSAGE(std::string(e.what()).find(needle) != std::string::npos, e.what());
    }
}

}  // namespace

TEST_CASE("publish: a stopped instance becomes an image with merged properties; launches from it keep its files") {
    auto& images = shared().mgr->images();
    Instance src = launch("pub-src");
    exec_out(src, {"sh", "-c", "echo published-data > /root/marker && mkdir -p /srv && ln /root/marker /srv/hard"});

    ImagePublishOptions opts;
    opts.instance = "pub-src";
    opts.alias = "pub-img";
    opts.properties = {{"description", "published busybox"}, {"extra", "1"}};
    opts.compression = "xz";
    size_t before = images.list("default").size();

    // Running: Conflict naming the instance, and nothing added.
    expect_error(ErrorCode::Conflict, "pub-src", [&] { images.publish("default", opts); });
    CHECK(images.list("default").size() == before);
    src.stop(StopOptions{true});

    std::vector<std::string> actions;
    std::mutex m;
    EventFilter filter;
    filter.types = {"lifecycle"};
    auto sub = shared().mgr->events().subscribe(filter, [&](const std::string& json) {
        std::lock_guard<std::mutex> g(m);
        for (const char* a : {"image-created", "instance-published", "image-alias-created"})
            if (json.find(std::string("\"") + a + "\"") != std::string::npos) actions.push_back(a);
    });

    Operation op = images.publish_async("default", opts);
    op.get();
    auto meta = op.info().metadata;
    REQUIRE(meta.count("fingerprint"));
    CHECK(meta.count("create_image_from_container_pack_progress") == 1);
    api::Image img = images.get("default", "pub-img");
    CHECK(img.fingerprint == meta["fingerprint"]);
    CHECK(img.properties.at("os") == "busybox");  // from the source image
    CHECK(img.properties.at("description") == "published busybox");
    CHECK(img.properties.at("extra") == "1");
    CHECK(img.architecture == shared().mgr->instances().get("default", "pub-src").info().architecture);
    CHECK(images.list("default").size() == before + 1);
    for (int i = 0; i < 100; i++) {
        {
            std::lock_guard<std::mutex> g(m);
            if (actions.size() >= 3) break;
        }
        usleep(20000);
    }
    {
        std::lock_guard<std::mutex> g(m);
        CHECK(std::find(actions.begin(), actions.end(), "image-created") != actions.end());
        CHECK(std::find(actions.begin(), actions.end(), "instance-published") != actions.end());
    }

    // The published image launches, with the files and the (re-applied) hostname template.
    api::InstancesPost post;
    post.name = "pub-copy";
    post.source.alias = "pub-img";
    post.start = true;
    Instance copy = shared().mgr->instances().create("default", post);
    CHECK(exec_out(copy, {"cat", "/root/marker"}) == "published-data\n");
    CHECK(exec_out(copy, {"cat", "/etc/hostname"}) == "pub-copy\n");
    CHECK(exec_out(copy, {"stat", "-c", "%h", "/srv/hard"}) == "2\n");
    copy.remove(DeleteOptions{true});

    // Defaults: gzip; a second publish of the same instance gives another image (new creation date).
    ImagePublishOptions plain;
    plain.instance = "pub-src";
    api::Image gz = images.publish("default", plain);
    CHECK(gz.fingerprint != img.fingerprint);
    CHECK(gz.aliases.empty());
    images.remove("default", gz.fingerprint);
    images.remove("default", "pub-img");
    src.remove(DeleteOptions{true});
}

TEST_CASE("publish: a snapshot of a running instance becomes an image of the snapshot's files and config") {
    auto& images = shared().mgr->images();
    Instance src = launch("pub-snap-src");
    exec_out(src, {"sh", "-c", "echo at-snapshot > /root/marker"});
    src.set_config("image.flavour", "snapshot-time");
    api::InstanceSnapshotsPost snap;
    snap.name = "s0";
    src.snapshot(snap);
    exec_out(src, {"sh", "-c", "echo after-snapshot > /root/marker && touch /root/later"});
    src.set_config("image.flavour", "later");

    ImagePublishOptions opts;
    opts.instance = "pub-snap-src/s0";
    opts.alias = "pub-snap-img";
    Operation op = images.publish_async("default", opts);
    op.get();
    CHECK(op.info().resources.at("instances") == std::vector<std::string>{"/1.0/instances/pub-snap-src/snapshots/s0"});
    api::Image img = images.get("default", "pub-snap-img");
    CHECK(img.properties.at("flavour") == "snapshot-time");
    CHECK(img.properties.at("os") == "busybox");
    CHECK(src.state().status_code == 103);  // still running: a snapshot never changes

    api::InstancesPost post;
    post.name = "pub-snap-copy";
    post.source.alias = "pub-snap-img";
    post.start = true;
    Instance copy = shared().mgr->instances().create("default", post);
    CHECK(exec_out(copy, {"cat", "/root/marker"}) == "at-snapshot\n");
    CHECK(copy.exec({"test", "-e", "/root/later"}).exit_code != 0);
    copy.remove(DeleteOptions{true});
    images.remove("default", "pub-snap-img");
    src.remove(DeleteOptions{true});
}

TEST_CASE("publish: bad requests are refused, naming the problem, and leave the store as it was") {
    auto& images = shared().mgr->images();
    launch("pub-bad", false);
    size_t before = images.list("default").size();
    ImagePublishOptions opts;
    opts.instance = "pub-bad";
    opts.compression = "lzop";
    expect_error(ErrorCode::InvalidArgument, "lzop", [&] { images.publish("default", opts); });
    opts.compression = "gzip";
    opts.expires_at = "next tuesday";
    expect_error(ErrorCode::InvalidArgument, "next tuesday", [&] { images.publish("default", opts); });
    opts.expires_at.clear();
    opts.alias = std::string(300, 'a');
    expect_error(ErrorCode::InvalidArgument, "longer than 255", [&] { images.publish("default", opts); });
    opts.alias = "busybox";  // taken
    expect_error(ErrorCode::AlreadyExists, "busybox", [&] { images.publish("default", opts); });
    opts.alias.clear();
    opts.instance = "pub-bad/snap0";  // no such snapshot
    expect_error(ErrorCode::NotFound, "snap0", [&] { images.publish("default", opts); });
    opts.instance = "pub-bad/bad/name";
    expect_error(ErrorCode::InvalidArgument, "bad/name", [&] { images.publish("default", opts); });
    opts.instance = "no-such-instance";
    expect_error(ErrorCode::NotFound, "no-such-instance", [&] { images.publish("default", opts); });
    opts.instance.clear();
    expect_error(ErrorCode::InvalidArgument, "instance", [&] { images.publish("default", opts); });
    CHECK(images.list("default").size() == before);
    // No leftover temporary tarball.
    for (const auto& e : fs::directory_iterator(shared().dir.path() / "images"))
        CHECK_MESSAGE(e.path().filename().string().find("publish-") == std::string::npos, e.path());

    // An expiry date goes into the image.
    opts.instance = "pub-bad";
    opts.expires_at = "2031-02-03T04:05:06Z";
    api::Image img = images.publish("default", opts);
    CHECK(img.expires_at.rfind("2031-02-03T04:05:06", 0) == 0);
    images.remove("default", img.fingerprint);
    shared().mgr->instances().get("default", "pub-bad").remove();
}

TEST_CASE("templates: start templates are applied before every start, with config_get and the instance's name") {
    api::InstancesPost post;
    post.name = "tpl-start";
    post.source.alias = "busybox";
    post.config = {{"user.greeting", "hello"}};
    Instance inst = shared().mgr->instances().create("default", post);
    // The image's create template already ran.
    fs::path volume = shared().dir.path() / "storage-pools/default/containers/tpl-start";
    REQUIRE(fs::exists(volume / "metadata.yaml"));
    std::string md = read_file(volume / "metadata.yaml");
    md += "  /etc/started:\n    when:\n    - start\n    template: started.tpl\n    properties:\n      p: prop\n"
          "  /etc/once:\n    when:\n    - start\n    create_only: true\n    template: started.tpl\n";
    write_file_atomic(volume / "metadata.yaml", md);
    write_file_atomic(volume / "templates/started.tpl",
                      "{{ instance.name }} {{ trigger }} {{ config_get(\"user.greeting\", \"none\") }} {{ properties.p }}"
                      "{% if container.privileged == \"false\" %} unprivileged{% endif %}\n");
    inst.start();
    CHECK(exec_out(inst, {"cat", "/etc/started"}) == "tpl-start start hello prop unprivileged\n");
    CHECK(exec_out(inst, {"cat", "/etc/once"}) == "tpl-start start hello  unprivileged\n");
    exec_out(inst, {"sh", "-c", "echo changed > /etc/started; echo changed > /etc/once"});
    inst.stop(StopOptions{true});
    inst.start();
    CHECK(exec_out(inst, {"cat", "/etc/started"}) == "tpl-start start hello prop unprivileged\n");
    CHECK(exec_out(inst, {"cat", "/etc/once"}) == "changed\n");  // create_only: not replaced
    inst.remove(DeleteOptions{true});
}

TEST_CASE("templates: copy templates are applied to a copy, with the copy's name, and not to its source") {
    api::InstancesPost post;
    post.name = "tpl-copy-src";
    post.source.alias = "busybox";
    Instance src = shared().mgr->instances().create("default", post);
    fs::path volume = shared().dir.path() / "storage-pools/default/containers/tpl-copy-src";
    std::string md = read_file(volume / "metadata.yaml");
    md += "  /etc/copied:\n    when:\n    - copy\n    template: copied.tpl\n";
    write_file_atomic(volume / "metadata.yaml", md);
    write_file_atomic(volume / "templates/copied.tpl", "{{ instance.name }} {{ trigger }}\n");

    api::InstancesPost copy_post;
    copy_post.name = "tpl-copy-dst";
    copy_post.source.type = "copy";
    copy_post.source.source = "tpl-copy-src";
    copy_post.start = true;
    Instance copy = shared().mgr->instances().create("default", copy_post);
    CHECK(exec_out(copy, {"cat", "/etc/copied"}) == "tpl-copy-dst copy\n");
    CHECK(exec_out(copy, {"cat", "/etc/hostname"}) == "tpl-copy-dst\n");  // busybox's hostname: create and copy
    src.start();
    CHECK(src.exec({"test", "-e", "/etc/copied"}).exit_code != 0);
    CHECK(exec_out(src, {"cat", "/etc/hostname"}) == "tpl-copy-src\n");
    copy.remove(DeleteOptions{true});
    src.remove(DeleteOptions{true});
}
