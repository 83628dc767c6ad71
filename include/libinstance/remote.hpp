#pragma once
// li::RemoteStore: the image servers (remotes) of a state directory and what they offer.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "libinstance/api/image.hpp"
#include "libinstance/api/remote.hpp"

namespace li {

class ManagerCore;
class Manager;

/// The remotes of one Manager. Names: 1-64 of [A-Za-z0-9._-], starting with a letter or digit;
/// "local" is reserved (it means the state directory itself, as in lxc).
class RemoteStore {
public:
    explicit RemoteStore(std::shared_ptr<ManagerCore> core);

    /// Adds a remote. InvalidArgument for a bad name ("name"), URL ("url") or protocol
    /// ("protocol"); AlreadyExists when the name is taken.
    void add(const api::Remote& remote);
    /// Adds an "lxd" remote (a daemon) with a trust token (`lxc config trust add` on the server;
    /// base64 JSON with client_name, fingerprint, addresses, secret, expires_at), as `lxc remote
    /// add NAME TOKEN` does: connects to remote.url (empty: the token's first address) checking
    /// that the server's certificate has the token's SHA-256 fingerprint, presents this state
    /// directory's client certificate (<state>/client.crt, made on first use) with the token, and
    /// keeps the server's certificate pinned in the remote. InvalidArgument (key "token") for a
    /// token that does not decode; PermissionDenied (key "token") for a fingerprint mismatch or
    /// a token the server refuses (used, expired, forged).
    void add_with_token(const api::Remote& remote, std::string_view token);
    /// A Manager connected to an "lxd" remote (its URL and pinned certificate, this state
    /// directory's client certificate). InvalidArgument (key "name") for an image server.
    std::shared_ptr<Manager> connect(std::string_view name);
    /// This state directory's client certificate (PEM), made on first use: what a daemon must
    /// trust for connect() (e.g. `lxc config trust add client.crt`).
    std::string client_certificate();
    std::vector<api::Remote> list();
    /// NotFound when there is no such remote.
    api::Remote get(std::string_view name);
    void remove(std::string_view name);
    void rename(std::string_view from, std::string_view to);

    /// The images a remote (by name) offers for this host's architecture, newest version of each
    /// product, as LXD Image documents (fingerprint, aliases, properties, size, architecture).
    std::vector<api::Image> images(std::string_view remote);
    /// One image of a remote by alias or fingerprint (prefix).
    api::Image image(std::string_view remote, std::string_view ref);

    /// The PEM certificate a TLS server presents, fetched without verifying it: what
    /// `inst remote add --accept-certificate` pins.
    static std::string fetch_certificate(std::string_view url);

private:
    std::shared_ptr<ManagerCore> core_;
};

}  // namespace li
