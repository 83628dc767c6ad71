// Backups through the C ABI: instance and custom volume export/import (sync and async), options as
// JSON, and refusals with their codes and keys leaving nothing behind.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support.hpp"
#include "support/tar_writer.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

std::string exec_stdout(li_instance* inst, const char* script) {
    const char* argv[] = {"sh", "-c", script, nullptr};
    li_exec_result* raw = nullptr;
    expect_ok(CALL(li_instance_exec(&raw, inst, argv, nullptr, ERR)));
    ExecResultPtr res(raw);
    size_t len = 0;
    const char* out = li_exec_result_stdout(res.get(), &len);
    return std::string(out, len);
}

std::vector<std::string> snapshot_names(li_instance* inst) {
    char* json = nullptr;
    expect_ok(CALL(li_instance_snapshot_list_json(&json, inst, ERR)));
    std::vector<std::string> out;
    for (const auto& s : take_json(json)) out.push_back(s.at("name").get<std::string>());
    return out;
}

void force_delete(li_instance* inst) {
    li_delete_opts opts = LI_DELETE_OPTS_INIT;
    opts.force = 1;
    expect_ok(CALL(li_instance_delete(inst, &opts, ERR)));
}

}  // namespace

TEST_SUITE("backups") {

TEST_CASE("instance backups: export and import, sync and async, keep files and snapshots; the import runs") {
    li_manager* mgr = env().mgr.get();
    TempDir dir("capi-backups");
    const std::string name = unique_name("bk");
    InstancePtr inst = create_container(name);
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    CHECK(exec_stdout(inst.get(), "echo one > /root/f && chown 123:456 /root/f && echo ok") == "ok\n");
    expect_ok(CALL(li_instance_snapshot_create_json(nullptr, inst.get(), R"({"name":"s0"})", ERR)));
    CHECK(exec_stdout(inst.get(), "echo two > /root/f && echo ok") == "ok\n");

    // Async export of the running instance, with its progress key.
    const fs::path file = dir.path() / "bk.tar.zst";
    li_operation* raw_op = nullptr;
    expect_ok(CALL(li_instance_export_backup_async(&raw_op, inst.get(), file.c_str(), R"({"compression_algorithm":"zstd"})", ERR)));
    OperationPtr op(raw_op);
    expect_ok(CALL(li_operation_wait(op.get(), 120000, ERR)));
    CHECK(operation_json(op.get()).at("metadata").contains("create_backup_progress"));
    REQUIRE(fs::exists(file));
    force_delete(inst.get());
    CHECK_FALSE(listed(name));

    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_import_backup(&raw, mgr, nullptr, file.c_str(), nullptr, ERR)));
    InstancePtr back(raw);
    CHECK(instance_json(back.get()).at("name") == name);
    CHECK(snapshot_names(back.get()) == std::vector<std::string>{"s0"});
    expect_ok(CALL(li_instance_start(back.get(), nullptr, ERR)));
    CHECK(exec_stdout(back.get(), "cat /root/f; stat -c %u:%g /root/f") == "two\n123:456\n");

    // The same file again under another name, as an operation whose metadata names it.
    const std::string other = unique_name("bk-other");
    expect_ok(CALL(li_instance_import_backup_async(&raw_op, mgr, nullptr, file.c_str(),
                                                   (R"({"name":")" + other + R"("})").c_str(), ERR)));
    OperationPtr imp(raw_op);
    expect_ok(CALL(li_operation_wait(imp.get(), 120000, ERR)));
    CHECK(operation_json(imp.get()).at("metadata").at("name") == other);
    CHECK(listed(other));
    li_instance* raw_other = nullptr;
    expect_ok(CALL(li_instance_get(&raw_other, mgr, nullptr, other.c_str(), ERR)));
    InstancePtr other_inst(raw_other);

    // instance_only leaves the snapshots out.
    const fs::path only = dir.path() / "only.tar.gz";
    expect_ok(CALL(li_instance_export_backup(back.get(), only.c_str(), R"({"instance_only":true})", ERR)));
    const std::string third = unique_name("bk-only");
    expect_ok(CALL(li_instance_import_backup(&raw, mgr, nullptr, only.c_str(), (R"({"name":")" + third + R"("})").c_str(), ERR)));
    InstancePtr only_inst(raw);
    CHECK(snapshot_names(only_inst.get()).empty());

    // Refusals: codes and keys.
    const fs::path bad = dir.path() / "bad.tar";
    expect_invalid(CALL(li_instance_export_backup(back.get(), bad.c_str(), R"({"compression_algorithm":"rar"})", ERR)),
                   "compression_algorithm", {"rar"});
    expect_invalid(CALL(li_instance_export_backup(back.get(), bad.c_str(), R"({"compresion_algorithm":"xz"})", ERR)),
                   "compresion_algorithm");
    expect_invalid(CALL(li_instance_export_backup(back.get(), bad.c_str(), R"({"instance_only":"yes"})", ERR)), "instance_only");
    expect_invalid(CALL(li_instance_export_backup(back.get(), bad.c_str(), "[", ERR)), "options_json");
    expect_invalid(CALL(li_instance_export_backup(back.get(), bad.c_str(), "[]", ERR)), "body");
    auto o = CALL(li_instance_export_backup(back.get(), bad.c_str(), R"({"optimized_storage":true})", ERR));
    expect_fail(o, LI_ERR_NOT_SUPPORTED);
    CHECK(o.key == "optimized_storage");
    expect_invalid(CALL(li_instance_export_backup(back.get(), nullptr, nullptr, ERR)), "target");
    CHECK_FALSE(fs::exists(bad));

    o = CALL(li_instance_import_backup(&raw, mgr, nullptr, file.c_str(), nullptr, ERR));
    expect_fail(o, LI_ERR_ALREADY_EXISTS, {name});
    CHECK(o.key == "name");
    o = CALL(li_instance_import_backup(&raw, mgr, nullptr, file.c_str(), R"({"name":"bk-x","pool":"nope"})", ERR));
    expect_fail(o, LI_ERR_NOT_FOUND, {"nope"});
    CHECK(o.key == "pool");
    expect_invalid(CALL(li_instance_import_backup(&raw, mgr, nullptr, file.c_str(), R"({"name":"bad/name"})", ERR)), "name");
    expect_invalid(CALL(li_instance_import_backup(&raw, mgr, nullptr, file.c_str(), R"({"colour":"red"})", ERR)), "colour");
    expect_invalid(CALL(li_instance_import_backup(&raw, mgr, nullptr, nullptr, nullptr, ERR)), "path");
    o = CALL(li_instance_import_backup(&raw, mgr, nullptr, (dir.path() / "none.tar.gz").c_str(), nullptr, ERR));
    expect_fail(o, LI_ERR_NOT_FOUND);
    CHECK(o.key == "path");

    // A hostile archive: refused naming the entry, nothing left.
    const fs::path evil = dir.path() / "evil.tar.gz";
    li::test::write_tar_gz(evil, {li::test::file_entry("backup/index.yaml",
                                                        "name: evil-capi\nbackend: dir\npool: default\ntype: container\n"
                                                        "config:\n  container:\n    name: evil-capi\n    architecture: x86_64\n"
                                                        "    profiles: [default]\n"),
                                  li::test::file_entry("backup/container/rootfs/../../../../escape", "x")});
    expect_invalid(CALL(li_instance_import_backup(&raw, mgr, nullptr, evil.c_str(), nullptr, ERR)),
                   "backup/container/rootfs/../../../../escape");
    CHECK_FALSE(listed("evil-capi"));
    CHECK_FALSE(fs::exists(container_dir("evil-capi")));

    force_delete(back.get());
    force_delete(other_inst.get());
    force_delete(only_inst.get());
}

