#include "remote/server.hpp"

#include <fmt/format.h>

#include "core/manager_core.hpp"
#include "image/metadata.hpp"
#include "libinstance/error.hpp"
#include "remote/http_client.hpp"
#include "store/remote_repo.hpp"

namespace li {

namespace {

// Index and catalog documents are small; a server sending more is refused, not buffered.
constexpr uint64_t kMaxCatalogBytes = uint64_t{64} << 20;

}  // namespace

void validate_server_url(std::string_view url, const std::string& key) {
    if (!url.starts_with("https://"))
        throw Error::invalid(key, fmt::format("image server URL \"{}\" must start with https://", url));
    std::string_view rest = url.substr(8);
    if (rest.empty() || rest.front() == '/' || rest.front() == ':')
        throw Error::invalid(key, fmt::format("image server URL \"{}\" has no host", url));
    for (char c : url)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
            throw Error::invalid(key, fmt::format("image server URL \"{}\" contains spaces or control characters", url));
}

void validate_protocol(std::string_view protocol, const std::string& key) {
    if (protocol != "simplestreams" && protocol != "lxd")
        throw Error::invalid(key, fmt::format("remote protocol \"{}\" is not supported (\"simplestreams\" or \"lxd\")", protocol));
}

ServerRef resolve_server(ManagerCore& core, const std::string& server, const std::string& protocol,
                         const std::string& certificate, const std::string& key) {
    if (server.empty()) throw Error::invalid(key, "no image server given (a URL or a remote's name)");
    ServerRef ref;
    if (server.find("://") != std::string::npos) {
        validate_server_url(server, key);
        ref.url = server;
        if (!protocol.empty()) ref.protocol = protocol;
    } else {
        auto remote = core.db().read([&](SQLite::Database& db) { return repo::find_remote(db, server); });
        if (!remote) throw Error(ErrorCode::NotFound, fmt::format("remote \"{}\" not found", server), key);
        ref.url = remote->url;
        ref.protocol = protocol.empty() ? remote->protocol : protocol;
        ref.certificate = remote->certificate;
    }
    if (!certificate.empty()) ref.certificate = certificate;
    validate_protocol(ref.protocol, "protocol");
    // An lxd remote is a daemon (RemoteStore::connect), not an image server.
    if (ref.protocol == "lxd")
        throw Error(ErrorCode::NotSupported, fmt::format("image pulls from an lxd remote ({}) are not supported yet", server), "protocol");
    while (ref.url.ends_with('/')) ref.url.pop_back();
    return ref;
}

std::string server_url(const ServerRef& server, std::string_view path) {
    while (path.starts_with('/')) path.remove_prefix(1);
    return fmt::format("{}/{}", server.url, path);
}

std::vector<RemoteImage> fetch_server_images(const ServerRef& server, std::stop_token stop) {
    auto get = [&](std::string_view path) {
        HttpRequest req;
        req.url = server_url(server, path);
        req.certificate = server.certificate;
        req.max_bytes = kMaxCatalogBytes;
        req.stop = stop;
        return http_get(req);
    };
    try {
        std::vector<SsProduct> products;
        for (const auto& path : parse_simplestreams_index(get("streams/v1/index.json"))) {
            // Catalog paths are the server's; one escaping it would make us fetch elsewhere.
            if (path.find("..") != std::string::npos || path.find("://") != std::string::npos)
                throw Error(ErrorCode::Backend, fmt::format("the index lists an unusable catalog path \"{}\"", path));
            auto more = parse_simplestreams_products(get(path));
            products.insert(products.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
        }
        return simplestreams_images(products, host_architecture());
    } catch (const Error& e) {
        throw e.with_context(fmt::format("reading the images of {}", server.url));
    }
}

}  // namespace li
