#pragma once
// Reading the server's JSON into the library's api:: types (the library's own converters only
// write these types, and read request bodies strictly). Lenient: a missing field keeps its
// default, as a newer or older server may differ.

#include <nlohmann/json.hpp>

#include "libinstance/api/instance.hpp"
#include "libinstance/api/instance_snapshot.hpp"
#include "libinstance/api/operation.hpp"
#include "libinstance/api/project.hpp"

namespace li::rest {

api::Instance instance_from_json(const nlohmann::json& doc);
api::InstanceState instance_state_from_json(const nlohmann::json& doc);
api::InstanceSnapshot instance_snapshot_from_json(const nlohmann::json& doc);
api::Project project_from_json(const nlohmann::json& doc);
api::Operation operation_from_json(const nlohmann::json& doc);
/// The InstancePut part of an instance document (what a PUT sends back).
api::InstancePut instance_put_of(const api::Instance& instance);

}  // namespace li::rest
