#pragma once
// li::NetworkDriver: what a network type does on the host. The store (network_store.cpp) keeps
// the records, validates names, checks users and emits events; a driver validates its config and
// makes, starts, changes and removes the network itself. Instance devices only see NicPlan, so
// they never reach into bridge internals.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libinstance/api/network.hpp"
#include "network/subnet_auto.hpp"
#include "store/network_repo.hpp"

namespace li {

class ManagerCore;

/// What validating a network's config needs to know about the others.
struct NetworkContext {
    /// Subnets of the other managed networks (owner "network \"NAME\"").
    std::vector<net::TakenSubnet> other_networks;
    /// The current config when updating (empty when creating).
    std::map<std::string, std::string> current;
    bool creating = true;
};

/// How an instance's nic with network=NAME is made, decided by the network's driver.
struct NicPlan {
    std::string nictype;  ///< "bridged", "macvlan", "physical"
    std::string parent;   ///< the host interface the nic hangs from
    std::string mtu;      ///< the nic's MTU when the device sets none ("" to leave it)
};

/// An instance's nic on a network, as its start (or hot-plug) and its stop see it.
struct NicUse {
    std::string project;
    std::string instance;
    std::string device;     ///< the nic device's name ("eth0")
    std::string hwaddr;     ///< the MAC the nic has inside
    std::string host_name;  ///< the host side of a veth ("" for macvlan and physical nics)
    std::map<std::string, std::string> config;  ///< the nic device's keys (ipv4.address, security.*, ...)
};

class NetworkDriver {
public:
    virtual ~NetworkDriver() = default;

    /// Validates config (InvalidArgument naming "config.<key>") and returns it with generated
    /// values filled in (e.g. ipv4.address=auto replaced by the chosen subnet).
    virtual std::map<std::string, std::string> validate(const std::string& name, const std::map<std::string, std::string>& config,
                                                        const NetworkContext& context) = 0;
    /// Makes the network on the host and starts it; leaves nothing behind when it throws.
    virtual void create(const NetworkRecord& network) = 0;
    /// Brings an existing network up again where it is missing (after a host reboot).
    virtual void start(const NetworkRecord& network) = 0;
    /// At a later open in the same boot: what start() does only where it is missing (the
    /// network itself, a dnsmasq to adopt); by default start().
    virtual void resume(const NetworkRecord& network) { start(network); }
    /// Stops what runs for it (DHCP, DNS) without removing it.
    virtual void stop(const NetworkRecord& network) = 0;
    /// Applies a changed config to the running network.
    virtual void update(const NetworkRecord& current, const NetworkRecord& next) = 0;
    virtual void rename(const NetworkRecord& network, const std::string& new_name) = 0;
    /// Removes the network from the host (missing parts are fine).
    virtual void remove(const NetworkRecord& network) = 0;
    virtual api::NetworkState state(const NetworkRecord& network) = 0;
    virtual std::vector<api::NetworkLease> leases(const NetworkRecord& network) = 0;
    /// Before an instance's nic on this network is made: how to make it.
    virtual NicPlan prepare_nic(const NetworkRecord& network, const std::map<std::string, std::string>& nic) = 0;
    /// When an instance's nic on this network is made (container start, hot-plug): DHCP
    /// reservations and DNS names, filters. Throws (naming "devices.<name>.<key>") to refuse it.
    virtual void start_nic(const NetworkRecord& /*network*/, const NicUse& /*nic*/) {}
    /// After an instance's nic on this network went (stop, hot-unplug); idempotent.
    virtual void release_nic(const NetworkRecord& /*network*/, const NicUse& /*nic*/) {}
};

/// The driver of a network type, working for core (its state directory, its dnsmasq processes);
/// NotSupported (key "type") for an unknown type. With $LIBINSTANCE_NETWORK_DRIVER=mock every
/// bridge network uses the mock driver, which changes nothing on the host (the bindings' fast
/// tests).
std::unique_ptr<NetworkDriver> network_driver(ManagerCore& core, const std::string& type);
std::vector<std::string> network_types();

}  // namespace li
