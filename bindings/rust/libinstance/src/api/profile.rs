//! Profiles (LXD's `api.ProfilesPost`, `api.ProfilePut` and `api.Profile`).

use serde::{Deserialize, Serialize};

use super::{nullable, ConfigMap, DeviceMap};

/// What creating a profile takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfilesPost {
    pub name: String,
    pub description: String,
    pub config: ConfigMap,
    pub devices: DeviceMap,
}

impl ProfilesPost {
    pub fn new(name: impl Into<String>) -> Self {
        ProfilesPost { name: name.into(), ..Default::default() }
    }
}

/// A profile's writable fields (PUT replaces them all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfilePut {
    pub description: String,
    pub config: ConfigMap,
    pub devices: DeviceMap,
}

/// A profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub name: String,
    pub description: String,
    #[serde(deserialize_with = "nullable")]
    pub config: ConfigMap,
    #[serde(deserialize_with = "nullable")]
    pub devices: DeviceMap,
    /// API URLs of the instances using it ("/1.0/instances/c1", "?project=p" outside default).
    #[serde(deserialize_with = "nullable")]
    pub used_by: Vec<String>,
}

impl Profile {
    /// The writable fields, to change and send back with [`crate::Project::update_profile`].
    pub fn put(&self) -> ProfilePut {
        ProfilePut { description: self.description.clone(), config: self.config.clone(), devices: self.devices.clone() }
    }
}
