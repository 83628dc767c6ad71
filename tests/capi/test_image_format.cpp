// The LXD image format through the C ABI: split and verified imports with properties, export,
// updates, aliases, expiry and settings, and a hostile archive leaving the store unchanged.

#include <cstdlib>
#include <fstream>
#include <string>

#include "support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

void sh(const fs::path& dir, const std::string& script) {
    std::string cmd = "cd '" + dir.string() + "' && " + script;
    REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, script);
}

std::string sha256(const fs::path& dir, const std::string& files) {
    std::string cmd = "cd '" + dir.string() + "' && cat " + files + " | sha256sum > sum.txt";
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream in(dir / "sum.txt");
    std::string hex;
    in >> hex;
    return hex;
}

ManagerPtr open_manager(const fs::path& dir) {
    li_manager* raw = nullptr;
    expect_ok(CALL(li_manager_open(&raw, dir.c_str(), ERR)));
    return ManagerPtr(raw);
}

}  // namespace

TEST_SUITE("image-format") {

TEST_CASE("a split image: fingerprint, properties, export, update, aliases, settings") {
    TempDir dir("capi-imgfmt");
    sh(dir.path(), "printf 'architecture: %s\\ncreation_date: 1700000000\\nproperties:\\n  os: capi\\n' \"$(uname -m)\" > metadata.yaml"
                   " && mkdir -p tree/etc && echo ID=c > tree/etc/os-release"
                   " && tar -cJf meta.tar.xz metadata.yaml && tar -C tree -czf rootfs.tar.gz .");
    std::string fp = sha256(dir.path(), "meta.tar.xz rootfs.tar.gz");
    ManagerPtr mgr = open_manager(dir.path() / "state");

    li_image_import_opts opts = LI_IMAGE_IMPORT_OPTS_INIT;
    std::string rootfs = (dir.path() / "rootfs.tar.gz").string();
    std::string wrong(64, 'b');
    opts.rootfs_path = rootfs.c_str();
    opts.expected_fingerprint = wrong.c_str();
    char* json = nullptr;
    std::string meta = (dir.path() / "meta.tar.xz").string();
    expect_invalid(CALL(li_image_import(&json, mgr.get(), nullptr, meta.c_str(), &opts, ERR)), "expected_fingerprint",
                   {wrong, fp});
    CHECK(json == nullptr);
    CHECK(fs::is_empty(dir.path() / "state/images"));

    opts.expected_fingerprint = fp.c_str();
    opts.alias = "split";
    opts.properties_json = R"({"extra":"yes"})";
    opts.public_ = 1;
    opts.cached = 1;
    expect_ok(CALL(li_image_import(&json, mgr.get(), nullptr, meta.c_str(), &opts, ERR)));
    auto image = take_json(json);
    CHECK(image.at("fingerprint") == fp);
    CHECK(image.at("properties") == nlohmann::json({{"os", "capi"}, {"extra", "yes"}}));
    CHECK(image.at("public") == true);
    CHECK(image.at("cached") == true);

    fs::create_directories(dir.path() / "out");
    std::string out = (dir.path() / "out").string();
    expect_ok(CALL(li_image_export(&json, mgr.get(), nullptr, "split", out.c_str(), ERR)));
    auto paths = take_json(json);
    CHECK(paths.at("metadata_path") == (dir.path() / "out" / ("meta-" + fp + ".tar.xz")).string());
    CHECK(paths.at("rootfs_path") == (dir.path() / "out" / (fp + ".tar.gz")).string());
    CHECK(sha256(dir.path(), "out/meta-" + fp + ".tar.xz out/" + fp + ".tar.gz") == fp);

    li_operation* op = nullptr;
    std::string named = (dir.path() / "out" / "named").string();
    expect_ok(CALL(li_image_export_async(&op, mgr.get(), nullptr, fp.substr(0, 10).c_str(), named.c_str(), ERR)));
    OperationPtr op_guard(op);
    expect_ok(CALL(li_operation_wait(op, -1, ERR)));
    CHECK(operation_json(op).at("metadata").at("rootfs_path") == named + ".root");

    expect_ok(CALL(li_image_update_json(&json, mgr.get(), nullptr, "split",
                                        R"({"properties":{"k":"v"},"public":false,"auto_update":true,"expires_at":"2031-01-01T00:00:00Z"})",
                                        ERR)));
    image = take_json(json);
    CHECK(image.at("properties") == nlohmann::json({{"k", "v"}}));
    CHECK(image.at("auto_update") == true);
    CHECK(image.at("expires_at") == "2031-01-01T00:00:00Z");
    expect_invalid(CALL(li_image_update_json(&json, mgr.get(), nullptr, "split", R"({"public":"yes"})", ERR)), "public");
    expect_invalid(CALL(li_image_update_json(&json, mgr.get(), nullptr, "split", R"({"expires_at":"soon"})", ERR)),
                   "expires_at", {"soon"});

    expect_ok(CALL(li_image_alias_rename(mgr.get(), nullptr, "split", "renamed", ERR)));
    expect_ok(CALL(li_image_alias_update(mgr.get(), nullptr, "renamed", fp.c_str(), "described", ERR)));
    expect_ok(CALL(li_image_alias_list_json(&json, mgr.get(), nullptr, ERR)));
    auto aliases = take_json(json);
    REQUIRE(aliases.size() == 1);
    CHECK(aliases[0] == nlohmann::json({{"name", "renamed"}, {"description", "described"}, {"target", fp}, {"type", "container"}}));
    expect_ok(CALL(li_image_alias_get_json(&json, mgr.get(), nullptr, "renamed", ERR)));
    CHECK(take_json(json).at("target") == fp);
    expect_fail(CALL(li_image_alias_get_json(&json, mgr.get(), nullptr, "split", ERR)), LI_ERR_NOT_FOUND, {"split"});
    expect_fail(CALL(li_image_alias_rename(mgr.get(), nullptr, "split", "x", ERR)), LI_ERR_NOT_FOUND, {"split"});

    char* value = nullptr;
    expect_ok(CALL(li_manager_config_get(&value, mgr.get(), "images.remote_cache_expiry", ERR)));
    CHECK(std::string(value) == "10");
    li_free(value);
    expect_ok(CALL(li_manager_config_set(mgr.get(), "images.remote_cache_expiry", "3", ERR)));
    expect_ok(CALL(li_manager_config_json(&json, mgr.get(), ERR)));
    CHECK(take_json(json) == nlohmann::json({{"images.remote_cache_expiry", "3"}}));
    expect_invalid(CALL(li_manager_config_set(mgr.get(), "images.unpack_max_size", "huge", ERR)), "images.unpack_max_size",
                   {"huge"});
    expect_invalid(CALL(li_manager_config_set(mgr.get(), "no.such.key", "1", ERR)), "no.such.key");
    expect_ok(CALL(li_images_prune(&json, mgr.get(), ERR)));
    CHECK(take_json(json) == nlohmann::json::array());  // just imported: not expired
}

TEST_CASE("a hostile archive is refused naming the entry, the store unchanged") {
    TempDir dir("capi-imghostile");
    sh(dir.path(), "printf 'architecture: %s\\n' \"$(uname -m)\" > metadata.yaml && mkdir rootfs && ln -s /etc rootfs/link"
                   " && echo x > a && tar -cf evil.tar metadata.yaml rootfs"
                   " && tar -rf evil.tar --transform 's,^a$,rootfs/link/pwned-by-capi,' a");
    ManagerPtr mgr = open_manager(dir.path() / "state");
    char* json = nullptr;
    std::string evil = (dir.path() / "evil.tar").string();
    expect_invalid(CALL(li_image_import(&json, mgr.get(), nullptr, evil.c_str(), nullptr, ERR)), "rootfs/link/pwned-by-capi",
                   {"through the symlink \"rootfs/link\""});
    CHECK_FALSE(fs::exists("/etc/pwned-by-capi"));
    CHECK(fs::is_empty(dir.path() / "state/images"));
    expect_ok(CALL(li_image_list_json(&json, mgr.get(), nullptr, ERR)));
    CHECK(take_json(json).empty());
}

}  // TEST_SUITE
