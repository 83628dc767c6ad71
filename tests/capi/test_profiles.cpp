// Profiles through the C ABI: create, get with ETag, list, update (if_match, bad values naming the
// key and changing nothing, a change that would leave an instance without a root disk), rename
// with the instance following, delete refused while used and for "default".

#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

nlohmann::json profile(const char* name, std::string* etag = nullptr) {
    char* json = nullptr;
    char* tag = nullptr;
    expect_ok(CALL(li_profile_get_json(&json, etag ? &tag : nullptr, env().mgr.get(), nullptr, name, ERR)));
    if (etag) {
        *etag = tag;
        li_free(tag);
    }
    return take_json(json);
}

}  // namespace

TEST_SUITE("profiles") {

TEST_CASE("profiles through the C ABI: CRUD, ETag, bad input, used_by, rename, delete") {
    li_manager* mgr = env().mgr.get();
    std::string p = unique_name("cp");
    std::string renamed = p + "-r";
    char* json = nullptr;

    nlohmann::json post{{"name", p}, {"description", "capi"}, {"config", {{"user.a", "1"}}},
                        {"devices", {{"hide", {{"type", "none"}}}}}};
    expect_ok(CALL(li_profile_create_json(&json, mgr, nullptr, post.dump().c_str(), ERR)));
    auto created = take_json(json);
    CHECK(created.at("name") == p);
    CHECK(created.at("used_by") == nlohmann::json::array());
    expect_fail(CALL(li_profile_create_json(nullptr, mgr, nullptr, post.dump().c_str(), ERR)), LI_ERR_ALREADY_EXISTS, {p});
    expect_invalid(CALL(li_profile_create_json(nullptr, mgr, "", R"({"name":"x/y"})", ERR)), "name", {"x/y"});
    expect_invalid(CALL(li_profile_create_json(nullptr, mgr, "", R"({"name":"pz","config":{"boot.autostart":"maybe"}})", ERR)),
                   "config.boot.autostart", {"maybe"});
    expect_invalid(CALL(li_profile_create_json(nullptr, mgr, "", nullptr, ERR)), "profiles_post_json");
    expect_fail(CALL(li_profile_get_json(&json, nullptr, mgr, nullptr, "pz", ERR)), LI_ERR_NOT_FOUND, {"pz"});

    expect_ok(CALL(li_profile_list_json(&json, mgr, nullptr, ERR)));
    auto list = take_json(json);
    bool found = false;
    for (const auto& e : list) found |= e.at("name") == p;
    CHECK(found);

    // Update with the ETag; a stale ETag and a bad value are refused and change nothing.
    std::string etag;
    auto current = profile(p.c_str(), &etag);
    CHECK(etag.size() == 64);
    nlohmann::json put{{"description", "changed"}, {"config", {{"user.a", "2"}, {"environment.X", "y"}}}, {"devices", current.at("devices")}};
    expect_ok(CALL(li_profile_update_json(mgr, nullptr, p.c_str(), put.dump().c_str(), etag.c_str(), ERR)));
    expect_fail(CALL(li_profile_update_json(mgr, nullptr, p.c_str(), put.dump().c_str(), etag.c_str(), ERR)), LI_ERR_CONFLICT, {p});
    nlohmann::json bad = put;
    bad["config"]["limits.processes"] = "-5";
    expect_invalid(CALL(li_profile_update_json(mgr, nullptr, p.c_str(), bad.dump().c_str(), nullptr, ERR)),
                   "config.limits.processes", {"-5"});
    auto after = profile(p.c_str());
    CHECK(after.at("description") == "changed");
    CHECK(after.at("config") == nlohmann::json{{"user.a", "2"}, {"environment.X", "y"}});

    // An instance using it: expanded config, used_by, delete refused, rename followed.
    std::string name = unique_name("cprof");
    nlohmann::json ipost = nlohmann::json::parse(post_json(name));
    ipost["profiles"] = {"default", p};
    li_instance* raw = nullptr;
    expect_ok(CALL(li_instance_create_json(&raw, mgr, nullptr, ipost.dump().c_str(), ERR)));
    InstancePtr inst{raw};
    CHECK(instance_json(inst.get()).at("expanded_config").at("user.a") == "2");
    CHECK(profile(p.c_str()).at("used_by") == nlohmann::json::array({"/1.0/instances/" + name}));
    expect_fail(CALL(li_profile_delete(mgr, nullptr, p.c_str(), ERR)), LI_ERR_CONFLICT, {p, name});
    expect_ok(CALL(li_profile_rename(mgr, nullptr, p.c_str(), renamed.c_str(), ERR)));
    CHECK(instance_json(inst.get()).at("profiles") == nlohmann::json::array({"default", renamed}));
    expect_fail(CALL(li_profile_rename(mgr, nullptr, renamed.c_str(), "default", ERR)), LI_ERR_ALREADY_EXISTS, {"default"});
    expect_invalid(CALL(li_profile_rename(mgr, nullptr, "default", "other", ERR)), "name", {"default"});
    expect_invalid(CALL(li_profile_delete(mgr, nullptr, "default", ERR)), "name", {"default"});

    // Removing the root disk from "default" would leave the instance without one: refused, naming it.
    std::string def_etag;
    auto def = profile("default", &def_etag);
    nlohmann::json no_root{{"description", def.at("description")}, {"config", def.at("config")}, {"devices", nlohmann::json::object()}};
    expect_invalid(CALL(li_profile_update_json(mgr, nullptr, "default", no_root.dump().c_str(), nullptr, ERR)), "devices", {name});
    CHECK(profile("default").at("devices").contains("root"));

    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
    expect_ok(CALL(li_profile_delete(mgr, nullptr, renamed.c_str(), ERR)));
    expect_fail(CALL(li_profile_get_json(&json, nullptr, mgr, nullptr, renamed.c_str(), ERR)), LI_ERR_NOT_FOUND, {renamed});
}

}  // TEST_SUITE
