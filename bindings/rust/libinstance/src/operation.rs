//! A handle on one operation: long work running in the background, with progress, wait and cancel.

use std::fmt;
use std::ptr::{self, NonNull};
use std::time::Duration;

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::manager::Manager;
use crate::strings::{borrowed_str, c_string, owned_json};

/// One operation started by an `_async` call (or looked up with [`Manager::operation`]).
///
/// Dropping the handle does not stop the operation; [`Operation::cancel`] asks it to. Thread-safe.
pub struct Operation {
    raw: NonNull<sys::li_operation>,
}

// The C ABI documents every handle as safe to use from several threads at once.
unsafe impl Send for Operation {}
unsafe impl Sync for Operation {}

impl Drop for Operation {
    fn drop(&mut self) {
        // We own the handle and free it exactly once; the operation itself goes on.
        unsafe { sys::li_operation_free(self.raw.as_ptr()) };
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation").field("id", &self.id()).finish()
    }
}

/// A wait's timeout in whole milliseconds, rounded up so a tiny timeout still waits; -1 for ever.
fn timeout_ms(timeout: Option<Duration>) -> i64 {
    match timeout {
        Some(t) => {
            let ms = t.as_millis() + u128::from(t.subsec_nanos() % 1_000_000 > 0);
            i64::try_from(ms).unwrap_or(i64::MAX)
        }
        None => -1,
    }
}

impl Operation {
    /// Runs a call handing out a new operation and takes it over.
    pub(crate) fn from_call(
        call: impl FnOnce(*mut *mut sys::li_operation, *mut *mut sys::li_error) -> i32,
    ) -> Result<Operation> {
        let mut raw: *mut sys::li_operation = ptr::null_mut();
        check(|err| call(&mut raw, err))?;
        Ok(Operation { raw: NonNull::new(raw).expect("libinstance returned a NULL operation on success") })
    }

    fn as_ptr(&self) -> *mut sys::li_operation {
        self.raw.as_ptr()
    }

    /// The operation's id (a UUID).
    pub fn id(&self) -> &str {
        // Borrowed from the handle, which lives as long as &self.
        unsafe { borrowed_str(sys::li_operation_id(self.as_ptr())) }
    }

    /// A snapshot: status, progress metadata, resources, whether it may be cancelled, its error.
    pub fn info(&self) -> Result<api::Operation> {
        owned_json("Operation", |out, err| unsafe { sys::li_operation_get_json(out, self.as_ptr(), err) })
    }

    /// Waits for the end (for ever with `None`). Ok when it succeeded; Timeout when it is still
    /// running at the timeout; otherwise its own failure, Cancelled when it was cancelled.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<()> {
        let ms = timeout_ms(timeout);
        check(|err| unsafe { sys::li_operation_wait(self.as_ptr(), ms, err) })
    }

    /// Asks it to stop at its next check point; it then ends Cancelled and leaves nothing
    /// half-made. NotSupported when it cannot be cancelled; Ok when it has already ended.
    pub fn cancel(&self) -> Result<()> {
        check(|err| unsafe { sys::li_operation_cancel(self.as_ptr(), err) })
    }
}

impl Manager {
    /// Running and recently ended operations.
    pub fn operations(&self) -> Result<Vec<api::Operation>> {
        owned_json("Operation list", |out, err| unsafe {
            sys::li_operation_list_json(out, self.as_ptr(), err)
        })
    }

    /// One operation by id; NotFound when unknown or expired.
    pub fn operation(&self, id: &str) -> Result<Operation> {
        let id = c_string("id", id)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_operation_get(out, self.as_ptr(), id.as_ptr(), err)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_round_up_to_milliseconds() {
        assert_eq!(timeout_ms(None), -1);
        assert_eq!(timeout_ms(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_ms(Some(Duration::from_micros(1))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_millis(1500))), 1500);
        assert_eq!(timeout_ms(Some(Duration::MAX)), i64::MAX);
    }
}
