#pragma once
// Validation of object names, with LXD's rules.

#include <string>
#include <string_view>

namespace li {

/// The project a call names: "" means "default".
std::string project_or_default(std::string_view project);
/// How LXD names an object's on-disk and liblxc resources: plain in the default project,
/// "PROJECT_NAME" elsewhere, so names only need to be unique within their project.
std::string project_prefixed_name(const std::string& project, const std::string& name);

/// Instance names are host names: 1-63 of [a-zA-Z0-9-], not starting with a digit or '-', not
/// ending with '-'. Throws InvalidArgument (key "name") naming the value.
void validate_instance_name(std::string_view name);
/// Image aliases ("debian/12" is fine, as in LXD): non-empty, no control characters, at most 255.
void validate_alias_name(std::string_view alias, std::string_view key = "alias");

/// Snapshot names (of instances and volumes), as LXD takes them: 1-255 characters, no '/', not
/// "." or "..", no whitespace or control characters. Throws InvalidArgument naming `key`.
void validate_snapshot_name(std::string_view name, std::string_view key = "name");

}  // namespace li
