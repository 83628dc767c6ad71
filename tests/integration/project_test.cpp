// Projects through the C++ API: CRUD and the default project's rules, isolation and features
// (images, profiles, volumes shared with default or not), every limit refused exactly at its
// boundary, and restrictions refused on create, on update and through a profile. Instances stay
// stopped: what is checked is the store, not the containers.
#include <chrono>
#include <doctest.h>
#include <fmt/format.h>
#include <functional>
#include <mutex>
#include <thread>

#include "integration/shared_manager.hpp"

using namespace li;
using namespace li::test;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ProjectStore& projects() { return shared().mgr->projects(); }

void make_project(const std::string& name, api::ConfigMap config) {
    api::ProjectsPost post;
    post.name = name;
    post.config = std::move(config);
    projects().create(post);
}

void set_project_config(const std::string& name, const std::string& key, const std::string& value) {
    api::Project p = projects().get(name);
    p.config[key] = value;
    projects().update(name, api::put_of(p));
}

// A stopped busybox container in `project`, with its own root disk (a new project's default
// profile has none) and whatever config it is given.
Instance create_in(const std::string& project, const std::string& name, api::ConfigMap config = {}, api::DeviceMap devices = {},
                   std::vector<std::string> profiles = {"default"}) {
    api::InstancesPost post;
    post.name = name;
    post.source.alias = "busybox";
    post.config = std::move(config);
    post.devices = std::move(devices);
    post.devices.try_emplace("root", std::map<std::string, std::string>{{"type", "disk"}, {"path", "/"}, {"pool", "default"}});
    post.profiles = std::move(profiles);
    return shared().mgr->instances().create(project, post);
}

void delete_instances(const std::string& project) {
    for (const auto& i : shared().mgr->instances().list(project)) shared().mgr->instances().get(project, i.name).remove();
}

std::vector<std::string> instance_names(const std::string& project) {
    std::vector<std::string> out;
    for (const auto& i : shared().mgr->instances().list(project)) out.push_back(i.name);
    return out;
}

}  // namespace

TEST_CASE("projects: create, read, update with ETag, rename and delete; the default project stays") {
    api::ProjectsPost post;
    post.name = "pj-crud";
    post.description = "first";
    api::Project created = projects().create(post);
    CHECK(created.config.at("features.images") == "true");
    CHECK(created.config.at("features.profiles") == "true");
    CHECK(created.config.at("features.storage.volumes") == "true");
    CHECK(created.config.at("features.networks") == "false");
    // Its own default profile, with no devices.
    CHECK(shared().mgr->profiles().get("pj-crud", "default").devices.empty());
    CHECK(created.used_by == std::vector<std::string>{"/1.0/profiles/default?project=pj-crud"});
    CHECK(error_of([&] { projects().create(post); }).code() == ErrorCode::AlreadyExists);

    std::string etag = projects().etag("pj-crud");
    api::ProjectPut put = api::put_of(projects().get("pj-crud"));
    put.description = "second";
    put.config["user.owner"] = "alice";
    projects().update("pj-crud", put, etag);
    CHECK(projects().get("pj-crud").description == "second");
    Error stale = error_of([&] { projects().update("pj-crud", put, etag); });
    CHECK(stale.code() == ErrorCode::Conflict);
    CHECK(stale.key() == "etag");

    put.config["limits.bogus"] = "1";
    Error unknown = error_of([&] { projects().update("pj-crud", put); });
    CHECK(unknown.code() == ErrorCode::InvalidArgument);
    CHECK(unknown.key() == "config.limits.bogus");
    put.config.erase("limits.bogus");
    put.config["limits.instances"] = "many";
    CHECK(error_of([&] { projects().update("pj-crud", put); }).key() == "config.limits.instances");

    for (std::string bad : {"", "a/b", "a_b", "a b", "..", "*"}) {
        api::ProjectsPost p;
        p.name = bad;
        Error e = error_of([&] { projects().create(p); });
        CHECK(e.code() == ErrorCode::InvalidArgument);
        CHECK(e.key() == "name");
    }

    projects().rename("pj-crud", "pj-crud2");
    CHECK_FALSE(projects().exists("pj-crud"));
    CHECK(shared().mgr->profiles().exists("pj-crud2", "default"));
    projects().remove("pj-crud2");
    CHECK_FALSE(projects().exists("pj-crud2"));
    CHECK(error_of([&] { projects().get("pj-crud2"); }).code() == ErrorCode::NotFound);

    CHECK(error_of([] { projects().remove("default"); }).key() == "name");
    CHECK(error_of([] { projects().rename("default", "other"); }).key() == "name");
    Error feature = error_of([] { set_project_config("default", "features.images", "false"); });
    CHECK(feature.code() == ErrorCode::InvalidArgument);
    CHECK(feature.key() == "config.features.images");
    CHECK(projects().get("default").config.at("features.networks") == "true");
}

