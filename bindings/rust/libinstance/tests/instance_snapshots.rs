//! Instance snapshots through the safe API on real containers, on the shared state dir's dir pool
//! and on a btrfs pool made on a loop file: files, config and devices kept and brought back on
//! running and stopped instances, names, expiry, operations; refusals carry the error code and
//! key and change nothing.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{container, expect_error, manager, state_dir, Guard, PoolGuard, IMAGE};
use libinstance::api::{self, ConfigMap, InstanceSnapshotPut, InstanceSnapshotsPost};
use libinstance::{ErrorCode, ExecOptions, Instance, StopOptions};

fn sh(inst: &Instance, script: &str) -> String {
    let out = inst.exec(&["sh", "-c", script], &ExecOptions::default()).unwrap();
    assert!(out.success(), "{script}: {}", out.stderr_text());
    out.stdout_text()
}

fn names(inst: &Instance) -> Vec<String> {
    inst.snapshots().unwrap().into_iter().map(|s| s.name).collect()
}

fn snap(inst: &Instance, name: &str) -> api::InstanceSnapshot {
    inst.snapshot(&InstanceSnapshotsPost::new(name))
        .unwrap_or_else(|e| panic!("snapshotting {}: {e:?}", inst.name()))
}

fn snapshot_dir(pool: &str, inst: &Instance, snapshot: &str) -> PathBuf {
    state_dir().join("storage-pools").join(pool).join("containers-snapshots").join(inst.name()).join(snapshot)
}

fn force_stop(inst: &Instance) {
    inst.stop(StopOptions { force: true, ..Default::default() }).unwrap();
}

/// A started busybox container whose root disk is on `pool`.
fn container_on(name: &str, pool: &str) -> Guard {
    let mut post = api::InstancesPost::new(name, api::InstanceSource::image_alias(IMAGE));
    post.start = true;
    let mut root = ConfigMap::new();
    root.insert("type".into(), "disk".into());
    root.insert("path".into(), "/".into());
    root.insert("pool".into(), pool.into());
    post.devices.insert("root".into(), root);
    Guard(manager().create_instance(&post).unwrap_or_else(|e| panic!("creating {name}: {e:?}")))
}

