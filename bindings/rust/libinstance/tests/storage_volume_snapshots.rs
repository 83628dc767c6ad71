//! Custom volume snapshots, copies and moves through the safe API, on the shared state dir's dir
//! pool and on btrfs pools made on loop files: real files written into the volumes' directories,
//! snapshots taken, renamed, restored and deleted, volumes copied with and without their snapshots
//! and moved between pools; refusals carry the error code and key and change nothing.

mod common;

use std::path::PathBuf;

use common::{container, expect_error, manager, state_dir, PoolGuard};
use libinstance::api::{
    ConfigMap, StorageVolumePost, StorageVolumePut, StorageVolumeSnapshotPut, StorageVolumeSnapshotsPost,
    StorageVolumesPost,
};
use libinstance::{ErrorCode, ExecOptions, Project, StopOptions};

/// Where a custom volume of the default project lives: `<pool>/custom/<volume>` (btrfs pools are
/// mounted at the same place as dir pools keep their directory).
fn volume_dir(pool: &str, volume: &str) -> PathBuf {
    state_dir().join("storage-pools").join(pool).join("custom").join(volume)
}

fn write(pool: &str, volume: &str, file: &str, text: &str) {
    let path = volume_dir(pool, volume).join(file);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {path:?}: {e}"));
}

fn read(pool: &str, volume: &str, file: &str) -> String {
    let path = volume_dir(pool, volume).join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path:?}: {e}"))
}

fn snapshot_names(project: &Project<'_>, pool: &str, volume: &str) -> Vec<String> {
    project.storage_volume_snapshots(pool, volume).unwrap().into_iter().map(|s| s.name).collect()
}

fn snap(project: &Project<'_>, pool: &str, volume: &str, name: &str) -> String {
    project
        .create_storage_volume_snapshot(pool, volume, &StorageVolumeSnapshotsPost::new(name))
        .unwrap_or_else(|e| panic!("snapshotting {pool}/{volume}: {e:?}"))
        .name
}

fn disk_device(pool: &str, volume: &str) -> ConfigMap {
    let mut disk = ConfigMap::new();
    disk.insert("type".into(), "disk".into());
    disk.insert("pool".into(), pool.into());
    disk.insert("source".into(), volume.into());
    disk.insert("path".into(), "/mnt/v".into());
    disk
}

fn make_volume(project: &Project<'_>, pool: &str, name: &str) {
    let mut post = StorageVolumesPost::new(name);
    post.description = format!("data of {name}");
    post.config.insert("user.origin".into(), "rust".into());
    project.create_storage_volume(pool, &post).unwrap_or_else(|e| panic!("creating {pool}/{name}: {e:?}"));
}

/// Deletes the custom volumes (wherever a test left them) when dropped.
struct VolumesGuard(Vec<(&'static str, &'static str)>);

impl Drop for VolumesGuard {
    fn drop(&mut self) {
        let mgr = manager();
        let project = mgr.default_project();
        for (pool, name) in &self.0 {
            let _ = project.delete_storage_volume(pool, name);
        }
    }
}

