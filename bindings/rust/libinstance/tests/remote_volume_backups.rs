//! Custom volume backups (`lxc storage volume export|import`) through a Manager connected to a
//! real instanced over HTTPS: the server makes the backup and the client downloads it (the
//! server's copy is deleted), an import uploads the file; checked on the daemon's socket and state.

mod common;

use std::process::Command;

use common::daemon::Daemon;
use common::expect_error;
use libinstance::api::{StorageVolumeSnapshotsPost, StorageVolumesPost};
use libinstance::{BackupExportOptions, BackupImportOptions, ErrorCode};

fn tar_entry(archive: &std::path::Path, entry: &str) -> String {
    let out = Command::new("tar").arg("-xOzf").arg(archive).arg(entry).output().unwrap();
    assert!(out.status.success(), "{entry} not in {}", archive.display());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn volume_export_and_import_on_a_connected_manager() {
    let daemon = Daemon::start("instanced-volume-backups");
    let url = daemon.listen_https();
    let (client_dir, local) = daemon.client(&url, "remote-volume-backups-client", "rust-volume-backups");
    let connected = local.connect_remote("srv").unwrap();
    let default = connected.project("default").unwrap();
    let pool = connected.storage_pools().unwrap()[0].name.clone();
    let custom = daemon.state.0.join("storage-pools").join(&pool).join("custom");

    let mut post = StorageVolumesPost::new("rs-bk");
    post.config.insert("user.k".into(), "v".into());
    default.create_storage_volume(&pool, &post).unwrap();
    std::fs::write(custom.join("rs-bk").join("data"), "old\n").unwrap();
    default.create_storage_volume_snapshot(&pool, "rs-bk", &StorageVolumeSnapshotsPost::new("s1")).unwrap();
    std::fs::write(custom.join("rs-bk").join("data"), "new\n").unwrap();

    let target = client_dir.0.join("rs-bk.tar.gz");
    default.export_storage_volume_backup(&pool, "rs-bk", &target, &BackupExportOptions::default()).unwrap();
    assert_eq!(tar_entry(&target, "backup/volume/data"), "new\n");
    assert_eq!(tar_entry(&target, "backup/volume-snapshots/s1/data"), "old\n");
    let backups = format!("/1.0/storage-pools/{pool}/volumes/custom/rs-bk/backups");
    assert_eq!(daemon.request("GET", &backups, None).1["metadata"], serde_json::json!([]));
    let rar = BackupExportOptions { compression_algorithm: "rar".into(), ..Default::default() };
    expect_error(
        default.export_storage_volume_backup(&pool, "rs-bk", &client_dir.0.join("bad"), &rar),
        ErrorCode::InvalidArgument,
        "rar",
    );
    assert!(!client_dir.0.join("bad").exists());
    expect_error(
        default.export_storage_volume_backup(&pool, "nothere", &client_dir.0.join("none"), &BackupExportOptions::default()),
        ErrorCode::NotFound,
        "nothere",
    );

    let named = BackupImportOptions { name: "rs-bk2".into(), ..Default::default() };
    let back = default.import_storage_volume_backup(&pool, &target, &named).unwrap();
    assert_eq!(back.name, "rs-bk2");
    assert_eq!(back.config.get("user.k").map(String::as_str), Some("v"));
    assert_eq!(std::fs::read_to_string(custom.join("rs-bk2").join("data")).unwrap(), "new\n");
    let snaps = default.storage_volume_snapshots(&pool, "rs-bk2").unwrap();
    assert_eq!(snaps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["s1"]);
    assert!(local.project("default").unwrap().storage_volume(&pool, "custom", "rs-bk2").is_err(), "made locally too");

    let op = default
        .import_storage_volume_backup_async(&pool, &target, &BackupImportOptions { name: "rs-bk3".into(), ..Default::default() })
        .unwrap();
    op.wait(None).unwrap();
    assert_eq!(daemon.status(&format!("/1.0/storage-pools/{pool}/volumes/custom/rs-bk3")), 200);
    // The backup's own name is taken.
    assert!(default.import_storage_volume_backup(&pool, &target, &BackupImportOptions::default()).is_err());
    let junk = client_dir.0.join("junk.tar.gz");
    std::fs::write(&junk, b"not a backup".repeat(100)).unwrap();
    let junk_named = BackupImportOptions { name: "rs-junk".into(), ..Default::default() };
    assert!(default.import_storage_volume_backup(&pool, &junk, &junk_named).is_err());
    assert_eq!(daemon.status(&format!("/1.0/storage-pools/{pool}/volumes/custom/rs-junk")), 404);

    for name in ["rs-bk", "rs-bk2", "rs-bk3"] {
        for snap in default.storage_volume_snapshots(&pool, name).unwrap() {
            default.delete_storage_volume_snapshot(&pool, name, &snap.name).unwrap();
        }
        default.delete_storage_volume(&pool, name).unwrap();
    }
}
