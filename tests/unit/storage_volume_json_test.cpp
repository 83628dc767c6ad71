// JSON of LXD's storage volume documents: defaults, round trips and fields of the wrong type
// named in the error.
#include <doctest.h>
#include <nlohmann/json.hpp>

#include "libinstance/api/storage_volume.hpp"
#include "libinstance/error.hpp"

using namespace li;

namespace {
Error parse_error(std::string_view text, bool put = false) {
    try {
        if (put) api::storage_volume_put_from_json(text);
        else api::storage_volumes_post_from_json(text);
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error for " << text);
    return Error(ErrorCode::Internal, "");
}
}  // namespace

TEST_CASE("StorageVolumesPost: LXD's body, defaults to a custom filesystem volume, round trip") {
    auto post = api::storage_volumes_post_from_json(R"({"name":"data","description":"d","config":{"size":"1GiB","user.x":"1"}})");
    CHECK(post.name == "data");
    CHECK(post.type == "custom");
    CHECK(post.content_type == "filesystem");
    CHECK(post.description == "d");
    CHECK(post.config == std::map<std::string, std::string>{{"size", "1GiB"}, {"user.x", "1"}});
    auto again = api::storage_volumes_post_from_json(api::to_json(post));
    CHECK(again.name == post.name);
    CHECK(again.config == post.config);
    auto block = api::storage_volumes_post_from_json(R"({"name":"b","type":"custom","content_type":"block"})");
    CHECK(block.content_type == "block");
}

TEST_CASE("StorageVolumePut and StorageVolume JSON") {
    auto put = api::storage_volume_put_from_json(R"({"description":"x","config":{"security.shifted":"true"}})");
    CHECK(put.description == "x");
    CHECK(put.config.at("security.shifted") == "true");
    CHECK(nlohmann::json::parse(api::to_json(put)) == nlohmann::json::parse(R"({"description":"x","config":{"security.shifted":"true"}})"));

    api::StorageVolume v;
    v.name = "data";
    v.type = "custom";
    v.used_by = {"/1.0/instances/c1"};
    v.created_at = "2026-11-28T05:00:00Z";
    auto j = nlohmann::json::parse(api::to_json(v));
    CHECK(j.at("name") == "data");
    CHECK(j.at("content_type") == "filesystem");
    CHECK(j.at("location") == "none");
    CHECK(j.at("project") == "default");
    CHECK(j.at("used_by") == nlohmann::json::array({"/1.0/instances/c1"}));
    CHECK(j.at("config") == nlohmann::json::object());
    CHECK(nlohmann::json::parse(api::to_json(std::vector<api::StorageVolume>{v, v})).size() == 2);
}

TEST_CASE("storage volume JSON: wrong types name the field") {
    CHECK(parse_error(R"({"name":5})").key() == "name");
    CHECK(parse_error(R"({"name":"a","type":1})").key() == "type");
    CHECK(parse_error(R"({"name":"a","config":{"size":5}})").key() == "config.size");
    CHECK(parse_error(R"({"name":"a","config":[]})").key() == "config");
    CHECK(parse_error("[1]").code() == ErrorCode::InvalidArgument);
    CHECK(parse_error("{").code() == ErrorCode::InvalidArgument);
    CHECK(parse_error(R"({"description":[]})", true).key() == "description");
    CHECK(parse_error(R"({"config":{"user.x":true}})", true).key() == "config.user.x");
}
