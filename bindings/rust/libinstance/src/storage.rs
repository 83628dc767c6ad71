//! Storage pools: create, list, get and delete.

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::Manager;
use crate::strings::{c_string, owned_json};

impl Manager {
    /// Creates and mounts a storage pool; returns it with the driver's defaults filled in.
    /// InvalidArgument naming the bad key; NotSupported (key "driver"); AlreadyExists.
    pub fn create_storage_pool(&self, post: &api::StoragePoolsPost) -> Result<api::StoragePool> {
        let json = c_string("StoragePoolsPost", &serde_json::to_string(post).expect("serialising StoragePoolsPost"))?;
        owned_json("StoragePool", |out, err| unsafe {
            sys::li_storage_pool_create_json(out, self.as_ptr(), json.as_ptr(), err)
        })
    }

    /// All storage pools.
    pub fn storage_pools(&self) -> Result<Vec<api::StoragePool>> {
        owned_json("StoragePool list", |out, err| unsafe { sys::li_storage_pool_list_json(out, self.as_ptr(), err) })
    }

    /// One storage pool; NotFound when unknown.
    pub fn storage_pool(&self, name: &str) -> Result<api::StoragePool> {
        let name = c_string("name", name)?;
        owned_json("StoragePool", |out, err| unsafe {
            sys::li_storage_pool_get_json(out, self.as_ptr(), name.as_ptr(), err)
        })
    }

    /// Deletes a storage pool; Busy (naming the users) while instances or profiles use it.
    pub fn delete_storage_pool(&self, name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        check(|err| unsafe { sys::li_storage_pool_delete(self.as_ptr(), name.as_ptr(), err) })
    }
}
