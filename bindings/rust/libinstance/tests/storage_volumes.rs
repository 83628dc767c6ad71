//! Custom storage volumes through the safe API on the shared state dir's default pool:
//! create/list/get/update/rename/delete, bad input naming the key and changing nothing, and one
//! volume shared by two running containers as disk devices (refused deletion while attached);
//! copies, moves, exports and imports as operations, a cancelled copy leaving nothing.

mod common;

use std::io::Read;
use std::time::Duration;

use common::{container, expect_error, manager, state_dir, Guard};
use libinstance::api::{
    ConfigMap, InstanceSource, InstancesPost, StorageVolumePost, StorageVolumePut, StorageVolumesPost,
};
use libinstance::{BackupExportOptions, BackupImportOptions, ErrorCode, ExecOptions};

const WAIT: Option<Duration> = Some(Duration::from_secs(120));

fn custom_names(project: &libinstance::Project<'_>) -> Vec<String> {
    let mut names: Vec<String> = project
        .storage_volumes("default")
        .unwrap()
        .into_iter()
        .filter(|v| v.volume_type == "custom")
        .map(|v| v.name)
        .collect();
    names.sort();
    names
}

/// Deletes the custom volume when dropped, so a failing test leaves none behind.
struct VolumeGuard<'a>(&'a libinstance::Project<'a>, &'static str);

impl Drop for VolumeGuard<'_> {
    fn drop(&mut self) {
        let _ = self.0.delete_storage_volume("default", self.1);
    }
}

#[test]
fn custom_volume_crud_and_bad_input() {
    let mgr = manager();
    let project = mgr.default_project();
    let _guard = VolumeGuard(&project, "rsvol1");
    let _guard2 = VolumeGuard(&project, "rsvol1b");

    let mut post = StorageVolumesPost::new("rsvol1");
    post.description = "data".into();
    post.config.insert("user.team".into(), "a".into());
    let vol = project.create_storage_volume("default", &post).unwrap();
    assert_eq!(
        (vol.name.as_str(), vol.volume_type.as_str(), vol.content_type.as_str()),
        ("rsvol1", "custom", "filesystem")
    );
    assert_eq!(vol.description, "data");
    assert_eq!(vol.config["user.team"], "a");
    assert!(vol.used_by.is_empty());
    assert_eq!(vol.location, "none");
    assert!(!vol.created_at.is_empty());
    assert!(custom_names(&project).contains(&"rsvol1".to_string()));
    expect_error(project.create_storage_volume("default", &post), ErrorCode::AlreadyExists, "rsvol1");
    expect_error(project.storage_volume("default", "custom", "rsnope"), ErrorCode::NotFound, "rsnope");

    // Bad input is refused naming the key, and changes nothing.
    let before = custom_names(&project);
    let mut bad = StorageVolumesPost::new("rsbad");
    bad.config.insert("bogus.key".into(), "1".into());
    let err =
        expect_error(project.create_storage_volume("default", &bad), ErrorCode::InvalidArgument, "bogus.key");
    assert_eq!(err.key.as_deref(), Some("config.bogus.key"));
    let mut bad = StorageVolumesPost::new("rsbad");
    bad.config.insert("security.shifted".into(), "maybe".into());
    let err =
        expect_error(project.create_storage_volume("default", &bad), ErrorCode::InvalidArgument, "maybe");
    assert_eq!(err.key.as_deref(), Some("config.security.shifted"));
    let err = project.create_storage_volume("default", &StorageVolumesPost::new("bad/name")).unwrap_err();
    assert_eq!((err.code, err.key.as_deref()), (ErrorCode::InvalidArgument, Some("name")));
    let mut bad = StorageVolumesPost::new("rsbad");
    bad.volume_type = "container".into();
    let err = project.create_storage_volume("default", &bad).unwrap_err();
    assert_eq!((err.code, err.key.as_deref()), (ErrorCode::InvalidArgument, Some("type")));
    let err = expect_error(
        project.create_storage_volume("nopool", &StorageVolumesPost::new("rsbad")),
        ErrorCode::NotFound,
        "nopool",
    );
    // Every error carries the key of the missing, existing or busy thing.
    assert_eq!(err.key.as_deref(), Some("pool"));
    assert_eq!(custom_names(&project), before);

    // Update: PUT replaces description and config; a bad key changes nothing.
    let mut put = vol.put();
    put.description = "changed".into();
    put.config.insert("user.team".into(), "b".into());
    project.update_storage_volume("default", "rsvol1", &put).unwrap();
    let got = project.storage_volume("default", "custom", "rsvol1").unwrap();
    assert_eq!(got.description, "changed");
    assert_eq!(got.config["user.team"], "b");
    let mut bad_put = StorageVolumePut { description: "nope".into(), ..Default::default() };
    bad_put.config.insert("bogus.key".into(), "1".into());
    let err = expect_error(
        project.update_storage_volume("default", "rsvol1", &bad_put),
        ErrorCode::InvalidArgument,
        "bogus.key",
    );
    assert_eq!(err.key.as_deref(), Some("config.bogus.key"));
    assert_eq!(project.storage_volume("default", "custom", "rsvol1").unwrap(), got);

    // Rename, and back; renaming onto an existing volume is refused.
    project.rename_storage_volume("default", "rsvol1", "rsvol1b").unwrap();
    expect_error(project.storage_volume("default", "custom", "rsvol1"), ErrorCode::NotFound, "rsvol1");
    assert_eq!(project.storage_volume("default", "custom", "rsvol1b").unwrap().description, "changed");
    project.create_storage_volume("default", &StorageVolumesPost::new("rsvol1")).unwrap();
    expect_error(
        project.rename_storage_volume("default", "rsvol1b", "rsvol1"),
        ErrorCode::AlreadyExists,
        "rsvol1",
    );
    project.delete_storage_volume("default", "rsvol1").unwrap();
    project.rename_storage_volume("default", "rsvol1b", "rsvol1").unwrap();

    project.delete_storage_volume("default", "rsvol1").unwrap();
    expect_error(project.storage_volume("default", "custom", "rsvol1"), ErrorCode::NotFound, "rsvol1");
    assert!(!custom_names(&project).contains(&"rsvol1".to_string()));
}

