#pragma once
// The client certificates trusted over HTTPS (LXD's /1.0/certificates), kept in
// <state>/instanced/certificates.json, written whole and renamed into place on each change.

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace li::daemon {

struct TrustedCertificate {
    std::string name;
    std::string type = "client";
    std::string certificate;  ///< PEM
    std::string fingerprint;  ///< SHA-256 of the DER, hex
    bool restricted = false;  ///< limited to projects
    std::vector<std::string> projects;
    std::string description;
};

/// LXD's api.Certificate.
nlohmann::json to_json(const TrustedCertificate& cert);

class TrustStore {
public:
    explicit TrustStore(std::filesystem::path file);
    std::vector<TrustedCertificate> list();
    /// The certificate with this fingerprint (exact), if trusted.
    std::optional<TrustedCertificate> find(const std::string& fingerprint);
    /// By fingerprint or a unique prefix of one; NotFound otherwise.
    TrustedCertificate get(const std::string& fingerprint_prefix);
    /// AlreadyExists (key "certificate") when trusted already.
    void add(const TrustedCertificate& cert);
    void replace(const TrustedCertificate& cert);
    void remove(const std::string& fingerprint);

private:
    std::vector<TrustedCertificate> load();
    void save(const std::vector<TrustedCertificate>& certs);
    std::filesystem::path file_;
    std::mutex mutex_;
};

}  // namespace li::daemon
