//! The console of a running instance, its console log and the instance's log files.

use std::ffi::c_char;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::ptr::{self, NonNull};

use libinstance_sys as sys;

use crate::error::{check, Result};
use crate::instance::Instance;
use crate::strings::{c_string, owned_json};

/// How [`Instance::console`] sizes the console's terminal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsoleOptions {
    /// Terminal columns; 0 leaves the size as it is.
    pub width: u32,
    /// Terminal rows.
    pub height: u32,
}

/// An attached console: a terminal whose other side is the container's `/dev/console`.
///
/// Read the console's output from [`Console::fd`] and write keystrokes to it; dropping the
/// value (or [`Console::detach`]) releases the console for the next client.
pub struct Console {
    raw: Option<NonNull<sys::li_console>>,
}

// The C handle is thread-safe; the descriptor is an ordinary fd.
unsafe impl Send for Console {}
unsafe impl Sync for Console {}

impl Console {
    /// The terminal's master side, borrowed from the console.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        let raw = self.raw?;
        let fd = unsafe { sys::li_console_fd(raw.as_ptr()) };
        // Valid while self holds the handle, which the borrow guarantees.
        (fd >= 0).then(|| unsafe { BorrowedFd::borrow_raw(fd) })
    }

    /// Sets the terminal's size as the console's programs see it.
    pub fn resize(&self, width: u32, height: u32) -> Result<()> {
        let raw = self.raw.map_or(ptr::null_mut(), |r| r.as_ptr());
        check(|err| unsafe { sys::li_console_resize(raw, width, height, err) })
    }

    /// Releases the console now (also done on drop); the instance keeps running.
    pub fn detach(&mut self) {
        if let Some(raw) = self.raw.take() {
            unsafe { sys::li_console_free(raw.as_ptr()) };
        }
    }
}

impl AsRawFd for Console {
    fn as_raw_fd(&self) -> RawFd {
        self.raw.map_or(-1, |raw| unsafe { sys::li_console_fd(raw.as_ptr()) })
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.detach();
    }
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console").field("fd", &self.as_raw_fd()).finish()
    }
}

/// Takes bytes the library allocated (with their length) and frees them.
fn owned_bytes(call: impl FnOnce(*mut *mut c_char, *mut usize, *mut *mut sys::li_error) -> i32) -> Result<Vec<u8>> {
    let mut data: *mut c_char = ptr::null_mut();
    let mut len = 0usize;
    check(|err| call(&mut data, &mut len, err))?;
    let out = if data.is_null() || len == 0 {
        Vec::new()
    } else {
        unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) }.to_vec()
    };
    unsafe { sys::li_free(data.cast()) };
    Ok(out)
}

impl Instance {
    /// Attaches to the running instance's console (`lxc console`). Conflict if it is not
    /// running, Busy when another client holds the console.
    pub fn console(&self, opts: &ConsoleOptions) -> Result<Console> {
        let raw_opts = sys::li_console_opts {
            version: sys::LI_CONSOLE_OPTS_VERSION,
            width: opts.width,
            height: opts.height,
        };
        let mut out: *mut sys::li_console = ptr::null_mut();
        check(|err| unsafe { sys::li_instance_console(&mut out, self.as_ptr(), &raw_opts, err) })?;
        Ok(Console { raw: NonNull::new(out) })
    }

    /// The console output logged so far (LXD's GET .../console), running or stopped.
    pub fn console_log(&self) -> Result<Vec<u8>> {
        owned_bytes(|out, len, err| unsafe { sys::li_instance_console_log(out, len, self.as_ptr(), err) })
    }

    /// Empties the console log (LXD's DELETE .../console).
    pub fn clear_console_log(&self) -> Result<()> {
        check(|err| unsafe { sys::li_instance_console_log_clear(self.as_ptr(), err) })
    }

    /// The names of the instance's log files, e.g. `["console.log", "lxc.log"]`.
    pub fn log_files(&self) -> Result<Vec<String>> {
        owned_json("log files", |out, err| unsafe { sys::li_instance_log_files_json(out, self.as_ptr(), err) })
    }

    /// One log file's content; InvalidArgument (key "name") for a name with a path, NotFound
    /// when there is no such log.
    pub fn log_file(&self, name: &str) -> Result<Vec<u8>> {
        let name = c_string("name", name)?;
        owned_bytes(|out, len, err| unsafe {
            sys::li_instance_log_file(out, len, self.as_ptr(), name.as_ptr(), err)
        })
    }
}