TEST_CASE("custom volume backups: export and import with snapshots; keys of refusals") {
    li_manager* mgr = env().mgr.get();
    TempDir dir("capi-volbackups");
    const std::string vol = unique_name("bkvol");
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr, nullptr, "default", (R"({"name":")" + vol + R"("})").c_str(), ERR)));
    const fs::path vdir = env().dir.path() / "storage-pools" / "default" / "custom" / vol;
    std::ofstream(vdir / "f") << "old";
    expect_ok(CALL(li_storage_volume_snapshot_create_json(nullptr, mgr, nullptr, "default", vol.c_str(), R"({"name":"s"})", ERR)));
    std::ofstream(vdir / "f") << "new";

    const fs::path file = dir.path() / "vol.tar.gz";
    expect_ok(CALL(li_storage_volume_export_backup(mgr, nullptr, "default", vol.c_str(), file.c_str(), nullptr, ERR)));
    expect_ok(CALL(li_storage_volume_delete(mgr, nullptr, "default", vol.c_str(), ERR)));
    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_import_backup(&json, mgr, nullptr, "default", file.c_str(), nullptr, ERR)));
    CHECK(take_json(json).at("name") == vol);
    std::ifstream in(vdir / "f");
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "new");
    expect_ok(CALL(li_storage_volume_snapshot_list_json(&json, mgr, nullptr, "default", vol.c_str(), ERR)));
    CHECK(take_json(json).size() == 1);

    auto o = CALL(li_storage_volume_import_backup(nullptr, mgr, nullptr, "default", file.c_str(), nullptr, ERR));
    expect_fail(o, LI_ERR_ALREADY_EXISTS);
    CHECK(o.key == "name");
    o = CALL(li_storage_volume_export_backup(mgr, nullptr, "default", "no-such-volume", (dir.path() / "x.tar.gz").c_str(), nullptr, ERR));
    expect_fail(o, LI_ERR_NOT_FOUND);
    CHECK(o.key == "name");
    o = CALL(li_storage_volume_export_backup(mgr, nullptr, "nopool", vol.c_str(), (dir.path() / "x.tar.gz").c_str(), nullptr, ERR));
    expect_fail(o, LI_ERR_NOT_FOUND);
    CHECK(o.key == "pool");
    expect_invalid(CALL(li_storage_volume_export_backup(mgr, nullptr, "default", vol.c_str(), (dir.path() / "x.tar").c_str(),
                                                        R"({"volume_only":true,"compression_algorithm":"lz77"})", ERR)),
                   "compression_algorithm");
    o = CALL(li_storage_volume_export_backup(mgr, nullptr, "default", vol.c_str(), (dir.path() / "x.tar").c_str(),
                                             R"({"optimized_storage":true})", ERR));
    expect_fail(o, LI_ERR_NOT_SUPPORTED);
    CHECK(o.key == "optimized_storage");
    CHECK_FALSE(fs::exists(dir.path() / "x.tar"));

    // volume_only, under another name.
    const fs::path only = dir.path() / "only.tar.gz";
    expect_ok(CALL(li_storage_volume_export_backup(mgr, nullptr, "default", vol.c_str(), only.c_str(), R"({"volume_only":true})", ERR)));
    const std::string copy = vol + "-copy";
    expect_ok(CALL(li_storage_volume_import_backup(nullptr, mgr, nullptr, "default", only.c_str(),
                                                   (R"({"name":")" + copy + R"("})").c_str(), ERR)));
    expect_ok(CALL(li_storage_volume_snapshot_list_json(&json, mgr, nullptr, "default", copy.c_str(), ERR)));
    CHECK(take_json(json).empty());
    expect_ok(CALL(li_storage_volume_delete(mgr, nullptr, "default", copy.c_str(), ERR)));
    expect_ok(CALL(li_storage_volume_delete(mgr, nullptr, "default", vol.c_str(), ERR)));
}

}  // TEST_SUITE
