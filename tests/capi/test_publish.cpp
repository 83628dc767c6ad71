// Publishing instances as images through the C ABI.

#include <string>

#include "support.hpp"

using namespace capi_test;

namespace {

nlohmann::json image_of(li_manager* mgr, const std::string& ref) {
    char* json = nullptr;
    expect_ok(CALL(li_image_get_json(&json, mgr, nullptr, ref.c_str(), ERR)));
    return take_json(json);
}

size_t image_count(li_manager* mgr) {
    char* json = nullptr;
    expect_ok(CALL(li_image_list_json(&json, mgr, nullptr, ERR)));
    return take_json(json).size();
}

}  // namespace

TEST_SUITE("containers") {

TEST_CASE("li_image_publish makes an image of a stopped instance; bad requests change nothing") {
    li_manager* mgr = env().mgr.get();
    std::string name = unique_name("pub");
    InstancePtr inst = create_container(name);
    std::string alias = name + "-img";
    size_t before = image_count(mgr);
    char* json = nullptr;

    nlohmann::json req = {{"source", {{"type", "instance"}, {"name", name}}},
                          {"aliases", {{{"name", alias}}}},
                          {"properties", {{"description", "from capi"}}},
                          {"compression_algorithm", "zstd"}};
    // Running: Conflict.
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    expect_fail(CALL(li_image_publish(&json, mgr, nullptr, req.dump().c_str(), ERR)), LI_ERR_CONFLICT, {name});
    li_stop_opts stop = LI_STOP_OPTS_INIT;
    stop.force = 1;
    expect_ok(CALL(li_instance_stop(inst.get(), &stop, ERR)));

    // Bad input names the field and the value.
    nlohmann::json bad = req;
    bad["compression_algorithm"] = "lzop";
    expect_invalid(CALL(li_image_publish(&json, mgr, nullptr, bad.dump().c_str(), ERR)), "compression", {"lzop"});
    bad = req;
    bad["source"]["type"] = "image";
    expect_invalid(CALL(li_image_publish(&json, mgr, nullptr, bad.dump().c_str(), ERR)), "source.type", {"image"});
    bad = req;
    bad["properties"] = {{"k", 1}};
    expect_invalid(CALL(li_image_publish(&json, mgr, nullptr, bad.dump().c_str(), ERR)), "properties.k");
    expect_invalid(CALL(li_image_publish(&json, mgr, nullptr, "{not json", ERR)), "publish request");
    expect_invalid(CALL(li_image_publish(&json, mgr, nullptr, nullptr, ERR)), "images_post_json");
    bad = req;
    bad["source"] = {{"type", "snapshot"}, {"name", name + "/snap0"}};  // no such snapshot
    expect_fail(CALL(li_image_publish(&json, mgr, nullptr, bad.dump().c_str(), ERR)), LI_ERR_NOT_FOUND, {"snap0"});
    bad["source"]["type"] = "instance";  // a snapshot named as an instance
    expect_invalid(CALL(li_image_publish(&json, mgr, nullptr, bad.dump().c_str(), ERR)), "source.name", {"snapshot"});
    CHECK(image_count(mgr) == before);

    li_operation* op = nullptr;
    expect_ok(CALL(li_image_publish_async(&op, mgr, nullptr, req.dump().c_str(), ERR)));
    OperationPtr op_owner{op};
    expect_ok(CALL(li_operation_wait(op, 120000, ERR)));
    auto doc = operation_json(op);
    CHECK(doc.at("status") == "Success");
    auto fp = doc.at("metadata").at("fingerprint").get<std::string>();
    auto img = image_of(mgr, alias);
    CHECK(img.at("fingerprint") == fp);
    CHECK(img.at("properties").at("description") == "from capi");
    CHECK(img.at("properties").at("os") == "busybox");
    CHECK(image_count(mgr) == before + 1);

    // The synchronous form, default compression, no alias.
    nlohmann::json plain = {{"source", {{"type", "instance"}, {"name", name}}}};
    expect_ok(CALL(li_image_publish(&json, mgr, nullptr, plain.dump().c_str(), ERR)));
    auto second = take_json(json);
    CHECK(second.at("fingerprint") != fp);
    expect_ok(CALL(li_image_delete(mgr, nullptr, second.at("fingerprint").get<std::string>().c_str(), ERR)));
    expect_ok(CALL(li_image_delete(mgr, nullptr, alias.c_str(), ERR)));
    expect_ok(CALL(li_instance_delete(inst.get(), nullptr, ERR)));
}

TEST_CASE("li_image_publish makes an image of a snapshot (type \"snapshot\", \"c1/snap0\") while its instance runs") {
    li_manager* mgr = env().mgr.get();
    std::string name = unique_name("pubsnap");
    InstancePtr inst = create_container(name);
    expect_ok(CALL(li_instance_config_set(inst.get(), "image.flavour", "at-snapshot", ERR)));
    expect_ok(CALL(li_instance_start(inst.get(), nullptr, ERR)));
    expect_ok(CALL(li_instance_snapshot_create_json(nullptr, inst.get(), R"({"name":"s0"})", ERR)));
    expect_ok(CALL(li_instance_config_set(inst.get(), "image.flavour", "later", ERR)));

    std::string alias = name + "-img";
    nlohmann::json req = {{"source", {{"type", "snapshot"}, {"name", name + "/s0"}}}, {"aliases", {{{"name", alias}}}}};
    char* json = nullptr;
    expect_ok(CALL(li_image_publish(&json, mgr, nullptr, req.dump().c_str(), ERR)));
    auto img = take_json(json);
    CHECK(img.at("properties").at("flavour") == "at-snapshot");
    CHECK(image_of(mgr, alias).at("fingerprint") == img.at("fingerprint"));
    expect_ok(CALL(li_image_delete(mgr, nullptr, alias.c_str(), ERR)));
    li_delete_opts del = LI_DELETE_OPTS_INIT;
    del.force = 1;
    expect_ok(CALL(li_instance_delete(inst.get(), &del, ERR)));
}

}  // TEST_SUITE
