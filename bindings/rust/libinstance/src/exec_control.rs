//! Signals to the command of a running [`Instance::exec`](crate::Instance::exec) from another
//! thread (li_exec_control).

use std::fmt;
use std::sync::Arc;

use libinstance_sys as sys;

use crate::error::{check, Result};

/// Owns the li_exec_control; freed when the last [`ExecControl`] clone goes.
struct Handle(*mut sys::li_exec_control);

// The C ABI makes li_exec_control thread-safe: signal from any thread while an exec runs.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        unsafe { sys::li_exec_control_free(self.0) };
    }
}

/// Sends signals to the command of an exec that runs with it in
/// [`ExecOptions::control`](crate::ExecOptions::control): put a clone there, run the exec in one
/// thread and call [`ExecControl::signal`] in another. Locally the signal is kill() of the
/// command's host process, on a connected Manager LXD's exec control message. One control serves
/// one exec at a time and may be reused for the next. Clones share the control.
#[derive(Clone)]
pub struct ExecControl(Arc<Handle>);

impl ExecControl {
    /// A new control that no exec uses yet.
    pub fn new() -> Self {
        let raw = unsafe { sys::li_exec_control_new() };
        assert!(!raw.is_null(), "li_exec_control_new: out of memory");
        ExecControl(Arc::new(Handle(raw)))
    }

    /// Sends signal `sig` (e.g. `libc::SIGTERM`) to the command. Conflict before the command
    /// started or after it ended (or when no exec uses the control), InvalidArgument for a signal
    /// number out of 1..64.
    pub fn signal(&self, sig: i32) -> Result<()> {
        check(|err| unsafe { sys::li_exec_control_signal(self.0 .0, sig, err) })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::li_exec_control {
        self.0 .0
    }
}

impl Default for ExecControl {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ExecControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ExecControl").field(&self.0 .0).finish()
    }
}

/// Two controls are equal when they are clones of one.
impl PartialEq for ExecControl {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ExecControl {}