TEST_CASE("projects: an unknown project is NotFound (key project) everywhere") {
    for (auto call : std::vector<std::function<void()>>{
             [] { shared().mgr->instances().list("pj-nope"); },
             [] { shared().mgr->instances().get("pj-nope", "c1"); },
             [] { create_in("pj-nope", "c1"); },
             [] { shared().mgr->images().list("pj-nope"); },
             [] { shared().mgr->profiles().list("pj-nope"); },
             [] { shared().mgr->networks().list("pj-nope"); },
             [] { shared().mgr->storage_volumes().list("default", "pj-nope"); },
         }) {
        Error e = error_of(call);
        CHECK(e.code() == ErrorCode::NotFound);
        CHECK(e.key() == "project");
    }
}

TEST_CASE("projects: isolation, same names in two projects, and what each feature shares") {
    make_project("pj-a", {{"features.images", "false"}});
    make_project("pj-b", {{"features.images", "false"}});
    create_in("pj-a", "same");
    create_in("pj-b", "same");
    create_in("pj-a", "only-a");
    CHECK(instance_names("pj-a") == std::vector<std::string>{"only-a", "same"});
    CHECK(instance_names("pj-b") == std::vector<std::string>{"same"});
    CHECK(error_of([] { shared().mgr->instances().get("pj-b", "only-a"); }).code() == ErrorCode::NotFound);
    CHECK_FALSE(instance_exists("only-a"));
    // features.images=false: the default project's images, aliases included.
    CHECK(shared().mgr->images().list("pj-a").size() == shared().mgr->images().list("default").size());

    // A project with its own images has none until it gets some.
    make_project("pj-img", {});
    CHECK(shared().mgr->images().list("pj-img").empty());
    Error no_image = error_of([] { create_in("pj-img", "c1"); });
    CHECK(no_image.code() == ErrorCode::NotFound);
    CHECK(no_image.key() == "image");

    // features.profiles=false: the default project's profiles (and its root disk).
    make_project("pj-shared", {{"features.images", "false"}, {"features.profiles", "false"}, {"features.storage.volumes", "false"}});
    CHECK_FALSE(shared().mgr->profiles().list("pj-shared").empty());
    CHECK(shared().mgr->profiles().get("pj-shared", "default").devices.count("root") == 1);
    // Custom volumes created there are the default project's.
    api::StorageVolumesPost volume;
    volume.name = "pj-shared-vol";
    shared().mgr->storage_volumes().create("default", volume, "pj-shared");
    CHECK(shared().mgr->storage_volumes().get("default", "custom", "pj-shared-vol", "default").project == "default");
    shared().mgr->storage_volumes().remove("default", "pj-shared-vol", "default");

    // Features change only on an empty project; delete and rename wait for it to be empty.
    Error busy = error_of([] { set_project_config("pj-a", "features.profiles", "false"); });
    CHECK(busy.code() == ErrorCode::Conflict);
    CHECK(busy.key() == "config.features.profiles");
    Error not_empty = error_of([] { projects().remove("pj-a"); });
    CHECK(not_empty.code() == ErrorCode::Conflict);
    CHECK(contains(not_empty.what(), "only-a"));
    CHECK(error_of([] { projects().rename("pj-a", "pj-a2"); }).code() == ErrorCode::Conflict);
    CHECK(projects().get("pj-a").used_by.size() == 3);  // two instances and its default profile

    delete_instances("pj-a");
    delete_instances("pj-b");
    for (std::string p : {"pj-a", "pj-b", "pj-img", "pj-shared"}) projects().remove(p);
}

