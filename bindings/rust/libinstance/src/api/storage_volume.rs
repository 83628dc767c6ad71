//! Storage volumes and their snapshots (LXD's `api.StorageVolumesPost`, `api.StorageVolumeSource`,
//! `api.StorageVolumePost`, `api.StorageVolumePut`, `api.StorageVolume` and the
//! `api.StorageVolumeSnapshot*` documents).

use serde::{Deserialize, Serialize};

use super::{nullable, ConfigMap};

/// What creating a custom volume takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolumesPost {
    pub name: String,
    /// Only "custom" volumes are created directly.
    #[serde(rename = "type")]
    pub volume_type: String,
    /// "filesystem", or "block": a sparse disk image of `config["size"]` (10GiB by default) that
    /// only a virtual machine takes as a disk device (a container refuses it, key
    /// "devices.<name>.source").
    pub content_type: String,
    pub description: String,
    /// `size`, `security.shifted`, `security.unmapped`, `user.*`.
    pub config: ConfigMap,
    /// Where the content comes from: absent for an empty volume, type "copy" for a copy of
    /// another custom volume ([`StorageVolumeSource::copy`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<StorageVolumeSource>,
}

impl Default for StorageVolumesPost {
    fn default() -> Self {
        StorageVolumesPost {
            name: String::new(),
            volume_type: "custom".into(),
            content_type: "filesystem".into(),
            description: String::new(),
            config: ConfigMap::new(),
            source: None,
        }
    }
}

impl StorageVolumesPost {
    /// A custom filesystem volume named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        StorageVolumesPost { name: name.into(), ..Default::default() }
    }
}

/// LXD's `api.StorageVolumeSource`: where a new custom volume's content comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolumeSource {
    /// "copy" ("migration" is not supported).
    #[serde(rename = "type")]
    pub source_type: String,
    /// The source volume's pool (may differ from the new volume's).
    pub pool: String,
    /// The source custom volume.
    pub name: String,
    /// The source's project ("" = the new volume's).
    pub project: String,
    /// Copy without the source's snapshots.
    pub volume_only: bool,
}

impl StorageVolumeSource {
    /// A copy of the custom volume `name` on `pool`, with its snapshots unless `volume_only`.
    pub fn copy(pool: impl Into<String>, name: impl Into<String>, volume_only: bool) -> Self {
        StorageVolumeSource {
            source_type: "copy".into(),
            pool: pool.into(),
            name: name.into(),
            project: String::new(),
            volume_only,
        }
    }
}

/// LXD's `api.StorageVolumePost` (POST on a volume): a new name and/or another pool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolumePost {
    /// The new name ("" or the same: keep it).
    pub name: String,
    /// The target pool ("" or the same: a rename within the pool).
    pub pool: String,
}

/// A custom volume's writable fields (PUT replaces them all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolumePut {
    pub description: String,
    pub config: ConfigMap,
    /// A snapshot's name: restore the volume to it instead of changing description and config.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub restore: String,
}

/// LXD's `api.StorageVolumeSnapshotsPost`: what taking a snapshot of a custom volume takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolumeSnapshotsPost {
    /// "" picks the next free "snapN".
    pub name: String,
    /// RFC 3339; "" never expires.
    pub expires_at: String,
}

impl StorageVolumeSnapshotsPost {
    /// A snapshot named `name` ("" for the next free "snapN") that never expires.
    pub fn new(name: impl Into<String>) -> Self {
        StorageVolumeSnapshotsPost { name: name.into(), expires_at: String::new() }
    }
}

/// LXD's `api.StorageVolumeSnapshotPut`: a snapshot's writable fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolumeSnapshotPut {
    pub description: String,
    /// RFC 3339; "" never expires.
    pub expires_at: String,
}

/// LXD's `api.StorageVolumeSnapshot`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolumeSnapshot {
    /// The snapshot's own name (without "volume/").
    pub name: String,
    pub description: String,
    /// The volume's config when the snapshot was taken.
    #[serde(deserialize_with = "nullable")]
    pub config: ConfigMap,
    pub content_type: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; LXD writes "never" as Go's zero time, "0001-01-01T00:00:00Z".
    pub expires_at: String,
}

