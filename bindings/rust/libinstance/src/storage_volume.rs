//! Storage volumes of a project: custom volumes are created (empty or as copies), listed, shown,
//! updated, renamed, moved between pools and deleted; container and image volumes are listed and
//! shown. Their snapshots are in `storage_volume_snapshot.rs`.
//!
//! A custom volume is attached to an instance as a disk device (`type=disk`, `pool`, `source` =
//! the volume, `path`, optionally `readonly`) with [`crate::Instance::add_device`].

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::Project;
use crate::operation::Operation;
use crate::strings::{c_string, owned_json};

impl Project<'_> {
    /// Creates a custom volume (`post.content_type` "filesystem" or "block") on `pool`: empty, or a
    /// copy when `post.source` is a [`api::StorageVolumeSource::copy`]. InvalidArgument naming
    /// "name", "type", "content_type" or "config.<key>"; NotFound (key "pool"); AlreadyExists (key
    /// "name").
    pub fn create_storage_volume(
        &self,
        pool: &str,
        post: &api::StorageVolumesPost,
    ) -> Result<api::StorageVolume> {
        let pool = c_string("pool", pool)?;
        let json = c_string(
            "storage_volumes_post_json",
            &serde_json::to_string(post).expect("serialising StorageVolumesPost"),
        )?;
        owned_json("StorageVolume", |out, err| unsafe {
            sys::li_storage_volume_create_json(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// [`Project::create_storage_volume`] as an operation: "Copying storage volume" for a copy
    /// (cancellable, a cancelled copy leaves no volume; progress "fs_progress"), else "Creating
    /// storage volume". Its metadata "name" names the volume once it succeeds; a bad name, type
    /// or content type fails this call.
    pub fn create_storage_volume_async(&self, pool: &str, post: &api::StorageVolumesPost) -> Result<Operation> {
        let pool = c_string("pool", pool)?;
        let json = c_string(
            "storage_volumes_post_json",
            &serde_json::to_string(post).expect("serialising StorageVolumesPost"),
        )?;
        Operation::from_call(|out, err| unsafe {
            sys::li_storage_volume_create_json_async(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// Every volume of `pool` in the project: custom, container and image volumes.
    pub fn storage_volumes(&self, pool: &str) -> Result<Vec<api::StorageVolume>> {
        let pool = c_string("pool", pool)?;
        owned_json("StorageVolume list", |out, err| unsafe {
            sys::li_storage_volume_list_json(out, self.mgr(), self.name_ptr(), pool.as_ptr(), err)
        })
    }

    /// One volume; `kind` is "custom", "container" or "image". NotFound when unknown.
    pub fn storage_volume(&self, pool: &str, kind: &str, name: &str) -> Result<api::StorageVolume> {
        let pool = c_string("pool", pool)?;
        let kind = c_string("type", kind)?;
        let name = c_string("name", name)?;
        owned_json("StorageVolume", |out, err| unsafe {
            sys::li_storage_volume_get_json(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                kind.as_ptr(),
                name.as_ptr(),
                err,
            )
        })
    }

    /// Replaces a custom volume's description and config; a new `size` applies at once. Nothing
    /// changes when refused (InvalidArgument naming "config.<key>").
    pub fn update_storage_volume(&self, pool: &str, name: &str, put: &api::StorageVolumePut) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let name = c_string("name", name)?;
        let json = c_string(
            "storage_volume_put_json",
            &serde_json::to_string(put).expect("serialising StorageVolumePut"),
        )?;
        check(|err| unsafe {
            sys::li_storage_volume_update_json(
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                name.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// Renames a custom volume. Busy (naming them) while instances or profiles use it;
    /// AlreadyExists (key "new_name").
    pub fn rename_storage_volume(&self, pool: &str, name: &str, new_name: &str) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let name = c_string("name", name)?;
        let new_name = c_string("new_name", new_name)?;
        check(|err| unsafe {
            sys::li_storage_volume_rename(
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                name.as_ptr(),
                new_name.as_ptr(),
                err,
            )
        })
    }

    /// Deletes a custom volume. Busy (key "name", naming them) while instances or profiles use it.
    pub fn delete_storage_volume(&self, pool: &str, name: &str) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let name = c_string("name", name)?;
        check(|err| unsafe {
            sys::li_storage_volume_delete(self.mgr(), self.name_ptr(), pool.as_ptr(), name.as_ptr(), err)
        })
    }

    /// Copies the custom volume `source_name` of `source_pool` to a new volume `target_name` on
    /// `target_pool` (the same pool or another), with its snapshots unless `volume_only`; the copy
    /// keeps the source's description and config. NotFound naming the missing source;
    /// AlreadyExists (key "name") when the target exists.
    pub fn copy_storage_volume(
        &self,
        source_pool: &str,
        source_name: &str,
        target_pool: &str,
        target_name: &str,
        volume_only: bool,
    ) -> Result<api::StorageVolume> {
        let mut post = api::StorageVolumesPost::new(target_name);
        post.source = Some(api::StorageVolumeSource::copy(source_pool, source_name, volume_only));
        self.create_storage_volume(target_pool, &post)
    }

    /// [`Project::copy_storage_volume`] as an operation (see
    /// [`Project::create_storage_volume_async`]).
    pub fn copy_storage_volume_async(
        &self,
        source_pool: &str,
        source_name: &str,
        target_pool: &str,
        target_name: &str,
        volume_only: bool,
    ) -> Result<Operation> {
        let mut post = api::StorageVolumesPost::new(target_name);
        post.source = Some(api::StorageVolumeSource::copy(source_pool, source_name, volume_only));
        self.create_storage_volume_async(target_pool, &post)
    }

    /// LXD's POST on a custom volume: renames it (`post.pool` empty or `pool`) and/or moves it with
    /// its snapshots to the pool `post.pool`. Busy (key "name") while instances or profiles attach
    /// it; NotFound (key "pool" or "name"); AlreadyExists (key "name"). A failed move changes
    /// nothing.
    pub fn move_storage_volume(&self, pool: &str, name: &str, post: &api::StorageVolumePost) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let name = c_string("name", name)?;
        let json = c_string(
            "storage_volume_post_json",
            &serde_json::to_string(post).expect("serialising StorageVolumePost"),
        )?;
        check(|err| unsafe {
            sys::li_storage_volume_move_json(
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                name.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// [`Project::move_storage_volume`] as an operation ("Moving storage volume"; cancellable
    /// until the target is recorded: a cancelled move leaves the source as it was and no target;
    /// progress "fs_progress"). Its metadata "name" and "pool" say where the volume is once it
    /// succeeds.
    pub fn move_storage_volume_async(&self, pool: &str, name: &str, post: &api::StorageVolumePost) -> Result<Operation> {
        let pool = c_string("pool", pool)?;
        let name = c_string("name", name)?;
        let json = c_string(
            "storage_volume_post_json",
            &serde_json::to_string(post).expect("serialising StorageVolumePost"),
        )?;
        Operation::from_call(|out, err| unsafe {
            sys::li_storage_volume_move_json_async(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                name.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }
}
