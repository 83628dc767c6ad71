#pragma once
// Reading a server's image documents (GET /1.0/images, /1.0/images/aliases) into api:: types.
// Lenient like response_json.hpp: a missing or mistyped field keeps its default.

#include <nlohmann/json.hpp>

#include "libinstance/api/image.hpp"

namespace li::rest {

api::Image image_from_json(const nlohmann::json& doc);
api::ImageAliasesEntry image_alias_from_json(const nlohmann::json& doc);

}  // namespace li::rest
