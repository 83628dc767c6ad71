//! The one error type: a code mirroring `li_status`, the message chain, the offending key, errno.

use std::ffi::{c_int, CStr};
use std::fmt;

use libinstance_sys as sys;

/// What went wrong, mirroring the C ABI's `li_status` (append-only, hence non-exhaustive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The named object does not exist.
    NotFound,
    /// An object of that name exists already.
    AlreadyExists,
    /// Bad input; [`Error::key`] names the offending key or field.
    InvalidArgument,
    /// The driver or this machine cannot do it.
    NotSupported,
    /// The object (or the state directory) is in use.
    Busy,
    /// The object is in the wrong state (e.g. running).
    Conflict,
    PermissionDenied,
    Timeout,
    Cancelled,
    /// A system call failed; [`Error::errno`] has errno.
    System,
    /// liblxc or another backend failed.
    Backend,
    /// A bug in libinstance (also any code this version does not know).
    Internal,
}

impl ErrorCode {
    /// The code for a positive `li_status` value.
    pub fn from_raw(code: c_int) -> ErrorCode {
        match code as u32 {
            sys::LI_ERR_NOT_FOUND => ErrorCode::NotFound,
            sys::LI_ERR_ALREADY_EXISTS => ErrorCode::AlreadyExists,
            sys::LI_ERR_INVALID_ARGUMENT => ErrorCode::InvalidArgument,
            sys::LI_ERR_NOT_SUPPORTED => ErrorCode::NotSupported,
            sys::LI_ERR_BUSY => ErrorCode::Busy,
            sys::LI_ERR_CONFLICT => ErrorCode::Conflict,
            sys::LI_ERR_PERMISSION_DENIED => ErrorCode::PermissionDenied,
            sys::LI_ERR_TIMEOUT => ErrorCode::Timeout,
            sys::LI_ERR_CANCELLED => ErrorCode::Cancelled,
            sys::LI_ERR_SYSTEM => ErrorCode::System,
            sys::LI_ERR_BACKEND => ErrorCode::Backend,
            _ => ErrorCode::Internal,
        }
    }

    /// The positive `li_status` value.
    pub fn as_raw(self) -> c_int {
        (match self {
            ErrorCode::NotFound => sys::LI_ERR_NOT_FOUND,
            ErrorCode::AlreadyExists => sys::LI_ERR_ALREADY_EXISTS,
            ErrorCode::InvalidArgument => sys::LI_ERR_INVALID_ARGUMENT,
            ErrorCode::NotSupported => sys::LI_ERR_NOT_SUPPORTED,
            ErrorCode::Busy => sys::LI_ERR_BUSY,
            ErrorCode::Conflict => sys::LI_ERR_CONFLICT,
            ErrorCode::PermissionDenied => sys::LI_ERR_PERMISSION_DENIED,
            ErrorCode::Timeout => sys::LI_ERR_TIMEOUT,
            ErrorCode::Cancelled => sys::LI_ERR_CANCELLED,
            ErrorCode::System => sys::LI_ERR_SYSTEM,
            ErrorCode::Backend => sys::LI_ERR_BACKEND,
            ErrorCode::Internal => sys::LI_ERR_INTERNAL,
        }) as c_int
    }

    /// The stable name the library gives the code, e.g. "NotFound".
    pub fn name(self) -> &'static str {
        // li_status_name returns static strings, valid for the life of the process.
        let name = unsafe { CStr::from_ptr(sys::li_status_name(self.as_raw())) };
        name.to_str().unwrap_or("Internal")
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed call: what the library reported through its `li_error`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Error {
    /// What kind of failure.
    pub code: ErrorCode,
    /// A context chain like "starting c1: mounting rootfs: ...".
    pub message: String,
    /// What is at fault: for [`ErrorCode::InvalidArgument`] always the offending key, field or
    /// path; for NotFound, AlreadyExists, Busy and NotSupported the argument or key naming the
    /// missing, existing, busy or unsupported thing where the call knows one.
    pub key: Option<String>,
    /// For [`ErrorCode::System`]: the errno.
    pub errno: Option<i32>,
}

impl Error {
    /// An error raised on the Rust side of the boundary, before the library is called.
    pub(crate) fn invalid(key: &str, message: String) -> Error {
        Error { code: ErrorCode::InvalidArgument, message, key: Some(key.to_string()), errno: None }
    }

    /// Takes over (and frees) the `li_error` of a call that returned `rc`.
    ///
    /// # Safety
    /// `err` is NULL or an error the library just handed out and nobody else frees.
    pub(crate) unsafe fn from_raw(rc: c_int, err: *mut sys::li_error) -> Error {
        if err.is_null() {
            // The ABI sets *err on every failure; without it only the return code is known.
            let code = ErrorCode::from_raw(-rc);
            return Error {
                code,
                message: format!("libinstance call failed: {code}"),
                key: None,
                errno: None,
            };
        }
        let text = |ptr: *const std::ffi::c_char| {
            if ptr.is_null() {
                String::new()
            } else {
                CStr::from_ptr(ptr).to_string_lossy().into_owned()
            }
        };
        let key = text(sys::li_error_key(err));
        let errno = sys::li_error_errno(err);
        let error = Error {
            code: ErrorCode::from_raw(sys::li_error_code(err)),
            message: text(sys::li_error_message(err)),
            key: (!key.is_empty()).then_some(key),
            errno: (errno != 0).then_some(errno),
        };
        sys::li_error_free(err);
        error
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for Error {}

/// The result of every fallible call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs one fallible C call, handing it the error out-parameter, and turns its status into a Result.
pub(crate) fn check(call: impl FnOnce(*mut *mut sys::li_error) -> c_int) -> Result<()> {
    let mut err: *mut sys::li_error = std::ptr::null_mut();
    let rc = call(&mut err);
    if rc == 0 {
        if !err.is_null() {
            // Never expected; freeing keeps the "freed exactly once" promise either way.
            unsafe { sys::li_error_free(err) };
        }
        return Ok(());
    }
    // The library allocated err for this failure and nobody else holds it.
    Err(unsafe { Error::from_raw(rc, err) })
}
