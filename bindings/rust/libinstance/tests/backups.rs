//! Backups through the safe API on real containers and volumes of the shared state dir's dir
//! pool: round trips keep files with their owners and modes, config and snapshots;
//! instance_only, another name, operations, LXD 5.0.2 backups, and refusals carrying the code
//! and key (a bad compression, a hostile archive) that leave nothing behind.

mod common;

use std::path::{Path, PathBuf};

use common::{container, expect_error, manager, state_dir, Guard, TempDir};
use libinstance::api::{InstanceSnapshotsPost, StorageVolumeSnapshotsPost, StorageVolumesPost};
use libinstance::{BackupExportOptions, BackupImportOptions, ErrorCode, ExecOptions, Instance, StopOptions};

fn sh(inst: &Instance, script: &str) -> String {
    let out = inst.exec(&["sh", "-c", script], &ExecOptions::default()).unwrap();
    assert!(out.success(), "{script}: {}", out.stderr_text());
    out.stdout_text()
}

fn names(inst: &Instance) -> Vec<String> {
    inst.snapshots().unwrap().into_iter().map(|s| s.name).collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/data/backups").join(name)
}

fn named(name: &str) -> BackupImportOptions {
    BackupImportOptions { name: name.into(), ..Default::default() }
}

fn force_stop(inst: &Instance) {
    inst.stop(StopOptions { force: true, ..Default::default() }).unwrap();
}

