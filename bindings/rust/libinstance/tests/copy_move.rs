//! Renaming instances and moving them between storage pools, on real containers.

mod common;

use common::{container, expect_error, manager};
use libinstance::ErrorCode;

#[test]
fn rename_follows_and_refusals_change_nothing() {
    let mgr = manager();
    let _running = container(&mgr, "rs-mv-run", true);
    let stopped = container(&mgr, "rs-mv-a", false);

    // A running instance is not renamed.
    let mut run_handle = mgr.instance("rs-mv-run").unwrap();
    expect_error(run_handle.rename("rs-mv-x"), ErrorCode::Busy, "running");
    assert_eq!(run_handle.name(), "rs-mv-run");

    // A taken name and a bad name are refused; the instance keeps its name.
    let mut handle = mgr.instance("rs-mv-a").unwrap();
    expect_error(handle.rename("rs-mv-run"), ErrorCode::AlreadyExists, "rs-mv-run");
    expect_error(handle.rename("bad/name"), ErrorCode::InvalidArgument, "bad/name");
    assert_eq!(handle.name(), "rs-mv-a");

    // Unknown pool, and the pool it is already on.
    expect_error(handle.move_to_pool("rs-no-pool"), ErrorCode::NotFound, "rs-no-pool");
    expect_error(handle.move_to_pool("default"), ErrorCode::InvalidArgument, "default");

    handle.rename("rs-mv-b").unwrap();
    assert_eq!(handle.name(), "rs-mv-b");
    assert_eq!(handle.info().unwrap().name, "rs-mv-b");
    expect_error(mgr.instance("rs-mv-a"), ErrorCode::NotFound, "rs-mv-a");
    assert!(mgr.instances(false).unwrap().iter().any(|i| i.name == "rs-mv-b"));
    drop(stopped);
    handle.delete(true).unwrap();
}

#[test]
fn copy_source_makes_an_independent_copy() {
    let mgr = manager();
    let src = container(&mgr, "rs-cp-src", true);
    src.file_push_data("/root/marker", b"from src\n", &Default::default()).unwrap();
    let post = libinstance::api::InstancesPost::new("rs-cp-dst", libinstance::api::InstanceSource::copy("rs-cp-src"));
    let dst = mgr.create_instance(&post).unwrap();
    let guard = common::Guard(dst);
    assert_eq!(guard.status_code().unwrap(), libinstance::api::status::STOPPED);
    assert!(guard.info().unwrap().config.keys().all(|k| !k.starts_with("volatile.") || k == "volatile.base_image"));
    guard.start().unwrap();
    assert_eq!(guard.file_read("/root/marker").unwrap(), b"from src\n");
    // The image's copy templates ran for the copy: busybox's hostname names it.
    assert_eq!(guard.file_read("/etc/hostname").unwrap(), b"rs-cp-dst\n");
    guard.file_push_data("/root/marker", b"changed\n", &Default::default()).unwrap();
    assert_eq!(src.file_read("/root/marker").unwrap(), b"from src\n");

    let missing = libinstance::api::InstancesPost::new("rs-cp-none", libinstance::api::InstanceSource::copy("rs-no-such"));
    expect_error(mgr.create_instance(&missing), ErrorCode::NotFound, "rs-no-such");
    expect_error(mgr.instance("rs-cp-none"), ErrorCode::NotFound, "rs-cp-none");
}

#[test]
fn copies_from_a_snapshot_and_with_snapshots() {
    let mgr = manager();
    let src = container(&mgr, "rs-cps-src", false);
    src.file_push_data("/root/f", b"old\n", &Default::default()).unwrap();
    src.snapshot(&libinstance::api::InstanceSnapshotsPost::new("s0")).unwrap();
    src.file_push_data("/root/f", b"new\n", &Default::default()).unwrap();

    // A new instance from the snapshot holds the snapshot's files and no snapshots.
    let post = libinstance::api::InstancesPost::new("rs-cps-from", libinstance::api::InstanceSource::copy("rs-cps-src/s0"));
    let from = common::Guard(mgr.create_instance(&post).unwrap());
    assert!(from.snapshots().unwrap().is_empty());
    from.start().unwrap();
    assert_eq!(from.file_read("/root/f").unwrap(), b"old\n");

    // A copy carries the snapshots unless instance_only.
    let post = libinstance::api::InstancesPost::new("rs-cps-with", libinstance::api::InstanceSource::copy("rs-cps-src"));
    let with = common::Guard(mgr.create_instance(&post).unwrap());
    let names: Vec<String> = with.snapshots().unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, vec!["s0".to_string()]);
    with.restore("s0").unwrap();
    with.start().unwrap();
    assert_eq!(with.file_read("/root/f").unwrap(), b"old\n");
    let mut only_source = libinstance::api::InstanceSource::copy("rs-cps-src");
    only_source.instance_only = true;
    let only = common::Guard(mgr.create_instance(&libinstance::api::InstancesPost::new("rs-cps-only", only_source)).unwrap());
    assert!(only.snapshots().unwrap().is_empty());

    let missing = libinstance::api::InstancesPost::new("rs-cps-none", libinstance::api::InstanceSource::copy("rs-cps-src/nope"));
    expect_error(mgr.create_instance(&missing), ErrorCode::NotFound, "nope");
}
