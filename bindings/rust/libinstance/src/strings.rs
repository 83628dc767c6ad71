//! Moving strings and JSON documents across the boundary.

use std::ffi::{c_char, CStr, CString};
use std::path::Path;
use std::ptr;

use libinstance_sys as sys;
use serde::de::DeserializeOwned;

use crate::error::{check, Error, Result};

/// A C string for the parameter `key`; an interior NUL is an InvalidArgument naming it.
pub(crate) fn c_string(key: &str, value: &str) -> Result<CString> {
    CString::new(value).map_err(|_| Error::invalid(key, format!("{key} {value:?} contains a NUL byte")))
}

/// Like [`c_string`] for an optional parameter.
pub(crate) fn c_string_opt(key: &str, value: Option<&str>) -> Result<Option<CString>> {
    value.map(|v| c_string(key, v)).transpose()
}

/// A path as a C string (paths are bytes on Linux, so any non-NUL path passes).
pub(crate) fn c_path(key: &str, path: &Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::invalid(key, format!("{key} {path:?} contains a NUL byte")))
}

/// The pointer of an optional C string, NULL when absent.
pub(crate) fn ptr_or_null(value: &Option<CString>) -> *const c_char {
    value.as_ref().map_or(ptr::null(), |v| v.as_ptr())
}

/// A borrowed C string as &str; the library only hands out UTF-8 (names, JSON).
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn borrowed_str<'a>(ptr: *const c_char) -> &'a str {
    if ptr.is_null() {
        return "";
    }
    CStr::from_ptr(ptr).to_str().unwrap_or("")
}

/// Runs a call that returns an owned `char *` and takes it over as a String (freed with li_free).
pub(crate) fn owned_string(
    call: impl FnOnce(*mut *mut c_char, *mut *mut sys::li_error) -> i32,
) -> Result<String> {
    let mut out: *mut c_char = ptr::null_mut();
    check(|err| call(&mut out, err))?;
    if out.is_null() {
        return Ok(String::new());
    }
    // The library allocated out for us; copy it, then give it back exactly once.
    let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    unsafe { sys::li_free(out.cast()) };
    Ok(text)
}

/// Runs a call that returns a JSON document and parses it as `T`.
pub(crate) fn owned_json<T: DeserializeOwned>(
    what: &str,
    call: impl FnOnce(*mut *mut c_char, *mut *mut sys::li_error) -> i32,
) -> Result<T> {
    let text = owned_string(call)?;
    parse_json(what, &text)
}

/// Calls a C function returning a JSON document and its ETag (both the library's allocations,
/// freed here exactly once) and parses the document.
pub(crate) fn owned_json_with_etag<T: DeserializeOwned>(
    what: &str,
    call: impl FnOnce(*mut *mut c_char, *mut *mut c_char, *mut *mut sys::li_error) -> i32,
) -> Result<(T, String)> {
    let mut json: *mut c_char = ptr::null_mut();
    let mut etag: *mut c_char = ptr::null_mut();
    check(|err| call(&mut json, &mut etag, err))?;
    let take = |p: *mut c_char| {
        if p.is_null() {
            return String::new();
        }
        let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
        unsafe { sys::li_free(p.cast()) };
        s
    };
    let (json, etag) = (take(json), take(etag));
    Ok((parse_json(what, &json)?, etag))
}

/// Parses a document the library produced; a mismatch is a bug on one side, hence Internal.
pub(crate) fn parse_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error {
        code: crate::ErrorCode::Internal,
        message: format!("parsing the {what} document from libinstance: {e}"),
        key: None,
        errno: None,
    })
}
