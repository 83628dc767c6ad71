//! Backups (`lxc export` / `lxc import`): an instance or custom volume with its snapshots written
//! to one file in LXD's layout (or btrfs send streams when optimized), and new instances and
//! volumes made from such files, libinstance's or LXD's. Hostile archives are refused with
//! InvalidArgument naming the entry, and nothing is left behind when an import fails.

use std::path::Path;
use std::ptr;

use libinstance_sys as sys;
use serde::Serialize;

use crate::api;
use crate::error::{check, Result};
use crate::instance::Instance;
use crate::manager::{Manager, Project};
use crate::operation::Operation;
use crate::strings::{c_path, c_string, owned_json};

/// What an export writes: LXD's `InstanceBackupsPost` fields, as the C ABI takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupExportOptions {
    /// Leaves the snapshots out (`--instance-only`; for volumes, `--volume-only`).
    pub instance_only: bool,
    /// btrfs send streams instead of files (btrfs pools only; NotSupported elsewhere).
    pub optimized_storage: bool,
    /// "gzip", "bzip2", "xz", "zstd", "lz4", "lzma" or "none"; anything else is InvalidArgument
    /// with key "compression_algorithm".
    pub compression_algorithm: String,
}

impl Default for BackupExportOptions {
    fn default() -> Self {
        BackupExportOptions {
            instance_only: false,
            optimized_storage: false,
            compression_algorithm: "gzip".to_string(),
        }
    }
}

/// What an import overrides: "" keeps the backup's name or pool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BackupImportOptions {
    pub name: String,
    /// The pool of an instance import (ignored for volumes, which name their pool).
    pub pool: String,
}

fn options_json<T: Serialize>(what: &str, value: &T) -> Result<std::ffi::CString> {
    // Plain strings and booleans always serialise.
    let json = serde_json::to_string(value).expect("serialising backup options");
    c_string(what, &json)
}

impl Instance {
    /// Writes the instance (and its snapshots unless `instance_only`) to a backup file at
    /// `target`; the file appears only when complete. InvalidArgument (key
    /// "compression_algorithm"); NotSupported (key "optimized_storage") off btrfs.
    pub fn export_backup(&self, target: &Path, opts: &BackupExportOptions) -> Result<()> {
        let target = c_path("target", target)?;
        let json = options_json("options_json", opts)?;
        check(|err| unsafe {
            sys::li_instance_export_backup(self.as_ptr(), target.as_ptr(), json.as_ptr(), err)
        })
    }

    /// [`Instance::export_backup`] as an operation (cancellable; progress
    /// "create_backup_progress"); bad options fail this call.
    pub fn export_backup_async(&self, target: &Path, opts: &BackupExportOptions) -> Result<Operation> {
        let target = c_path("target", target)?;
        let json = options_json("options_json", opts)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_export_backup_async(out, self.as_ptr(), target.as_ptr(), json.as_ptr(), err)
        })
    }
}

