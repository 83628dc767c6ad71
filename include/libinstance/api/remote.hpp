#pragma once
// Image servers (lxc's remotes) and copying images from them (LXD's api.ImagesPost).

#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/image.hpp"

namespace li::api {

/// An image server, as lxc keeps them in its config.yml; here kept in the state directory.
struct Remote {
    std::string name;
    std::string url;                         ///< https://host[:port][/path]
    std::string protocol = "simplestreams";  ///< "simplestreams" (an image server) or "lxd" (a daemon: RemoteStore::connect)
    bool public_ = false;
    /// PEM certificate to trust for this server instead of the system CAs (self-signed servers).
    std::string certificate;
};

/// Where an image comes from: LXD's api.ImagesPostSource (type "image", mode "pull").
struct ImageSource {
    /// A server URL, or the name of a remote (its URL, protocol and certificate are used).
    std::string server;
    std::string protocol = "simplestreams";
    std::string alias;        ///< alias on the server, or empty
    std::string fingerprint;  ///< fingerprint (or unique prefix) on the server, or empty
    std::string certificate;  ///< PEM to trust; empty: the remote's, else the system CAs
};

/// LXD's api.ImagesPost for a copy from a server.
struct ImagesPost {
    ImageSource source;
    std::vector<ImageAliasRef> aliases;  ///< local aliases to create
    bool public_ = false;
    bool auto_update = false;  ///< ImageStore::refresh() follows the source
    bool copy_aliases = false; ///< not in LXD's body (lxc --copy-aliases): take the server's aliases
    bool cached = false;       ///< pulled implicitly (a launch); such images get no aliases
};

Remote remote_from_json(std::string_view json);
std::string to_json(const Remote& remote);
std::string to_json(const std::vector<Remote>& remotes);
/// Parses an ImagesPost document; bad fields raise InvalidArgument naming the field.
ImagesPost images_post_from_json(std::string_view json);

}  // namespace li::api
