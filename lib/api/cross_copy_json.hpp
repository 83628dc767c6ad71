#pragma once
// JSON of the options of copies and moves to another Manager (CrossCopyOptions), as the C ABI
// takes them.

#include <string_view>

#include "libinstance/cross_copy.hpp"

namespace li::api {

/// `{"project", "pool", "instance_only", "profiles" (null: the source's; []: none), "config",
/// "devices", "ephemeral", "stateless", "refresh"}`; empty text: the defaults. InvalidArgument
/// naming a field of the wrong type or an unknown one.
CrossCopyOptions cross_copy_options_from_json(std::string_view text);

}  // namespace li::api
