//! Instance snapshots: LXD's `api.InstanceSnapshotsPost`, `api.InstanceSnapshotPut` and
//! `api.InstanceSnapshot`.

use serde::{Deserialize, Serialize};

use super::{nullable, ConfigMap, DeviceMap};

/// LXD's `api.InstanceSnapshotsPost`: what taking a snapshot of an instance takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceSnapshotsPost {
    /// "" picks the next name of `snapshots.pattern` (default "snap%d": snap0, snap1, ...).
    pub name: String,
    /// With the running state: NotSupported (key "stateful"), CRIU does not work here.
    pub stateful: bool,
    /// RFC 3339; "" follows `snapshots.expiry` (never when unset).
    pub expires_at: String,
}

impl InstanceSnapshotsPost {
    /// A stateless snapshot named `name` ("" for the pattern's next name), expiring as
    /// `snapshots.expiry` says.
    pub fn new(name: impl Into<String>) -> Self {
        InstanceSnapshotsPost { name: name.into(), ..Default::default() }
    }
}

/// LXD's `api.InstanceSnapshotPut`: a snapshot's writable fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceSnapshotPut {
    /// RFC 3339; "" never expires.
    pub expires_at: String,
}

/// LXD's `api.InstanceSnapshot`: the instance's definition when the snapshot was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceSnapshot {
    /// The snapshot's own name (without "instance/").
    pub name: String,
    pub description: String,
    pub architecture: String,
    #[serde(deserialize_with = "nullable")]
    pub config: ConfigMap,
    #[serde(deserialize_with = "nullable")]
    pub devices: DeviceMap,
    #[serde(deserialize_with = "nullable")]
    pub expanded_config: ConfigMap,
    #[serde(deserialize_with = "nullable")]
    pub expanded_devices: DeviceMap,
    #[serde(deserialize_with = "nullable")]
    pub profiles: Vec<String>,
    pub ephemeral: bool,
    pub stateful: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; LXD writes "never" as Go's zero time, "0001-01-01T00:00:00Z".
    pub expires_at: String,
    /// RFC 3339; Go's zero time when never used.
    pub last_used_at: String,
    /// Bytes the snapshot's own data takes; -1 when unknown.
    pub size: i64,
}

impl Default for InstanceSnapshot {
    fn default() -> Self {
        InstanceSnapshot {
            name: String::new(),
            description: String::new(),
            architecture: String::new(),
            config: ConfigMap::new(),
            devices: DeviceMap::new(),
            expanded_config: ConfigMap::new(),
            expanded_devices: DeviceMap::new(),
            profiles: Vec::new(),
            ephemeral: false,
            stateful: false,
            created_at: String::new(),
            expires_at: String::new(),
            last_used_at: String::new(),
            size: -1,
        }
    }
}

impl InstanceSnapshot {
    /// True unless the snapshot has an expiry (Go's zero time and "" both mean none).
    pub fn never_expires(&self) -> bool {
        self.expires_at.is_empty() || self.expires_at.starts_with("0001-01-01")
    }

    /// The writable fields, to change and send back with [`crate::Instance::update_snapshot`].
    pub fn put(&self) -> InstanceSnapshotPut {
        let expires_at = if self.never_expires() { String::new() } else { self.expires_at.clone() };
        InstanceSnapshotPut { expires_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_is_lxd_shaped() {
        let json = serde_json::to_value(InstanceSnapshotsPost::new("s1")).unwrap();
        assert_eq!(json, serde_json::json!({"name": "s1", "stateful": false, "expires_at": ""}));
    }

    #[test]
    fn snapshot_tolerates_nulls_and_the_zero_time() {
        let snap: InstanceSnapshot = serde_json::from_str(
            r#"{"name":"snap0","config":null,"devices":null,"profiles":null,"expires_at":"0001-01-01T00:00:00Z","future":1}"#,
        )
        .unwrap();
        assert_eq!(snap.name, "snap0");
        assert!(snap.config.is_empty() && snap.devices.is_empty() && snap.profiles.is_empty());
        assert!(snap.never_expires());
        assert_eq!(snap.put(), InstanceSnapshotPut { expires_at: String::new() });
        assert_eq!(snap.size, -1);
        let dated = InstanceSnapshot { expires_at: "2030-01-01T00:00:00Z".into(), ..Default::default() };
        assert!(!dated.never_expires());
        assert_eq!(dated.put().expires_at, "2030-01-01T00:00:00Z");
    }
}
