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

/// An instance (or, with an empty name, a server) as `[<remote>:]<name>`: without a prefix, the
/// default remote (`inst remote switch`), as lxc's; "local:" is the state directory.
RemoteRef instance_ref(Context& ctx, const std::string& arg);

/// The images `inst image list [<remote>:] [<filter>...]` shows: a remote's when the first
/// argument names one (its "REMOTE:" prefix is then removed from filters), else the default
/// remote's (lxc's); an lxd remote's come from its daemon's store.
std::vector<api::Image> images_for_listing(Context& ctx, std::vector<std::string>& filters);

/// The image `[<remote>:]<image>` names (no prefix: the default remote): an image server's (as
/// the server describes it), an lxd remote daemon's, or a local one.
api::Image image_for_ref(Context& ctx, const std::string& arg);

/// Fills the source of an instance created on `target_remote` ("" local) from
/// `[<remote>:]<image>` (no prefix: the default remote): an image of the target itself by alias
/// or fingerprint, or one of an image server, pulled at create. Copying an image from another
/// daemon is refused.
void set_instance_source(Context& ctx, const std::string& arg, api::InstanceSource& source,
                         const std::string& target_remote = {});

}  // namespace li::cli
