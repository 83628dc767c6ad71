// Projects through the C ABI: create, get with ETag, list, update (if_match, bad keys), rename,
// delete (refused for default and while not empty), state; isolation between projects, an
// instance limit at its boundary, and a restriction refused on create, on update and through a
// profile, with the error codes and keys the header promises.

#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

nlohmann::json project(const std::string& name, std::string* etag = nullptr) {
    char* json = nullptr;
    char* tag = nullptr;
    expect_ok(CALL(li_project_get_json(&json, etag ? &tag : nullptr, env().mgr.get(), name.c_str(), ERR)));
    if (etag) {
        *etag = tag;
        li_free(tag);
    }
    return take_json(json);
}

void create_project(const std::string& name, nlohmann::json config) {
    nlohmann::json post{{"name", name}, {"config", std::move(config)}};
    expect_ok(CALL(li_project_create_json(nullptr, env().mgr.get(), post.dump().c_str(), ERR)));
}

void set_project_key(const std::string& name, const std::string& key, const std::string& value) {
    nlohmann::json put = project(name);
    put["config"][key] = value;
    expect_ok(CALL(li_project_update_json(env().mgr.get(), name.c_str(), put.dump().c_str(), nullptr, ERR)));
}

// A stopped busybox container in `project`, with its own root disk.
std::string instance_post(const std::string& name, nlohmann::json config = nlohmann::json::object(),
                          nlohmann::json profiles = {"default"}) {
    nlohmann::json post = nlohmann::json::parse(post_json(name));
    post["config"] = std::move(config);
    post["profiles"] = std::move(profiles);
    post["devices"] = {{"root", {{"type", "disk"}, {"path", "/"}, {"pool", "default"}}}};
    return post.dump();
}

Outcome create_in(const std::string& project, const std::string& name, nlohmann::json config = nlohmann::json::object(),
                  nlohmann::json profiles = {"default"}) {
    li_instance* inst = nullptr;
    std::string post = instance_post(name, std::move(config), std::move(profiles));
    Outcome o = CALL(li_instance_create_json(&inst, env().mgr.get(), project.c_str(), post.c_str(), ERR));
    if (inst) li_instance_free(inst);
    return o;
}

std::vector<std::string> names_in(const std::string& project) {
    char* json = nullptr;
    expect_ok(CALL(li_instance_list_json(&json, env().mgr.get(), project.c_str(), LI_LIST_DEFAULT, ERR)));
    std::vector<std::string> out;
    for (const auto& i : take_json(json)) out.push_back(i.at("name"));
    return out;
}

void delete_in(const std::string& project, const std::string& name) {
    li_instance* inst = nullptr;
    expect_ok(CALL(li_instance_get(&inst, env().mgr.get(), project.c_str(), name.c_str(), ERR)));
    expect_ok(CALL(li_instance_delete(inst, nullptr, ERR)));
    li_instance_free(inst);
}

}  // namespace