TEST_CASE("projects: instance limits are refused exactly at the boundary, naming the limit and the use") {
    make_project("pj-lim", {{"features.images", "false"}, {"limits.instances", "2"}});
    create_in("pj-lim", "c1");
    create_in("pj-lim", "c2");  // exactly the limit
    Error over = error_of([] { create_in("pj-lim", "c3"); });
    CHECK(over.code() == ErrorCode::InvalidArgument);
    CHECK(over.key() == "limits.instances");
    CHECK(contains(over.what(), "limits.instances is 2 and 2 is in use"));
    CHECK(instance_names("pj-lim").size() == 2);  // nothing half-made
    api::ProjectState state = projects().state("pj-lim");
    CHECK(state.resources.at("instances").limit == 2);
    CHECK(state.resources.at("instances").usage == 2);
    CHECK(state.resources.at("containers").limit == -1);
    // A copy counts too.
    api::InstancesPost copy;
    copy.name = "c1-copy";
    copy.source.type = "copy";
    copy.source.source = "c1";
    CHECK(error_of([&] { shared().mgr->instances().create("pj-lim", copy); }).key() == "limits.instances");
    // A limit below the current use is refused.
    Error low = error_of([] { set_project_config("pj-lim", "limits.instances", "1"); });
    CHECK(low.key() == "config.limits.instances");
    CHECK(contains(low.what(), "2 instances in use"));

    set_project_config("pj-lim", "limits.instances", "");
    set_project_config("pj-lim", "limits.containers", "3");
    create_in("pj-lim", "c3");
    CHECK(error_of([] { create_in("pj-lim", "c4"); }).key() == "limits.containers");
    delete_instances("pj-lim");
    projects().remove("pj-lim");
}

TEST_CASE("projects: aggregate limits (cpu, memory, processes) need every instance to say its share") {
    make_project("pj-agg", {{"features.images", "false"}, {"limits.memory", "256MiB"}, {"limits.cpu", "3"}, {"limits.processes", "200"}});
    Error unset = error_of([] { create_in("pj-agg", "m0"); });
    CHECK(unset.code() == ErrorCode::InvalidArgument);
    CHECK(unset.key().rfind("config.limits.", 0) == 0);
    api::ConfigMap share{{"limits.memory", "128MiB"}, {"limits.cpu", "1"}, {"limits.processes", "100"}};
    create_in("pj-agg", "m1", share);
    Instance m2 = create_in("pj-agg", "m2", share);  // exactly the memory and processes limits
    Error memory = error_of([&] { create_in("pj-agg", "m3", {{"limits.memory", "1MiB"}, {"limits.cpu", "1"}, {"limits.processes", "1"}}); });
    CHECK(memory.key() == "limits.memory");
    CHECK(contains(memory.what(), "256.00MiB"));
    // An update that would raise the use is refused too, and changes nothing.
    Error cpu = error_of([&] { m2.set_config("limits.cpu", "3"); });
    CHECK(cpu.key() == "limits.cpu");
    CHECK(m2.info().config.at("limits.cpu") == "1");
    Error processes = error_of([&] { m2.set_config("limits.processes", "101"); });
    CHECK(processes.key() == "limits.processes");
    m2.set_config("limits.memory", "64MiB");  // lowering is fine
    api::ProjectState state = projects().state("pj-agg");
    CHECK(state.resources.at("memory").usage == (128 + 64) * 1024 * 1024);
    CHECK(state.resources.at("cpu").usage == 2);
    CHECK(state.resources.at("processes").limit == 200);
    delete_instances("pj-agg");
    projects().remove("pj-agg");
}

