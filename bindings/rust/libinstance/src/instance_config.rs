//! An instance's configuration: LXD's PUT with ETag, key-level config and devices.
//!
//! Every change is validated as a whole and refused as a whole: a bad key or value is an
//! InvalidArgument whose key is `config.<key>` or `devices.<name>[.<key>]` and whose message
//! quotes the value, and the instance is left exactly as it was.

use std::ffi::c_char;
use std::ffi::CStr;
use std::ptr;

use libinstance_sys as sys;

use crate::api::{self, ConfigMap};
use crate::error::{check, Result};
use crate::instance::Instance;
use crate::operation::Operation;
use crate::strings::{c_string, c_string_opt, owned_string, ptr_or_null};

fn json_of<T: serde::Serialize>(what: &str, value: &T) -> Result<std::ffi::CString> {
    // Serialising plain strings and maps cannot fail.
    let json = serde_json::to_string(value).expect("serialising a configuration document");
    c_string(what, &json)
}

impl Instance {
    /// Replaces the writable configuration (LXD's PUT). With `if_match` (an [`Instance::etag`]),
    /// Conflict when the instance changed since that ETag was read.
    pub fn update(&self, put: &api::InstancePut, if_match: Option<&str>) -> Result<()> {
        let json = json_of("instance_put_json", put)?;
        let tag = c_string_opt("if_match", if_match)?;
        check(|err| unsafe { sys::li_instance_update_json(self.as_ptr(), json.as_ptr(), ptr_or_null(&tag), err) })
    }

    /// [`Instance::update`] as an operation; its failure is the operation's.
    pub fn update_async(&self, put: &api::InstancePut, if_match: Option<&str>) -> Result<Operation> {
        let json = json_of("instance_put_json", put)?;
        let tag = c_string_opt("if_match", if_match)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_update_json_async(out, self.as_ptr(), json.as_ptr(), ptr_or_null(&tag), err)
        })
    }

    /// The ETag of the writable configuration, for [`Instance::update`]'s `if_match`.
    pub fn etag(&self) -> Result<String> {
        owned_string(|out, err| unsafe { sys::li_instance_etag(out, self.as_ptr(), err) })
    }

    /// A key of the instance's own config (not what profiles set); None when unset.
    pub fn get_config(&self, key: &str) -> Result<Option<String>> {
        let key = c_string("key", key)?;
        let mut out: *mut c_char = ptr::null_mut();
        check(|err| unsafe { sys::li_instance_config_get(&mut out, self.as_ptr(), key.as_ptr(), err) })?;
        if out.is_null() {
            return Ok(None);
        }
        // Ours to free, exactly once, after copying.
        let value = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
        unsafe { sys::li_free(out.cast()) };
        Ok(Some(value))
    }

    /// Sets one key (`lxc config set`); "" unsets it.
    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        let key = c_string("key", key)?;
        let value = c_string("value", value)?;
        check(|err| unsafe { sys::li_instance_config_set(self.as_ptr(), key.as_ptr(), value.as_ptr(), err) })
    }

    /// Sets several keys in one change ("" unsets a key): all or nothing.
    pub fn set_configs(&self, values: &ConfigMap) -> Result<()> {
        let json = json_of("config_json", values)?;
        check(|err| unsafe { sys::li_instance_config_set_json(self.as_ptr(), json.as_ptr(), err) })
    }

    /// Unsets a key; NotFound when it is not set.
    pub fn unset_config(&self, key: &str) -> Result<()> {
        let key = c_string("key", key)?;
        check(|err| unsafe { sys::li_instance_config_unset(self.as_ptr(), key.as_ptr(), err) })
    }

    /// Adds a device (its config includes "type"); AlreadyExists when the name is taken.
    pub fn add_device(&self, name: &str, device: &ConfigMap) -> Result<()> {
        let name = c_string("name", name)?;
        let json = json_of("device_json", device)?;
        check(|err| unsafe { sys::li_instance_device_add_json(self.as_ptr(), name.as_ptr(), json.as_ptr(), err) })
    }

    /// Adds the device, or replaces the instance's device of that name as a whole.
    pub fn set_device(&self, name: &str, device: &ConfigMap) -> Result<()> {
        let name = c_string("name", name)?;
        let json = json_of("device_json", device)?;
        check(|err| unsafe { sys::li_instance_device_set_json(self.as_ptr(), name.as_ptr(), json.as_ptr(), err) })
    }

    /// Removes one of the instance's own devices; NotFound otherwise (mask a profile's device
    /// with `type: none` instead).
    pub fn remove_device(&self, name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        check(|err| unsafe { sys::li_instance_device_remove(self.as_ptr(), name.as_ptr(), err) })
    }
}
