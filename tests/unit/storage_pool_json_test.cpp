// JSON of LXD's storage pool update and resources documents: fields, round trips and fields of the
// wrong type named in the error.
#include <doctest.h>
#include <nlohmann/json.hpp>

#include "libinstance/api/storage.hpp"
#include "libinstance/error.hpp"

using namespace li;

TEST_CASE("StoragePoolPut: description and config; a whole StoragePool is accepted") {
    auto put = api::storage_pool_put_from_json(R"({"name":"x","driver":"btrfs","description":"d","config":{"size":"8GiB"},"used_by":[]})");
    CHECK(put.description == "d");
    CHECK(put.config == std::map<std::string, std::string>{{"size", "8GiB"}});
    CHECK(nlohmann::json::parse(api::to_json(put)) == nlohmann::json::parse(R"({"description":"d","config":{"size":"8GiB"}})"));
    api::StoragePool pool;
    pool.description = "p";
    pool.config = {{"source", "/s"}};
    auto back = api::put_of(pool);
    CHECK(back.description == "p");
    CHECK(back.config == pool.config);
    auto empty = api::storage_pool_put_from_json("{}");
    CHECK(empty.description.empty());
    CHECK(empty.config.empty());
}

TEST_CASE("StoragePoolPut: fields of the wrong type are named") {
    auto key_of = [](std::string_view text) {
        try {
            api::storage_pool_put_from_json(text);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::InvalidArgument);
            return e.key();
        }
        FAIL("no error for " << text);
        return std::string();
    };
    CHECK(key_of(R"({"description":7})") == "description");
    CHECK(key_of(R"({"config":{"size":5}})").rfind("config", 0) == 0);
    CHECK(key_of("[1]") == "body");
    CHECK_FALSE(key_of("{").empty());
}

TEST_CASE("ResourcesStoragePool: LXD's JSON shape") {
    api::ResourcesStoragePool r;
    r.space = {10, 100};
    r.inodes = {3, 0};
    CHECK(nlohmann::json::parse(api::to_json(r)) ==
          nlohmann::json::parse(R"({"space":{"used":10,"total":100},"inodes":{"used":3,"total":0}})"));
}
