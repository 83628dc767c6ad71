//! Storage volumes (LXD's `api.StorageVolumesPost`, `api.StorageVolumePut` and `api.StorageVolume`).

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
    /// "filesystem" ("block" is for VMs, not supported).
    pub content_type: String,
    pub description: String,
    /// `size`, `security.shifted`, `security.unmapped`, `user.*`.
    pub config: ConfigMap,
}

impl Default for StorageVolumesPost {
    fn default() -> Self {
        StorageVolumesPost {
            name: String::new(),
            volume_type: "custom".into(),
            content_type: "filesystem".into(),
            description: String::new(),
            config: ConfigMap::new(),
        }
    }
}

impl StorageVolumesPost {
    /// A custom filesystem volume named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        StorageVolumesPost { name: name.into(), ..Default::default() }
    }
}

/// A custom volume's writable fields (PUT replaces them all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageVolumePut {
    pub description: String,
    pub config: ConfigMap,
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
        StorageVolumePut { description: self.description.clone(), config: self.config.clone() }
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
}