#[test]
fn snapshots_take_list_update_rename_restore_delete_on_dir_and_btrfs() {
    let mgr = manager();
    let project = mgr.default_project();
    let _pool = PoolGuard::btrfs("rssnapbt");
    let _volumes = VolumesGuard(vec![("default", "rssv"), ("rssnapbt", "rssv")]);

    for pool in ["default", "rssnapbt"] {
        make_volume(&project, pool, "rssv");
        write(pool, "rssv", "f", "one");
        write(pool, "rssv", ".hidden", "dot");

        // Unnamed snapshots get LXD's names, snap0, snap1, ...; a named one keeps its name.
        let first = project
            .create_storage_volume_snapshot(pool, "rssv", &StorageVolumeSnapshotsPost::default())
            .unwrap();
        assert_eq!(first.name, "snap0", "{pool}");
        assert_eq!(first.config["user.origin"], "rust");
        assert_eq!(first.content_type, "filesystem");
        assert!(!first.created_at.is_empty());
        assert!(first.never_expires(), "{first:?}");
        write(pool, "rssv", "f", "two");
        assert_eq!(snap(&project, pool, "rssv", ""), "snap1");
        write(pool, "rssv", "f", "three");
        assert_eq!(snap(&project, pool, "rssv", "keep"), "keep");
        assert_eq!(snapshot_names(&project, pool, "rssv"), ["snap0", "snap1", "keep"]);
        assert!(state_dir().join("storage-pools").join(pool).join("custom-snapshots/rssv/keep").exists());

        // Refusals name the key and change nothing.
        let err = expect_error(
            project.create_storage_volume_snapshot(pool, "rssv", &StorageVolumeSnapshotsPost::new("keep")),
            ErrorCode::AlreadyExists,
            "keep",
        );
        assert_eq!(err.key.as_deref(), Some("name"));
        let err = project
            .create_storage_volume_snapshot(pool, "rssv", &StorageVolumeSnapshotsPost::new("bad/name"))
            .unwrap_err();
        assert_eq!((err.code, err.key.as_deref()), (ErrorCode::InvalidArgument, Some("name")), "{err:?}");
        let mut bad_expiry = StorageVolumeSnapshotsPost::new("later");
        bad_expiry.expires_at = "tomorrow".into();
        let err = expect_error(
            project.create_storage_volume_snapshot(pool, "rssv", &bad_expiry),
            ErrorCode::InvalidArgument,
            "tomorrow",
        );
        assert_eq!(err.key.as_deref(), Some("expires_at"));
        let err = expect_error(
            project.create_storage_volume_snapshot(pool, "rsnovol", &StorageVolumeSnapshotsPost::default()),
            ErrorCode::NotFound,
            "rsnovol",
        );
        assert_eq!(err.key.as_deref(), Some("name"));
        assert_eq!(snapshot_names(&project, pool, "rssv"), ["snap0", "snap1", "keep"]);

        // Get is the list's entry; a missing snapshot is NotFound with key "snapshot".
        let listed = project.storage_volume_snapshots(pool, "rssv").unwrap();
        assert_eq!(project.storage_volume_snapshot(pool, "rssv", "snap1").unwrap(), listed[1]);
        let err =
            expect_error(project.storage_volume_snapshot(pool, "rssv", "nope"), ErrorCode::NotFound, "nope");
        assert_eq!(err.key.as_deref(), Some("snapshot"));

        // Update replaces description and expiry only.
        let mut put = first.put();
        put.description = "the first".into();
        put.expires_at = "2099-12-31T23:59:00Z".into();
        project.update_storage_volume_snapshot(pool, "rssv", "snap0", &put).unwrap();
        let got = project.storage_volume_snapshot(pool, "rssv", "snap0").unwrap();
        assert_eq!(got.description, "the first");
        assert!(got.expires_at.starts_with("2099-12-31T23:59"), "{got:?}");
        assert_eq!(
            (got.name.as_str(), &got.created_at, &got.config),
            ("snap0", &first.created_at, &first.config)
        );
        let bad_put = StorageVolumeSnapshotPut { description: "x".into(), expires_at: "soon".into() };
        let err = expect_error(
            project.update_storage_volume_snapshot(pool, "rssv", "snap0", &bad_put),
            ErrorCode::InvalidArgument,
            "soon",
        );
        assert_eq!(err.key.as_deref(), Some("expires_at"));
        let err = expect_error(
            project.update_storage_volume_snapshot(pool, "rssv", "nope", &put),
            ErrorCode::NotFound,
            "nope",
        );
        assert_eq!(err.key.as_deref(), Some("snapshot"));
        assert_eq!(project.storage_volume_snapshot(pool, "rssv", "snap0").unwrap(), got);
        put.expires_at.clear();
        project.update_storage_volume_snapshot(pool, "rssv", "snap0", &put).unwrap();
        assert!(project.storage_volume_snapshot(pool, "rssv", "snap0").unwrap().never_expires());

        // Rename keeps the order; onto an existing name it is refused (key "new_name").
        project.rename_storage_volume_snapshot(pool, "rssv", "snap1", "second").unwrap();
        assert_eq!(snapshot_names(&project, pool, "rssv"), ["snap0", "second", "keep"]);
        let err = expect_error(
            project.storage_volume_snapshot(pool, "rssv", "snap1"),
            ErrorCode::NotFound,
            "snap1",
        );
        assert_eq!(err.key.as_deref(), Some("snapshot"));
        let err = expect_error(
            project.rename_storage_volume_snapshot(pool, "rssv", "snap0", "keep"),
            ErrorCode::AlreadyExists,
            "keep",
        );
        assert_eq!(err.key.as_deref(), Some("new_name"));
        let err = project.rename_storage_volume_snapshot(pool, "rssv", "snap0", "a/b").unwrap_err();
        assert_eq!((err.code, err.key.as_deref()), (ErrorCode::InvalidArgument, Some("new_name")), "{err:?}");
        assert_eq!(snapshot_names(&project, pool, "rssv"), ["snap0", "second", "keep"]);
        // The next unnamed snapshot follows the highest "snapN" still there.
        assert_eq!(snap(&project, pool, "rssv", ""), "snap1");
        project.delete_storage_volume_snapshot(pool, "rssv", "snap1").unwrap();

        // Restore brings the snapshot's files back (and removes files made since); the snapshot stays.
        write(pool, "rssv", "f", "four");
        write(pool, "rssv", "new", "made after");
        project.restore_storage_volume_snapshot(pool, "rssv", "snap0").unwrap();
        assert_eq!(read(pool, "rssv", "f"), "one");
        assert_eq!(read(pool, "rssv", ".hidden"), "dot");
        assert!(!volume_dir(pool, "rssv").join("new").exists());
        project.restore_storage_volume_snapshot(pool, "rssv", "second").unwrap();
        assert_eq!(read(pool, "rssv", "f"), "two");
        // LXD's PUT with "restore" does the same.
        let restore = StorageVolumePut { restore: "keep".into(), ..Default::default() };
        project.update_storage_volume(pool, "rssv", &restore).unwrap();
        assert_eq!(read(pool, "rssv", "f"), "three");
        let vol = project.storage_volume(pool, "custom", "rssv").unwrap();
        assert_eq!(vol.description, "data of rssv", "a restore through PUT changes nothing else");
        let err = expect_error(
            project.restore_storage_volume_snapshot(pool, "rssv", "nope"),
            ErrorCode::NotFound,
            "nope",
        );
        assert_eq!(err.key.as_deref(), Some("snapshot"));
        assert_eq!(read(pool, "rssv", "f"), "three");
        assert_eq!(snapshot_names(&project, pool, "rssv"), ["snap0", "second", "keep"]);

        // Delete.
        project.delete_storage_volume_snapshot(pool, "rssv", "keep").unwrap();
        assert_eq!(snapshot_names(&project, pool, "rssv"), ["snap0", "second"]);
        assert!(!state_dir().join("storage-pools").join(pool).join("custom-snapshots/rssv/keep").exists());
        let err = expect_error(
            project.delete_storage_volume_snapshot(pool, "rssv", "keep"),
            ErrorCode::NotFound,
            "keep",
        );
        assert_eq!(err.key.as_deref(), Some("snapshot"));

        // Deleting the volume takes its snapshots with it.
        project.delete_storage_volume(pool, "rssv").unwrap();
        let err = expect_error(project.storage_volume_snapshots(pool, "rssv"), ErrorCode::NotFound, "rssv");
        assert_eq!(err.key.as_deref(), Some("name"));
        assert!(!state_dir().join("storage-pools").join(pool).join("custom-snapshots/rssv/snap0").exists());
    }
}

