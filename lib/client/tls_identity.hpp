#pragma once
// TLS identities and certificate helpers shared by the daemon (its server certificate,
// <state>/instanced/server.crt) and the library's REST client (its client certificate,
// <state>/client.crt): self-signed EC P-384 certificates made on first use, fingerprints, PEM/DER
// and base64 conversions.

#include <filesystem>
#include <string>

namespace li::tls {

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

/// Loads a client certificate (cert_file, key_file mode 0600), making one first when either is
/// missing: EC P-384, ten years, CN root@<host>, usable for clientAuth (what lxc makes for itself).
ServerIdentity load_or_create_client_identity(const std::filesystem::path& cert_file,
                                              const std::filesystem::path& key_file);

/// The PEM text of a file; NotFound naming the path when it cannot be read.
std::string read_file_text(const std::filesystem::path& path);

/// The DER bytes of a PEM certificate; InvalidArgument (key field) when it is not one.
std::string pem_to_der(const std::string& pem, const std::string& field);
/// A PEM certificate from base64 DER (whitespace and PEM armour tolerated, as pylxd sends it).
std::string base64_der_to_pem(const std::string& text, const std::string& field);
std::string der_to_pem(const std::string& der);
std::string sha256_hex(const std::string& bytes);
std::string base64_decode(const std::string& text);
std::string base64_encode(const std::string& bytes);

}  // namespace li::tls