#[test]
fn custom_volume_shared_by_two_containers() {
    let mgr = manager();
    let project = mgr.default_project();
    let _vguard = VolumeGuard(&project, "rsshared");
    project.create_storage_volume("default", &StorageVolumesPost::new("rsshared")).unwrap();

    let mut disk = ConfigMap::new();
    disk.insert("type".into(), "disk".into());
    disk.insert("pool".into(), "default".into());
    disk.insert("source".into(), "rsshared".into());
    disk.insert("path".into(), "/mnt/v".into());

    let writer = container(&mgr, "rsvolw", true);
    writer.add_device("vol", &disk).unwrap();
    let out = writer
        .exec(&["sh", "-c", "echo shared > /mnt/v/f && cat /mnt/v/f"], &ExecOptions::default())
        .unwrap();
    assert_eq!(out.stdout, b"shared\n", "stderr: {}", String::from_utf8_lossy(&out.stderr));

    let mut ro = disk.clone();
    ro.insert("readonly".into(), "true".into());
    let mut post = InstancesPost::new("rsvolr", InstanceSource::image_alias(common::IMAGE));
    post.start = true;
    post.devices.insert("vol".into(), ro);
    let reader = Guard(mgr.create_instance(&post).unwrap());
    let out = reader.exec(&["cat", "/mnt/v/f"], &ExecOptions::default()).unwrap();
    assert_eq!(out.stdout, b"shared\n");
    assert_ne!(
        reader.exec(&["sh", "-c", "echo x > /mnt/v/g"], &ExecOptions::default()).unwrap().exit_code,
        0
    );

    let used_by = project.storage_volume("default", "custom", "rsshared").unwrap().used_by;
    assert!(used_by.contains(&"/1.0/instances/rsvolw".to_string()), "{used_by:?}");
    assert!(used_by.contains(&"/1.0/instances/rsvolr".to_string()), "{used_by:?}");
    expect_error(project.delete_storage_volume("default", "rsshared"), ErrorCode::Busy, "rsvolr");
    expect_error(
        project.rename_storage_volume("default", "rsshared", "rsshared2"),
        ErrorCode::Busy,
        "rsvolw",
    );
    assert!(project.storage_volume("default", "custom", "rsshared").is_ok());

    writer.remove_device("vol").unwrap();
    reader.0.delete(true).unwrap();
    assert!(project.storage_volume("default", "custom", "rsshared").unwrap().used_by.is_empty());
    project.delete_storage_volume("default", "rsshared").unwrap();
    expect_error(project.storage_volume("default", "custom", "rsshared"), ErrorCode::NotFound, "rsshared");
}

