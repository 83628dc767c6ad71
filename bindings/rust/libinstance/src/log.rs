//! Where the library's own log records go (they are also logging events).

use std::path::{Path, PathBuf};

use libinstance_sys as sys;

use crate::error::{check, Error, Result};
use crate::manager::Manager;
use crate::strings::{c_path, c_string};

/// A log level, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    /// The library's name for it: "debug", "info", "warn", "error".
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// Where [`Manager::set_log`] sends log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    Stderr,
    /// Only to subscribers of logging events.
    Nowhere,
    /// Appended to this file.
    File(PathBuf),
}

impl Manager {
    /// Sends the library's log records at `level` and above to `target` (they are logging events
    /// as well). The output belongs to the library, so it is shared by every Manager of the
    /// process. A file that cannot be opened fails with the code of its errno (NotFound for a
    /// missing directory, PermissionDenied...), naming it; the previous target then stays.
    pub fn set_log(&self, level: LogLevel, target: LogTarget) -> Result<()> {
        let level = c_string("level", level.as_str())?;
        let file = match &target {
            LogTarget::Stderr => c_string("file", "")?,
            LogTarget::Nowhere => c_string("file", "none")?,
            // "" and "none" are the C ABI's words for the other targets, so never pass them as paths.
            LogTarget::File(path) if path.as_os_str().is_empty() => {
                return Err(Error::invalid("file", "log file path is empty".into()))
            }
            LogTarget::File(path) if path == Path::new("none") => c_path("file", &Path::new(".").join(path))?,
            LogTarget::File(path) => c_path("file", path)?,
        };
        check(|err| unsafe { sys::li_manager_set_log(self.as_ptr(), level.as_ptr(), file.as_ptr(), err) })
    }
}
