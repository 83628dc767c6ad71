//! The JSON documents of the LXD REST API 1.0 that cross the C ABI, as serde types.
//!
//! Every field has a default, so documents from a newer library (with more fields) or an older one
//! (with fewer) still parse; unknown fields are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

mod event;
mod instance_put;
mod instance_snapshot;
mod network;
mod operation;
mod profile;
mod project;
mod remote;
mod storage;
mod storage_volume;

pub use event::{Event, LifecycleEvent, LoggingEvent};
pub use instance_put::InstancePut;
pub use instance_snapshot::{InstanceSnapshot, InstanceSnapshotPut, InstanceSnapshotsPost};
pub use network::{
    Network, NetworkLease, NetworkPut, NetworkState, NetworkStateAddress, NetworkStateBridge, NetworkStateCounters,
    NetworksPost,
};
pub use operation::{operation_status, Operation};
pub use profile::{Profile, ProfilePut, ProfilesPost};
pub use project::{Project, ProjectPut, ProjectState, ProjectStateResource, ProjectsPost};
pub use remote::{ImageSource, ImagesPost, Remote};
pub use storage::{ResourcesStoragePool, ResourcesUsage, StoragePool, StoragePoolPut, StoragePoolsPost};
pub use storage_volume::{
    StorageVolume, StorageVolumePost, StorageVolumePut, StorageVolumeSnapshot, StorageVolumeSnapshotPut,
    StorageVolumeSnapshotsPost, StorageVolumeSource, StorageVolumesPost,
};

/// Config keys to values (`limits.memory` = `256MiB`, ...).
pub type ConfigMap = BTreeMap<String, String>;
/// Device names to their config.
pub type DeviceMap = BTreeMap<String, ConfigMap>;

/// LXD status codes, as [`Instance::status_code`] and [`crate::Instance::status_code`] give them.
pub mod status {
    pub const RUNNING: i32 = 103;
    pub const STOPPED: i32 = 102;
    pub const FROZEN: i32 = 110;
    pub const ERROR: i32 = 112;
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Reads a null (as LXD writes for empty maps and lists) as the empty value.
fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// One alias of an image, as listed in [`Image::aliases`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageAlias {
    pub name: String,
    pub description: String,
}

/// LXD's `api.Image`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Image {
    pub fingerprint: String,
    pub filename: String,
    pub size: i64,
    pub architecture: String,
    /// "container" or "virtual-machine".
    #[serde(rename = "type")]
    pub image_type: String,
    pub properties: BTreeMap<String, String>,
    pub aliases: Vec<ImageAlias>,
    pub public: bool,
    pub auto_update: bool,
    pub cached: bool,
    pub created_at: String,
    pub uploaded_at: String,
    pub expires_at: String,
    pub last_used_at: String,
    pub project: String,
}

/// LXD's `api.InstanceSource`: where a new instance's root filesystem comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceSource {
    /// "image" (the default) or "none".
    #[serde(rename = "type")]
    pub source_type: String,
    /// The image alias, when chosen by alias.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub alias: String,
    /// The image fingerprint (or a unique prefix), when chosen by fingerprint.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// An image server's URL or a remote's name: the image is pulled from it when not local.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub server: String,
    /// "simplestreams" (the default) when `server` is set.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// PEM certificate to trust for `server`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub certificate: String,
    /// Type "copy": the local instance copied.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// Type "copy": the source's project ("" = the new instance's).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub project: String,
    /// Type "copy": leave the source's snapshots behind.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub instance_only: bool,
}

impl Default for InstanceSource {
    fn default() -> Self {
        InstanceSource {
            source_type: "image".into(),
            alias: String::new(),
            fingerprint: String::new(),
            server: String::new(),
            protocol: String::new(),
            certificate: String::new(),
            source: String::new(),
            project: String::new(),
            instance_only: false,
        }
    }
}

impl InstanceSource {
    /// A copy of the local instance `name` (LXD's `{"type": "copy", "source": name}`).
    pub fn copy(name: impl Into<String>) -> Self {
        InstanceSource { source_type: "copy".into(), source: name.into(), ..Default::default() }
    }

    /// The image with this alias.
    pub fn image_alias(alias: impl Into<String>) -> Self {
        InstanceSource { alias: alias.into(), ..Default::default() }
    }

    /// The image `alias` (or fingerprint) of `server` (a URL or a remote's name), pulled and
    /// cached when not present locally.
    pub fn remote_image(server: impl Into<String>, alias: impl Into<String>) -> Self {
        InstanceSource { server: server.into(), alias: alias.into(), ..Default::default() }
    }

    /// The image with this fingerprint (or unique prefix).
    pub fn image_fingerprint(fingerprint: impl Into<String>) -> Self {
        InstanceSource { fingerprint: fingerprint.into(), ..Default::default() }
    }
}

/// LXD's `api.InstancesPost`: what creating an instance takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstancesPost {
    pub name: String,
    /// "container" (the default) or "virtual-machine".
    #[serde(rename = "type")]
    pub instance_type: String,
    pub source: InstanceSource,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub config: ConfigMap,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub devices: DeviceMap,
    /// None: the `default` profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profiles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "is_false")]
    pub ephemeral: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Start the instance once created (as `lxc launch`); not part of LXD's body.
    #[serde(skip_serializing_if = "is_false")]
    pub start: bool,
}