TEST_CASE("projects: limits.disk counts custom volume sizes; limits.networks counts networks") {
    BtrfsPool pool("pj-disk-pool");
    make_project("pj-disk", {{"limits.disk", "100MiB"}});
    auto volume = [&](const std::string& name, const std::string& size) {
        api::StorageVolumesPost post;
        post.name = name;
        if (!size.empty()) post.config["size"] = size;
        return shared().mgr->storage_volumes().create(pool.name, post, "pj-disk");
    };
    volume("v1", "60MiB");
    Error over = error_of([&] { volume("v2", "41MiB"); });
    CHECK(over.code() == ErrorCode::InvalidArgument);
    CHECK(over.key() == "limits.disk");
    CHECK(error_of([&] { volume("v2", ""); }).key() == "config.size");
    volume("v2", "40MiB");  // exactly 100MiB
    CHECK(projects().state("pj-disk").resources.at("disk").usage == 100 * 1024 * 1024);
    shared().mgr->storage_volumes().remove(pool.name, "v1", "pj-disk");
    shared().mgr->storage_volumes().remove(pool.name, "v2", "pj-disk");
    projects().remove("pj-disk");

    make_project("pj-net", {{"features.networks", "true"}, {"limits.networks", "0"}});
    api::NetworksPost net;
    net.name = "pjnet0";
    Error networks = error_of([&] { shared().mgr->networks().create("pj-net", net); });
    CHECK(networks.key() == "limits.networks");
    CHECK(projects().state("pj-net").resources.at("networks").usage == 0);
    projects().remove("pj-net");
}

TEST_CASE("projects: a restricted project refuses forbidden config on create, on update and through a profile") {
    make_project("pj-res", {{"features.images", "false"}, {"restricted", "true"}});
    Error privileged = error_of([] { create_in("pj-res", "r1", {{"security.privileged", "true"}}); });
    CHECK(privileged.code() == ErrorCode::PermissionDenied);
    CHECK(privileged.key() == "config.security.privileged");
    CHECK(contains(privileged.what(), "restricted.containers.privilege"));
    CHECK(instance_names("pj-res").empty());

    Instance r1 = create_in("pj-res", "r1");
    Error update = error_of([&] { r1.set_config("security.privileged", "true"); });
    CHECK(update.code() == ErrorCode::PermissionDenied);
    CHECK(r1.info().config.count("security.privileged") == 0);
    CHECK(error_of([&] { r1.set_config("security.nesting", "true"); }).key() == "config.security.nesting");
    CHECK(error_of([&] { r1.set_config("raw.lxc", "lxc.init.cmd = /bin/sh"); }).key() == "config.raw.lxc");
    CHECK(error_of([&] { r1.set_config("raw.idmap", "both 1000 1000"); }).key() == "config.raw.idmap");

    // A profile in the restricted project cannot carry it either.
    api::ProfilesPost profile;
    profile.name = "priv";
    profile.config = {{"security.privileged", "true"}};
    CHECK(error_of([&] { shared().mgr->profiles().create("pj-res", profile); }).code() == ErrorCode::PermissionDenied);
    // Devices: host paths and unmanaged nics are refused by default.
    api::DeviceMap host_path{{"data", {{"type", "disk"}, {"source", "/srv"}, {"path", "/mnt"}}}};
    Error disk = error_of([&] { create_in("pj-res", "r2", {}, host_path); });
    CHECK(disk.code() == ErrorCode::PermissionDenied);
    CHECK(disk.key() == "devices.data");
    api::DeviceMap unmanaged{{"eth1", {{"type", "nic"}, {"nictype", "bridged"}, {"parent", "lxdbr0"}}}};
    CHECK(error_of([&] { create_in("pj-res", "r2", {}, unmanaged); }).key() == "devices.eth1");
    // Snapshots and backups are blocked until allowed.
    CHECK(error_of([&] { r1.snapshot(); }).key() == "snapshots");
    CHECK(error_of([&] { r1.export_backup(shared().dir.path() / "pj-res.tar.gz"); }).key() == "backups");
    set_project_config("pj-res", "restricted.snapshots", "allow");
    r1.snapshot();

    // Allowed once the restriction says so, and then a tighter restriction is refused while used.
    set_project_config("pj-res", "restricted.containers.privilege", "allow");
    r1.set_config("security.privileged", "true");
    Error tighten = error_of([] { set_project_config("pj-res", "restricted.containers.privilege", "unprivileged"); });
    CHECK(tighten.code() == ErrorCode::PermissionDenied);
    set_project_config("pj-res", "restricted.devices.disk", "allow");
    set_project_config("pj-res", "restricted.devices.disk.paths", "/srv");
    create_in("pj-res", "r3", {}, host_path);
    api::DeviceMap elsewhere{{"data", {{"type", "disk"}, {"source", "/srvx"}, {"path", "/mnt"}}}};
    CHECK(error_of([&] { create_in("pj-res", "r4", {}, elsewhere); }).key() == "devices.data");
    delete_instances("pj-res");
    projects().remove("pj-res");

    // Through a profile: a project that uses the default project's profiles cannot pick one that
    // carries forbidden config.
    profile.name = "pj-priv-profile";
    shared().mgr->profiles().create("default", profile);
    make_project("pj-res2", {{"features.images", "false"}, {"features.profiles", "false"}, {"restricted", "true"}});
    Error via_profile = error_of([] { create_in("pj-res2", "p1", {}, {}, {"default", "pj-priv-profile"}); });
    CHECK(via_profile.code() == ErrorCode::PermissionDenied);
    CHECK(via_profile.key() == "config.security.privileged");
    Instance p1 = create_in("pj-res2", "p1");
    api::InstancePut put = api::put_of(p1.info());
    put.profiles.push_back("pj-priv-profile");
    CHECK(error_of([&] { p1.update(put); }).code() == ErrorCode::PermissionDenied);
    delete_instances("pj-res2");
    projects().remove("pj-res2");
    shared().mgr->profiles().remove("default", "pj-priv-profile");
}

