#include "trust_store.hpp"

#include <fmt/format.h>
#include <fstream>

#include "libinstance/error.hpp"

namespace li::daemon {

using nlohmann::json;
namespace fs = std::filesystem;

json to_json(const TrustedCertificate& c) {
    return json{{"name", c.name},           {"type", c.type},           {"certificate", c.certificate},
                {"fingerprint", c.fingerprint}, {"restricted", c.restricted}, {"projects", c.projects},
                {"description", c.description}};
}

TrustStore::TrustStore(fs::path file) : file_(std::move(file)) {}

std::vector<TrustedCertificate> TrustStore::load() {
    std::vector<TrustedCertificate> out;
    std::ifstream in(file_);
    if (!in) return out;
    json doc = json::parse(in, nullptr, false);
    if (!doc.is_array()) throw Error(ErrorCode::Backend, fmt::format("{} is damaged", file_.string()));
    for (const auto& j : doc) {
        TrustedCertificate c;
        c.name = j.value("name", "");
        c.type = j.value("type", "client");
        c.certificate = j.value("certificate", "");
        c.fingerprint = j.value("fingerprint", "");
        c.restricted = j.value("restricted", false);
        c.projects = j.value("projects", std::vector<std::string>{});
        c.description = j.value("description", "");
        out.push_back(std::move(c));
    }
    return out;
}

void TrustStore::save(const std::vector<TrustedCertificate>& certs) {
    json doc = json::array();
    for (const auto& c : certs) doc.push_back(to_json(c));
    fs::create_directories(file_.parent_path());
    fs::path tmp = file_;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << doc.dump(1);
        if (!out.flush()) throw Error(ErrorCode::Backend, fmt::format("writing {} failed", tmp.string()));
    }
    fs::rename(tmp, file_);
}

std::vector<TrustedCertificate> TrustStore::list() {
    std::lock_guard lock(mutex_);
    return load();
}

std::optional<TrustedCertificate> TrustStore::find(const std::string& fingerprint) {
    std::lock_guard lock(mutex_);
    for (auto& c : load())
        if (c.fingerprint == fingerprint) return c;
    return std::nullopt;
}

TrustedCertificate TrustStore::get(const std::string& prefix) {
    std::lock_guard lock(mutex_);
    std::vector<TrustedCertificate> hits;
    for (auto& c : load())
        if (!prefix.empty() && c.fingerprint.rfind(prefix, 0) == 0) hits.push_back(c);
    if (hits.size() == 1) return hits.front();
    if (hits.empty()) throw Error(ErrorCode::NotFound, "Certificate not found", "fingerprint");
    throw Error::invalid("fingerprint", fmt::format("fingerprint prefix \"{}\" matches more than one certificate", prefix));
}

void TrustStore::add(const TrustedCertificate& cert) {
    std::lock_guard lock(mutex_);
    auto certs = load();
    for (const auto& c : certs)
        if (c.fingerprint == cert.fingerprint) throw Error(ErrorCode::AlreadyExists, "Certificate already in trust store", "certificate");
    certs.push_back(cert);
    save(certs);
}

void TrustStore::replace(const TrustedCertificate& cert) {
    std::lock_guard lock(mutex_);
    auto certs = load();
    for (auto& c : certs)
        if (c.fingerprint == cert.fingerprint) {
            c = cert;
            return save(certs);
        }
    throw Error(ErrorCode::NotFound, "Certificate not found", "fingerprint");
}

void TrustStore::remove(const std::string& fingerprint) {
    std::lock_guard lock(mutex_);
    auto certs = load();
    auto n = std::erase_if(certs, [&](const TrustedCertificate& c) { return c.fingerprint == fingerprint; });
    if (n == 0) throw Error(ErrorCode::NotFound, "Certificate not found", "fingerprint");
    save(certs);
}

}  // namespace li::daemon
