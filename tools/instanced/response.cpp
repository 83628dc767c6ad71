#include "response.hpp"

namespace li::daemon {

namespace {

Response json_response(http::status status, const nlohmann::json& body) {
    Response res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = body.dump();
    res.prepare_payload();
    return res;
}

}  // namespace

Response sync_response(const nlohmann::json& metadata, http::status status) {
    return json_response(status, {{"type", "sync"},
                                  {"status", "Success"},
                                  {"status_code", 200},
                                  {"operation", ""},
                                  {"error_code", 0},
                                  {"error", ""},
                                  {"metadata", metadata}});
}

Response error_response(http::status status, std::string_view message) {
    int code = static_cast<int>(status);
    return json_response(status, {{"type", "error"},
                                  {"status", ""},
                                  {"status_code", 0},
                                  {"operation", ""},
                                  {"error_code", code},
                                  {"error", message},
                                  {"metadata", nullptr}});
}

}  // namespace li::daemon
