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
//! Long work also comes as `_async` calls returning an [`Operation`] (wait with a timeout, cancel,
//! progress in [`Operation::info`]); [`Manager::subscribe`] and [`Manager::events`] deliver the
//! library's lifecycle, operation and logging [`Event`]s to a closure or a channel:
//!
//! ```no_run
//! use libinstance::{api, EventFilter, EventType, Manager};
//!
//! # fn main() -> libinstance::Result<()> {
//! # let manager = Manager::open(None)?;
//! let (_subscription, events) = manager.events(&EventFilter::types(&[EventType::Lifecycle]))?;
//! let post = api::InstancesPost::new("c2", api::InstanceSource::image_alias("busybox"));
//! let op = manager.create_instance_async(&post)?;
//! op.wait(Some(std::time::Duration::from_secs(60)))?;
//! let created = events.recv().unwrap();
//! assert_eq!(created.lifecycle().unwrap().action, "instance-created");
//! # Ok(())
//! # }
//! ```
//!
//! Every handle ([`Manager`], [`Instance`], [`Operation`], [`Subscription`]) frees itself on drop
//! and is `Send + Sync`, as the C ABI documents. Every fallible call returns [`Result`], whose
//! [`Error`] carries the library's code, message chain, offending key and errno.

pub mod api;
mod backup;
mod boot;
mod console;
mod error;
mod event;
mod exec;
mod exec_agent;
mod exec_control;
mod files;
mod image_auto_update;
mod image_manage;
mod init;
mod instance;
mod instance_config;
mod instance_snapshot;
mod log;
mod manager;
mod network;
mod operation;
mod profile;
mod project;
mod publish;
mod recover;
mod remote;
mod snapshot_schedule;
mod storage;
mod storage_volume;
mod storage_volume_snapshot;
mod strings;

pub use api::Event;
pub use backup::{BackupExportOptions, BackupImportOptions, CrossCopyOptions};
pub use console::{Console, ConsoleOptions};
pub use error::{Error, ErrorCode, Result};
pub use event::{EventFilter, EventType, Subscription};
pub use exec::{ExecOptions, ExecResult, TerminalSize};
pub use exec_agent::ExecAgentPolicy;
pub use exec_control::ExecControl;
pub use files::{FileInfo, FileOptions};
pub use image_auto_update::{ImageAutoUpdateRefresh, ImageAutoUpdateRun};
pub use image_manage::{ImageAliasEntry, ImageExport, ImportImageOptions};
pub use init::{InitOptions, InitResult};
pub use instance::{Instance, StopOptions};
pub use log::{LogLevel, LogTarget};
pub use manager::{BuildImageOptions, Manager, Project};
pub use operation::Operation;
pub use publish::PublishOptions;
pub use recover::{RecoverResult, RecoverVolume};
pub use snapshot_schedule::SnapshotScheduleRun;

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
    thread_safe::<Operation>();
    thread_safe::<Subscription>();
};
