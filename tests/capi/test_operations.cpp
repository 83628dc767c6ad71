// Operations through the C ABI against real containers: _async calls, wait, the Operation
// document, listing and lookup, failures, timeouts and cancellation.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <sys/utsname.h>

#include "support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

/// The operation a successful call put in op (a reference: read after the call has run).
OperationPtr take_op(const Outcome& o, li_operation*& op) {
    expect_ok(o);
    REQUIRE(o.rc == 0);
    REQUIRE(op != nullptr);
    OperationPtr owner{op};
    op = nullptr;
    return owner;
}

OperationPtr create_async(const std::string& name, const std::string& alias = "busybox") {
    li_operation* op = nullptr;
    auto o = CALL(li_instance_create_json_async(&op, env().mgr.get(), nullptr,
                                                post_json(name, alias).c_str(), ERR));
    return take_op(o, op);
}

InstancePtr get_instance(const std::string& name) {
    li_instance* inst = nullptr;
    expect_ok(CALL(li_instance_get(&inst, env().mgr.get(), nullptr, name.c_str(), ERR)));
    REQUIRE(inst != nullptr);
    return InstancePtr{inst};
}

int status_of(li_instance* inst) {
    int code = 0;
    expect_ok(CALL(li_instance_status_code(&code, inst, ERR)));
    return code;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

/// Checks a finished operation's document: LXD's shape, this status and description.
void check_ended(li_operation* op, const std::string& status, int code,
                 const std::string& description) {
    auto doc = operation_json(op);
    CAPTURE(doc.dump());
    CHECK(doc.at("id") == li_operation_id(op));
    CHECK(doc.at("class") == "task");
    CHECK(doc.at("description") == description);
    CHECK(doc.at("status") == status);
    CHECK(doc.at("status_code") == code);
    CHECK(doc.at("may_cancel") == false);
    CHECK_FALSE(doc.at("created_at").get<std::string>().empty());
    CHECK_FALSE(doc.at("updated_at").get<std::string>().empty());
    CHECK(doc.contains("resources"));
    CHECK(doc.contains("metadata"));
    CHECK(doc.at("location") == "none");
    if (code == 200) {
        CHECK(doc.at("err") == "");
    } else {
        CHECK_FALSE(doc.at("err").get<std::string>().empty());
    }
}

/// A large LXD unified tarball (uncompressed) whose rootfs holds `mib` MiB of random data, so
/// unpacking and copying it takes a while.
fs::path write_big_image(const fs::path& dir, size_t mib) {
    fs::path src = dir / "src";
    fs::create_directories(src / "rootfs" / "data");
    utsname u{};
    REQUIRE(uname(&u) == 0);
    {
        std::ofstream md{src / "metadata.yaml"};
        md << "architecture: " << u.machine << "\ncreation_date: 1700000000\n"
           << "properties:\n  description: capi test image with random data\n";
    }
    // Several files, so progress and cancellation checks happen between and within them.
    std::mt19937_64 rng{42};
    std::vector<uint64_t> block(1 << 17);  // 1 MiB
    const size_t files = 8;
    for (size_t f = 0; f < files; ++f) {
        std::ofstream out{src / "rootfs" / "data" / ("blob" + std::to_string(f)), std::ios::binary};
        for (size_t m = 0; m < mib / files; ++m) {
            for (auto& w : block) {
                w = rng();
            }
            out.write(reinterpret_cast<const char*>(block.data()),
                      static_cast<std::streamsize>(block.size() * sizeof block[0]));
        }
        REQUIRE(out.good());
    }
    fs::path tarball = dir / "big.tar";
    std::string cmd = "tar -C '" + src.string() + "' -cf '" + tarball.string() +
                      "' metadata.yaml rootfs";
    REQUIRE(std::system(cmd.c_str()) == 0);
    fs::remove_all(src);
    return tarball;
}

std::vector<std::string> leftovers(const fs::path& dir, const std::string& prefix) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        auto n = entry.path().filename().string();
        if (n.rfind(prefix, 0) == 0) {
            found.push_back(n);
        }
    }
    return found;
}

}  // namespace

