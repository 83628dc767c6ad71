#pragma once
// FileInfo (Instance::file_pull / file_stat) as JSON for the C ABI.

#include <string>

#include "libinstance/instance.hpp"

namespace li::api {

/// {"type", "uid", "gid", "mode", "size", "target", "entries"}: LXD's X-LXD-* file headers, with
/// a directory's entries and a symlink's target.
std::string to_json(const FileInfo& info);

}  // namespace li::api
