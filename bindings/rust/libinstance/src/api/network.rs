//! Networks (LXD's `api.NetworksPost`, `api.NetworkPut`, `api.Network`, `api.NetworkState` and
//! `api.NetworkLease`).

use serde::{Deserialize, Serialize};

use super::{nullable, ConfigMap};

/// What creating a managed network takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworksPost {
    /// An interface name: at most 15 characters.
    pub name: String,
    pub description: String,
    /// "bridge" (the default), "macvlan" or "physical".
    #[serde(rename = "type")]
    pub network_type: String,
    /// LXD's keys: `ipv4.address` (a CIDR, "auto" or "none"), `ipv4.nat`, `dns.domain`, ...
    pub config: ConfigMap,
}

impl Default for NetworksPost {
    fn default() -> Self {
        NetworksPost {
            name: String::new(),
            description: String::new(),
            network_type: "bridge".into(),
            config: ConfigMap::new(),
        }
    }
}

impl NetworksPost {
    /// A bridge called `name` with LXD's defaults (nothing in config).
    pub fn new(name: impl Into<String>) -> Self {
        NetworksPost { name: name.into(), ..Default::default() }
    }
}

/// A network's writable fields (PUT replaces them all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkPut {
    pub description: String,
    pub config: ConfigMap,
}

/// A network: a managed one, or one of the host's other interfaces (`managed` false).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    pub name: String,
    pub description: String,
    /// "bridge", "macvlan", "physical"; for host interfaces also "loopback", ...
    #[serde(rename = "type")]
    pub network_type: String,
    pub managed: bool,
    /// "Created" or "Errored" for managed networks, "" otherwise.
    pub status: String,
    /// With the generated values filled in (e.g. the chosen `ipv4.address` for "auto").
    #[serde(deserialize_with = "nullable")]
    pub config: ConfigMap,
    /// API URLs of the instances and profiles using it ("/1.0/profiles/default").
    #[serde(deserialize_with = "nullable")]
    pub used_by: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub locations: Vec<String>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            name: String::new(),
            description: String::new(),
            network_type: String::new(),
            managed: false,
            status: String::new(),
            config: ConfigMap::new(),
            used_by: Vec::new(),
            locations: vec!["none".into()],
        }
    }
}

impl Network {
    /// The writable fields, to change and send back with [`crate::Project::update_network`].
    pub fn put(&self) -> NetworkPut {
        NetworkPut { description: self.description.clone(), config: self.config.clone() }
    }
}

/// One address of an interface (LXD's `api.NetworkStateAddress`, the same fields as an
/// instance's interface address).
pub type NetworkStateAddress = super::InstanceStateNetworkAddress;

/// An interface's traffic counters (LXD's `api.NetworkStateCounters`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkStateCounters {
    pub bytes_received: i64,
    pub bytes_sent: i64,
    pub packets_received: i64,
    pub packets_sent: i64,
}

/// A bridge's settings and members (LXD's `api.NetworkStateBridge`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkStateBridge {
    pub id: String,
    pub stp: bool,
    pub forward_delay: u64,
    pub vlan_default: u64,
    pub vlan_filtering: bool,
    /// The interfaces attached to the bridge.
    #[serde(deserialize_with = "nullable")]
    pub upper_devices: Vec<String>,
}

/// An interface's live state (LXD's `api.NetworkState`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkState {
    #[serde(deserialize_with = "nullable")]
    pub addresses: Vec<NetworkStateAddress>,
    pub counters: NetworkStateCounters,
    pub hwaddr: String,
    pub mtu: i64,
    /// "up" or "down".
    pub state: String,
    /// "broadcast", "loopback" or "point-to-point".
    #[serde(rename = "type")]
    pub kind: String,
    /// For bridges; None otherwise.
    pub bridge: Option<NetworkStateBridge>,
}

/// A DHCP lease or static reservation on a managed bridge (LXD's `api.NetworkLease`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkLease {
    /// The instance's name for instances' NICs.
    pub hostname: String,
    pub hwaddr: String,
    pub address: String,
    /// "static" or "dynamic".
    #[serde(rename = "type")]
    pub lease_type: String,
    pub location: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_post_is_lxd_shaped() {
        let mut post = NetworksPost::new("br0");
        post.config.insert("ipv4.address".into(), "auto".into());
        assert_eq!(
            serde_json::to_value(&post).unwrap(),
            serde_json::json!({"name": "br0", "description": "", "type": "bridge", "config": {"ipv4.address": "auto"}})
        );
    }

    #[test]
    fn state_without_bridge_and_with_nulls_parses() {
        let s: NetworkState =
            serde_json::from_str(r#"{"addresses":null,"mtu":1500,"type":"loopback","bridge":null,"bond":null}"#).unwrap();
        assert!(s.addresses.is_empty());
        assert_eq!(s.kind, "loopback");
        assert!(s.bridge.is_none());
    }
}