#[test]
fn copies_with_and_without_snapshots_within_and_across_pools() {
    let mgr = manager();
    let project = mgr.default_project();
    let _pool = PoolGuard::btrfs("rscopybt");
    let _volumes = VolumesGuard(vec![
        ("default", "rscsrc"),
        ("default", "rsccopy"),
        ("default", "rsconly"),
        ("rscopybt", "rscbt"),
        ("rscopybt", "rscbtonly"),
    ]);

    make_volume(&project, "default", "rscsrc");
    write("default", "rscsrc", "f", "old");
    snap(&project, "default", "rscsrc", "");
    write("default", "rscsrc", "f", "new");
    snap(&project, "default", "rscsrc", "later");

    // Within the pool, with the snapshots: same files, description and config, and independent.
    let copy = project.copy_storage_volume("default", "rscsrc", "default", "rsccopy", false).unwrap();
    assert_eq!((copy.name.as_str(), copy.volume_type.as_str()), ("rsccopy", "custom"));
    assert_eq!(copy.description, "data of rscsrc");
    assert_eq!(copy.config["user.origin"], "rust");
    assert_eq!(read("default", "rsccopy", "f"), "new");
    assert_eq!(snapshot_names(&project, "default", "rsccopy"), ["snap0", "later"]);
    write("default", "rsccopy", "f", "copy's own");
    assert_eq!(read("default", "rscsrc", "f"), "new");
    project.restore_storage_volume_snapshot("default", "rsccopy", "snap0").unwrap();
    assert_eq!(read("default", "rsccopy", "f"), "old", "the copied snapshot has the source snapshot's files");
    assert_eq!(read("default", "rscsrc", "f"), "new");

    // volume_only leaves the snapshots behind.
    project.copy_storage_volume("default", "rscsrc", "default", "rsconly", true).unwrap();
    assert_eq!(read("default", "rsconly", "f"), "new");
    assert!(snapshot_names(&project, "default", "rsconly").is_empty());

    // Across pools (dir to btrfs), with and without snapshots.
    project.copy_storage_volume("default", "rscsrc", "rscopybt", "rscbt", false).unwrap();
    assert_eq!(read("rscopybt", "rscbt", "f"), "new");
    assert_eq!(snapshot_names(&project, "rscopybt", "rscbt"), ["snap0", "later"]);
    project.restore_storage_volume_snapshot("rscopybt", "rscbt", "snap0").unwrap();
    assert_eq!(read("rscopybt", "rscbt", "f"), "old");
    project.copy_storage_volume("default", "rscsrc", "rscopybt", "rscbtonly", true).unwrap();
    assert!(snapshot_names(&project, "rscopybt", "rscbtonly").is_empty());
    assert_eq!(read("rscopybt", "rscbtonly", "f"), "new");

    // Refusals: the target exists, the source or its pool is missing, a copy onto itself.
    let err = expect_error(
        project.copy_storage_volume("default", "rscsrc", "default", "rsccopy", false),
        ErrorCode::AlreadyExists,
        "rsccopy",
    );
    assert_eq!(err.key.as_deref(), Some("name"));
    assert_eq!(read("default", "rsccopy", "f"), "old", "a refused copy leaves the target alone");
    let err = expect_error(
        project.copy_storage_volume("default", "rscnope", "default", "rscx", false),
        ErrorCode::NotFound,
        "rscnope",
    );
    assert_eq!(err.key.as_deref(), Some("source.name"));
    let err = expect_error(
        project.copy_storage_volume("nopool", "rscsrc", "default", "rscx", false),
        ErrorCode::NotFound,
        "nopool",
    );
    assert_eq!(err.key.as_deref(), Some("source.pool"));
    let err = project.copy_storage_volume("default", "rscsrc", "default", "rscsrc", false).unwrap_err();
    assert_eq!((err.code, err.key.as_deref()), (ErrorCode::InvalidArgument, Some("name")), "{err:?}");
    expect_error(project.storage_volume("default", "custom", "rscx"), ErrorCode::NotFound, "rscx");
}

