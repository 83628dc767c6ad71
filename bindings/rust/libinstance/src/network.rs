//! Managed networks of a project: create, list, get (with ETag), update, rename, delete, state and
//! DHCP leases.
//!
//! Every change is validated first (InvalidArgument naming "config.<key>") and changes nothing on
//! failure. Instances use a network through a `nic` device with `network=NAME`.

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::Project;
use crate::strings::{c_string, c_string_opt, owned_json, owned_json_with_etag, ptr_or_null};

impl Project<'_> {
    /// Creates and starts a managed network; returns it with generated values filled in (e.g. the
    /// chosen `ipv4.address` for "auto"). InvalidArgument naming the field ("name",
    /// "config.<key>"); NotSupported (key "type"); AlreadyExists (key "name") when a network or a
    /// host interface has the name.
    pub fn create_network(&self, post: &api::NetworksPost) -> Result<api::Network> {
        let json = c_string("networks_post_json", &serde_json::to_string(post).expect("serialising NetworksPost"))?;
        owned_json("Network", |out, err| unsafe {
            sys::li_network_create_json(out, self.mgr(), self.name_ptr(), json.as_ptr(), err)
        })
    }

    /// Managed networks and the host's other interfaces (`managed` false), by name.
    pub fn networks(&self) -> Result<Vec<api::Network>> {
        owned_json("Network list", |out, err| unsafe { sys::li_network_list_json(out, self.mgr(), self.name_ptr(), err) })
    }

    /// One network (or host interface); NotFound (key "name") when unknown.
    pub fn network(&self, name: &str) -> Result<api::Network> {
        Ok(self.network_with_etag(name)?.0)
    }

    /// One network with its ETag, for [`Project::update_network`]'s `if_match`.
    pub fn network_with_etag(&self, name: &str) -> Result<(api::Network, String)> {
        let name = c_string("name", name)?;
        owned_json_with_etag("Network", |json, etag, err| unsafe {
            sys::li_network_get_json(json, etag, self.mgr(), self.name_ptr(), name.as_ptr(), err)
        })
    }

    /// Replaces description and config and applies them to the running network. With `if_match`,
    /// Conflict (key "etag") when the network changed since that ETag was read; InvalidArgument
    /// naming "config.<key>" (nothing changed), or "name" for an unmanaged interface.
    pub fn update_network(&self, name: &str, put: &api::NetworkPut, if_match: Option<&str>) -> Result<()> {
        let name = c_string("name", name)?;
        let json = c_string("network_put_json", &serde_json::to_string(put).expect("serialising NetworkPut"))?;
        let tag = c_string_opt("if_match", if_match)?;
        check(|err| unsafe {
            sys::li_network_update_json(self.mgr(), self.name_ptr(), name.as_ptr(), json.as_ptr(), ptr_or_null(&tag), err)
        })
    }

    /// Renames a network nothing uses; Busy (key "name") naming its users, AlreadyExists (key
    /// "new_name").
    pub fn rename_network(&self, name: &str, new_name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        let new_name = c_string("new_name", new_name)?;
        check(|err| unsafe { sys::li_network_rename(self.mgr(), self.name_ptr(), name.as_ptr(), new_name.as_ptr(), err) })
    }

    /// Deletes a managed network (its interface, firewall table and dnsmasq); Busy (key "name")
    /// while instances or profiles use it, naming them.
    pub fn delete_network(&self, name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        check(|err| unsafe { sys::li_network_delete(self.mgr(), self.name_ptr(), name.as_ptr(), err) })
    }

    /// The interface's live state: addresses, counters, mtu, hwaddr and, for bridges, members.
    pub fn network_state(&self, name: &str) -> Result<api::NetworkState> {
        let name = c_string("name", name)?;
        owned_json("NetworkState", |out, err| unsafe {
            sys::li_network_state_json(out, self.mgr(), self.name_ptr(), name.as_ptr(), err)
        })
    }

    /// A managed bridge's DHCP leases and static reservations, hostnames being instance names.
    pub fn network_leases(&self, name: &str) -> Result<Vec<api::NetworkLease>> {
        let name = c_string("name", name)?;
        owned_json("NetworkLease list", |out, err| unsafe {
            sys::li_network_leases_json(out, self.mgr(), self.name_ptr(), name.as_ptr(), err)
        })
    }
}
