//! Disaster recovery through the safe API: a manager of its own loses its database; its custom
//! volume with a snapshot is found and imported with its config; bad pool definitions are refused
//! naming the field.

mod common;

use common::{expect_error, manager, TempDir};
use libinstance::api::{StoragePoolsPost, StorageVolumeSnapshotsPost, StorageVolumesPost};
use libinstance::{ErrorCode, Manager, RecoverVolume};

#[test]
fn a_lost_database_is_rebuilt_from_the_pools() {
    let dir = TempDir::new("recover");
    {
        let mgr = Manager::open(Some(&dir)).unwrap();
        let project = mgr.default_project();
        let mut post = StorageVolumesPost::new("rskeep");
        post.description = "precious".into();
        post.config.insert("user.k".into(), "v".into());
        project.create_storage_volume("default", &post).unwrap();
        project
            .create_storage_volume_snapshot("default", "rskeep", &StorageVolumeSnapshotsPost::new("first"))
            .unwrap();
        assert!(mgr.recover_validate(&[]).unwrap().unknown_volumes.is_empty());
    }
    for file in ["local.db", "local.db-wal", "local.db-shm"] {
        let _ = std::fs::remove_file(dir.join("database").join(file));
    }

    let mgr = Manager::open(Some(&dir)).unwrap();
    let found = mgr.recover_validate(&[]).unwrap();
    assert!(found.unknown_pools.is_empty());
    assert!(found.dependency_errors.is_empty(), "{:?}", found.dependency_errors);
    assert_eq!(
        found.unknown_volumes,
        vec![RecoverVolume {
            pool: "default".into(),
            project: "default".into(),
            volume_type: "custom".into(),
            name: "rskeep".into(),
            snapshot_count: 1
        }]
    );
    let project = mgr.default_project();
    expect_error(project.storage_volume("default", "custom", "rskeep"), ErrorCode::NotFound, "rskeep");

    let imported = mgr.recover_import(&[]).unwrap();
    assert_eq!(imported.unknown_volumes.len(), 1);
    let volume = project.storage_volume("default", "custom", "rskeep").unwrap();
    assert_eq!(volume.description, "precious");
    assert_eq!(volume.config.get("user.k").map(String::as_str), Some("v"));
    let snapshots = project.storage_volume_snapshots("default", "rskeep").unwrap();
    assert_eq!(snapshots.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), vec!["first"]);
    assert!(mgr.recover_validate(&[]).unwrap().unknown_volumes.is_empty());
}

#[test]
fn bad_pool_definitions_are_named() {
    let mgr = manager();
    let err = expect_error(
        mgr.recover_validate(&[StoragePoolsPost::new("nodriver", "")]),
        ErrorCode::InvalidArgument,
        "nodriver",
    );
    assert_eq!(err.key.as_deref(), Some("pools[0].driver"));
    let err = expect_error(
        mgr.recover_import(&[StoragePoolsPost::new("../up", "dir")]),
        ErrorCode::InvalidArgument,
        "../up",
    );
    assert_eq!(err.key.as_deref(), Some("pools[0].name"));
}
