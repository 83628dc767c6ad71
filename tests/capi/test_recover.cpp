// Disaster recovery through the C ABI: a manager of its own loses its database, and
// li_manager_recover_validate / li_manager_recover_import bring its custom volume and snapshot
// back; bad options are refused naming the field.

#include <filesystem>
#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

ManagerPtr open_manager(const std::filesystem::path& dir) {
    li_manager* mgr = nullptr;
    expect_ok(CALL(li_manager_open(&mgr, dir.c_str(), ERR)));
    REQUIRE(mgr != nullptr);
    return ManagerPtr(mgr);
}

nlohmann::json validate(li_manager* mgr, const char* options) {
    char* json = nullptr;
    expect_ok(CALL(li_manager_recover_validate(&json, mgr, options, ERR)));
    return take_json(json);
}

}  // namespace

TEST_SUITE("recover") {

TEST_CASE("a lost database's custom volume and its snapshot are found and imported") {
    TempDir dir{"capi-recover"};
    {
        ManagerPtr mgr = open_manager(dir.path());
        char* out = nullptr;
        expect_ok(CALL(li_storage_volume_create_json(&out, mgr.get(), "default", "default",
                                                     R"({"name": "keep", "description": "precious", "config": {"user.k": "v"}})", ERR)));
        take_json(out);
        expect_ok(CALL(li_storage_volume_snapshot_create_json(&out, mgr.get(), "default", "default", "keep", R"({"name": "first"})", ERR)));
        take_json(out);
        nlohmann::json nothing = validate(mgr.get(), nullptr);
        CHECK(nothing.at("unknown_volumes").empty());
    }
    std::filesystem::remove(dir.path() / "database" / "local.db");
    std::filesystem::remove(dir.path() / "database" / "local.db-wal");
    std::filesystem::remove(dir.path() / "database" / "local.db-shm");

    ManagerPtr mgr = open_manager(dir.path());
    nlohmann::json found = validate(mgr.get(), R"({"pools": []})");
    CHECK(found.at("unknown_pools").empty());
    CHECK(found.at("dependency_errors").empty());
    REQUIRE(found.at("unknown_volumes").size() == 1);
    const auto& v = found.at("unknown_volumes")[0];
    CHECK(v.at("pool") == "default");
    CHECK(v.at("project") == "default");
    CHECK(v.at("type") == "custom");
    CHECK(v.at("name") == "keep");
    CHECK(v.at("snapshot_count") == 1);

    char* out = nullptr;
    expect_fail(CALL(li_storage_volume_get_json(&out, mgr.get(), "default", "default", "custom", "keep", ERR)), LI_ERR_NOT_FOUND);
    expect_ok(CALL(li_manager_recover_import(&out, mgr.get(), nullptr, ERR)));
    CHECK(take_json(out).at("unknown_volumes").size() == 1);
    expect_ok(CALL(li_storage_volume_get_json(&out, mgr.get(), "default", "default", "custom", "keep", ERR)));
    nlohmann::json volume = take_json(out);
    CHECK(volume.at("description") == "precious");
    CHECK(volume.at("config").at("user.k") == "v");
    expect_ok(CALL(li_storage_volume_snapshot_list_json(&out, mgr.get(), "default", "default", "keep", ERR)));
    nlohmann::json snapshots = take_json(out);
    REQUIRE(snapshots.size() == 1);
    CHECK(snapshots[0].at("name") == "first");
    CHECK(validate(mgr.get(), nullptr).at("unknown_volumes").empty());
}

TEST_CASE("recovery options are checked, naming the field") {
    char* out = nullptr;
    li_manager* mgr = env().mgr.get();
    expect_invalid(CALL(li_manager_recover_validate(&out, mgr, "[1]", ERR)), "body");
    expect_invalid(CALL(li_manager_recover_validate(&out, mgr, R"({"pools": {}})", ERR)), "pools");
    expect_invalid(CALL(li_manager_recover_validate(&out, mgr, R"({"pools": [{"name": "p", "driver": "dir", "config": []}]})", ERR)),
                   "pools[0].config");
    expect_invalid(CALL(li_manager_recover_import(&out, mgr, R"({"pools": [{"name": "../up", "driver": "dir"}]})", ERR)),
                   "pools[0].name");
    expect_invalid(CALL(li_manager_recover_validate(nullptr, mgr, nullptr, ERR)), "out_json");
    CHECK(out == nullptr);
}

}  // TEST_SUITE