#[test]
fn moves_between_pools_and_renames_in_place() {
    let mgr = manager();
    let project = mgr.default_project();
    let _pool = PoolGuard::btrfs("rsmovebt");
    let _volumes = VolumesGuard(vec![
        ("default", "rsmv"),
        ("default", "rsmv2"),
        ("default", "rsmvtaken"),
        ("rsmovebt", "rsmv"),
        ("rsmovebt", "rsmvbt"),
    ]);

    make_volume(&project, "default", "rsmv");
    write("default", "rsmv", "f", "before");
    snap(&project, "default", "rsmv", "");
    write("default", "rsmv", "f", "after");

    // To another pool under a new name, with the snapshots; nothing is left on the old pool.
    let post = StorageVolumePost { name: "rsmvbt".into(), pool: "rsmovebt".into() };
    project.move_storage_volume("default", "rsmv", &post).unwrap();
    expect_error(project.storage_volume("default", "custom", "rsmv"), ErrorCode::NotFound, "rsmv");
    assert!(!volume_dir("default", "rsmv").exists());
    let moved = project.storage_volume("rsmovebt", "custom", "rsmvbt").unwrap();
    assert_eq!(moved.description, "data of rsmv");
    assert_eq!(moved.config["user.origin"], "rust");
    assert_eq!(read("rsmovebt", "rsmvbt", "f"), "after");
    assert_eq!(snapshot_names(&project, "rsmovebt", "rsmvbt"), ["snap0"]);
    project.restore_storage_volume_snapshot("rsmovebt", "rsmvbt", "snap0").unwrap();
    assert_eq!(read("rsmovebt", "rsmvbt", "f"), "before");

    // And back, keeping the name (an empty name keeps it).
    let back = StorageVolumePost { name: String::new(), pool: "default".into() };
    project.move_storage_volume("rsmovebt", "rsmvbt", &back).unwrap();
    assert_eq!(read("default", "rsmvbt", "f"), "before");
    assert_eq!(snapshot_names(&project, "default", "rsmvbt"), ["snap0"]);
    expect_error(project.storage_volume("rsmovebt", "custom", "rsmvbt"), ErrorCode::NotFound, "rsmvbt");

    // The same pool (or none): a rename, snapshots included.
    let rename = StorageVolumePost { name: "rsmv2".into(), pool: String::new() };
    project.move_storage_volume("default", "rsmvbt", &rename).unwrap();
    assert_eq!(read("default", "rsmv2", "f"), "before");
    assert_eq!(snapshot_names(&project, "default", "rsmv2"), ["snap0"]);
    expect_error(project.storage_volume("default", "custom", "rsmvbt"), ErrorCode::NotFound, "rsmvbt");
    let rename = StorageVolumePost { name: "rsmv".into(), pool: "default".into() };
    project.move_storage_volume("default", "rsmv2", &rename).unwrap();
    assert_eq!(read("default", "rsmv", "f"), "before");

    // Refusals change nothing: the target name taken, a missing pool or volume.
    project.create_storage_volume("rsmovebt", &StorageVolumesPost::new("rsmv")).unwrap();
    let to_bt = StorageVolumePost { name: String::new(), pool: "rsmovebt".into() };
    let err = expect_error(
        project.move_storage_volume("default", "rsmv", &to_bt),
        ErrorCode::AlreadyExists,
        "rsmv",
    );
    assert_eq!(err.key.as_deref(), Some("name"));
    project.delete_storage_volume("rsmovebt", "rsmv").unwrap();
    let err = expect_error(
        project.move_storage_volume(
            "default",
            "rsmv",
            &StorageVolumePost { name: String::new(), pool: "rsnopool".into() },
        ),
        ErrorCode::NotFound,
        "rsnopool",
    );
    assert_eq!(err.key.as_deref(), Some("pool"));
    let err = expect_error(
        project.move_storage_volume("default", "rsmvnope", &to_bt),
        ErrorCode::NotFound,
        "rsmvnope",
    );
    assert_eq!(err.key.as_deref(), Some("name"));
    project.create_storage_volume("default", &StorageVolumesPost::new("rsmvtaken")).unwrap();
    let onto = StorageVolumePost { name: "rsmvtaken".into(), pool: String::new() };
    expect_error(
        project.move_storage_volume("default", "rsmv", &onto),
        ErrorCode::AlreadyExists,
        "rsmvtaken",
    );
    assert_eq!(read("default", "rsmv", "f"), "before");
    assert_eq!(snapshot_names(&project, "default", "rsmv"), ["snap0"]);

    // Attached to an instance (even a stopped one), the volume does not move: Busy, key "name".
    let inst = container(&mgr, "rsmvuser", false);
    inst.add_device("vol", &disk_device("default", "rsmv")).unwrap();
    let err =
        expect_error(project.move_storage_volume("default", "rsmv", &to_bt), ErrorCode::Busy, "rsmvuser");
    assert_eq!(err.key.as_deref(), Some("name"));
    assert_eq!(read("default", "rsmv", "f"), "before");
    expect_error(project.storage_volume("rsmovebt", "custom", "rsmv"), ErrorCode::NotFound, "rsmv");
    inst.remove_device("vol").unwrap();
    project.move_storage_volume("default", "rsmv", &to_bt).unwrap();
    assert_eq!(read("rsmovebt", "rsmv", "f"), "before");
}