#[test]
fn snapshots_keep_and_restore_files_config_devices_on_dir_and_btrfs() {
    let _pool = PoolGuard::btrfs("rsisnapbt");
    for pool in ["default", "rsisnapbt"] {
        let c = container_on(&format!("rsis-{pool}"), pool);
        sh(&c, "echo one > /root/f");

        // Running: a stateless snapshot named by the pattern.
        let first = c.snapshot(&InstanceSnapshotsPost::default()).unwrap();
        assert_eq!(first.name, "snap0", "{pool}");
        assert!(first.never_expires() && !first.stateful && !first.created_at.is_empty(), "{first:?}");
        assert!(!first.config.contains_key("user.mark"));
        assert_eq!(first.profiles, ["default"]);
        assert!(first.expanded_devices.contains_key("root"));
        assert!(snapshot_dir(pool, &c, "snap0").is_dir());

        c.set_config("user.mark", "two").unwrap();
        let mut extra = ConfigMap::new();
        extra.insert("type".into(), "disk".into());
        extra.insert("source".into(), "/tmp".into());
        extra.insert("path".into(), "/mnt/tmp".into());
        c.add_device("extra", &extra).unwrap();
        sh(&c, "echo two > /root/f && echo new > /root/g");
        let second = snap(&c, "second");
        assert_eq!(second.config["user.mark"], "two");
        assert!(second.devices.contains_key("extra"));
        assert_eq!(snap(&c, "").name, "snap1");
        assert_eq!(names(&c), ["snap0", "second", "snap1"]);
        let listed = c.snapshots().unwrap();
        assert_eq!(c.get_snapshot("second").unwrap(), listed[1]);

        // Restore while running: stopped, restored, started again.
        c.restore("snap0").unwrap();
        assert_eq!(c.state().unwrap().status, "Running");
        assert_eq!(sh(&c, "cat /root/f; ls /root"), "one\nf\n");
        let info = c.info().unwrap();
        assert!(!info.config.contains_key("user.mark") && !info.devices.contains_key("extra"), "{info:?}");
        assert!(info.config.contains_key("volatile.idmap.current"), "the instance's volatile keys stay");

        // Restore while stopped: stays stopped.
        force_stop(&c);
        c.restore("second").unwrap();
        assert_eq!(c.state().unwrap().status, "Stopped");
        assert_eq!(c.get_config("user.mark").unwrap().as_deref(), Some("two"));
        assert!(c.info().unwrap().devices.contains_key("extra"));
        c.start().unwrap();
        assert_eq!(sh(&c, "cat /root/f /root/g"), "two\nnew\n");
        assert_eq!(names(&c), ["snap0", "second", "snap1"]);

        // Expiry, through put() and back to never.
        let mut put = second.put();
        assert_eq!(put.expires_at, "");
        put.expires_at = "2036-01-02T03:04:05Z".into();
        c.update_snapshot("second", &put).unwrap();
        let got = c.get_snapshot("second").unwrap();
        assert_eq!(got.expires_at, "2036-01-02T03:04:05Z");
        assert_eq!((&got.created_at, &got.config), (&second.created_at, &second.config));
        c.update_snapshot("second", &InstanceSnapshotPut::default()).unwrap();
        assert!(c.get_snapshot("second").unwrap().never_expires());

        // Rename and delete move and remove the files.
        c.rename_snapshot("second", "kept").unwrap();
        assert_eq!(names(&c), ["snap0", "kept", "snap1"]);
        assert!(snapshot_dir(pool, &c, "kept").is_dir());
        assert!(!snapshot_dir(pool, &c, "second").exists());
        c.delete_snapshot("snap0").unwrap();
        assert_eq!(names(&c), ["kept", "snap1"]);
        assert!(!snapshot_dir(pool, &c, "snap0").exists());
        assert_eq!(snap(&c, "").name, "snap2", "one past the highest number taken, as LXD");

        c.delete(true).unwrap();
        assert!(!snapshot_dir(pool, &c, "").exists(), "snapshots go with their instance");
    }
}

#[test]
fn snapshot_refusals_name_the_key_and_change_nothing() {
    let mgr = manager();
    let c = container(&mgr, "rsis-err", false);
    snap(&c, "s1");
    snap(&c, "s2");

    let err = expect_error(c.snapshot(&InstanceSnapshotsPost::new("s1")), ErrorCode::AlreadyExists, "s1");
    assert_eq!(err.key.as_deref(), Some("name"));
    let err = expect_error(c.snapshot(&InstanceSnapshotsPost::new("a/b")), ErrorCode::InvalidArgument, "a/b");
    assert_eq!(err.key.as_deref(), Some("name"));
    let mut bad_expiry = InstanceSnapshotsPost::new("later");
    bad_expiry.expires_at = "soon".into();
    let err = expect_error(c.snapshot(&bad_expiry), ErrorCode::InvalidArgument, "soon");
    assert_eq!(err.key.as_deref(), Some("expires_at"));
    let stateful = InstanceSnapshotsPost { name: "st".into(), stateful: true, ..Default::default() };
    let err = c.snapshot(&stateful).unwrap_err();
    assert_eq!((err.code, err.key.as_deref()), (ErrorCode::NotSupported, Some("stateful")), "{err:?}");
    // The expiry is checked by the operation itself: its failure carries the key.
    let op = c.snapshot_async(&bad_expiry).unwrap();
    let err = expect_error(op.wait(Some(Duration::from_secs(60))), ErrorCode::InvalidArgument, "soon");
    assert_eq!(err.key.as_deref(), Some("expires_at"));

    for result in [
        c.get_snapshot("nope").map(|_| ()),
        c.restore("nope"),
        c.rename_snapshot("nope", "x"),
        c.delete_snapshot("nope"),
        c.update_snapshot("nope", &InstanceSnapshotPut::default()),
    ] {
        let err = expect_error(result, ErrorCode::NotFound, "nope");
        assert_eq!(err.key.as_deref(), Some("snapshot"));
    }
    let err = expect_error(c.rename_snapshot("s2", "s1"), ErrorCode::AlreadyExists, "s1");
    assert_eq!(err.key.as_deref(), Some("new_name"));
    let err = expect_error(c.rename_snapshot("s2", "x/y"), ErrorCode::InvalidArgument, "x/y");
    assert_eq!(err.key.as_deref(), Some("new_name"));
    let bad_put = InstanceSnapshotPut { expires_at: "tomorrow".into() };
    let err = expect_error(c.update_snapshot("s2", &bad_put), ErrorCode::InvalidArgument, "tomorrow");
    assert_eq!(err.key.as_deref(), Some("expires_at"));
    // An interior NUL never reaches C: refused here, naming the argument.
    let err = c.get_snapshot("a\0b").unwrap_err();
    assert_eq!((err.code, err.key.as_deref()), (ErrorCode::InvalidArgument, Some("snapshot")), "{err:?}");

    assert_eq!(names(&c), ["s1", "s2"]);
    assert!(c.get_snapshot("s2").unwrap().never_expires());
}

