#pragma once
// What most handlers share: LXD's async answer for an operation, request bodies as JSON, URLs of
// project-scoped objects.

#include <nlohmann/json.hpp>
#include <string>

#include "daemon_operations.hpp"
#include "libinstance/operation.hpp"
#include "router.hpp"

namespace li::daemon {

/// LXD's operation document for a library operation.
nlohmann::json operation_document(const Operation& op);
/// 202 with the operation and its Location, as LXD answers async requests.
Response async_response(const nlohmann::json& operation);
Response async_response(const Operation& op);
Response async_response(const DaemonOperation& op);
/// The request body as a JSON object; InvalidArgument (400) naming what is wrong otherwise.
nlohmann::json body_object(const Call& call);
/// url plus "?project=NAME" outside the default project, as LXD writes URLs.
std::string project_url(const std::string& url, const std::string& project);
/// A sync answer with the quoted ETag header.
Response sync_with_etag(const nlohmann::json& metadata, const std::string& etag);
/// A library type's to_json() text as JSON.
nlohmann::json as_json(const std::string& text);

}  // namespace li::daemon
