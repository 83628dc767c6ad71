// Images through the C ABI, and the manager's lifetime with outstanding instance handles.

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <openssl/evp.h>

#include "support.hpp"

using namespace capi_test;
namespace fs = std::filesystem;

namespace {

std::string sha256_of(const fs::path& file) {
    std::ifstream in{file, std::ios::binary};
    std::string data{std::istreambuf_iterator<char>(in), {}};
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    REQUIRE(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) == 1);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

nlohmann::json get_image(li_manager* mgr, const std::string& ref) {
    char* json = nullptr;
    expect_ok(CALL(li_image_get_json(&json, mgr, nullptr, ref.c_str(), ERR)));
    return take_json(json);
}

bool has_alias(const nlohmann::json& image, const std::string& alias) {
    for (const auto& a : image.at("aliases")) {
        if (a.at("name") == alias) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_SUITE("containers") {

TEST_CASE("the busybox image is listed and found by alias, fingerprint and prefix") {
    li_manager* mgr = env().mgr.get();
    const auto& fp = env().busybox_fingerprint;
    CHECK(fp.size() == 64);
    char* json = nullptr;
    expect_ok(CALL(li_image_list_json(&json, mgr, nullptr, ERR)));
    auto list = take_json(json);
    REQUIRE(list.is_array());
    bool found = false;
    for (const auto& image : list) {
        if (image.at("fingerprint") == fp) {
            found = true;
            CHECK(has_alias(image, "busybox"));
        }
    }
    CHECK(found);
    CHECK(get_image(mgr, fp).at("fingerprint") == fp);
    CHECK(get_image(mgr, fp.substr(0, 12)).at("fingerprint") == fp);

    expect_ok(CALL(li_image_alias_create(mgr, nullptr, "capi-bb", "busybox", "second name", ERR)));
    CHECK(get_image(mgr, "capi-bb").at("fingerprint") == fp);
    CHECK(has_alias(get_image(mgr, fp), "capi-bb"));
    expect_fail(CALL(li_image_alias_create(mgr, nullptr, "capi-bb", fp.c_str(), nullptr, ERR)),
                LI_ERR_ALREADY_EXISTS, {"capi-bb"});
    expect_fail(CALL(li_image_alias_create(mgr, nullptr, "capi-x", "no-such-image", nullptr, ERR)),
                LI_ERR_NOT_FOUND, {"no-such-image"});
    expect_ok(CALL(li_image_alias_delete(mgr, nullptr, "capi-bb", ERR)));
    expect_fail(CALL(li_image_get_json(&json, mgr, nullptr, "capi-bb", ERR)), LI_ERR_NOT_FOUND,
                {"capi-bb"});
    expect_fail(CALL(li_image_alias_delete(mgr, nullptr, "capi-bb", ERR)), LI_ERR_NOT_FOUND,
                {"capi-bb"});
    // The image stays after its extra alias went.
    CHECK(get_image(mgr, "busybox").at("fingerprint") == fp);

    expect_fail(CALL(li_image_build(&json, mgr, nullptr, "no-such-builder", nullptr, ERR)),
                LI_ERR_NOT_SUPPORTED, {"no-such-builder"});
    // A missing file is NotFound, or System with ENOENT; either way the path is named.
    auto missing = CALL(li_image_import(&json, mgr, nullptr, "/nonexistent/image.tar.xz", nullptr,
                                        ERR));
    CHECK((missing.code == LI_ERR_NOT_FOUND ||
           (missing.code == LI_ERR_SYSTEM && missing.sys_errno == ENOENT)));
    CHECK(missing.message.find("/nonexistent/image.tar.xz") != std::string::npos);
    expect_fail(CALL(li_image_delete(mgr, nullptr, "no-such-image", ERR)), LI_ERR_NOT_FOUND,
                {"no-such-image"});
}

TEST_CASE("export, delete and import an image in a state directory of its own") {
    TempDir dir{"capi-img"};
    auto tarball = dir.path() / "busybox.tar.xz";
    auto state = dir.path() / "state";
    li_manager* mgr = nullptr;
    expect_ok(CALL(li_manager_open(&mgr, state.c_str(), ERR)));
    REQUIRE(mgr != nullptr);
    ManagerPtr owner{mgr};

    li_image_build_opts build = LI_IMAGE_BUILD_OPTS_INIT;
    build.alias = "bb";
    build.output_path = tarball.c_str();
    char* json = nullptr;
    expect_ok(CALL(li_image_build(&json, mgr, nullptr, "busybox", &build, ERR)));
    auto built = take_json(json);
    REQUIRE(fs::is_regular_file(tarball));
    auto fp = built.at("fingerprint").get<std::string>();
    CHECK(fp == sha256_of(tarball));
    CHECK(has_alias(built, "bb"));

    li_image_import_opts import = LI_IMAGE_IMPORT_OPTS_INIT;
    import.alias = "bb2";
    expect_fail(CALL(li_image_import(&json, mgr, nullptr, tarball.c_str(), &import, ERR)),
                LI_ERR_ALREADY_EXISTS, {fp.substr(0, 12)});

    expect_ok(CALL(li_image_delete(mgr, nullptr, "bb", ERR)));
    expect_ok(CALL(li_image_list_json(&json, mgr, nullptr, ERR)));
    CHECK(take_json(json).empty());
    expect_fail(CALL(li_image_get_json(&json, mgr, nullptr, "bb", ERR)), LI_ERR_NOT_FOUND, {"bb"});

    expect_ok(CALL(li_image_import(&json, mgr, nullptr, tarball.c_str(), &import, ERR)));
    auto imported = take_json(json);
    CHECK(imported.at("fingerprint") == fp);
    CHECK(has_alias(imported, "bb2"));
    CHECK(get_image(mgr, "bb2").at("fingerprint") == fp);
}

TEST_CASE("an instance handle keeps the state directory open after li_manager_free") {
    TempDir dir{"capi-life"};
    li_manager* mgr = nullptr;
    expect_ok(CALL(li_manager_open(&mgr, dir.path().c_str(), ERR)));
    REQUIRE(mgr != nullptr);
    li_image_build_opts build = LI_IMAGE_BUILD_OPTS_INIT;
    build.alias = "busybox";
    char* json = nullptr;
    expect_ok(CALL(li_image_build(&json, mgr, nullptr, "busybox", &build, ERR)));
    li_free(json);
    auto name = unique_name("lifetime");
    li_instance* inst = nullptr;
    expect_ok(CALL(li_instance_create_json(&inst, mgr, nullptr, post_json(name).c_str(), ERR)));
    REQUIRE(inst != nullptr);
    InstancePtr owner{inst};

    li_manager_free(mgr);
    li_manager* again = nullptr;
    expect_fail(CALL(li_manager_open(&again, dir.path().c_str(), ERR)), LI_ERR_BUSY);
    // The instance still works through the released manager's core.
    int code = 0;
    expect_ok(CALL(li_instance_status_code(&code, inst, ERR)));
    CHECK(code == 102);
    expect_ok(CALL(li_instance_delete(inst, nullptr, ERR)));
    owner.reset();

    expect_ok(CALL(li_manager_open(&again, dir.path().c_str(), ERR)));
    REQUIRE(again != nullptr);
    ManagerPtr again_owner{again};
    CHECK(instance_names(again).empty());
}

TEST_CASE("li_image_build(\"debian-vm\") stores a virtual-machine image") {
    TempDir dir{"capi-vm"};
    li_manager* mgr = nullptr;
    expect_ok(CALL(li_manager_open(&mgr, (dir.path() / "state").c_str(), ERR)));
    REQUIRE(mgr != nullptr);
    ManagerPtr owner{mgr};
    li_image_build_opts build = LI_IMAGE_BUILD_OPTS_INIT;
    build.alias = "vm";
    // The kernel package and the built image are cached; meson's runs share one cache.
    const char* env = std::getenv("LIBINSTANCE_CACHE_DIR");
    fs::path cache = env && *env ? fs::path(env) : dir.path() / "cache";
    build.cache_dir = cache.c_str();
    char* json = nullptr;
    expect_ok(CALL(li_image_build(&json, mgr, nullptr, "debian-vm", &build, ERR)));
    auto built = take_json(json);
    CHECK(built.at("type") == "virtual-machine");
    CHECK(built.at("properties").at("variant") == "vm-busybox");
    CHECK(get_image(mgr, "vm").at("type") == "virtual-machine");
    build.release = "no-such-release";
    expect_fail(CALL(li_image_build(&json, mgr, nullptr, "debian-vm", &build, ERR)), LI_ERR_INVALID_ARGUMENT,
                {"no-such-release"});
}

}  // TEST_SUITE
