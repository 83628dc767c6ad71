//! Instance snapshots (`lxc snapshot` / `lxc restore`): taken stateless from a running or stopped
//! instance (its files, config, devices and profiles), listed oldest first, shown, given an
//! expiry, renamed, deleted, and restored (the instance becomes the snapshot again; a running one
//! is stopped, restored and started again). Unknown snapshots are NotFound with key "snapshot".

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::instance::Instance;
use crate::operation::Operation;
use crate::strings::{c_string, owned_json};

fn json_of<T: serde::Serialize>(what: &str, value: &T) -> Result<std::ffi::CString> {
    // Plain strings and booleans always serialise.
    let json = serde_json::to_string(value).expect("serialising a snapshot document");
    c_string(what, &json)
}

impl Instance {
    /// Takes a stateless snapshot; an empty `post.name` follows `snapshots.pattern` ("snap0",
    /// "snap1", ...), an empty `post.expires_at` `snapshots.expiry`. AlreadyExists (key "name");
    /// InvalidArgument (key "name" or "expires_at"); NotSupported (key "stateful").
    pub fn snapshot(&self, post: &api::InstanceSnapshotsPost) -> Result<api::InstanceSnapshot> {
        let json = json_of("instance_snapshots_post_json", post)?;
        owned_json("InstanceSnapshot", |out, err| unsafe {
            sys::li_instance_snapshot_create_json(out, self.as_ptr(), json.as_ptr(), err)
        })
    }

    /// [`Instance::snapshot`] as an operation (cancellable); a bad document fails this call.
    pub fn snapshot_async(&self, post: &api::InstanceSnapshotsPost) -> Result<Operation> {
        let json = json_of("instance_snapshots_post_json", post)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_snapshot_create_async(out, self.as_ptr(), json.as_ptr(), err)
        })
    }

    /// The snapshots, oldest first.
    pub fn snapshots(&self) -> Result<Vec<api::InstanceSnapshot>> {
        owned_json("InstanceSnapshot list", |out, err| unsafe {
            sys::li_instance_snapshot_list_json(out, self.as_ptr(), err)
        })
    }

    /// One snapshot. NotFound (key "snapshot").
    pub fn get_snapshot(&self, snapshot: &str) -> Result<api::InstanceSnapshot> {
        let snapshot = c_string("snapshot", snapshot)?;
        owned_json("InstanceSnapshot", |out, err| unsafe {
            sys::li_instance_snapshot_get_json(out, self.as_ptr(), snapshot.as_ptr(), err)
        })
    }

    /// Changes a snapshot's expiry ("" never). InvalidArgument (key "expires_at").
    pub fn update_snapshot(&self, snapshot: &str, put: &api::InstanceSnapshotPut) -> Result<()> {
        let snapshot = c_string("snapshot", snapshot)?;
        let json = json_of("instance_snapshot_put_json", put)?;
        check(|err| unsafe {
            sys::li_instance_snapshot_update_json(self.as_ptr(), snapshot.as_ptr(), json.as_ptr(), err)
        })
    }

    /// Renames a snapshot. AlreadyExists or InvalidArgument (key "new_name").
    pub fn rename_snapshot(&self, snapshot: &str, new_name: &str) -> Result<()> {
        let snapshot = c_string("snapshot", snapshot)?;
        let new_name = c_string("new_name", new_name)?;
        check(|err| unsafe {
            sys::li_instance_snapshot_rename(self.as_ptr(), snapshot.as_ptr(), new_name.as_ptr(), err)
        })
    }

    /// Deletes a snapshot's files and record.
    pub fn delete_snapshot(&self, snapshot: &str) -> Result<()> {
        let snapshot = c_string("snapshot", snapshot)?;
        check(|err| unsafe { sys::li_instance_snapshot_delete(self.as_ptr(), snapshot.as_ptr(), err) })
    }

    /// [`Instance::delete_snapshot`] as an operation.
    pub fn delete_snapshot_async(&self, snapshot: &str) -> Result<Operation> {
        let snapshot = c_string("snapshot", snapshot)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_snapshot_delete_async(out, self.as_ptr(), snapshot.as_ptr(), err)
        })
    }

    /// Makes the instance what `snapshot` holds again: files, config (its `volatile.*` keys stay
    /// the instance's), devices, profiles; a running instance is stopped, restored and started
    /// again. The snapshot stays. NotFound (key "snapshot", or "profiles" when a profile it
    /// names is gone); nothing changes on failure.
    pub fn restore(&self, snapshot: &str) -> Result<()> {
        let snapshot = c_string("snapshot", snapshot)?;
        check(|err| unsafe { sys::li_instance_restore(self.as_ptr(), snapshot.as_ptr(), err) })
    }

    /// [`Instance::restore`] as an operation (cancellable).
    pub fn restore_async(&self, snapshot: &str) -> Result<Operation> {
        let snapshot = c_string("snapshot", snapshot)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_restore_async(out, self.as_ptr(), snapshot.as_ptr(), err)
        })
    }
}
