//! Storage pools through the safe API: the default pool, a btrfs pool on a loop file holding a
//! running container, refusal while in use, and bad input naming the key. Its own state dir.

mod common;

use common::{expect_error, TempDir};
use libinstance::api::{ConfigMap, InstanceSource, InstancesPost, StoragePoolsPost};
use libinstance::{ErrorCode, ExecOptions, Manager};
use std::os::unix::fs::PermissionsExt;

#[test]
fn storage_pools_create_list_use_delete() {
    let dir = TempDir::new("pools");
    std::fs::set_permissions(&*dir, std::fs::Permissions::from_mode(0o711)).unwrap();
    let mgr = Manager::open(Some(dir.0.as_path())).unwrap();
    mgr.build_image("busybox", Some("busybox")).unwrap();

    let default = mgr.storage_pool("default").unwrap();
    assert_eq!(default.driver, "dir");
    assert_eq!(default.status, "Created");
    assert_eq!(default.locations, vec!["none".to_string()]);
    assert!(default.used_by.contains(&"/1.0/profiles/default".to_string()));
    expect_error(mgr.storage_pool("nope"), ErrorCode::NotFound, "nope");

    // Bad input is refused naming the key, and changes nothing.
    let mut bad = StoragePoolsPost::new("p1", "btrfs");
    bad.config.insert("size".into(), "huge".into());
    let err = expect_error(mgr.create_storage_pool(&bad), ErrorCode::InvalidArgument, "huge");
    assert_eq!(err.key.as_deref(), Some("size"));
    let mut bad = StoragePoolsPost::new("p1", "dir");
    bad.config.insert("bogus.key".into(), "1".into());
    let err = expect_error(mgr.create_storage_pool(&bad), ErrorCode::InvalidArgument, "bogus.key");
    assert_eq!(err.key.as_deref(), Some("bogus.key"));
    expect_error(mgr.create_storage_pool(&StoragePoolsPost::new("p1", "zfs")), ErrorCode::NotSupported, "zfs");
    expect_error(mgr.create_storage_pool(&StoragePoolsPost::new("default", "dir")), ErrorCode::AlreadyExists, "default");
    assert_eq!(mgr.storage_pools().unwrap().len(), 1);

    let mut post = StoragePoolsPost::new("rsbtrfs", "btrfs");
    post.config.insert("size".into(), "1GiB".into());
    let pool = mgr.create_storage_pool(&post).unwrap();
    assert_eq!(pool.config["size"], "1GiB");
    assert_eq!(pool.config["source"], dir.join("disks/rsbtrfs.img").to_string_lossy());
    assert_eq!(mgr.storage_pools().unwrap().len(), 2);

    let mut ipost = InstancesPost::new("rsbt1", InstanceSource::image_alias("busybox"));
    ipost.start = true;
    let mut root = ConfigMap::new();
    root.insert("type".into(), "disk".into());
    root.insert("path".into(), "/".into());
    root.insert("pool".into(), "rsbtrfs".into());
    ipost.devices.insert("root".into(), root);
    let inst = mgr.create_instance(&ipost).unwrap();
    let out = inst.exec(&["sh", "-c", "echo hi > /f && cat /f"], &ExecOptions::default()).unwrap();
    assert_eq!(out.stdout, b"hi\n");
    assert!(mgr.storage_pool("rsbtrfs").unwrap().used_by.contains(&"/1.0/instances/rsbt1".to_string()));
    expect_error(mgr.delete_storage_pool("rsbtrfs"), ErrorCode::Busy, "rsbt1");
    inst.delete(true).unwrap();

    mgr.delete_storage_pool("rsbtrfs").unwrap();
    expect_error(mgr.storage_pool("rsbtrfs"), ErrorCode::NotFound, "rsbtrfs");
    assert!(!dir.join("disks/rsbtrfs.img").exists());
}

#[test]
fn storage_pool_update_grows_btrfs_and_reports_resources() {
    let dir = TempDir::new("pool-update");
    std::fs::set_permissions(&*dir, std::fs::Permissions::from_mode(0o711)).unwrap();
    let mgr = Manager::open(Some(dir.0.as_path())).unwrap();

    // dir: the host file system, inodes counted; only the description can change.
    let res = mgr.storage_pool_resources("default").unwrap();
    assert!(res.space.total > 0 && res.space.used <= res.space.total);
    assert!(res.inodes.total > 0 && res.inodes.used > 0);
    let default = mgr.storage_pool("default").unwrap();
    let mut put = libinstance::api::StoragePoolPut::from(&default);
    put.config.insert("source".into(), "/elsewhere".into());
    let err = expect_error(mgr.update_storage_pool("default", &put, None), ErrorCode::InvalidArgument, "source");
    assert_eq!(err.key.as_deref(), Some("source"));
    assert_eq!(mgr.storage_pool("default").unwrap(), default);
    let etag = mgr.storage_pool_etag("default").unwrap();
    let mut put = libinstance::api::StoragePoolPut::from(&default);
    put.description = "rust".into();
    mgr.update_storage_pool("default", &put, Some(&etag)).unwrap();
    assert_eq!(mgr.storage_pool("default").unwrap().description, "rust");
    expect_error(mgr.update_storage_pool("default", &put, Some(&etag)), ErrorCode::Conflict, "ETag");

    let mut post = StoragePoolsPost::new("rsgrow", "btrfs");
    post.config.insert("size".into(), "512MiB".into());
    let pool = mgr.create_storage_pool(&post).unwrap();
    let image = dir.join("disks/rsgrow.img");
    let before = mgr.storage_pool_resources("rsgrow").unwrap();
    assert_eq!(before.inodes.total, 0);
    assert!(before.space.total <= 512 << 20);

    let mut put = libinstance::api::StoragePoolPut::from(&pool);
    put.config.insert("size".into(), "300MiB".into());
    let err = expect_error(mgr.update_storage_pool("rsgrow", &put, None), ErrorCode::InvalidArgument, "shrink");
    assert_eq!(err.key.as_deref(), Some("size"));
    assert_eq!(std::fs::metadata(&image).unwrap().len(), 512 << 20);
    assert_eq!(mgr.storage_pool("rsgrow").unwrap().config["size"], "512MiB");

    put.config.insert("size".into(), "1GiB".into());
    mgr.update_storage_pool("rsgrow", &put, None).unwrap();
    assert_eq!(std::fs::metadata(&image).unwrap().len(), 1 << 30);
    let after = mgr.storage_pool_resources("rsgrow").unwrap();
    assert!(after.space.total > before.space.total + (400 << 20));
    assert_eq!(mgr.storage_pool("rsgrow").unwrap().config["size"], "1GiB");
    mgr.delete_storage_pool("rsgrow").unwrap();
}