TEST_CASE("projects: every restriction is refused on create, on update and through a profile, and lifted by its key") {
    // What each restriction forbids by default, and the project key that allows it.
    struct Forbidden {
        std::string what;
        api::ConfigMap config;
        api::DeviceMap devices;
        std::string key;    // the offending field in the error
        std::string allow;  // "restricted.X=value" that lets it through
    };
    const std::vector<Forbidden> cases = {
        {"privileged", {{"security.privileged", "true"}}, {}, "config.security.privileged", "restricted.containers.privilege=allow"},
        {"nesting", {{"security.nesting", "true"}}, {}, "config.security.nesting", "restricted.containers.nesting=allow"},
        {"raw.lxc", {{"raw.lxc", "lxc.init.cmd = /sbin/init"}}, {}, "config.raw.lxc", "restricted.containers.lowlevel=allow"},
        {"raw.idmap", {{"raw.idmap", "uid 1000 1000"}}, {}, "config.raw.idmap", "restricted.idmap.uid=1000"},
        {"idmap size", {{"security.idmap.size", "65536"}}, {}, "config.security.idmap.size", "restricted.containers.lowlevel=allow"},
        {"shutdown timeout", {{"boot.host_shutdown_timeout", "5"}}, {}, "config.boot.host_shutdown_timeout",
         "restricted.containers.lowlevel=allow"},
        {"host path", {}, {{"d", {{"type", "disk"}, {"source", "/srv"}, {"path", "/mnt"}}}}, "devices.d", "restricted.devices.disk=allow"},
        {"unmanaged nic", {}, {{"n", {{"type", "nic"}, {"nictype", "bridged"}, {"parent", "pjbr0"}}}}, "devices.n",
         "restricted.devices.nic=allow"},
        {"unix-char", {}, {{"u", {{"type", "unix-char"}, {"source", "/dev/null"}, {"path", "/dev/null2"}}}}, "devices.u",
         "restricted.devices.unix-char=allow"},
        {"usb", {}, {{"u", {{"type", "usb"}, {"vendorid", "0781"}}}}, "devices.u", "restricted.devices.usb=allow"},
        {"proxy", {}, {{"x", {{"type", "proxy"}, {"listen", "tcp:127.0.0.1:18080"}, {"connect", "tcp:127.0.0.1:80"}}}}, "devices.x",
         "restricted.devices.proxy=allow"},
    };
    // Profiles come from the default project, so one can carry what the project forbids.
    make_project("pj-every", {{"features.images", "false"}, {"features.profiles", "false"}, {"restricted", "true"}});
    Instance base = create_in("pj-every", "base");
    for (const auto& c : cases) {
        CAPTURE(c.what);
        auto expect_refused = [&](const std::function<void()>& call) {
            Error e = error_of(call);
            CHECK(e.code() == ErrorCode::PermissionDenied);
            CHECK(e.key() == c.key);
            CHECK(contains(e.what(), "pj-every"));
        };
        expect_refused([&] { create_in("pj-every", "fresh", c.config, c.devices); });
        CHECK(instance_names("pj-every") == std::vector<std::string>{"base"});
        expect_refused([&] {
            api::InstancePut put = api::put_of(base.info());
            for (const auto& [k, v] : c.config) put.config[k] = v;
            for (const auto& [k, v] : c.devices) put.devices[k] = v;
            base.update(put);
        });
        api::ProfilesPost profile;
        profile.name = "pj-every-profile";
        profile.config = c.config;
        profile.devices = c.devices;
        shared().mgr->profiles().create("default", profile);
        expect_refused([&] { create_in("pj-every", "fresh", {}, {}, {"default", "pj-every-profile"}); });
        shared().mgr->profiles().remove("default", "pj-every-profile");

        // The restriction's own key lets it through.
        auto eq = c.allow.find('=');
        set_project_config("pj-every", c.allow.substr(0, eq), c.allow.substr(eq + 1));
        create_in("pj-every", "fresh", c.config, c.devices).remove();
        set_project_config("pj-every", c.allow.substr(0, eq), "");
    }
    delete_instances("pj-every");
    projects().remove("pj-every");
}

