// RemoteStore: the image servers known to a state directory.
#include "libinstance/remote.hpp"

#include <fmt/format.h>

#include "core/manager_core.hpp"
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

}  // namespace

RemoteStore::RemoteStore(std::shared_ptr<ManagerCore> core) : core_(std::move(core)) {}

void RemoteStore::add(const api::Remote& remote_in) {
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
    return core_->db().read([](SQLite::Database& db) { return repo::list_remotes(db); });
}

api::Remote RemoteStore::get(std::string_view name) {
    auto r = core_->db().read([&](SQLite::Database& db) { return repo::find_remote(db, std::string(name)); });
    if (!r) throw Error(ErrorCode::NotFound, fmt::format("remote \"{}\" not found", name), "name");
    return *r;
}

void RemoteStore::remove(std::string_view name) {
    bool deleted = core_->db().transaction([&](SQLite::Database& db) { return repo::delete_remote(db, std::string(name)); });
    if (!deleted) throw Error(ErrorCode::NotFound, fmt::format("remote \"{}\" not found", name), "name");
}

void RemoteStore::rename(std::string_view from, std::string_view to) {
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
    ServerRef server = resolve_server(*core_, std::string(get(remote).name), "", "", "remote");
    std::vector<api::Image> out;
    for (auto& r : fetch_server_images(server)) out.push_back(std::move(r.image));
    return out;
}

api::Image RemoteStore::image(std::string_view remote, std::string_view ref) {
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