#[test]
fn custom_volume_operations_and_a_cancelled_copy() {
    let mgr = manager();
    let project = mgr.default_project();
    let _guards = ["rsopsrc", "rsopcp", "rsopmv", "rsopbk", "rsopgone"].map(|n| VolumeGuard(&project, n));
    project.create_storage_volume("default", &StorageVolumesPost::new("rsopsrc")).unwrap();
    let custom = state_dir().join("storage-pools/default/custom");
    // Incompressible data, so that the copy cancelled below is still running.
    let mut random = std::fs::File::open("/dev/urandom").unwrap();
    let mut buf = vec![0u8; 2 << 20];
    for i in 0..48 {
        random.read_exact(&mut buf).unwrap();
        std::fs::write(custom.join("rsopsrc").join(format!("f{i}")), &buf).unwrap();
    }

    let op = project.copy_storage_volume_async("default", "rsopsrc", "default", "rsopcp", false).unwrap();
    op.wait(WAIT).unwrap();
    let info = op.info().unwrap();
    assert_eq!(info.description, "Copying storage volume");
    assert_eq!(info.resources["storage_volumes"], vec!["/1.0/storage-pools/default/volumes/custom/rsopcp".to_string()]);
    assert_eq!(info.metadata["name"], "rsopcp");
    assert_eq!(info.metadata["fs_progress"], "Copy: 100%");

    let cancelled = project.copy_storage_volume_async("default", "rsopsrc", "default", "rsopgone", false).unwrap();
    assert!(cancelled.info().unwrap().may_cancel);
    cancelled.cancel().unwrap();
    expect_error(cancelled.wait(WAIT), ErrorCode::Cancelled, "");
    assert!(!custom_names(&project).contains(&"rsopgone".to_string()));
    assert!(!custom.join("rsopgone").exists());

    let post = StorageVolumePost { name: "rsopmv".into(), pool: "default".into() };
    let op = project.move_storage_volume_async("default", "rsopcp", &post).unwrap();
    op.wait(WAIT).unwrap();
    assert_eq!(op.info().unwrap().metadata["name"], "rsopmv");
    assert!(custom.join("rsopmv").join("f0").exists());

    let dir = common::TempDir::new("rs-volops");
    let file = dir.0.join("vol.tar");
    let opts = BackupExportOptions { compression_algorithm: "none".into(), ..Default::default() };
    let op = project.export_storage_volume_backup_async("default", "rsopsrc", &file, &opts).unwrap();
    op.wait(WAIT).unwrap();
    assert_eq!(op.info().unwrap().description, "Creating custom volume backup");
    assert_eq!(op.info().unwrap().metadata["create_backup_progress"], "Backup: 100%");
    let import = BackupImportOptions { name: "rsopbk".into(), ..Default::default() };
    let op = project.import_storage_volume_backup_async("default", &file, &import).unwrap();
    op.wait(WAIT).unwrap();
    assert_eq!(op.info().unwrap().metadata["name"], "rsopbk");
    assert_eq!(std::fs::metadata(custom.join("rsopbk").join("f47")).unwrap().len(), 2 << 20);

    // Refused at once, with no operation: an unknown volume.
    expect_error(
        project.export_storage_volume_backup_async("default", "rsnope", &dir.0.join("x.tar"), &opts),
        ErrorCode::NotFound,
        "rsnope",
    );
}