impl Default for InstancesPost {
    fn default() -> Self {
        InstancesPost {
            name: String::new(),
            instance_type: "container".into(),
            source: InstanceSource::default(),
            config: ConfigMap::new(),
            devices: DeviceMap::new(),
            profiles: None,
            ephemeral: false,
            description: String::new(),
            start: false,
        }
    }
}

impl InstancesPost {
    /// A container called `name` from `source`, otherwise the defaults.
    pub fn new(name: impl Into<String>, source: InstanceSource) -> Self {
        InstancesPost { name: name.into(), source, ..Default::default() }
    }
}

/// LXD's `api.InstanceStateMemory`, in bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceStateMemory {
    pub usage: i64,
    pub usage_peak: i64,
    pub swap_usage: i64,
    pub swap_usage_peak: i64,
}

/// LXD's `api.InstanceStateDisk`: bytes used on one disk device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceStateDisk {
    pub usage: i64,
}

/// LXD's `api.InstanceStateNetworkAddress`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceStateNetworkAddress {
    /// "inet" or "inet6".
    pub family: String,
    pub address: String,
    /// The prefix length, e.g. "24".
    pub netmask: String,
    /// "global", "link" or "local".
    pub scope: String,
}

/// LXD's `api.InstanceStateNetworkCounters`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceStateNetworkCounters {
    pub bytes_received: i64,
    pub bytes_sent: i64,
    pub packets_received: i64,
    pub packets_sent: i64,
    pub errors_received: i64,
    pub errors_sent: i64,
    pub packets_dropped_outbound: i64,
    pub packets_dropped_inbound: i64,
}

/// LXD's `api.InstanceStateNetwork`: one interface as seen inside the instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceStateNetwork {
    pub addresses: Vec<InstanceStateNetworkAddress>,
    pub counters: InstanceStateNetworkCounters,
    pub hwaddr: String,
    /// The host side of a veth pair, when known.
    pub host_name: String,
    pub mtu: i64,
    /// "up" or "down".
    pub state: String,
    /// "broadcast", "loopback" or "point-to-point".
    #[serde(rename = "type")]
    pub kind: String,
}

/// LXD's `api.InstanceStateCPU`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceStateCpu {
    /// CPU time used, in nanoseconds.
    pub usage: i64,
}

/// LXD's `api.InstanceState`: the live state of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceState {
    /// "Running", "Stopped", "Frozen" or "Error".
    pub status: String,
    pub status_code: i32,
    pub pid: i64,
    pub processes: i64,
    pub memory: InstanceStateMemory,
    pub cpu: InstanceStateCpu,
    /// Usage by disk device ("root").
    pub disk: std::collections::BTreeMap<String, InstanceStateDisk>,
    /// Interfaces by name; None when the instance is stopped.
    pub network: Option<std::collections::BTreeMap<String, InstanceStateNetwork>>,
    /// A running virtual machine's accelerator, "kvm" or "tcg" (libinstance's addition; empty
    /// for containers, and absent from LXD's answers).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub accelerator: String,
}

impl Default for InstanceState {
    fn default() -> Self {
        InstanceState {
            status: "Stopped".into(),
            status_code: status::STOPPED,
            pid: 0,
            processes: 0,
            memory: InstanceStateMemory::default(),
            cpu: InstanceStateCpu::default(),
            disk: Default::default(),
            network: None,
            accelerator: String::new(),
        }
    }
}

/// LXD's `api.Instance`: an instance's definition and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Instance {
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub instance_type: String,
    pub architecture: String,
    pub config: ConfigMap,
    pub devices: DeviceMap,
    pub expanded_config: ConfigMap,
    pub expanded_devices: DeviceMap,
    pub profiles: Vec<String>,
    pub ephemeral: bool,
    pub stateful: bool,
    pub status: String,
    pub status_code: i32,
    pub created_at: String,
    pub last_used_at: String,
    pub location: String,
    pub project: String,
    /// Present when asked for (`instances(true)`, like LXD's recursion=2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<InstanceState>,
}

impl Default for Instance {
    fn default() -> Self {
        Instance {
            name: String::new(),
            description: String::new(),
            instance_type: "container".into(),
            architecture: String::new(),
            config: ConfigMap::new(),
            devices: DeviceMap::new(),
            expanded_config: ConfigMap::new(),
            expanded_devices: DeviceMap::new(),
            profiles: Vec::new(),
            ephemeral: false,
            stateful: false,
            status: "Stopped".into(),
            status_code: status::STOPPED,
            created_at: String::new(),
            last_used_at: String::new(),
            location: "none".into(),
            project: "default".into(),
            state: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_post_is_lxd_shaped() {
        let post = InstancesPost::new("c1", InstanceSource::image_alias("busybox"));
        let json = serde_json::to_value(&post).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "c1", "type": "container", "source": {"type": "image", "alias": "busybox"}})
        );
    }

    #[test]
    fn documents_tolerate_missing_and_extra_fields() {
        let inst: Instance =
            serde_json::from_str(r#"{"name":"c1","status":"Running","status_code":103,"future":{"x":1}}"#)
                .unwrap();
        assert_eq!(inst.name, "c1");
        assert_eq!(inst.status_code, status::RUNNING);
        assert_eq!(inst.instance_type, "container");
        assert!(inst.state.is_none());
    }

    // A null where a document is optional (LXD writes "state": null) must still parse.
    #[test]
    fn null_state_parses_as_none() {
        let inst: Instance = serde_json::from_str(r#"{"name":"c1","state":null}"#).unwrap();
        assert!(inst.state.is_none());
    }
}