#[test]
fn restore_is_refused_under_a_running_instance() {
    let mgr = manager();
    let project = mgr.default_project();
    let _volumes = VolumesGuard(vec![("default", "rsrun")]);
    make_volume(&project, "default", "rsrun");

    // The container's root gets the fresh volume on its first attach and writes through the mount.
    let inst = container(&mgr, "rsrunuser", false);
    inst.add_device("vol", &disk_device("default", "rsrun")).unwrap();
    inst.start().unwrap();
    let sh = |script: &str| {
        let out = inst.exec(&["sh", "-c", script], &ExecOptions::default()).unwrap();
        assert_eq!(out.exit_code, 0, "{script}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    sh("printf snapped > /mnt/v/f");
    snap(&project, "default", "rsrun", "");
    sh("printf changed > /mnt/v/f && printf live > /mnt/v/g");

    // A restore under the running instance is Busy and changes nothing.
    let err = expect_error(
        project.restore_storage_volume_snapshot("default", "rsrun", "snap0"),
        ErrorCode::Busy,
        "rsrunuser",
    );
    assert_eq!(err.key.as_deref(), Some("name"));
    assert_eq!(read("default", "rsrun", "f"), "changed");
    assert_eq!(read("default", "rsrun", "g"), "live");

    // Stopped, the instance keeps the volume attached and the restore goes through; the restored
    // volume is still the container's to write.
    inst.stop(StopOptions { force: true, timeout: None }).unwrap();
    project.restore_storage_volume_snapshot("default", "rsrun", "snap0").unwrap();
    assert_eq!(read("default", "rsrun", "f"), "snapped");
    assert!(!volume_dir("default", "rsrun").join("g").exists());
    inst.start().unwrap();
    assert_eq!(sh("cat /mnt/v/f; echo; ls /mnt/v"), "snapped\nf\n");
    sh("printf again > /mnt/v/f");
    assert_eq!(read("default", "rsrun", "f"), "again");
}
