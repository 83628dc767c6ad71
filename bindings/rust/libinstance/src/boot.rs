//! Host shutdown of a manager's instances (LXD's `lxd shutdown`).

use libinstance_sys as sys;

use crate::error::{check, Result};
use crate::manager::Manager;
use crate::operation::Operation;

impl Manager {
    /// Stops every running instance as a host shutdown does: higher `boot.stop.priority` first,
    /// each given `boot.host_shutdown_timeout` seconds (default 30) to halt before it is killed.
    /// They stay marked as running, so the first open after the next host boot starts them again
    /// (with those set `boot.autostart=true`, by `boot.autostart.priority`).
    pub fn shutdown_instances(&self) -> Result<()> {
        check(|err| unsafe { sys::li_manager_shutdown_instances(self.as_ptr(), err) })
    }

    /// [`Manager::shutdown_instances`] as an operation.
    pub fn shutdown_instances_async(&self) -> Result<Operation> {
        Operation::from_call(|out, err| unsafe { sys::li_manager_shutdown_instances_async(out, self.as_ptr(), err) })
    }
}