TEST_CASE("projects: restricted.networks.uplinks decides which host interfaces a project's networks may use") {
    make_project("pj-uplink", {{"features.networks", "true"}, {"restricted", "true"}});
    api::NetworksPost net;
    net.name = "pjmv0";
    net.type = "macvlan";
    net.config = {{"parent", "lo"}};
    Error e = error_of([&] { shared().mgr->networks().create("pj-uplink", net); });
    CHECK(e.code() == ErrorCode::PermissionDenied);
    CHECK(e.key() == "config.parent");
    CHECK(contains(e.what(), "restricted.networks.uplinks"));
    CHECK_FALSE(shared().mgr->networks().exists("pj-uplink", "pjmv0"));
    projects().remove("pj-uplink");
}

TEST_CASE("projects: lifecycle events name the project") {
    std::mutex mutex;
    std::vector<std::string> seen;
    EventFilter filter;
    filter.types = {"lifecycle"};
    filter.all_projects = true;  // a project's events are the project's own, as in LXD
    auto sub = shared().mgr->events().subscribe(filter, [&](const std::string& text) {
        if (text.find("/1.0/projects/pj-ev") == std::string::npos) return;
        std::lock_guard lock(mutex);
        seen.push_back(text);
    });
    make_project("pj-ev", {});
    set_project_config("pj-ev", "user.x", "1");
    projects().rename("pj-ev", "pj-ev2");
    projects().remove("pj-ev2");
    for (int i = 0; i < 100; ++i) {
        {
            std::lock_guard lock(mutex);
            if (seen.size() >= 4) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::lock_guard lock(mutex);
    REQUIRE(seen.size() == 4);
    CHECK(contains(seen[0], "\"project-created\""));
    CHECK(contains(seen[1], "\"project-updated\""));
    CHECK(contains(seen[2], "\"project-renamed\""));
    CHECK(contains(seen[2], "/1.0/projects/pj-ev2"));
    CHECK(contains(seen[3], "\"project-deleted\""));
}

TEST_CASE("projects: with features.images two projects hold the same image apart; deleting it in one keeps the other's") {
    make_project("pj-own-img", {});
    ImageExportResult exported = shared().mgr->images().export_image("default", "busybox", shared().dir.path() / "pj-busybox");
    ImageImportOptions opts;
    opts.alias = "busybox";
    api::Image own = shared().mgr->images().import_file("pj-own-img", exported.metadata, opts);
    CHECK(own.fingerprint == shared().mgr->images().get("default", "busybox").fingerprint);
    CHECK(shared().mgr->images().list("pj-own-img").size() == 1);
    create_in("pj-own-img", "c1").remove();
    shared().mgr->images().remove("pj-own-img", "busybox");
    CHECK(shared().mgr->images().list("pj-own-img").empty());
    // The default project's image (same fingerprint, same file) still launches.
    create_in("default", "pj-own-img-check").remove();
    projects().remove("pj-own-img");
    std::filesystem::remove(exported.metadata);
}
