//! Storage pools (LXD's `api.StoragePoolsPost` and `api.StoragePool`).

use serde::{Deserialize, Serialize};

use super::ConfigMap;

/// What creating a storage pool takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoragePoolsPost {
    pub name: String,
    /// "dir" or "btrfs".
    pub driver: String,
    pub description: String,
    /// Driver keys: `source`; for btrfs also `size` (e.g. "5GiB") and `btrfs.mount_options`.
    pub config: ConfigMap,
}

impl StoragePoolsPost {
    pub fn new(name: impl Into<String>, driver: impl Into<String>) -> Self {
        StoragePoolsPost { name: name.into(), driver: driver.into(), ..Default::default() }
    }
}

/// A storage pool, with the driver's defaults filled into `config`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoragePool {
    pub name: String,
    pub driver: String,
    pub description: String,
    pub config: ConfigMap,
    /// "Created".
    pub status: String,
    /// API URLs of the instances, profiles and images using the pool.
    pub used_by: Vec<String>,
    pub locations: Vec<String>,
}

/// A storage pool's writable fields (LXD's `api.StoragePoolPut`; PUT replaces them all). Keys the
/// driver filled in (`source`, `size`) keep their value when left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoragePoolPut {
    pub description: String,
    pub config: ConfigMap,
}

impl From<&StoragePool> for StoragePoolPut {
    fn from(pool: &StoragePool) -> Self {
        StoragePoolPut { description: pool.description.clone(), config: pool.config.clone() }
    }
}

/// Used and total figures of one resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourcesUsage {
    pub used: u64,
    pub total: u64,
}

/// A pool's space (bytes) and inodes (0 where not meaningful, e.g. btrfs): LXD's
/// `api.ResourcesStoragePool`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourcesStoragePool {
    pub space: ResourcesUsage,
    pub inodes: ResourcesUsage,
}
