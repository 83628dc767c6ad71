#include "route_helpers.hpp"

#include "libinstance/error.hpp"

namespace li::daemon {

using nlohmann::json;

json as_json(const std::string& text) { return json::parse(text); }

json operation_document(const Operation& op) { return as_json(api::to_json(op.info())); }

Response async_response(const json& operation) {
    std::string url = "/1.0/operations/" + operation.value("id", std::string());
    Response res{http::status::accepted, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::location, url);
    res.body() = json{{"type", "async"},
                      {"status", "Operation created"},
                      {"status_code", 100},
                      {"operation", url},
                      {"error_code", 0},
                      {"error", ""},
                      {"metadata", operation}}
                     .dump();
    res.prepare_payload();
    return res;
}

Response async_response(const Operation& op) { return async_response(operation_document(op)); }
Response async_response(const DaemonOperation& op) { return async_response(op.document()); }

json body_object(const Call& call) {
    if (call.upload) throw Error::invalid("body", "a JSON body over 1 MiB must be sent as application/json");
    const std::string& body = call.request.body();
    if (body.empty()) return json::object();
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded()) throw Error::invalid("body", "the request body is not valid JSON");
    if (!doc.is_object()) throw Error::invalid("body", "the request body must be a JSON object");
    return doc;
}

std::string project_url(const std::string& url, const std::string& project) {
    return project.empty() || project == "default" ? url : url + "?project=" + project;
}

Response sync_with_etag(const json& metadata, const std::string& etag) {
    Response res = sync_response(metadata);
    res.set(http::field::etag, "\"" + etag + "\"");
    return res;
}

}  // namespace li::daemon
