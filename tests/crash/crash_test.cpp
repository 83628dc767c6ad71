// Crash safety: each multi-step operation run by `inst`, killed (SIGKILL) at every failpoint it
// passes, leaves a state directory that the next open puts right: no orphaned volume or image
// file, no record pointing at nothing, no lost instance or data, files and config that agree.
#include <doctest.h>

#include <filesystem>
#include <functional>

#include <libinstance.hpp>

#include "crash/crash_harness.hpp"
#include "support/temp_state.hpp"

using namespace li;
using namespace li::test;
namespace fs = std::filesystem;

namespace {

// The busybox image as a tarball, built once.
const fs::path& busybox_tarball() {
    static TempDir dir("li-crash-image");
    static fs::path tarball = [] {
        auto mgr = open_with_busybox(dir.path() / "state");
        return mgr->images().export_image("default", "busybox", dir.path() / "busybox").metadata;
    }();
    return tarball;
}

void import_busybox(Manager& mgr, const std::string& alias) {
    ImageImportOptions opts;
    opts.alias = alias;
    mgr.images().import_file("default", busybox_tarball(), opts);
}

// c1 (stopped) with /root/keep and user.mark=old in snapshot s0, then /root/late and user.mark=new;
// a second dir pool "spare" for moves.
void prepare_instances(const fs::path& state) {
    auto mgr = Manager::open(state);
    import_busybox(*mgr, "busybox");
    api::StoragePoolsPost spare;
    spare.name = "spare";
    spare.driver = "dir";
    mgr->storage_pools().create(spare);
    api::InstancesPost post;
    post.name = "c1";
    post.source.alias = "busybox";
    Instance c1 = mgr->instances().create("default", post);
    c1.file_push_data("/root/keep", "kept\n");
    c1.set_config("user.mark", "old");
    api::InstanceSnapshotsPost s0;
    s0.name = "s0";
    c1.snapshot(s0);
    c1.file_push_data("/root/late", "late\n");
    c1.set_config("user.mark", "new");
}

void prepare_empty(const fs::path& state) { Manager::open(state); }

// Every instance left starts; those made from c1 hold what was written before the crash, with files
// and config from the same moment (before or after a restore to s0).
void check_instances(const fs::path& state, const std::string& fresh) {
    auto mgr = Manager::open(state);
    for (const auto& info : mgr->instances().list("default")) {
        INFO("instance ", info.name);
        Instance inst = mgr->instances().get("default", info.name);
        inst.start();
        StopOptions force;
        force.force = true;
        if (info.name == fresh) {  // made from the image
            CHECK(inst.exec({"true"}).exit_code == 0);
            inst.stop(force);
            continue;
        }
        CHECK(inst.exec({"cat", "/root/keep"}).stdout_data == "kept\n");
        bool late = inst.exec({"test", "-e", "/root/late"}).exit_code == 0;
        auto mark = inst.get_config("user.mark");
        CHECK(mark == std::optional<std::string>(late ? "new" : "old"));
        inst.stop(force);
    }
}

struct Scenario {
    std::string name;
    std::function<void(const fs::path&)> prepare;
    std::vector<std::string> args;
    std::string fresh;  ///< the instance the operation makes from the image, if any
};

// Kills `inst` at each failpoint the scenario's operation passes and checks the reopened state;
// returns how many kill points were tried.
int kill_at_every_point(const Scenario& s) {
    TempDir dir("li-crash");
    fs::permissions(dir.path(), fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add);  // unprivileged roots traverse it
    fs::path learn = dir.path() / "learn";
    s.prepare(learn);
    std::vector<std::string> points = failpoints_passed(learn, s.args);
    MESSAGE(s.name, ": ", points.size(), " failpoints");
    CHECK_FALSE(points.empty());
    int tried = 0;
    for (const auto& point : points) {
        INFO(s.name, " killed at ", point);
        fs::path state = dir.path() / ("at-" + std::to_string(tried));
        s.prepare(state);
        RunResult run = run_inst(state, s.args, point);
        INFO(run.output);
        CHECK(run.killed);
        check_store_invariants(state);
        check_instances(state, s.fresh);
        // Nothing blocks doing it again, or it was done.
        RunResult again = run_inst(state, s.args, "");
        INFO(again.output);
        check_store_invariants(state);
        ++tried;
        cleanup_mounts_below(state);
        std::error_code ec;
        fs::remove_all(state, ec);
    }
    return tried;
}

}  // namespace

TEST_CASE("crash safety: instance operations killed at every failpoint leave a state the next open puts right") {
    std::vector<Scenario> scenarios{
        {"create", prepare_instances, {"init", "busybox", "c2"}, "c2"},
        {"copy with snapshots", prepare_instances, {"copy", "c1", "c2"}},
        {"copy from a snapshot", prepare_instances, {"copy", "c1/s0", "c3"}},
        {"move to another pool", prepare_instances, {"move", "c1", "--storage", "spare"}},
        {"snapshot", prepare_instances, {"snapshot", "c1", "s1"}},
        {"restore", prepare_instances, {"restore", "c1", "s0"}},
        {"delete snapshot", prepare_instances, {"delete", "c1/s0"}},
        {"delete", prepare_instances, {"delete", "c1"}},
        {"image import", prepare_empty, {"image", "import", busybox_tarball().string(), "--alias", "other"}},
    };
    int total = 0;
    for (const auto& s : scenarios) {
        CAPTURE(s.name);
        total += kill_at_every_point(s);
    }
    MESSAGE("kill points tried: ", total);
}
