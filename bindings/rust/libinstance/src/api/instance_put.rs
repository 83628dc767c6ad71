//! LXD's `api.InstancePut`: an instance's writable configuration.

use serde::{Deserialize, Serialize};

use super::{ConfigMap, DeviceMap, Instance};

/// What [`crate::Instance::update`] replaces (LXD's PUT): read it from an instance with
/// [`InstancePut::of`], change it, send it back. Fields left empty are emptied on the instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstancePut {
    /// Must stay the instance's; "" keeps it.
    pub architecture: String,
    /// `volatile.*` keys may be sent back unchanged (they are kept) but not changed.
    pub config: ConfigMap,
    pub devices: DeviceMap,
    pub profiles: Vec<String>,
    pub ephemeral: bool,
    pub description: String,
}

impl InstancePut {
    /// The writable part of an instance document, as a PUT would send it back unchanged.
    pub fn of(instance: &Instance) -> Self {
        InstancePut {
            architecture: instance.architecture.clone(),
            config: instance.config.clone(),
            devices: instance.devices.clone(),
            profiles: instance.profiles.clone(),
            ephemeral: instance.ephemeral,
            description: instance.description.clone(),
        }
    }
}

impl From<&Instance> for InstancePut {
    fn from(instance: &Instance) -> Self {
        InstancePut::of(instance)
    }
}
