#pragma once
// An image server to talk to: a remote's name or a URL, resolved, and its catalog fetched.

#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "remote/simplestreams.hpp"

namespace li {

class ManagerCore;

struct ServerRef {
    std::string url;  ///< without a trailing '/'
    std::string protocol = "simplestreams";
    std::string certificate;  ///< PEM to trust, or empty for the system CAs
};

/// Checks a server URL: https:// and a host. InvalidArgument naming key otherwise.
void validate_server_url(std::string_view url, const std::string& key);
/// Checks a remote protocol name: "simplestreams" (image servers) or "lxd" (daemons, spoken to by
/// RemoteStore::connect). InvalidArgument naming key otherwise.
void validate_protocol(std::string_view protocol, const std::string& key);

/// `server` is a URL or the name of a remote (whose URL, protocol and certificate then apply;
/// an explicit certificate wins). NotFound naming key for an unknown remote.
ServerRef resolve_server(ManagerCore& core, const std::string& server, const std::string& protocol,
                         const std::string& certificate, const std::string& key);

/// base + "/" + path, for a path relative to the server's root.
std::string server_url(const ServerRef& server, std::string_view path);

/// Fetches streams/v1/index.json and its image catalogs; the newest image of each product for
/// this host's architecture. Errors name the server.
std::vector<RemoteImage> fetch_server_images(const ServerRef& server, std::stop_token stop = {});

}  // namespace li