#[test]
fn snapshot_operations_pattern_and_expiry() {
    let mgr = manager();
    let c = container(&mgr, "rsis-op", true);
    let minute = Some(Duration::from_secs(120));
    sh(&c, "echo one > /root/f");

    let op = c.snapshot_async(&InstanceSnapshotsPost::new("op1")).unwrap();
    op.wait(minute).unwrap();
    assert_eq!(op.info().unwrap().status, "Success");
    assert_eq!(names(&c), ["op1"]);

    sh(&c, "echo two > /root/f");
    c.set_config("user.mark", "x").unwrap();
    let op = c.restore_async("op1").unwrap();
    op.wait(minute).unwrap();
    assert_eq!(op.info().unwrap().status, "Success");
    assert_eq!(c.get_config("user.mark").unwrap(), None);
    assert_eq!(c.state().unwrap().status, "Running");
    assert_eq!(sh(&c, "cat /root/f"), "one\n");

    let failed = c.restore_async("nope");
    let err = match failed {
        Ok(op) => op.wait(minute).unwrap_err(),
        Err(e) => e,
    };
    assert_eq!((err.code, err.key.as_deref()), (ErrorCode::NotFound, Some("snapshot")), "{err:?}");

    let op = c.delete_snapshot_async("op1").unwrap();
    op.wait(minute).unwrap();
    assert!(names(&c).is_empty());

    // snapshots.pattern names unnamed snapshots, snapshots.expiry dates them; an explicit expiry wins.
    c.set_config("snapshots.pattern", "daily-%d").unwrap();
    c.set_config("snapshots.expiry", "2d").unwrap();
    let daily = snap(&c, "");
    assert_eq!(daily.name, "daily-0");
    assert!(!daily.never_expires(), "{daily:?}");
    let lifetime = epoch_seconds(&daily.expires_at) - epoch_seconds(&daily.created_at);
    assert!((2 * 86400 - 2..=2 * 86400 + 2).contains(&lifetime), "{daily:?}");
    let dated = InstanceSnapshotsPost { expires_at: "2031-05-06T07:08:09Z".into(), ..Default::default() };
    let explicit = c.snapshot(&dated).unwrap();
    assert_eq!((explicit.name.as_str(), explicit.expires_at.as_str()), ("daily-1", "2031-05-06T07:08:09Z"));
}

/// Seconds since the epoch of an RFC 3339 UTC time ("YYYY-MM-DDTHH:MM:SS[.frac]Z").
fn epoch_seconds(rfc3339: &str) -> i64 {
    let field = |range: std::ops::Range<usize>| -> i64 {
        rfc3339[range].parse().unwrap_or_else(|e| panic!("{rfc3339:?}: {e}"))
    };
    let (y, m, d) = (field(0..4), field(5..7), field(8..10));
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    days * 86400 + field(11..13) * 3600 + field(14..16) * 60 + field(17..19)
}

#[test]
fn epoch_seconds_reads_rfc3339() {
    assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), 0);
    assert_eq!(epoch_seconds("2000-03-01T01:02:03.5Z") - epoch_seconds("2000-02-28T01:02:03Z"), 2 * 86400);
    assert_eq!(epoch_seconds("2026-11-28T11:30:00Z"), 1_795_865_400);
}
