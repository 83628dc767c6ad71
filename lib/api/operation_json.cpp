#include <nlohmann/json.hpp>

#include "libinstance/api/operation.hpp"

namespace li::api {

using nlohmann::json;

std::string_view operation_status_name(int status_code) {
    switch (status_code) {
    case 100: return "Operation created";
    case 101: return "Started";
    case 102: return "Stopped";
    case 103: return "Running";
    case 104: return "Cancelling";
    case 105: return "Pending";
    case 200: return "Success";
    case 400: return "Failure";
    case 401: return "Cancelled";
    default: return "Unknown";
    }
}

namespace {
json operation_to_json(const Operation& op) {
    return json{
        {"id", op.id},
        {"class", op.class_},
        {"description", op.description},
        {"created_at", op.created_at},
        {"updated_at", op.updated_at},
        {"status", op.status},
        {"status_code", op.status_code},
        {"resources", op.resources},
        {"metadata", op.metadata},
        {"may_cancel", op.may_cancel},
        {"err", op.err},
        {"location", op.location},
    };
}
}  // namespace

std::string to_json(const Operation& op) { return operation_to_json(op).dump(); }

std::string to_json(const std::vector<Operation>& ops) {
    json out = json::array();
    for (const auto& op : ops) out.push_back(operation_to_json(op));
    return out.dump();
}

}  // namespace li::api
