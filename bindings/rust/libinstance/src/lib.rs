//! Safe Rust API for libinstance: LXD-style system containers managed in-process.
//!
//! ```no_run
//! use libinstance::{api, ExecOptions, Manager, StopOptions};
//!
//! # fn main() -> libinstance::Result<()> {
//! let manager = Manager::open(Some(std::path::Path::new("/tmp/li-state")))?;
//! manager.build_image("busybox", Some("busybox"))?;
//! let mut post = api::InstancesPost::new("c1", api::InstanceSource::image_alias("busybox"));
//! post.start = true;
//! let c1 = manager.create_instance(&post)?;
//! let out = c1.exec(&["uname", "-a"], &ExecOptions::default())?;
//! print!("{}", out.stdout_text());
//! c1.stop(StopOptions { force: true, ..Default::default() })?;
//! c1.delete(false)?;
//! # Ok(())
//! # }
//! ```
//!
//! Every handle ([`Manager`], [`Instance`]) frees itself on drop and is `Send + Sync`, as the C ABI
//! documents. Every fallible call returns [`Result`], whose [`Error`] carries the library's code,
//! message chain, offending key and errno.

pub mod api;
mod error;
mod exec;
mod instance;
mod manager;
mod strings;

pub use error::{Error, ErrorCode, Result};
pub use exec::{ExecOptions, ExecResult};
pub use instance::{Instance, StopOptions};
pub use manager::{BuildImageOptions, Manager, Project};

/// The raw FFI, for what the safe API does not cover yet.
pub use libinstance_sys as sys;

/// The library's version, e.g. "0.1.0".
pub fn version() -> &'static str {
    // A static string inside the library.
    unsafe { strings::borrowed_str(libinstance_sys::li_version()) }
}

// The handles must stay shareable across threads; this fails to compile if that regresses.
const _: () = {
    const fn thread_safe<T: Send + Sync>() {}
    thread_safe::<Manager>();
    thread_safe::<Instance>();
};