/// A ustar archive of regular files, names kept verbatim (hostile ones included).
fn write_tar(path: &Path, entries: &[(&str, &[u8])]) {
    let mut out = Vec::new();
    for (name, data) in entries {
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name.as_bytes());
        header[100..107].copy_from_slice(b"0000644");
        header[108..115].copy_from_slice(b"0000000");
        header[116..123].copy_from_slice(b"0000000");
        header[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        header[136..147].copy_from_slice(b"00000000000");
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    std::fs::write(path, out).unwrap();
}

#[test]
fn round_trip_keeps_files_owners_config_and_snapshots() {
    let mgr = manager();
    let work = TempDir::new("backup-rt");
    let inst = container(&mgr, "bk-rt", true);
    sh(&inst, "echo old > /root/f");
    inst.snapshot(&InstanceSnapshotsPost::new("snap0")).unwrap();
    sh(&inst, "echo new > /root/f && chown 1234:2345 /root/f && chmod 640 /root/f");
    inst.set_config("user.mark", "kept").unwrap();
    force_stop(&inst);

    let target = work.join("full.tar.gz");
    inst.export_backup(&target, &BackupExportOptions::default()).unwrap();
    assert!(std::fs::metadata(&target).unwrap().len() > 0);
    inst.delete(false).unwrap();
    expect_error(mgr.instance("bk-rt"), ErrorCode::NotFound, "bk-rt");

    let back = Guard(mgr.import_backup(&target, &BackupImportOptions::default()).unwrap());
    assert_eq!(back.name(), "bk-rt");
    assert_eq!(back.info().unwrap().config.get("user.mark").map(String::as_str), Some("kept"));
    assert_eq!(names(&back), ["snap0"]);
    back.start().unwrap();
    assert_eq!(sh(&back, "cat /root/f; stat -c '%u:%g %a' /root/f"), "new\n1234:2345 640\n");
    back.restore("snap0").unwrap();
    assert_eq!(sh(&back, "cat /root/f"), "old\n");
}

#[test]
fn instance_only_another_name_and_operations() {
    let mgr = manager();
    let work = TempDir::new("backup-only");
    let inst = container(&mgr, "bk-only", false);
    inst.snapshot(&InstanceSnapshotsPost::new("s1")).unwrap();

    let only = work.join("only.tar.zst");
    let opts = BackupExportOptions {
        instance_only: true,
        compression_algorithm: "zstd".into(),
        ..Default::default()
    };
    inst.export_backup_async(&only, &opts).unwrap().wait(None).unwrap();
    assert!(only.is_file());
    let taken = expect_error(
        mgr.import_backup(&only, &BackupImportOptions::default()),
        ErrorCode::AlreadyExists,
        "bk-only",
    );
    assert_eq!(taken.key.as_deref(), Some("name"));

    let copy = Guard(mgr.import_backup(&only, &named("bk-only2")).unwrap());
    assert_eq!(copy.name(), "bk-only2");
    assert!(names(&copy).is_empty());
    assert_eq!(names(&inst), ["s1"]);

    let full = work.join("full.tar.xz");
    inst.export_backup(
        &full,
        &BackupExportOptions { compression_algorithm: "xz".into(), ..Default::default() },
    )
    .unwrap();
    let op = mgr.default_project().import_backup_async(&full, &named("bk-only3")).unwrap();
    op.wait(None).unwrap();
    let third = Guard(mgr.instance("bk-only3").unwrap());
    assert_eq!(names(&third), ["s1"]);
}

#[test]
fn lxd_502_backup_imports() {
    let mgr = manager();
    let inst =
        Guard(mgr.import_backup(&fixture("lxd-5.0.2-container.tar.gz"), &named("bk-fromlxd")).unwrap());
    assert_eq!(inst.info().unwrap().config.get("user.origin").map(String::as_str), Some("lxd"));
    assert_eq!(names(&inst), ["snap0"]);
    inst.start().unwrap();
    assert_eq!(sh(&inst, "stat -c '%u:%g %a' /root/hello; cat /root/v"), "1234:2345 640\ncurrent\n");
}

#[test]
fn refusals_name_the_key_and_leave_nothing() {
    let mgr = manager();
    let work = TempDir::new("backup-bad");
    let inst = container(&mgr, "bk-bad", false);
    let bad = work.join("bad.tar");
    let rar = BackupExportOptions { compression_algorithm: "rar".into(), ..Default::default() };
    let e = expect_error(inst.export_backup(&bad, &rar), ErrorCode::InvalidArgument, "rar");
    assert_eq!(e.key.as_deref(), Some("compression_algorithm"));
    let e = expect_error(inst.export_backup_async(&bad, &rar), ErrorCode::InvalidArgument, "rar");
    assert_eq!(e.key.as_deref(), Some("compression_algorithm"));
    let optimized = BackupExportOptions { optimized_storage: true, ..Default::default() };
    let e = inst.export_backup(&bad, &optimized).unwrap_err();
    assert_eq!((e.code, e.key.as_deref()), (ErrorCode::NotSupported, Some("optimized_storage")));
    assert!(!bad.exists());

    let e = mgr.import_backup(&work.join("none.tar.gz"), &BackupImportOptions::default()).unwrap_err();
    assert_eq!((e.code, e.key.as_deref()), (ErrorCode::NotFound, Some("path")));

    let evil = work.join("evil.tar");
    let index = b"name: bk-evil\nbackend: dir\npool: default\ntype: container\nconfig:\n  container:\n    \
name: bk-evil\n    architecture: x86_64\n    profiles: [default]\n";
    let entry = "backup/container/rootfs/../../../../escape";
    write_tar(&evil, &[("backup/index.yaml", index), (entry, b"x")]);
    let e = expect_error(
        mgr.import_backup(&evil, &BackupImportOptions::default()),
        ErrorCode::InvalidArgument,
        entry,
    );
    assert_eq!(e.key.as_deref(), Some(entry));
    expect_error(mgr.instance("bk-evil"), ErrorCode::NotFound, "bk-evil");
    assert!(!state_dir().join("storage-pools/default/containers/bk-evil").exists());
}

#[test]
fn volume_round_trip_and_lxd_volume() {
    let mgr = manager();
    let project = mgr.default_project();
    let work = TempDir::new("backup-vol");
    let custom = state_dir().join("storage-pools/default/custom");
    let mut post = StorageVolumesPost::new("bkvol");
    post.config.insert("user.k".into(), "v".into());
    project.create_storage_volume("default", &post).unwrap();
    std::fs::write(custom.join("bkvol/data"), "old\n").unwrap();
    project
        .create_storage_volume_snapshot("default", "bkvol", &StorageVolumeSnapshotsPost::new("snapA"))
        .unwrap();
    std::fs::write(custom.join("bkvol/data"), "new\n").unwrap();

    let target = work.join("vol.tar.gz");
    project
        .export_storage_volume_backup("default", "bkvol", &target, &BackupExportOptions::default())
        .unwrap();
    let only = work.join("vol-only.tar.bz2");
    let opts = BackupExportOptions {
        instance_only: true,
        compression_algorithm: "bzip2".into(),
        ..Default::default()
    };
    project.export_storage_volume_backup("default", "bkvol", &only, &opts).unwrap();
    let rar = BackupExportOptions { compression_algorithm: "rar".into(), ..Default::default() };
    let e = project.export_storage_volume_backup("default", "bkvol", &work.join("bad"), &rar).unwrap_err();
    assert_eq!((e.code, e.key.as_deref()), (ErrorCode::InvalidArgument, Some("compression_algorithm")));
    project.delete_storage_volume_snapshot("default", "bkvol", "snapA").unwrap();
    project.delete_storage_volume("default", "bkvol").unwrap();

    let back =
        project.import_storage_volume_backup("default", &target, &BackupImportOptions::default()).unwrap();
    assert_eq!(back.name, "bkvol");
    assert_eq!(back.config.get("user.k").map(String::as_str), Some("v"));
    assert_eq!(std::fs::read_to_string(custom.join("bkvol/data")).unwrap(), "new\n");
    assert_eq!(project.storage_volume_snapshots("default", "bkvol").unwrap().len(), 1);
    let e = project
        .import_storage_volume_backup("default", &target, &BackupImportOptions::default())
        .unwrap_err();
    assert_eq!((e.code, e.key.as_deref()), (ErrorCode::AlreadyExists, Some("name")));
    project.restore_storage_volume_snapshot("default", "bkvol", "snapA").unwrap();
    assert_eq!(std::fs::read_to_string(custom.join("bkvol/data")).unwrap(), "old\n");

    let copy = project.import_storage_volume_backup("default", &only, &named("bkvol2")).unwrap();
    assert_eq!(copy.name, "bkvol2");
    assert!(project.storage_volume_snapshots("default", "bkvol2").unwrap().is_empty());

    let lxd = project
        .import_storage_volume_backup("default", &fixture("lxd-5.0.2-volume.tar.gz"), &named("bk-lxdvol"))
        .unwrap();
    assert_eq!(lxd.name, "bk-lxdvol");
    assert_eq!(std::fs::read_to_string(custom.join("bk-lxdvol/data")).unwrap(), "new\n");
    assert!(custom.join("bk-lxdvol/sub/y").exists());
    assert_eq!(project.storage_volume_snapshots("default", "bk-lxdvol").unwrap().len(), 1);

    for (volume, snapshot) in [("bkvol", Some("snapA")), ("bkvol2", None), ("bk-lxdvol", Some("snapA"))] {
        if let Some(snapshot) = snapshot {
            project.delete_storage_volume_snapshot("default", volume, snapshot).unwrap();
        }
        project.delete_storage_volume("default", volume).unwrap();
    }
}
