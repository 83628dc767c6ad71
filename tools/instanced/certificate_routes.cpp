#include "certificate_routes.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "daemon.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

std::string random_hex(size_t bytes) {
    std::string raw(bytes, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
    std::string out;
    for (unsigned char c : raw) out += fmt::format("{:02x}", c);
    return out;
}

std::vector<std::string> string_list(const json& body, const char* key) {
    std::vector<std::string> out;
    if (!body.contains(key) || body[key].is_null()) return out;
    if (!body[key].is_array()) throw Error::invalid(key, fmt::format("field \"{}\" must be a list of strings", key));
    for (const auto& v : body[key]) {
        if (!v.is_string()) throw Error::invalid(key, fmt::format("field \"{}\" must be a list of strings", key));
        out.push_back(v);
    }
    return out;
}

void check_type(const json& body) {
    std::string type = body.value("type", "");
    if (type.empty()) throw Error::invalid("type", "field \"type\" is required (\"client\")");
    if (type != "client") throw Error(ErrorCode::NotSupported, fmt::format("certificate type \"{}\" is not supported", type), "type");
}

void check_projects(Manager& manager, const std::vector<std::string>& projects) {
    for (const auto& p : projects)
        if (!manager.projects().exists(p)) throw Error(ErrorCode::NotFound, fmt::format("project \"{}\" not found", p), "projects");
}

// The secret in what `lxc remote add` sends as password: the whole token (base64 JSON), or the
// bare secret.
std::string secret_of(const std::string& password) {
    std::string decoded = base64_decode(password);
    json token = json::parse(decoded, nullptr, false);
    if (token.is_object() && token.contains("secret") && token["secret"].is_string()) return token["secret"];
    return password;
}

// The live token operation holding secret, or nullptr.
std::shared_ptr<DaemonOperation> token_for(Daemon& daemon, const std::string& secret) {
    for (const auto& op : daemon.operations().list()) {
        json doc = op->document();
        if (doc.value("class", "") != "token" || doc.value("status_code", 0) != 103) continue;
        const json& meta = doc["metadata"];
        if (meta.is_object() && meta.value("secret", "") == secret) return op;
    }
    return nullptr;
}

Response created(const std::string& fingerprint) {
    Response res = sync_response(nullptr, http::status::created);
    res.set(http::field::location, "/1.0/certificates/" + fingerprint);
    return res;
}

}  // namespace

void add_certificate_routes(Router& router, Daemon& daemon) {
    router.add(http::verb::get, "/1.0/certificates", [&daemon](const Call& call) -> Reply {
        json out = json::array();
        for (const auto& c : daemon.trust().list())
            out.push_back(call.recursion() > 0 ? to_json(c) : json("/1.0/certificates/" + c.fingerprint));
        return sync_response(out);
    });
    router.add(http::verb::post, "/1.0/certificates", [&daemon](const Call& call) -> Reply {
        json body = body_object(call);
        const Identity& id = *call.identity;
        if (!id.trusted) {
            // An untrusted HTTPS client may only present a token, for its own certificate.
            std::string password = body.value("password", "");
            if (password.empty() || id.certificate_der.empty()) throw Error(ErrorCode::PermissionDenied, "not authorized");
            auto token = token_for(daemon, secret_of(password));
            if (!token) throw Error(ErrorCode::PermissionDenied, "No matching certificate add operation found");
            json request = token->document()["metadata"]["request"];
            TrustedCertificate cert;
            cert.certificate = der_to_pem(id.certificate_der);
            cert.fingerprint = id.fingerprint;
            cert.name = request.value("name", "");
            cert.restricted = request.value("restricted", false);
            cert.projects = string_list(request, "projects");
            daemon.trust().add(cert);
            token->finish_cancelled();  // used up: a token admits one client
            return created(cert.fingerprint);
        }
        check_type(body);
        std::vector<std::string> projects = string_list(body, "projects");
        check_projects(daemon.manager(), projects);
        if (body.value("token", false)) {
            DaemonOperationSpec spec;
            spec.class_ = "token";
            spec.description = "Executing operation";
            json request = body;
            request.erase("password");
            auto addresses = daemon.https_addresses();
            if (addresses.empty())
                throw Error::invalid("token", "the server does not listen on the network: set core.https_address first");
            spec.metadata = json{{"request", request},
                                 {"secret", random_hex(32)},
                                 {"fingerprint", daemon.server_identity().fingerprint},
                                 {"addresses", addresses},
                                 {"expiresAt", "0001-01-01T00:00:00Z"}};
            auto op = daemon.operations().create(spec);
            op->on_cancel([op] { op->finish_cancelled(); });
            op->set_running();
            return async_response(*op);
        }
        TrustedCertificate cert;
        std::string given = body.value("certificate", "");
        if (!given.empty()) cert.certificate = base64_der_to_pem(given, "certificate");
        else if (!id.certificate_der.empty()) cert.certificate = der_to_pem(id.certificate_der);
        else throw Error::invalid("certificate", "field \"certificate\" is required (base64 DER)");
        cert.fingerprint = sha256_hex(pem_to_der(cert.certificate, "certificate"));
        cert.name = body.value("name", "");
        cert.restricted = body.value("restricted", false);
        cert.projects = projects;
        cert.description = body.value("description", "");
        daemon.trust().add(cert);
        return created(cert.fingerprint);
    });
    router.add(http::verb::get, "/1.0/certificates/{fingerprint}", [&daemon](const Call& call) -> Reply {
        auto cert = daemon.trust().get(call.params.at("fingerprint"));
        return sync_with_etag(to_json(cert), sha256_hex(to_json(cert).dump()));
    });
    auto update = [&daemon](const Call& call, bool patch) -> Reply {
        auto cert = daemon.trust().get(call.params.at("fingerprint"));
        std::string if_match = call.if_match();
        if (!if_match.empty() && if_match != sha256_hex(to_json(cert).dump()))
            throw Error(ErrorCode::Conflict, "ETag doesn't match", "etag");
        json body = body_object(call);
        if (!patch || body.contains("type")) check_type(body);
        if (!patch || body.contains("name")) cert.name = body.value("name", "");
        if (!patch || body.contains("restricted")) cert.restricted = body.value("restricted", false);
        if (!patch || body.contains("projects")) cert.projects = string_list(body, "projects");
        if (!patch || body.contains("description")) cert.description = body.value("description", "");
        check_projects(daemon.manager(), cert.projects);
        daemon.trust().replace(cert);
        return sync_response(json::object());
    };
    router.add(http::verb::put, "/1.0/certificates/{fingerprint}", [update](const Call& call) { return update(call, false); });
    router.add(http::verb::patch, "/1.0/certificates/{fingerprint}", [update](const Call& call) { return update(call, true); });
    router.add(http::verb::delete_, "/1.0/certificates/{fingerprint}", [&daemon](const Call& call) -> Reply {
        daemon.trust().remove(daemon.trust().get(call.params.at("fingerprint")).fingerprint);
        return sync_response(json::object());
    });
}

}  // namespace li::daemon
