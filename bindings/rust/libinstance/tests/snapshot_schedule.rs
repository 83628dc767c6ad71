//! The snapshot scheduler through the safe API: a pass at a given time takes a due slot once,
//! names the snapshot by snapshots.pattern and deletes it once snapshots.expiry has passed; bad
//! times and schedules are refused naming the key.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{container, expect_error, manager};
use libinstance::{ErrorCode, SnapshotScheduleRun};

fn name(stem: &str) -> String {
    // Host-wide unique: liblxc names cgroups after the container.
    format!("rs{}-{stem}", std::process::id())
}

fn mine(entries: &[String], inst: &str) -> Vec<String> {
    entries.iter().filter(|e| e.starts_with(&format!("default/{inst}/"))).cloned().collect()
}

// 2031-01-06 12:00 UTC: January 6th in any time zone from UTC-12 to UTC+11, on a quarter hour
// everywhere, and a day the manager's own scheduler (on the real clock) does not reach.
fn at(minutes: u64, seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_925_467_200 + minutes * 60 + seconds)
}

#[test]
fn a_due_slot_is_taken_once_and_expires() {
    let mgr = manager();
    let inst_name = name("sched");
    let c = container(&mgr, &inst_name, false);
    c.set_config("snapshots.schedule", "0,15,30,45 * 6 1 *").unwrap();
    c.set_config("snapshots.schedule.stopped", "true").unwrap();
    c.set_config("snapshots.pattern", "rs%d").unwrap();
    c.set_config("snapshots.expiry", "1M").unwrap();

    let first: SnapshotScheduleRun = mgr.run_snapshot_schedule(Some(at(0, 0))).unwrap();
    assert_eq!(mine(&first.taken, &inst_name), vec![format!("default/{inst_name}/rs0")]);
    assert!(first.failed.iter().all(|f| !f.contains(&inst_name)), "{:?}", first.failed);

    let again = mgr.run_snapshot_schedule(Some(at(0, 40))).unwrap();
    assert!(mine(&again.taken, &inst_name).is_empty());

    let next = mgr.run_snapshot_schedule(Some(at(1, 0))).unwrap();
    assert!(mine(&next.taken, &inst_name).is_empty());
    assert_eq!(mine(&next.pruned, &inst_name), vec![format!("default/{inst_name}/rs0")]);

    // Without the stopped flag, a stopped instance is left alone.
    c.set_config("snapshots.schedule.stopped", "false").unwrap();
    assert!(mine(&mgr.run_snapshot_schedule(Some(at(15, 0))).unwrap().taken, &inst_name).is_empty());
}

#[test]
fn now_bad_times_and_bad_schedules() {
    let mgr = manager();
    let run = mgr.run_snapshot_schedule(None).unwrap();
    let _ = (run.taken, run.pruned, run.failed);
    let err = expect_error(mgr.run_snapshot_schedule(Some(UNIX_EPOCH)), ErrorCode::InvalidArgument, "epoch");
    assert_eq!(err.key.as_deref(), Some("now"));

    let c = container(&mgr, &name("schedbad"), false);
    let err = expect_error(c.set_config("snapshots.schedule", "*/0 * * * *"), ErrorCode::InvalidArgument, "*/0 * * * *");
    assert_eq!(err.key.as_deref(), Some("config.snapshots.schedule"));
    let err = expect_error(c.set_config("snapshots.schedule.stopped", "nah"), ErrorCode::InvalidArgument, "nah");
    assert_eq!(err.key.as_deref(), Some("config.snapshots.schedule.stopped"));
}
