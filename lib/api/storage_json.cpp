#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/api/storage.hpp"
#include "libinstance/error.hpp"

namespace li::api {

using nlohmann::json;
namespace jf = json_fields;

namespace {
json pool_to_json(const StoragePool& p) {
    return json{
        {"name", p.name},       {"driver", p.driver},   {"description", p.description}, {"config", p.config},
        {"status", p.status},   {"used_by", p.used_by}, {"locations", p.locations},
    };
}
}  // namespace

StoragePoolsPost storage_pools_post_from_json(std::string_view text) {
    json body = jf::parse(text, "storage pool definition");
    if (!body.is_object()) throw Error::invalid("body", "the storage pool definition must be a JSON object");
    StoragePoolsPost post;
    post.name = jf::get_string(body, "name", "name");
    post.driver = jf::get_string(body, "driver", "driver");
    post.description = jf::get_string(body, "description", "description");
    post.config = jf::get_string_map(body, "config", "config");
    return post;
}

StoragePoolPut storage_pool_put_from_json(std::string_view text) {
    json body = jf::parse(text, "storage pool update");
    if (!body.is_object()) throw Error::invalid("body", "the storage pool update must be a JSON object");
    StoragePoolPut put;
    put.description = jf::get_string(body, "description", "description");
    put.config = jf::get_string_map(body, "config", "config");
    return put;
}

std::string to_json(const StoragePoolPut& p) { return json{{"description", p.description}, {"config", p.config}}.dump(); }

std::string to_json(const ResourcesStoragePool& r) {
    return json{{"space", {{"used", r.space.used}, {"total", r.space.total}}},
                {"inodes", {{"used", r.inodes.used}, {"total", r.inodes.total}}}}
        .dump();
}

StoragePoolPut put_of(const StoragePool& pool) { return StoragePoolPut{pool.description, pool.config}; }

std::string to_json(const StoragePoolsPost& p) {
    return json{{"name", p.name}, {"driver", p.driver}, {"description", p.description}, {"config", p.config}}.dump();
}

std::string to_json(const StoragePool& pool) { return pool_to_json(pool).dump(); }

std::string to_json(const std::vector<StoragePool>& pools) {
    json out = json::array();
    for (const auto& p : pools) out.push_back(pool_to_json(p));
    return out.dump();
}

}  // namespace li::api
