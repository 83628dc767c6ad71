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

/// The remotes of one Manager. Names: 1-64 of [A-Za-z0-9._-], starting with a letter or digit;
/// "local" is reserved (it means the state directory itself, as in lxc).
class RemoteStore {
public:
    explicit RemoteStore(std::shared_ptr<ManagerCore> core);

    /// Adds a remote. InvalidArgument for a bad name ("name"), URL ("url") or protocol
    /// ("protocol"); AlreadyExists when the name is taken.
    void add(const api::Remote& remote);
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