TEST_SUITE("operations") {

TEST_CASE("create_json_async runs in the background, succeeds and is listed and found by id") {
    li_manager* mgr = env().mgr.get();
    auto name = unique_name("opcreate");
    auto op = create_async(name);
    std::string id = li_operation_id(op.get());
    CHECK(id.size() == 36);
    CHECK(id[8] == '-');
    CHECK(id[14] == '4');  // a version 4 UUID

    expect_ok(CALL(li_operation_wait(op.get(), -1, ERR)));
    CHECK(listed(name));
    auto inst = get_instance(name);
    CHECK(status_of(inst.get()) == 102);

    check_ended(op.get(), "Success", 200, "Creating instance");
    auto doc = operation_json(op.get());
    REQUIRE(doc.at("resources").contains("instances"));
    CHECK(doc.at("resources").at("instances") == nlohmann::json::array({"/1.0/instances/" + name}));
    // Waiting again, with or without a timeout, reports the same success; cancelling is a no-op.
    expect_ok(CALL(li_operation_wait(op.get(), 0, ERR)));
    expect_ok(CALL(li_operation_wait(op.get(), -1, ERR)));
    expect_ok(CALL(li_operation_cancel(op.get(), ERR)));
    CHECK(operation_json(op.get()).at("status") == "Success");

    CHECK(contains(operation_ids(mgr), id));
    li_operation* found = nullptr;
    expect_ok(CALL(li_operation_get(&found, mgr, id.c_str(), ERR)));
    REQUIRE(found != nullptr);
    OperationPtr found_owner{found};
    CHECK(std::string(li_operation_id(found)) == id);
    CHECK(operation_json(found) == operation_json(op.get()));
    expect_ok(CALL(li_operation_wait(found, 0, ERR)));

    const std::string unknown = "00000000-0000-4000-8000-000000000000";
    li_operation* none = nullptr;
    expect_fail(CALL(li_operation_get(&none, mgr, unknown.c_str(), ERR)), LI_ERR_NOT_FOUND,
                {unknown});
    expect_fail(CALL(li_operation_get(&none, mgr, "", ERR)), LI_ERR_NOT_FOUND);
    CHECK(none == nullptr);

    // The handles outlive nothing they should not: freeing them leaves the operation listed.
    op.reset();
    found_owner.reset();
    CHECK(contains(operation_ids(mgr), id));
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
}

TEST_CASE("start, stop, restart and delete as operations") {
    auto name = unique_name("oplife");
    auto inst = create_container(name);
    li_instance* i = inst.get();
    li_operation* raw = nullptr;

    auto start = take_op(CALL(li_instance_start_async(&raw, i, nullptr, ERR)), raw);
    expect_ok(CALL(li_operation_wait(start.get(), -1, ERR)));
    check_ended(start.get(), "Success", 200, "Starting instance");
    CHECK(operation_json(start.get()).at("resources").at("instances") ==
          nlohmann::json::array({"/1.0/instances/" + name}));
    CHECK(status_of(i) == 103);

    li_stop_opts force = LI_STOP_OPTS_INIT;
    force.force = 1;
    auto restart = take_op(CALL(li_instance_restart_async(&raw, i, &force, ERR)), raw);
    expect_ok(CALL(li_operation_wait(restart.get(), -1, ERR)));
    check_ended(restart.get(), "Success", 200, "Restarting instance");
    CHECK(status_of(i) == 103);

    // A failure inside the operation comes back through wait, with the operation's error.
    auto again = take_op(CALL(li_instance_start_async(&raw, i, nullptr, ERR)), raw);
    expect_fail(CALL(li_operation_wait(again.get(), -1, ERR)), LI_ERR_CONFLICT, {name});
    check_ended(again.get(), "Failure", 400, "Starting instance");
    CHECK(operation_json(again.get()).at("err").get<std::string>().find(name) !=
          std::string::npos);

    auto stop = take_op(CALL(li_instance_stop_async(&raw, i, &force, ERR)), raw);
    expect_ok(CALL(li_operation_wait(stop.get(), -1, ERR)));
    check_ended(stop.get(), "Success", 200, "Stopping instance");
    CHECK(status_of(i) == 102);

    auto del = take_op(CALL(li_instance_delete_async(&raw, i, nullptr, ERR)), raw);
    expect_ok(CALL(li_operation_wait(del.get(), -1, ERR)));
    check_ended(del.get(), "Success", 200, "Deleting instance");
    CHECK_FALSE(listed(name));
    CHECK_FALSE(fs::exists(container_dir(name)));
}

TEST_CASE("a create from an unknown image fails in its operation, leaving nothing") {
    auto name = unique_name("opnoimg");
    auto op = create_async(name, "capi-no-such-alias");
    expect_fail(CALL(li_operation_wait(op.get(), -1, ERR)), LI_ERR_NOT_FOUND,
                {"capi-no-such-alias"});
    check_ended(op.get(), "Failure", 400, "Creating instance");
    CHECK_FALSE(listed(name));
    CHECK_FALSE(fs::exists(container_dir(name)));
}

TEST_CASE("image build and import as operations report the fingerprint") {
    li_manager* mgr = env().mgr.get();
    TempDir out{"capi-opimg"};
    auto tarball = (out.path() / "busybox.tar.gz").string();
    li_image_build_opts opts = LI_IMAGE_BUILD_OPTS_INIT;
    opts.alias = "capi-async-bb";
    opts.output_path = tarball.c_str();
    li_operation* raw = nullptr;
    auto build = take_op(CALL(li_image_build_async(&raw, mgr, nullptr, "busybox", &opts, ERR)), raw);
    expect_ok(CALL(li_operation_wait(build.get(), -1, ERR)));
    check_ended(build.get(), "Success", 200, "Building image");
    auto doc = operation_json(build.get());
    // Builds are deterministic: the same image as the shared one, now with a second alias.
    CHECK(doc.at("metadata").at("fingerprint") == env().busybox_fingerprint);
    CHECK(doc.at("metadata").at("image_build_progress") == "Build: 100%");
    char* json = nullptr;
    expect_ok(CALL(li_image_get_json(&json, mgr, nullptr, "capi-async-bb", ERR)));
    CHECK(take_json(json).at("fingerprint") == env().busybox_fingerprint);
    expect_ok(CALL(li_image_alias_delete(mgr, nullptr, "capi-async-bb", ERR)));

    // Importing an image that is present fails in the operation, AlreadyExists.
    auto import = take_op(CALL(li_image_import_async(&raw, mgr, nullptr, tarball.c_str(), nullptr,
                                                     ERR)),
                          raw);
    expect_fail(CALL(li_operation_wait(import.get(), -1, ERR)), LI_ERR_ALREADY_EXISTS);
    check_ended(import.get(), "Failure", 400, "Importing image");
    // A missing file is refused by the call itself.
    expect_fail(CALL(li_image_import_async(&raw, mgr, nullptr, "/nonexistent/capi.tar.gz", nullptr,
                                           ERR)),
                LI_ERR_NOT_FOUND, {"/nonexistent/capi.tar.gz"});
}

TEST_CASE("waiting with a timeout on a running operation is Timeout; the operation goes on") {
    auto name = unique_name("optimeout");
    auto inst = create_container(name);
    li_instance* i = inst.get();
    expect_ok(CALL(li_instance_start(i, nullptr, ERR)));
    // busybox's init does not act on the halt signal, so a graceful stop takes its full timeout.
    li_stop_opts stop = LI_STOP_OPTS_INIT;
    stop.timeout_seconds = 3;
    li_operation* raw = nullptr;
    auto op = take_op(CALL(li_instance_stop_async(&raw, i, &stop, ERR)), raw);
    std::string id = li_operation_id(op.get());
    auto started = std::chrono::steady_clock::now();
    expect_fail(CALL(li_operation_wait(op.get(), 0, ERR)), LI_ERR_TIMEOUT, {id});
    expect_fail(CALL(li_operation_wait(op.get(), 100, ERR)), LI_ERR_TIMEOUT, {id, "100"});
    auto running = operation_json(op.get());
    CHECK(running.at("status") == "Running");
    CHECK(running.at("status_code") == 103);
    CHECK(running.at("may_cancel") == false);

    // Stopping cannot be cancelled.
    expect_fail(CALL(li_operation_cancel(op.get(), ERR)), LI_ERR_NOT_SUPPORTED, {id});
    CHECK(operation_json(op.get()).at("status") == "Running");

    // The longest timeout there is waits for the end too (no overflow into "already late").
    expect_ok(CALL(li_operation_wait(op.get(), INT64_MAX, ERR)));
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::seconds(2));
    check_ended(op.get(), "Success", 200, "Stopping instance");
    CHECK(status_of(i) == 102);
    expect_ok(CALL(li_instance_delete(i, nullptr, ERR)));
}

