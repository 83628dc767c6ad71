// Manager::connect: a Manager whose core speaks REST to a daemon instead of opening a state dir.
#include <fmt/format.h>

#include "client/rest_transport.hpp"
#include "core/manager_core.hpp"
#include "libinstance/error.hpp"
#include "libinstance/manager.hpp"

namespace li {

std::shared_ptr<Manager> Manager::connect(const ConnectOptions& opts) {
    if (opts.client_certificate.empty() != opts.client_key.empty())
        throw Error::invalid(opts.client_key.empty() ? "client_key" : "client_certificate",
                             "a client certificate and its key go together");
    auto rest = std::make_shared<RestTransport>(
        RestConnectionParams{opts.url, opts.client_certificate, opts.client_key, opts.server_certificate, {}});
    auto server = rest->get("/1.0").metadata;
    std::string auth = server.is_object() ? server.value("auth", "") : "";
    if (auth != "trusted")
        throw Error(ErrorCode::PermissionDenied,
                    fmt::format("{} does not trust this client (auth \"{}\"): add its certificate first (a trust token)", opts.url, auth),
                    "client_certificate");
    return std::make_shared<Manager>(std::make_shared<ManagerCore>(ManagerCore::Connected{}, rest));
}

}  // namespace li
