#pragma once
// `REMOTE:NAME` arguments, as lxc splits them: a known remote's name before the first ':'.

#include <string>
#include <vector>

#include "libinstance/api/image.hpp"
#include "libinstance/api/instance.hpp"

namespace li::cli {

class Context;

/// A parsed `[<remote>:]<name>`; remote is empty for the local store ("local:" or no prefix).
struct RemoteRef {
    std::string remote;
    std::string name;
};

/// Splits arg; a prefix that is not a remote is lxc's error "The remote "x" doesn't exist".
RemoteRef parse_remote_ref(Context& ctx, const std::string& arg);

/// The images `inst image list [<remote>:] [<filter>...]` shows: a remote's when the first
/// argument names one (its "REMOTE:" prefix is then removed from filters), else the local ones.
std::vector<api::Image> images_for_listing(Context& ctx, std::vector<std::string>& filters);

/// The image `[<remote>:]<image>` names: a remote's (as the server describes it) or a local one.
api::Image image_for_ref(Context& ctx, const std::string& arg);

/// Fills an instance source from `[<remote>:]<image>`: a remote's image is pulled at create.
void set_instance_source(Context& ctx, const std::string& arg, api::InstanceSource& source);

}  // namespace li::cli
