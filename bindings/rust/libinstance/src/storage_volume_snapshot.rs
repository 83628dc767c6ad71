//! Snapshots of custom volumes: taken (copy-on-write on btrfs, a copy on dir), listed oldest
//! first, shown, updated (description, expiry), renamed, deleted, and restored (the volume's
//! content becomes the snapshot's again; the snapshot stays).

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::Project;
use crate::strings::{c_string, owned_json};

impl Project<'_> {
    /// Takes a snapshot of the custom volume `volume` on `pool`; an empty `post.name` picks the
    /// next free "snapN". AlreadyExists (key "name"); InvalidArgument (key "name" or
    /// "expires_at"); NotFound (key "pool" or "name").
    pub fn create_storage_volume_snapshot(
        &self,
        pool: &str,
        volume: &str,
        post: &api::StorageVolumeSnapshotsPost,
    ) -> Result<api::StorageVolumeSnapshot> {
        let pool = c_string("pool", pool)?;
        let volume = c_string("volume", volume)?;
        let json = c_string(
            "storage_volume_snapshots_post_json",
            &serde_json::to_string(post).expect("serialising StorageVolumeSnapshotsPost"),
        )?;
        owned_json("StorageVolumeSnapshot", |out, err| unsafe {
            sys::li_storage_volume_snapshot_create_json(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                volume.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// The snapshots of a custom volume, oldest first.
    pub fn storage_volume_snapshots(
        &self,
        pool: &str,
        volume: &str,
    ) -> Result<Vec<api::StorageVolumeSnapshot>> {
        let pool = c_string("pool", pool)?;
        let volume = c_string("volume", volume)?;
        owned_json("StorageVolumeSnapshot list", |out, err| unsafe {
            sys::li_storage_volume_snapshot_list_json(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                volume.as_ptr(),
                err,
            )
        })
    }

    /// One snapshot. NotFound (key "snapshot", "name" or "pool").
    pub fn storage_volume_snapshot(
        &self,
        pool: &str,
        volume: &str,
        snapshot: &str,
    ) -> Result<api::StorageVolumeSnapshot> {
        let pool = c_string("pool", pool)?;
        let volume = c_string("volume", volume)?;
        let snapshot = c_string("snapshot", snapshot)?;
        owned_json("StorageVolumeSnapshot", |out, err| unsafe {
            sys::li_storage_volume_snapshot_get_json(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                volume.as_ptr(),
                snapshot.as_ptr(),
                err,
            )
        })
    }

    /// Replaces a snapshot's description and expiry.
    pub fn update_storage_volume_snapshot(
        &self,
        pool: &str,
        volume: &str,
        snapshot: &str,
        put: &api::StorageVolumeSnapshotPut,
    ) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let volume = c_string("volume", volume)?;
        let snapshot = c_string("snapshot", snapshot)?;
        let json = c_string(
            "storage_volume_snapshot_put_json",
            &serde_json::to_string(put).expect("serialising StorageVolumeSnapshotPut"),
        )?;
        check(|err| unsafe {
            sys::li_storage_volume_snapshot_update_json(
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                volume.as_ptr(),
                snapshot.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// Renames a snapshot. AlreadyExists or InvalidArgument (key "new_name").
    pub fn rename_storage_volume_snapshot(
        &self,
        pool: &str,
        volume: &str,
        snapshot: &str,
        new_name: &str,
    ) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let volume = c_string("volume", volume)?;
        let snapshot = c_string("snapshot", snapshot)?;
        let new_name = c_string("new_name", new_name)?;
        check(|err| unsafe {
            sys::li_storage_volume_snapshot_rename(
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                volume.as_ptr(),
                snapshot.as_ptr(),
                new_name.as_ptr(),
                err,
            )
        })
    }

    /// Deletes a snapshot.
    pub fn delete_storage_volume_snapshot(&self, pool: &str, volume: &str, snapshot: &str) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let volume = c_string("volume", volume)?;
        let snapshot = c_string("snapshot", snapshot)?;
        check(|err| unsafe {
            sys::li_storage_volume_snapshot_delete(
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                volume.as_ptr(),
                snapshot.as_ptr(),
                err,
            )
        })
    }

    /// Makes the volume's content the snapshot's again; the snapshot stays. Busy (key "name")
    /// while a running instance has the volume attached.
    pub fn restore_storage_volume_snapshot(&self, pool: &str, volume: &str, snapshot: &str) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let volume = c_string("volume", volume)?;
        let snapshot = c_string("snapshot", snapshot)?;
        check(|err| unsafe {
            sys::li_storage_volume_snapshot_restore(
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                volume.as_ptr(),
                snapshot.as_ptr(),
                err,
            )
        })
    }
}
