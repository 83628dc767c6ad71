//! A handle on one instance and its lifecycle.

use std::ptr::NonNull;
use std::time::Duration;

use libinstance_sys as sys;

use crate::api;
use crate::error::{check, Result};
use crate::operation::Operation;
use crate::strings::{borrowed_str, c_string, owned_json};

/// How [`Instance::stop`] and [`Instance::restart_with`] stop an instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopOptions {
    /// Kill at once instead of asking the init to halt.
    pub force: bool,
    /// How long the init gets to halt before it is killed; None: the library's default (30 s).
    pub timeout: Option<Duration>,
}

impl StopOptions {
    fn to_raw(self) -> sys::li_stop_opts {
        let timeout_seconds = match self.timeout {
            // Round up so a sub-second timeout still waits rather than killing at once.
            Some(t) => i32::try_from(t.as_secs() + u64::from(t.subsec_nanos() > 0)).unwrap_or(i32::MAX),
            None => -1,
        };
        sys::li_stop_opts { version: sys::LI_STOP_OPTS_VERSION, force: self.force.into(), timeout_seconds }
    }
}

fn start_opts() -> sys::li_start_opts {
    sys::li_start_opts { version: sys::LI_START_OPTS_VERSION, stateful: 0 }
}

fn delete_opts(force: bool) -> sys::li_delete_opts {
    sys::li_delete_opts { version: sys::LI_DELETE_OPTS_VERSION, force: force.into() }
}

/// One instance (container), by project and name. Thread-safe; dropping it frees the handle.
///
/// A handle keeps its state directory open, even after the [`crate::Manager`] is dropped.
#[derive(Debug)]
pub struct Instance {
    raw: NonNull<sys::li_instance>,
}

// The C ABI documents every handle as safe to use from several threads at once.
unsafe impl Send for Instance {}
unsafe impl Sync for Instance {}

impl Drop for Instance {
    fn drop(&mut self) {
        // We own the handle and free it exactly once.
        unsafe { sys::li_instance_free(self.raw.as_ptr()) };
    }
}

impl Instance {
    /// Takes over a handle the library returned.
    pub(crate) fn from_raw(raw: *mut sys::li_instance) -> Instance {
        Instance { raw: NonNull::new(raw).expect("libinstance returned a NULL instance on success") }
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::li_instance {
        self.raw.as_ptr()
    }

    /// The instance's name.
    pub fn name(&self) -> &str {
        // Borrowed from the handle, which lives as long as &self.
        unsafe { borrowed_str(sys::li_instance_name(self.as_ptr())) }
    }

    /// The instance's project.
    pub fn project(&self) -> &str {
        unsafe { borrowed_str(sys::li_instance_project(self.as_ptr())) }
    }

    /// The instance as an LXD `Instance` document.
    pub fn info(&self) -> Result<api::Instance> {
        owned_json("Instance", |out, err| unsafe { sys::li_instance_get_json(out, self.as_ptr(), err) })
    }

    /// The live state: status, pid, memory, processes.
    pub fn state(&self) -> Result<api::InstanceState> {
        owned_json("InstanceState", |out, err| unsafe {
            sys::li_instance_state_json(out, self.as_ptr(), err)
        })
    }

    /// The LXD status code; see [`api::status`].
    pub fn status_code(&self) -> Result<i32> {
        let mut code = 0;
        check(|err| unsafe { sys::li_instance_status_code(&mut code, self.as_ptr(), err) })?;
        Ok(code)
    }

    /// Starts a stopped instance; Conflict if it is running.
    pub fn start(&self) -> Result<()> {
        let opts = start_opts();
        check(|err| unsafe { sys::li_instance_start(self.as_ptr(), &opts, err) })
    }

    /// [`Instance::start`] as an operation (not cancellable).
    pub fn start_async(&self) -> Result<Operation> {
        let opts = start_opts();
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_start_async(out, self.as_ptr(), &opts, err)
        })
    }

    /// Stops a running instance: the init's halt signal, then a kill after the timeout.
    pub fn stop(&self, opts: StopOptions) -> Result<()> {
        let raw = opts.to_raw();
        check(|err| unsafe { sys::li_instance_stop(self.as_ptr(), &raw, err) })
    }

    /// [`Instance::stop`] as an operation (not cancellable).
    pub fn stop_async(&self, opts: StopOptions) -> Result<Operation> {
        let raw = opts.to_raw();
        Operation::from_call(|out, err| unsafe { sys::li_instance_stop_async(out, self.as_ptr(), &raw, err) })
    }

    /// Stops (gracefully, with the default timeout) and starts again a running instance.
    pub fn restart(&self) -> Result<()> {
        self.restart_with(StopOptions::default())
    }

    /// Stops as [`Instance::stop`] would, then starts again.
    pub fn restart_with(&self, opts: StopOptions) -> Result<()> {
        let raw = opts.to_raw();
        check(|err| unsafe { sys::li_instance_restart(self.as_ptr(), &raw, err) })
    }

    /// [`Instance::restart_with`] as an operation (not cancellable).
    pub fn restart_async(&self, opts: StopOptions) -> Result<Operation> {
        let raw = opts.to_raw();
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_restart_async(out, self.as_ptr(), &raw, err)
        })
    }

    /// Deletes the instance and its storage; a running one needs `force` (else Conflict).
    /// The handle stays valid but finds nothing afterwards.
    pub fn delete(&self, force: bool) -> Result<()> {
        let opts = delete_opts(force);
        check(|err| unsafe { sys::li_instance_delete(self.as_ptr(), &opts, err) })
    }

    /// [`Instance::delete`] as an operation (not cancellable).
    pub fn delete_async(&self, force: bool) -> Result<Operation> {
        let opts = delete_opts(force);
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_delete_async(out, self.as_ptr(), &opts, err)
        })
    }

    /// Renames the stopped instance (`lxc move c1 c2`); the handle follows it (`&mut`: the
    /// borrowed [`Instance::name`] changes). Busy while running, AlreadyExists or InvalidArgument
    /// (key "name").
    pub fn rename(&mut self, new_name: &str) -> Result<()> {
        let new_name = c_string("name", new_name)?;
        check(|err| unsafe { sys::li_instance_rename(self.as_ptr(), new_name.as_ptr(), err) })
    }

    /// Moves the stopped instance's root volume to another storage pool (`lxc move c1
    /// --storage P`). Busy while running; NotFound or InvalidArgument (key "pool"); nothing
    /// changes on failure.
    pub fn move_to_pool(&self, pool: &str) -> Result<()> {
        let pool = c_string("pool", pool)?;
        check(|err| unsafe { sys::li_instance_move_pool(self.as_ptr(), pool.as_ptr(), err) })
    }

    /// [`Instance::move_to_pool`] as an operation (with progress, cancellable).
    pub fn move_to_pool_async(&self, pool: &str) -> Result<Operation> {
        let pool = c_string("pool", pool)?;
        Operation::from_call(|out, err| unsafe {
            sys::li_instance_move_pool_async(out, self.as_ptr(), pool.as_ptr(), err)
        })
    }
}