TEST_CASE("cancelling the create of a big image ends Cancelled and leaves nothing behind") {
    li_manager* mgr = env().mgr.get();
    std::string fingerprint;
    {
        TempDir work{"capi-big"};
        auto tarball = write_big_image(work.path(), 320);
        li_image_import_opts opts = LI_IMAGE_IMPORT_OPTS_INIT;
        opts.alias = "capi-big";
        li_operation* raw = nullptr;
        auto import = take_op(CALL(li_image_import_async(&raw, mgr, nullptr, tarball.c_str(), &opts,
                                                         ERR)),
                              raw);
        expect_ok(CALL(li_operation_wait(import.get(), -1, ERR)));
        fingerprint = operation_json(import.get()).at("metadata").at("fingerprint");
        CHECK(fingerprint.size() == 64);
    }  // the tarball goes; the store keeps its copy

    auto name = unique_name("opbig");
    auto op = create_async(name, "capi-big");
    std::string id = li_operation_id(op.get());
    expect_fail(CALL(li_operation_wait(op.get(), 0, ERR)), LI_ERR_TIMEOUT, {id});
    // Cancel once unpacking shows progress (a few seconds at most); the operation must still run.
    std::string progress;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        auto doc = operation_json(op.get());
        int code = doc.at("status_code");
        REQUIRE_MESSAGE((code == 103 || code == 105), "the create ended before it was cancelled: "
                                                           << doc.dump());
        CHECK(doc.at("may_cancel") == true);
        auto& md = doc.at("metadata");
        if (md.contains("create_instance_from_image_unpack_progress")) {
            progress = md.at("create_instance_from_image_unpack_progress");
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    CHECK(progress.rfind("Unpack: ", 0) == 0);
    expect_ok(CALL(li_operation_cancel(op.get(), ERR)));
    expect_fail(CALL(li_operation_wait(op.get(), -1, ERR)), LI_ERR_CANCELLED);
    check_ended(op.get(), "Cancelled", 401, "Creating instance");
    expect_ok(CALL(li_operation_cancel(op.get(), ERR)));  // already ended: nothing to do

    CHECK_FALSE(listed(name));
    li_instance* inst = nullptr;
    expect_fail(CALL(li_instance_get(&inst, mgr, nullptr, name.c_str(), ERR)), LI_ERR_NOT_FOUND,
                {name});
    CHECK(leftovers(container_dir(name).parent_path(), name).empty());
    // A half-unpacked image volume would be reused by the next create: none may be left.
    auto images = env().dir.path() / "storage-pools" / "default" / "images";
    for (const auto& left : leftovers(images, fingerprint)) {
        CAPTURE(left);
        CHECK(left == fingerprint);  // only a complete volume, under its final name
    }
    expect_ok(CALL(li_image_delete(mgr, nullptr, "capi-big", ERR)));
}

}  // TEST_SUITE