impl Default for StorageVolumeSnapshot {
    fn default() -> Self {
        StorageVolumeSnapshot {
            name: String::new(),
            description: String::new(),
            config: ConfigMap::new(),
            content_type: "filesystem".into(),
            created_at: String::new(),
            expires_at: String::new(),
        }
    }
}

impl StorageVolumeSnapshot {
    /// True unless the snapshot has an expiry (Go's zero time and "" both mean none).
    pub fn never_expires(&self) -> bool {
        self.expires_at.is_empty() || self.expires_at.starts_with("0001-01-01")
    }

    /// The writable fields, to change and send back with
    /// [`crate::Project::update_storage_volume_snapshot`].
    pub fn put(&self) -> StorageVolumeSnapshotPut {
        let expires_at = if self.never_expires() { String::new() } else { self.expires_at.clone() };
        StorageVolumeSnapshotPut { description: self.description.clone(), expires_at }
    }
}

/// A volume of a storage pool: custom, container or image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolume {
    pub name: String,
    /// "custom", "container" or "image".
    #[serde(rename = "type")]
    pub volume_type: String,
    pub content_type: String,
    pub description: String,
    #[serde(deserialize_with = "nullable")]
    pub config: ConfigMap,
    /// API URLs of the instances and profiles using it ("/1.0/instances/c1").
    #[serde(deserialize_with = "nullable")]
    pub used_by: Vec<String>,
    pub location: String,
    pub project: String,
    /// RFC 3339.
    pub created_at: String,
}

impl Default for StorageVolume {
    fn default() -> Self {
        StorageVolume {
            name: String::new(),
            volume_type: String::new(),
            content_type: "filesystem".into(),
            description: String::new(),
            config: ConfigMap::new(),
            used_by: Vec::new(),
            location: "none".into(),
            project: "default".into(),
            created_at: String::new(),
        }
    }
}

impl StorageVolume {
    /// The writable fields, to change and send back with [`crate::Project::update_storage_volume`].
    pub fn put(&self) -> StorageVolumePut {
        StorageVolumePut {
            description: self.description.clone(),
            config: self.config.clone(),
            restore: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_volume_documents_are_lxd_shaped() {
        let post = serde_json::to_value(StorageVolumesPost::new("data")).unwrap();
        assert_eq!(post["type"], "custom");
        assert_eq!(post["content_type"], "filesystem");
        let v: StorageVolume =
            serde_json::from_str(r#"{"name":"d","type":"custom","config":null,"used_by":null}"#).unwrap();
        assert_eq!(v.volume_type, "custom");
        assert!(v.config.is_empty() && v.used_by.is_empty());
        assert_eq!(v.location, "none");
    }

    #[test]
    fn copy_source_and_restore_are_sent_only_when_set() {
        let plain = serde_json::to_value(StorageVolumesPost::new("data")).unwrap();
        assert!(plain.get("source").is_none(), "{plain}");
        let mut post = StorageVolumesPost::new("data2");
        post.source = Some(StorageVolumeSource::copy("p", "data", true));
        let copy = serde_json::to_value(&post).unwrap();
        assert_eq!(
            copy["source"],
            serde_json::json!({"type": "copy", "pool": "p", "name": "data", "project": "", "volume_only": true})
        );

        let put = serde_json::to_value(StorageVolumePut::default()).unwrap();
        assert!(put.get("restore").is_none(), "{put}");
        let put = StorageVolumePut { restore: "snap0".into(), ..Default::default() };
        assert_eq!(serde_json::to_value(put).unwrap()["restore"], "snap0");

        let post = serde_json::to_value(StorageVolumePost { name: "n".into(), pool: "p".into() }).unwrap();
        assert_eq!(post, serde_json::json!({"name": "n", "pool": "p"}));
    }

    #[test]
    fn snapshot_documents_are_lxd_shaped() {
        let s: StorageVolumeSnapshot = serde_json::from_str(
            r#"{"name":"snap0","description":"d","config":null,"content_type":"filesystem",
                "created_at":"2026-01-01T00:00:00Z","expires_at":"0001-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(s.name, "snap0");
        assert!(s.config.is_empty());
        assert!(s.never_expires());
        assert_eq!(s.put(), StorageVolumeSnapshotPut { description: "d".into(), expires_at: String::new() });
        let post = serde_json::to_value(StorageVolumeSnapshotsPost::new("")).unwrap();
        assert_eq!(post, serde_json::json!({"name": "", "expires_at": ""}));
    }
}
