// Custom storage volumes through the C ABI: create, list, get, update, rename, delete; used_by
// through a profile's disk device (which then blocks rename, delete and the pool's deletion);
// bad input naming the key and leaving the volumes unchanged.

#include <filesystem>
#include <fstream>
#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

nlohmann::json volume_list(li_manager* mgr, const char* project = nullptr) {
    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_list_json(&json, mgr, project, "default", ERR)));
    return take_json(json);
}

nlohmann::json custom_names(li_manager* mgr, const char* project = nullptr) {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& v : volume_list(mgr, project))
        if (v.at("type") == "custom") names.push_back(v.at("name"));
    return names;
}

}  // namespace

TEST_SUITE("storage-volumes") {

TEST_CASE("custom storage volumes through the C ABI") {
    TempDir dir{"capi-volumes"};
    li_manager* raw = nullptr;
    expect_ok(CALL(li_manager_open(&raw, (dir.path() / "state").c_str(), ERR)));
    ManagerPtr mgr{raw};
    auto custom_dir = dir.path() / "state" / "storage-pools" / "default" / "custom";

    char* json = nullptr;
    expect_ok(CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default",
                                                 R"({"name":"data","description":"d1","config":{"user.k":"v"}})", ERR)));
    auto vol = take_json(json);
    CHECK(vol.at("name") == "data");
    CHECK(vol.at("type") == "custom");
    CHECK(vol.at("content_type") == "filesystem");
    CHECK(vol.at("description") == "d1");
    CHECK(vol.at("config").at("user.k") == "v");
    CHECK(vol.at("used_by") == nlohmann::json::array());
    CHECK(vol.at("location") == "none");
    CHECK(vol.at("project") == "default");
    CHECK(!vol.at("created_at").get<std::string>().empty());
    CHECK(std::filesystem::is_directory(custom_dir / "data"));
    CHECK((std::filesystem::status(custom_dir / "data").permissions() & std::filesystem::perms::all) ==
          std::filesystem::perms(0711));
    // Another project: same name, its own volume ("<project>_<name>" on disk); out_json may be NULL.
    expect_ok(CALL(li_project_create_json(nullptr, mgr.get(), R"({"name":"p2"})", ERR)));
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr.get(), "p2", "default", R"({"name":"data"})", ERR)));
    CHECK(std::filesystem::is_directory(custom_dir / "p2_data"));
    CHECK(custom_names(mgr.get(), "p2") == nlohmann::json::array({"data"}));

    // Bad input names the key, and nothing changes.
    auto before = volume_list(mgr.get());
    expect_invalid(CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default", R"({"name":"a/b"})", ERR)), "name", {"a/b"});
    expect_invalid(CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default", R"({"name":"x","config":{"bogus":"1"}})", ERR)),
                   "config.bogus", {"bogus"});
    expect_invalid(CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default", R"({"name":"x","config":{"size":"huge"}})", ERR)),
                   "config.size", {"huge"});
    expect_invalid(CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default",
                                                      R"({"name":"x","config":{"security.shifted":"maybe"}})", ERR)),
                   "config.security.shifted", {"maybe"});
    expect_invalid(CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default", R"({"name":"x","type":"image"})", ERR)), "type");
    expect_invalid(CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default", "{", ERR)), "storage volume definition");
    expect_invalid(CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default", nullptr, ERR)), "storage_volumes_post_json");
    // dir cannot enforce a quota: refused naming config.size, nothing created.
    auto sized = CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default", R"({"name":"x","config":{"size":"1GiB"}})", ERR));
    expect_fail(sized, LI_ERR_NOT_SUPPORTED, {"size"});
    CHECK(sized.key == "config.size");  // keys come with every code, not only InvalidArgument
    CHECK(!std::filesystem::exists(custom_dir / "x"));
    auto nopool = CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "nope", R"({"name":"x"})", ERR));
    expect_fail(nopool, LI_ERR_NOT_FOUND, {"nope"});
    CHECK(nopool.key == "pool");
    auto dup = CALL(li_storage_volume_create_json(&json, mgr.get(), nullptr, "default", R"({"name":"data"})", ERR));
    expect_fail(dup, LI_ERR_ALREADY_EXISTS, {"data"});
    CHECK(volume_list(mgr.get()) == before);

    // get and update
    expect_ok(CALL(li_storage_volume_get_json(&json, mgr.get(), nullptr, "default", "custom", "data", ERR)));
    CHECK(take_json(json).at("description") == "d1");
    auto missing = CALL(li_storage_volume_get_json(&json, mgr.get(), nullptr, "default", "custom", "nope", ERR));
    expect_fail(missing, LI_ERR_NOT_FOUND, {"nope"});
    expect_invalid(CALL(li_storage_volume_get_json(&json, mgr.get(), nullptr, "default", "weird", "data", ERR)), "type", {"weird"});
    expect_ok(CALL(li_storage_volume_update_json(mgr.get(), nullptr, "default", "data",
                                                 R"({"description":"d2","config":{"security.shifted":"true"}})", ERR)));
    expect_invalid(CALL(li_storage_volume_update_json(mgr.get(), nullptr, "default", "data", R"({"config":{"nope.key":"1"}})", ERR)),
                   "config.nope.key", {"nope.key"});
    expect_fail(CALL(li_storage_volume_update_json(mgr.get(), nullptr, "default", "data", R"({"config":{"size":"1GiB"}})", ERR)),
                LI_ERR_NOT_SUPPORTED, {"size"});
    expect_ok(CALL(li_storage_volume_get_json(&json, mgr.get(), nullptr, "default", "custom", "data", ERR)));
    auto updated = take_json(json);
    CHECK(updated.at("description") == "d2");
    CHECK(updated.at("config") == nlohmann::json{{"security.shifted", "true"}});

    // A profile attaching it: used_by, and rename/delete/pool delete are refused naming it.
    expect_ok(CALL(li_profile_create_json(nullptr, mgr.get(), nullptr,
                                          R"({"name":"withvol","devices":{"v":{"type":"disk","pool":"default","source":"data","path":"/mnt/v"}}})",
                                          ERR)));
    expect_ok(CALL(li_storage_volume_get_json(&json, mgr.get(), nullptr, "default", "custom", "data", ERR)));
    CHECK(take_json(json).at("used_by") == nlohmann::json::array({"/1.0/profiles/withvol"}));
    auto busy = CALL(li_storage_volume_rename(mgr.get(), nullptr, "default", "data", "data2", ERR));
    expect_fail(busy, LI_ERR_BUSY, {"/1.0/profiles/withvol"});
    expect_fail(CALL(li_storage_volume_delete(mgr.get(), nullptr, "default", "data", ERR)), LI_ERR_BUSY, {"/1.0/profiles/withvol"});
    expect_fail(CALL(li_storage_pool_delete(mgr.get(), "default", ERR)), LI_ERR_BUSY, {"/1.0/storage-pools/default/volumes/custom/data"});
    CHECK(std::filesystem::is_directory(custom_dir / "data"));
    expect_ok(CALL(li_profile_delete(mgr.get(), nullptr, "withvol", ERR)));

    // rename and delete once unused
    auto exists = CALL(li_storage_volume_rename(mgr.get(), nullptr, "default", "data", "data", ERR));
    expect_fail(exists, LI_ERR_ALREADY_EXISTS, {"data"});
    expect_invalid(CALL(li_storage_volume_rename(mgr.get(), nullptr, "default", "data", "bad/name", ERR)), "new_name", {"bad/name"});
    expect_ok(CALL(li_storage_volume_rename(mgr.get(), nullptr, "default", "data", "data2", ERR)));
    CHECK(custom_names(mgr.get()) == nlohmann::json::array({"data2"}));
    CHECK(std::filesystem::is_directory(custom_dir / "data2"));
    CHECK(!std::filesystem::exists(custom_dir / "data"));
    expect_ok(CALL(li_storage_volume_delete(mgr.get(), nullptr, "default", "data2", ERR)));
    expect_ok(CALL(li_storage_volume_delete(mgr.get(), "p2", "default", "data", ERR)));
    CHECK(custom_names(mgr.get()) == nlohmann::json::array());
    CHECK(!std::filesystem::exists(custom_dir / "data2"));
    CHECK(!std::filesystem::exists(custom_dir / "p2_data"));
    expect_fail(CALL(li_storage_volume_delete(mgr.get(), nullptr, "default", "data2", ERR)), LI_ERR_NOT_FOUND, {"data2"});
}

TEST_CASE("custom volume copies, moves, exports and imports as operations; a cancelled copy leaves nothing") {
    TempDir dir{"capi-volume-ops"};
    li_manager* raw = nullptr;
    expect_ok(CALL(li_manager_open(&raw, (dir.path() / "state").c_str(), ERR)));
    ManagerPtr mgr{raw};
    auto custom_dir = dir.path() / "state" / "storage-pools" / "default" / "custom";
    expect_ok(CALL(li_storage_volume_create_json(nullptr, mgr.get(), nullptr, "default", R"({"name":"src"})", ERR)));
    // Enough incompressible data that a copy is still running when it is cancelled.
    {
        std::ifstream random("/dev/urandom", std::ios::binary);
        std::string buf(2 << 20, '\0');
        for (int i = 0; i < 48; ++i) {
            random.read(buf.data(), static_cast<std::streamsize>(buf.size()));
            std::ofstream(custom_dir / "src" / ("f" + std::to_string(i)), std::ios::binary) << buf;
        }
    }

    li_operation* raw_op = nullptr;
    expect_ok(CALL(li_storage_volume_create_json_async(&raw_op, mgr.get(), nullptr, "default",
                                                       R"({"name":"copied","source":{"type":"copy","name":"src"}})", ERR)));
    OperationPtr copy(raw_op);
    expect_ok(CALL(li_operation_wait(copy.get(), 120000, ERR)));
    auto info = operation_json(copy.get());
    CHECK(info.at("description") == "Copying storage volume");
    CHECK(info.at("resources").at("storage_volumes") ==
          nlohmann::json::array({"/1.0/storage-pools/default/volumes/custom/copied"}));
    CHECK(info.at("metadata").at("name") == "copied");
    CHECK(info.at("metadata").at("fs_progress") == "Copy: 100%");
    CHECK(std::filesystem::file_size(custom_dir / "copied" / "f47") == (2u << 20));

    // Cancelled at once: no target volume, no files.
    expect_ok(CALL(li_storage_volume_create_json_async(&raw_op, mgr.get(), nullptr, "default",
                                                       R"({"name":"gone","source":{"type":"copy","name":"src"}})", ERR)));
    OperationPtr cancelled(raw_op);
    expect_ok(CALL(li_operation_cancel(cancelled.get(), ERR)));
    expect_fail(CALL(li_operation_wait(cancelled.get(), 120000, ERR)), LI_ERR_CANCELLED);
    CHECK(custom_names(mgr.get()) == nlohmann::json::array({"copied", "src"}));
    CHECK_FALSE(std::filesystem::exists(custom_dir / "gone"));

    // A rename through the move call, as an operation naming where the volume now is.
    expect_ok(CALL(li_storage_volume_move_json_async(&raw_op, mgr.get(), nullptr, "default", "copied", R"({"name":"moved"})", ERR)));
    OperationPtr move(raw_op);
    expect_ok(CALL(li_operation_wait(move.get(), 120000, ERR)));
    info = operation_json(move.get());
    CHECK(info.at("description") == "Moving storage volume");
    CHECK(info.at("metadata").at("name") == "moved");
    CHECK(info.at("metadata").at("pool") == "default");
    CHECK(custom_names(mgr.get()) == nlohmann::json::array({"moved", "src"}));

    // Export and import as operations with their progress keys; the import names the volume.
    auto file = dir.path() / "moved.tar";
    expect_ok(CALL(li_storage_volume_export_backup_async(&raw_op, mgr.get(), nullptr, "default", "moved", file.c_str(),
                                                         R"({"compression_algorithm":"none"})", ERR)));
    OperationPtr exp(raw_op);
    expect_ok(CALL(li_operation_wait(exp.get(), 120000, ERR)));
    CHECK(operation_json(exp.get()).at("metadata").at("create_backup_progress") == "Backup: 100%");
    CHECK(std::filesystem::exists(file));
    expect_ok(CALL(li_storage_volume_import_backup_async(&raw_op, mgr.get(), nullptr, "default", file.c_str(),
                                                         R"({"name":"back"})", ERR)));
    OperationPtr imp(raw_op);
    expect_ok(CALL(li_operation_wait(imp.get(), 120000, ERR)));
    info = operation_json(imp.get());
    CHECK(info.at("description") == "Restoring custom volume backup");
    CHECK(info.at("metadata").at("name") == "back");
    CHECK(std::filesystem::file_size(custom_dir / "back" / "f0") == (2u << 20));

    // Refusals the request alone shows come from the call itself, with no operation.
    raw_op = nullptr;
    auto o = CALL(li_storage_volume_export_backup_async(&raw_op, mgr.get(), nullptr, "default", "nope",
                                                        (dir.path() / "x.tar").c_str(), nullptr, ERR));
    expect_fail(o, LI_ERR_NOT_FOUND);
    CHECK(o.key == "name");
    CHECK(raw_op == nullptr);
    expect_invalid(CALL(li_storage_volume_create_json_async(&raw_op, mgr.get(), nullptr, "default", R"({"name":"a/b"})", ERR)),
                   "name");
    CHECK(raw_op == nullptr);
}

}  // TEST_SUITE
