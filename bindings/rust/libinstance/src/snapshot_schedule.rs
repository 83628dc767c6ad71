//! The snapshot scheduler (`snapshots.schedule`): one pass at a time of the caller's choosing.

use std::time::{SystemTime, UNIX_EPOCH};

use libinstance_sys as sys;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::manager::Manager;
use crate::strings::owned_json;

/// What one pass did; entries are `"project/instance/snapshot"`, failures
/// `"project/instance: why"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SnapshotScheduleRun {
    /// Scheduled snapshots taken.
    pub taken: Vec<String>,
    /// Expired snapshots deleted.
    pub pruned: Vec<String>,
    /// Instances whose snapshot could not be taken (or expired snapshots not deleted).
    pub failed: Vec<String>,
}

impl Manager {
    /// One pass of the snapshot scheduler as of `now` (`None`: now): every instance whose
    /// `snapshots.schedule` (read in the server's local time) falls on that minute gets a
    /// snapshot named by `snapshots.pattern`, expiring by `snapshots.expiry` counted from that
    /// minute (stopped instances only with `snapshots.schedule.stopped=true`), at most once per
    /// instance and minute whoever runs it; then every expired snapshot is deleted. The library
    /// also runs this itself every minute.
    pub fn run_snapshot_schedule(&self, now: Option<SystemTime>) -> Result<SnapshotScheduleRun> {
        let now_unix = match now {
            None => 0,
            // 0 would mean "now" to the C call: the epoch itself is refused too.
            Some(at) => at
                .duration_since(UNIX_EPOCH)
                .ok()
                .and_then(|d| i64::try_from(d.as_secs()).ok())
                .filter(|s| *s > 0)
                .ok_or_else(|| Error::invalid("now", format!("now {at:?} is not after the Unix epoch")))?,
        };
        owned_json("snapshot schedule run", |out, err| unsafe {
            sys::li_manager_run_snapshot_schedule(out, self.as_ptr(), now_unix, err)
        })
    }
}
