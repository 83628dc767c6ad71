#include "client/rest_trust.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/rest_transport.hpp"
#include "client/tls_identity.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

using nlohmann::json;

TrustToken decode_trust_token(std::string_view token) {
    std::string decoded = tls::base64_decode(std::string(token));
    json doc = decoded.empty() ? json() : json::parse(decoded, nullptr, false);
    if (!doc.is_object()) throw Error::invalid("token", "the trust token is not valid (not base64 JSON)");
    TrustToken t;
    auto str = [&](const char* key) {
        auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    t.client_name = str("client_name");
    t.fingerprint = str("fingerprint");
    t.secret = str("secret");
    t.expires_at = str("expires_at");
    if (auto it = doc.find("addresses"); it != doc.end() && it->is_array())
        for (const auto& a : *it)
            if (a.is_string()) t.addresses.push_back(a.get<std::string>());
    if (t.secret.empty()) throw Error::invalid("token", "the trust token has no secret");
    if (t.fingerprint.size() != 64 || t.fingerprint.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw Error::invalid("token", "the trust token has no valid server fingerprint");
    return t;
}

std::string trust_with_token(const std::string& url, std::string_view token, const TrustToken& decoded,
                             const std::string& client_certificate, const std::string& client_key) {
    RestTransport rest(RestConnectionParams{url, client_certificate, client_key, {}, decoded.fingerprint});
    json server;
    try {
        server = rest.get("/1.0").metadata;
    } catch (const Error& e) {
        if (e.code() == ErrorCode::PermissionDenied && e.key() == "fingerprint")
            throw Error(ErrorCode::PermissionDenied,
                        fmt::format("the server at {} is not the one the token was made for (its certificate does not match the "
                                    "token's fingerprint): {}",
                                    url, e.what()),
                        "token");
        throw;
    }
    if (server.value("auth", "") != "trusted") {
        json body{{"type", "client"}, {"password", std::string(token)}};
        try {
            rest.request("POST", "/1.0/certificates", &body);
        } catch (const Error& e) {
            if (e.code() != ErrorCode::PermissionDenied) throw;
            throw Error(ErrorCode::PermissionDenied,
                        fmt::format("the server refused the trust token (already used, cancelled or not made there): {}", e.what()),
                        "token");
        }
        rest.close();  // trust is decided per TLS connection
        if (rest.get("/1.0").metadata.value("auth", "") != "trusted")
            throw Error(ErrorCode::PermissionDenied, "the server accepted the token but does not trust this client", "token");
    }
    return rest.peer_certificate();
}

}  // namespace li::rest
