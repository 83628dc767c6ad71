#pragma once
// The daemon's TLS identity: a self-signed server certificate kept in the state directory
// (<state>/instanced/server.crt and server.key, made on first use), and the certificate helpers
// the trust store and the endpoints share.

#include <filesystem>
#include <string>

namespace li::daemon {

struct ServerIdentity {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
    std::string cert_pem;
    std::string fingerprint;  ///< SHA-256 of the DER, lowercase hex
};

/// Loads the server certificate, making one first when there is none: EC P-384, ten years, a DNS
/// name (the host name, first, as LXD's client verifies the first DNS SAN), localhost and
/// 127.0.0.1/::1, usable for serverAuth.
ServerIdentity load_or_create_server_identity(const std::filesystem::path& dir);

/// The DER bytes of a PEM certificate; InvalidArgument (key field) when it is not one.
std::string pem_to_der(const std::string& pem, const std::string& field);
/// A PEM certificate from base64 DER (whitespace and PEM armour tolerated, as pylxd sends it).
std::string base64_der_to_pem(const std::string& text, const std::string& field);
std::string der_to_pem(const std::string& der);
std::string sha256_hex(const std::string& bytes);
std::string base64_decode(const std::string& text);
std::string base64_encode(const std::string& bytes);

}  // namespace li::daemon
