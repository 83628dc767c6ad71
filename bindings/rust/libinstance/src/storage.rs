//! Storage pools: create, list, get, update, resources and delete.

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::Manager;
use crate::strings::{c_string, c_string_opt, owned_json, owned_string, ptr_or_null};

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

    /// The pool's ETag, for [`Manager::update_storage_pool`]'s `if_match`.
    pub fn storage_pool_etag(&self, name: &str) -> Result<String> {
        let name = c_string("name", name)?;
        owned_string(|out, err| unsafe { sys::li_storage_pool_etag(out, self.as_ptr(), name.as_ptr(), err) })
    }

    /// Replaces a pool's description and config (LXD's PUT). dir: only the description changes;
    /// btrfs: `size` of a loop-backed pool may grow, `btrfs.mount_options` remounts.
    /// InvalidArgument naming the key (shrink, unknown key: nothing changed); Conflict when
    /// `if_match` is not the current ETag.
    pub fn update_storage_pool(&self, name: &str, put: &api::StoragePoolPut, if_match: Option<&str>) -> Result<()> {
        let name = c_string("name", name)?;
        let json = c_string("storage_pool_put_json", &serde_json::to_string(put).expect("serialising StoragePoolPut"))?;
        let tag = c_string_opt("if_match", if_match)?;
        check(|err| unsafe {
            sys::li_storage_pool_update_json(self.as_ptr(), name.as_ptr(), json.as_ptr(), ptr_or_null(&tag), err)
        })
    }

    /// A pool's space and inodes.
    pub fn storage_pool_resources(&self, name: &str) -> Result<api::ResourcesStoragePool> {
        let name = c_string("name", name)?;
        owned_json("ResourcesStoragePool", |out, err| unsafe {
            sys::li_storage_pool_resources_json(out, self.as_ptr(), name.as_ptr(), err)
        })
    }

    /// Deletes a storage pool; Busy (naming the users) while instances or profiles use it.
    pub fn delete_storage_pool(&self, name: &str) -> Result<()> {
        let name = c_string("name", name)?;
        check(|err| unsafe { sys::li_storage_pool_delete(self.as_ptr(), name.as_ptr(), err) })
    }
}