TEST_SUITE("projects") {

TEST_CASE("projects through the C ABI: CRUD, ETag, bad input, default kept, state") {
    li_manager* mgr = env().mgr.get();
    std::string p = unique_name("cpj");
    char* json = nullptr;
    nlohmann::json post{{"name", p}, {"description", "capi"}, {"config", {{"limits.instances", "3"}}}};
    expect_ok(CALL(li_project_create_json(&json, mgr, post.dump().c_str(), ERR)));
    auto created = take_json(json);
    CHECK(created.at("config").at("features.images") == "true");
    CHECK(created.at("config").at("features.networks") == "false");
    expect_fail(CALL(li_project_create_json(nullptr, mgr, post.dump().c_str(), ERR)), LI_ERR_ALREADY_EXISTS, {p});
    expect_invalid(CALL(li_project_create_json(nullptr, mgr, R"({"name":"a_b"})", ERR)), "name", {"a_b"});
    expect_invalid(CALL(li_project_create_json(nullptr, mgr, R"({"name":"pq","config":{"limits.cpu":"lots"}})", ERR)),
                   "config.limits.cpu", {"lots"});
    expect_invalid(CALL(li_project_create_json(nullptr, mgr, nullptr, ERR)), "projects_post_json");

    expect_ok(CALL(li_project_list_json(&json, mgr, ERR)));
    bool found_default = false, found = false;
    for (const auto& e : take_json(json)) {
        found_default |= e.at("name") == "default";
        found |= e.at("name") == p;
    }
    CHECK(found_default);
    CHECK(found);

    std::string etag;
    nlohmann::json put = project(p, &etag);
    put["description"] = "changed";
    expect_ok(CALL(li_project_update_json(mgr, p.c_str(), put.dump().c_str(), etag.c_str(), ERR)));
    CHECK(project(p).at("description") == "changed");
    Outcome stale = CALL(li_project_update_json(mgr, p.c_str(), put.dump().c_str(), etag.c_str(), ERR));
    CHECK(stale.code == LI_ERR_CONFLICT);
    CHECK(stale.key == "etag");

    expect_ok(CALL(li_project_state_json(&json, mgr, p.c_str(), ERR)));
    auto state = take_json(json);
    CHECK(state.at("resources").at("instances") == nlohmann::json{{"Limit", 3}, {"Usage", 0}});
    CHECK(state.at("resources").at("memory").at("Limit") == -1);

    std::string renamed = p + "-r";
    expect_ok(CALL(li_project_rename(mgr, p.c_str(), renamed.c_str(), ERR)));
    expect_fail(CALL(li_project_get_json(&json, nullptr, mgr, p.c_str(), ERR)), LI_ERR_NOT_FOUND, {p});
    expect_ok(CALL(li_project_delete(mgr, renamed.c_str(), ERR)));
    expect_invalid(CALL(li_project_delete(mgr, "default", ERR)), "name");
    expect_invalid(CALL(li_project_rename(mgr, "default", "x", ERR)), "name");
}

TEST_CASE("projects through the C ABI: isolation, a limit at its boundary, a restriction, unknown projects") {
    li_manager* mgr = env().mgr.get();
    std::string a = unique_name("cpa"), b = unique_name("cpb");
    create_project(a, {{"features.images", "false"}, {"limits.instances", "1"}});
    create_project(b, {{"features.images", "false"}, {"restricted", "true"}});

    expect_ok(create_in(a, "same"));
    expect_ok(create_in(b, "same"));
    CHECK(names_in(a) == std::vector<std::string>{"same"});
    CHECK(names_in(b) == std::vector<std::string>{"same"});

    Outcome over = create_in(a, "second");
    CHECK(over.code == LI_ERR_INVALID_ARGUMENT);
    CHECK(over.key == "limits.instances");
    CHECK(over.message.find("1 is in use") != std::string::npos);
    Outcome not_empty = CALL(li_project_delete(mgr, a.c_str(), ERR));
    CHECK(not_empty.code == LI_ERR_CONFLICT);
    CHECK(not_empty.message.find("same") != std::string::npos);

    Outcome privileged = create_in(b, "priv", {{"security.privileged", "true"}});
    CHECK(privileged.code == LI_ERR_PERMISSION_DENIED);
    CHECK(privileged.key == "config.security.privileged");
    li_instance* inst = nullptr;
    expect_ok(CALL(li_instance_get(&inst, mgr, b.c_str(), "same", ERR)));
    Outcome update = CALL(li_instance_config_set(inst, "security.privileged", "true", ERR));
    CHECK(update.code == LI_ERR_PERMISSION_DENIED);
    li_instance_free(inst);
    Outcome profile = CALL(li_profile_create_json(nullptr, mgr, b.c_str(), R"({"name":"priv","config":{"security.privileged":"true"}})", ERR));
    CHECK(profile.code == LI_ERR_PERMISSION_DENIED);

    char* none = nullptr;
    Outcome unknown = CALL(li_instance_list_json(&none, mgr, "no-such-project", LI_LIST_DEFAULT, ERR));
    CHECK(unknown.code == LI_ERR_NOT_FOUND);
    CHECK(unknown.key == "project");

    delete_in(a, "same");
    delete_in(b, "same");
    expect_ok(CALL(li_project_delete(mgr, a.c_str(), ERR)));
    expect_ok(CALL(li_project_delete(mgr, b.c_str(), ERR)));
}

}  // TEST_SUITE
