#include "api/file_json.hpp"

#include <nlohmann/json.hpp>

namespace li::api {

std::string to_json(const FileInfo& info) {
    nlohmann::json out{{"type", info.type}, {"uid", info.uid}, {"gid", info.gid},
                       {"mode", info.mode}, {"size", info.size}};
    if (info.type == "symlink") out["target"] = info.target;
    if (info.type == "directory") out["entries"] = info.entries;
    return out.dump();
}

}  // namespace li::api
