#pragma once
// LXD REST schema types for operations and events (api.Operation, api.Event).

#include <map>
#include <string>
#include <vector>

namespace li::api {

/// LXD's api.Operation.
struct Operation {
    std::string id;
    std::string class_ = "task";
    std::string description;
    std::string created_at;
    std::string updated_at;
    std::string status = "Pending";
    int status_code = 105;
    std::map<std::string, std::vector<std::string>> resources;  // e.g. {"instances": ["/1.0/instances/c1"]}
    std::map<std::string, std::string> metadata;                // e.g. {"create_instance_from_image_unpack_progress": "Unpack: 40%"}
    bool may_cancel = false;
    std::string err;
    std::string location = "none";
    std::string project = "default";
};

std::string to_json(const Operation& op);
std::string to_json(const std::vector<Operation>& ops);

/// LXD's operation status names: 103 Running, 105 Pending, 200 Success, 400 Failure, 401 Cancelled, ...
std::string_view operation_status_name(int status_code);

}  // namespace li::api
