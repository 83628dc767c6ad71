#pragma once
// Becoming trusted by a daemon with a trust token (what `lxc remote add NAME TOKEN` does).

#include <string>
#include <string_view>
#include <vector>

namespace li::rest {

/// A decoded trust token: base64 of LXD's api.CertificateAddToken JSON.
struct TrustToken {
    std::string client_name;
    std::string fingerprint;             ///< SHA-256 of the server's certificate (lowercase hex)
    std::vector<std::string> addresses;  ///< host:port the server listens on
    std::string secret;
    std::string expires_at;
};

/// InvalidArgument (key "token") when the text is not such a token.
TrustToken decode_trust_token(std::string_view token);

/// Connects to url checking the server's certificate against the token's fingerprint (before
/// the secret is sent), then presents the client certificate with the token
/// (POST /1.0/certificates) unless already trusted. Returns the server's certificate (PEM) to pin.
/// PermissionDenied (key "token") for a fingerprint mismatch or a refused token.
std::string trust_with_token(const std::string& url, std::string_view token, const TrustToken& decoded,
                             const std::string& client_certificate, const std::string& client_key);

}  // namespace li::rest