impl Project<'_> {
    /// Creates a (stopped) instance from a backup file: files with owners, modes and xattrs,
    /// config, devices, profiles, snapshots. AlreadyExists (key "name"); NotFound (key "path",
    /// "pool" or "profiles"); InvalidArgument naming a hostile entry.
    pub fn import_backup(&self, path: &Path, opts: &BackupImportOptions) -> Result<Instance> {
        let path = c_path("path", path)?;
        let json = options_json("options_json", opts)?;
        let mut raw: *mut sys::li_instance = ptr::null_mut();
        check(|err| unsafe {
            sys::li_instance_import_backup(
                &mut raw,
                self.mgr(),
                self.name_ptr(),
                path.as_ptr(),
                json.as_ptr(),
                err,
            )
        })?;
        Ok(Instance::from_raw(raw))
    }

    /// [`Project::import_backup`] as an operation; its metadata "name" names the instance once
    /// it succeeds.
    pub fn import_backup_async(&self, path: &Path, opts: &BackupImportOptions) -> Result<Operation> {
        let path = c_path("path", path)?;
        let json = options_json("options_json", opts)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_import_backup_async(
                out,
                self.mgr(),
                self.name_ptr(),
                path.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// Writes the custom volume `name` of `pool` (and its snapshots unless `instance_only`) to a
    /// backup file at `target`.
    pub fn export_storage_volume_backup(
        &self,
        pool: &str,
        name: &str,
        target: &Path,
        opts: &BackupExportOptions,
    ) -> Result<()> {
        let pool = c_string("pool", pool)?;
        let name = c_string("volume", name)?;
        let target = c_path("target", target)?;
        let json = options_json("options_json", opts)?;
        check(|err| unsafe {
            sys::li_storage_volume_export_backup(
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                name.as_ptr(),
                target.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// [`Project::export_storage_volume_backup`] as an operation ("Creating custom volume backup";
    /// cancellable, a cancelled export leaves no file; progress "create_backup_progress"). An
    /// unknown pool or volume and bad options fail this call.
    pub fn export_storage_volume_backup_async(
        &self,
        pool: &str,
        name: &str,
        target: &Path,
        opts: &BackupExportOptions,
    ) -> Result<Operation> {
        let pool = c_string("pool", pool)?;
        let name = c_string("volume", name)?;
        let target = c_path("target", target)?;
        let json = options_json("options_json", opts)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_storage_volume_export_backup_async(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                name.as_ptr(),
                target.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// [`Project::import_storage_volume_backup`] as an operation (cancellable; progress
    /// "create_volume_from_backup_progress"); its metadata "name" names the volume once it succeeds.
    pub fn import_storage_volume_backup_async(
        &self,
        pool: &str,
        path: &Path,
        opts: &BackupImportOptions,
    ) -> Result<Operation> {
        let pool = c_string("pool", pool)?;
        let path = c_path("path", path)?;
        let json = options_json("options_json", opts)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_storage_volume_import_backup_async(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                path.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }

    /// Creates a custom volume (with its snapshots) on `pool` from a backup file; `opts.pool` is
    /// ignored. AlreadyExists (key "name").
    pub fn import_storage_volume_backup(
        &self,
        pool: &str,
        path: &Path,
        opts: &BackupImportOptions,
    ) -> Result<api::StorageVolume> {
        let pool = c_string("pool", pool)?;
        let path = c_path("path", path)?;
        let json = options_json("options_json", opts)?;
        owned_json("StorageVolume", |out, err| unsafe {
            sys::li_storage_volume_import_backup(
                out,
                self.mgr(),
                self.name_ptr(),
                pool.as_ptr(),
                path.as_ptr(),
                json.as_ptr(),
                err,
            )
        })
    }
}

impl Manager {
    /// [`Project::import_backup`] in the default project.
    pub fn import_backup(&self, path: &Path, opts: &BackupImportOptions) -> Result<Instance> {
        self.default_project().import_backup(path, opts)
    }

    /// [`Project::import_backup_async`] in the default project.
    pub fn import_backup_async(&self, path: &Path, opts: &BackupImportOptions) -> Result<Operation> {
        self.default_project().import_backup_async(path, opts)
    }
}

/// What a copy or move to another manager makes of the instance (`lxc copy r1:c1 r2:c2` flags),
/// as the C ABI takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrossCopyOptions {
    /// The target's project (`--target-project`); "" keeps the source's project name.
    pub project: String,
    /// The pool of the copy's root volume (`-s`); "" keeps the source's when the target has it.
    pub pool: String,
    /// Leaves the snapshots out (`--instance-only`).
    pub instance_only: bool,
    /// Replaces the source's profiles (`-p`); `Some(vec![])` applies none (`--no-profiles`).
    pub profiles: Option<Vec<String>>,
    /// Keys set over the source's (`-c`).
    pub config: api::ConfigMap,
    /// Whole devices added or replacing the source's own (`-d`).
    pub devices: api::DeviceMap,
    /// The copy is ephemeral (`-e`); a move keeps the source's either way.
    pub ephemeral: bool,
    /// A move of a running instance stops it, moves it and starts the copy (`--stateless`).
    pub stateless: bool,
}

impl Instance {
    /// Copies the instance to `target` (embedded or connected; `lxc copy r1:c1 r2:c2`) as
    /// `new_name` ("" keeps its name), relayed through a backup in a private temporary file that
    /// is always removed. The copy has none of the source's identifying `volatile.*` keys.
    /// AlreadyExists (key "name"), NotFound (key "pool" or "profiles"); nothing is left on the
    /// target when it fails. Returns the copy, a handle of `target`.
    pub fn copy_to(&self, target: &Manager, new_name: &str, opts: &CrossCopyOptions) -> Result<Instance> {
        let name = c_string("new_name", new_name)?;
        let json = options_json("options_json", opts)?;
        let mut raw: *mut sys::li_instance = ptr::null_mut();
        check(|err| unsafe {
            sys::li_instance_copy_to(&mut raw, self.as_ptr(), target.as_ptr(), name.as_ptr(), json.as_ptr(), err)
        })?;
        Ok(Instance::from_raw(raw))
    }

    /// [`Instance::copy_to`] as an operation of this process (cancellable; progress
    /// "copy_progress", metadata "name" once it succeeds).
    pub fn copy_to_async(&self, target: &Manager, new_name: &str, opts: &CrossCopyOptions) -> Result<Operation> {
        let name = c_string("new_name", new_name)?;
        let json = options_json("options_json", opts)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_copy_to_async(out, self.as_ptr(), target.as_ptr(), name.as_ptr(), json.as_ptr(), err)
        })
    }

    /// Moves the instance to `target` (`lxc move r1:c1 r2:`): [`Instance::copy_to`] with its
    /// snapshots, then the source is deleted once the copy exists. Busy (key "status") for a
    /// running instance unless `stateless`; any failure leaves the source as it was and no copy.
    pub fn move_to(&self, target: &Manager, new_name: &str, opts: &CrossCopyOptions) -> Result<()> {
        let name = c_string("new_name", new_name)?;
        let json = options_json("options_json", opts)?;
        check(|err| unsafe {
            sys::li_instance_move_to(self.as_ptr(), target.as_ptr(), name.as_ptr(), json.as_ptr(), err)
        })
    }

    /// [`Instance::move_to`] as an operation (cancellable; progress "copy_progress").
    pub fn move_to_async(&self, target: &Manager, new_name: &str, opts: &CrossCopyOptions) -> Result<Operation> {
        let name = c_string("new_name", new_name)?;
        let json = options_json("options_json", opts)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_move_to_async(out, self.as_ptr(), target.as_ptr(), name.as_ptr(), json.as_ptr(), err)
        })
    }
}
