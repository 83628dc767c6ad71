#pragma once
// Disaster recovery's options and results as the C ABI takes and returns them.

#include <string>
#include <string_view>

#include "libinstance/recover.hpp"

namespace li::api {

/// {"pools": [StoragePoolsPost...]}; NULL/empty text is no options. Bad fields are InvalidArgument
/// naming them (e.g. "pools[1].config").
RecoverOptions recover_options_from_json(std::string_view text);
/// {"unknown_pools": [...], "unknown_volumes": [{pool, project, type, name, snapshot_count}], "dependency_errors": [...]}
std::string recover_result_to_json(const RecoverResult& result);

}  // namespace li::api
