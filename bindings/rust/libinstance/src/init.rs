//! The first-use set-up (LXD's `lxd init --auto`): a NATed managed bridge and the default
//! profile's `eth0` on it.

use libinstance_sys as sys;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::manager::Manager;
use crate::strings::{c_string, owned_json};

/// What [`Manager::init`] sets up; the defaults are LXD's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitOptions {
    /// The managed bridge to create (or use, when it exists); "" for none.
    pub network_name: String,
    /// Its `ipv4.address`: a CIDR, "auto" or "none".
    pub ipv4_address: String,
    /// Its `ipv6.address`: a CIDR, "auto" or "none".
    pub ipv6_address: String,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions { network_name: "instbr0".into(), ipv4_address: "auto".into(), ipv6_address: "auto".into() }
    }
}

/// What [`Manager::init`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct InitResult {
    /// False when the network existed already (or none was asked for).
    pub network_created: bool,
    /// False when the default profile had an `eth0` already.
    pub profile_nic_added: bool,
    /// The network the default profile's `eth0` uses ("" for none).
    pub network_name: String,
}

impl Manager {
    /// The first-use set-up: a managed bridge `opts.network_name` with NAT and an `eth0` nic on it
    /// in the default profile. Idempotent: an existing managed network of that name is used as it
    /// is, and a default profile with an `eth0` keeps it. InvalidArgument naming "network_name",
    /// "ipv4_address" or "ipv6_address" (nothing changed); AlreadyExists (key "network_name") for
    /// a host interface libinstance does not manage.
    pub fn init(&self, opts: &InitOptions) -> Result<InitResult> {
        let json = c_string("init_options_json", &serde_json::to_string(opts).expect("serialising InitOptions"))?;
        owned_json("init result", |out, err| unsafe { sys::li_manager_init(out, self.as_ptr(), json.as_ptr(), err) })
    }
}
