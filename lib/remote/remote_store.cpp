// RemoteStore: the image servers known to a state directory.
#include "libinstance/remote.hpp"

#include <fmt/format.h>

#include "client/rest_trust.hpp"
#include "client/tls_identity.hpp"
#include "core/manager_core.hpp"
#include "libinstance/manager.hpp"
#include "libinstance/error.hpp"
#include "remote/http_client.hpp"
#include "remote/server.hpp"
#include "store/remote_repo.hpp"

namespace li {

namespace {

// lxc refuses ':' and '/' in remote names (they split REMOTE:IMAGE); we keep to a safe set.
void validate_remote_name(std::string_view name, const std::string& key = "name") {
    if (name.empty()) throw Error::invalid(key, "remote name must not be empty");
    if (name.size() > 64) throw Error::invalid(key, fmt::format("remote name \"{}\" is longer than 64 characters", name));
    if (!std::isalnum(static_cast<unsigned char>(name.front())))
        throw Error::invalid(key, fmt::format("remote name \"{}\" must start with a letter or digit", name));
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            throw Error::invalid(key, fmt::format("remote name \"{}\" may only contain letters, digits, '-', '_' and '.'", name));
    }
    if (name == "local") throw Error::invalid(key, "remote name \"local\" is reserved (it means this state directory)");
}

void validate_certificate(const std::string& pem) {
    if (pem.empty()) return;
    if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        throw Error::invalid("certificate", "certificate must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
}

// This state directory's client identity, as lxc keeps client.crt/client.key in its config dir.
tls::ServerIdentity client_identity(ManagerCore& core) {
    return tls::load_or_create_client_identity(core.state_dir() / "client.crt", core.state_dir() / "client.key");
}

}  // namespace

RemoteStore::RemoteStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

std::string RemoteStore::client_certificate() {
    core_->refuse_remote("the client certificate of a connected manager");
    return client_identity(*core_).cert_pem;
}

void RemoteStore::add_with_token(const api::Remote& remote_in, std::string_view token) {
    core_->refuse_remote("adding remotes");
    api::Remote remote = remote_in;
    rest::TrustToken decoded = rest::decode_trust_token(token);
    if (remote.url.empty()) {
        if (decoded.addresses.empty()) throw Error::invalid("url", "no URL given and the token names no address");
        remote.url = "https://" + decoded.addresses.front();
    }
    remote.protocol = "lxd";
    remote.public_ = false;
    validate_remote_name(remote.name);
    validate_server_url(remote.url, "url");
    while (remote.url.ends_with('/')) remote.url.pop_back();
    // Refuse a taken name before the token is used up on the server.
    if (core_->db().read([&](SQLite::Database& db) { return repo::find_remote(db, remote.name).has_value(); }))
        throw Error(ErrorCode::AlreadyExists, fmt::format("remote \"{}\" already exists", remote.name), "name");
    auto identity = client_identity(*core_);
    remote.certificate = rest::trust_with_token(remote.url, token, decoded, identity.cert_pem,
                                                tls::read_file_text(identity.key_file));
    add(remote);
}

std::shared_ptr<Manager> RemoteStore::connect(std::string_view name) {
    core_->refuse_remote("connecting to a remote from a connected manager");
    api::Remote remote = get(name);
    if (remote.protocol != "lxd")
        throw Error::invalid("name", fmt::format("remote \"{}\" is an image server ({}), not a daemon", name, remote.protocol));
    auto identity = client_identity(*core_);
    return Manager::connect(ConnectOptions{remote.url, identity.cert_pem, tls::read_file_text(identity.key_file), remote.certificate});
}

void RemoteStore::add(const api::Remote& remote_in) {
    core_->refuse_remote("adding remotes");
    api::Remote remote = remote_in;
    validate_remote_name(remote.name);
    validate_server_url(remote.url, "url");
    if (remote.protocol.empty()) remote.protocol = "simplestreams";
    validate_protocol(remote.protocol, "protocol");
    validate_certificate(remote.certificate);
    while (remote.url.ends_with('/')) remote.url.pop_back();
    core_->db().transaction([&](SQLite::Database& db) {
        if (repo::find_remote(db, remote.name))
            throw Error(ErrorCode::AlreadyExists, fmt::format("remote \"{}\" already exists", remote.name), "name");
        repo::insert_remote(db, remote);
    });
}

std::vector<api::Remote> RemoteStore::list() {
    core_->refuse_remote("listing remotes");
    return core_->db().read([](SQLite::Database& db) { return repo::list_remotes(db); });
}

api::Remote RemoteStore::get(std::string_view name) {
    core_->refuse_remote("remotes");
    auto r = core_->db().read([&](SQLite::Database& db) { return repo::find_remote(db, std::string(name)); });
    if (!r) throw Error(ErrorCode::NotFound, fmt::format("remote \"{}\" not found", name), "name");
    return *r;
}

void RemoteStore::remove(std::string_view name) {
    core_->refuse_remote("removing remotes");
    bool deleted = core_->db().transaction([&](SQLite::Database& db) { return repo::delete_remote(db, std::string(name)); });
    if (!deleted) throw Error(ErrorCode::NotFound, fmt::format("remote \"{}\" not found", name), "name");
}

void RemoteStore::rename(std::string_view from, std::string_view to) {
    core_->refuse_remote("renaming remotes");
    validate_remote_name(to, "new_name");
    core_->db().transaction([&](SQLite::Database& db) {
        if (!repo::find_remote(db, std::string(from)))
            throw Error(ErrorCode::NotFound, fmt::format("remote \"{}\" not found", from), "name");
        if (repo::find_remote(db, std::string(to)))
            throw Error(ErrorCode::AlreadyExists, fmt::format("remote \"{}\" already exists", to), "new_name");
        repo::rename_remote(db, std::string(from), std::string(to));
    });
}

std::vector<api::Image> RemoteStore::images(std::string_view remote) {
    core_->refuse_remote("listing a remote's images");
    ServerRef server = resolve_server(*core_, std::string(get(remote).name), "", "", "remote");
    std::vector<api::Image> out;
    for (auto& r : fetch_server_images(server)) out.push_back(std::move(r.image));
    return out;
}

api::Image RemoteStore::image(std::string_view remote, std::string_view ref) {
    core_->refuse_remote("a remote's images");
    ServerRef server = resolve_server(*core_, std::string(get(remote).name), "", "", "remote");
    auto images = fetch_server_images(server);
    const RemoteImage* found = find_remote_image(images, ref, "ref");
    if (!found) throw Error(ErrorCode::NotFound, fmt::format("image \"{}\" not found on remote \"{}\"", ref, remote), "ref");
    return found->image;
}

std::string RemoteStore::fetch_certificate(std::string_view url) {
    validate_server_url(url, "url");
    return fetch_server_certificate(std::string(url));
}

}  // namespace li
