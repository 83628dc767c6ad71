//! LXD's periodic refresh of `auto_update` images: one look at a time of the caller's choosing.

use std::time::{SystemTime, UNIX_EPOCH};

use libinstance_sys as sys;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::manager::Manager;
use crate::strings::owned_json;

/// An image replaced by its server's newer version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ImageAutoUpdateRefresh {
    pub project: String,
    pub old_fingerprint: String,
    pub new_fingerprint: String,
    /// The aliases that now name the new image.
    pub aliases: Vec<String>,
}

/// What one look of the image auto-update did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ImageAutoUpdateRun {
    /// Whether a pass ran: false when the interval has not passed since the last one, when
    /// `images.auto_update_interval` is 0, and on a state directory's first look (which only
    /// starts the clock).
    pub ran: bool,
    /// Images replaced by a newer version (up-to-date ones are not listed).
    pub refreshed: Vec<ImageAutoUpdateRefresh>,
    /// `"project/fingerprint: why"` for the images whose refresh failed.
    pub failed: Vec<String>,
}

impl Manager {
    /// One look of the image auto-update as of `now` (`None`: now): once
    /// `images.auto_update_interval` hours (default 6; 0: never) have passed since the last
    /// pass on this state directory, whoever ran it, every image with `auto_update` that came
    /// from an image server, in every project, is refreshed as [`Project::refresh_image`](crate::Project::refresh_image) does
    /// (cached ones only while `images.auto_update_cached` is true). The first look at a state
    /// directory only starts the clock. A failing image is listed in `failed` and the others go
    /// on. The library also runs this itself every minute. InvalidArgument (key `now_unix`) for
    /// a time not after the Unix epoch.
    pub fn run_image_auto_update(&self, now: Option<SystemTime>) -> Result<ImageAutoUpdateRun> {
        let now_unix = match now {
            None => 0,
            Some(at) => match at.duration_since(UNIX_EPOCH) {
                Ok(d) => i64::try_from(d.as_secs()).ok().filter(|s| *s > 0).ok_or_else(|| {
                    // 0 would mean "now" to the C call: the epoch itself is refused.
                    Error::invalid("now_unix", format!("now_unix {at:?} is not after the Unix epoch"))
                })?,
                // Before the epoch: the library refuses it, naming now_unix.
                Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX).max(1),
            },
        };
        owned_json("image auto-update run", |out, err| unsafe {
            sys::li_manager_run_image_auto_update(out, self.as_ptr(), now_unix, err)
        })
    }
}
