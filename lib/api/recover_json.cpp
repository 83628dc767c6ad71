#include "api/recover_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/json_fields.hpp"
#include "libinstance/error.hpp"

namespace li::api {

namespace jf = json_fields;
using nlohmann::json;

RecoverOptions recover_options_from_json(std::string_view text) {
    RecoverOptions opts;
    if (text.empty()) return opts;
    json body = jf::parse_object(text, "recovery options");
    if (!body.contains("pools") || body["pools"].is_null()) return opts;
    if (!body["pools"].is_array()) throw Error::invalid("pools", "pools must be a list of storage pool definitions");
    for (size_t i = 0; i < body["pools"].size(); ++i) {
        const json& p = body["pools"][i];
        std::string at = fmt::format("pools[{}]", i);
        if (!p.is_object()) throw Error::invalid(at, fmt::format("{} must be a storage pool definition (an object)", at));
        StoragePoolsPost post;
        post.name = jf::get_string(p, "name", at + ".name");
        post.driver = jf::get_string(p, "driver", at + ".driver");
        post.description = jf::get_string(p, "description", at + ".description");
        post.config = jf::get_string_map(p, "config", at + ".config");
        opts.pools.push_back(std::move(post));
    }
    return opts;
}

std::string recover_result_to_json(const RecoverResult& result) {
    json volumes = json::array();
    for (const auto& v : result.unknown_volumes)
        volumes.push_back({{"pool", v.pool}, {"project", v.project}, {"type", v.type}, {"name", v.name}, {"snapshot_count", v.snapshot_count}});
    return json{{"unknown_pools", result.unknown_pools}, {"unknown_volumes", volumes}, {"dependency_errors", result.dependency_errors}}.dump();
}

}  // namespace li::api
