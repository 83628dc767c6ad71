//! The root disk's `size` through the safe API: enforced inside a container on a loop-backed
//! btrfs pool and raised by set_device; NotSupported naming devices.root.size on the dir pool,
//! with nothing changed.

mod common;

use common::{container, expect_error, manager, Guard, PoolGuard};
use libinstance::api::{ConfigMap, InstanceSource, InstancesPost};
use libinstance::{ErrorCode, ExecOptions, Instance};

fn root_disk(pool: &str, size: &str) -> ConfigMap {
    let mut d = ConfigMap::new();
    d.insert("type".into(), "disk".into());
    d.insert("path".into(), "/".into());
    d.insert("pool".into(), pool.into());
    if !size.is_empty() {
        d.insert("size".into(), size.into());
    }
    d
}

/// Exit code and output of writing `mib` MiB to /big (removed afterwards).
fn write_mib(inst: &Instance, mib: u32) -> (i32, String) {
    let script = format!("dd if=/dev/zero of=/big bs=1M count={mib} conv=fsync 2>&1 && sync; rc=$?; rm -f /big; sync; exit $rc");
    let r = inst.exec(&["sh", "-c", &script], &ExecOptions::default()).unwrap();
    (r.exit_code, String::from_utf8_lossy(&r.stdout).into_owned() + &String::from_utf8_lossy(&r.stderr))
}

#[test]
fn btrfs_root_size_is_enforced_and_raised() {
    let mgr = manager();
    let _pool = PoolGuard::btrfs("rsrootsz");

    let mut post = InstancesPost::new("rs-rootsz", InstanceSource::image_alias("busybox"));
    post.start = true;
    post.devices.insert("root".into(), root_disk("rsrootsz", "32MiB"));
    let inst = Guard(mgr.create_instance(&post).unwrap());

    let (rc, out) = write_mib(&inst, 8);
    assert_eq!(rc, 0, "{out}");
    let (rc, out) = write_mib(&inst, 64);
    assert_ne!(rc, 0);
    assert!(out.contains("No space left") || out.contains("Disk quota exceeded"), "{out}");

    inst.set_device("root", &root_disk("rsrootsz", "128MiB")).unwrap();
    let (rc, out) = write_mib(&inst, 64);
    assert_eq!(rc, 0, "{out}");
    inst.delete(true).unwrap();
}

#[test]
fn dir_root_size_is_not_supported_and_changes_nothing() {
    let mgr = manager();
    let inst = container(&mgr, "rs-rootsz-dir", false);
    let before = inst.info().unwrap();
    let err = expect_error(
        inst.set_device("root", &root_disk("default", "32MiB")),
        ErrorCode::NotSupported,
        "devices.root.size",
    );
    assert_eq!(err.key.as_deref(), Some("devices.root.size"));
    let after = inst.info().unwrap();
    assert_eq!(after.devices, before.devices);
    assert_eq!(after.expanded_devices, before.expanded_devices);

    let mut post = InstancesPost::new("rs-rootsz-dir2", InstanceSource::image_alias("busybox"));
    post.devices.insert("root".into(), root_disk("default", "32MiB"));
    let err = expect_error(mgr.create_instance(&post), ErrorCode::NotSupported, "devices.root.size");
    assert_eq!(err.key.as_deref(), Some("devices.root.size"));
    expect_error(mgr.instance("rs-rootsz-dir2"), ErrorCode::NotFound, "rs-rootsz-dir2");
}
