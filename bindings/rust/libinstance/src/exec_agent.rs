//! How execs reach running containers: through an exec agent kept inside each container, or
//! liblxc's attach every time (docs/design/0011-exec-agents.md).

use libinstance_sys as sys;

use crate::error::{check, Error, ErrorCode, Result};
use crate::manager::Manager;
use crate::strings::{c_string, owned_string};

/// When a running container gets its exec agent: a small process of ours kept inside it that
/// later execs fork from, much faster than attaching through liblxc each time. It shows as
/// `li-exec-agent` in the container's process list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecAgentPolicy {
    /// Every exec attaches through liblxc.
    Off,
    /// The first exec into a container starts its agent (the default).
    OnDemand,
    /// Also started right after each container start (long-lived programs).
    AtStart,
}

impl ExecAgentPolicy {
    /// The library's word for it: "off", "on-demand" or "at-start".
    pub fn as_str(self) -> &'static str {
        match self {
            ExecAgentPolicy::Off => "off",
            ExecAgentPolicy::OnDemand => "on-demand",
            ExecAgentPolicy::AtStart => "at-start",
        }
    }
}

impl Manager {
    /// Sets how this Manager's execs reach running containers; `Off` also stops the agents
    /// running. NotSupported on a Manager connected to a daemon.
    pub fn set_exec_agent_policy(&self, policy: ExecAgentPolicy) -> Result<()> {
        let word = c_string("policy", policy.as_str())?;
        check(|err| unsafe { sys::li_manager_set_exec_agent_policy(self.as_ptr(), word.as_ptr(), err) })
    }

    /// The policy in force.
    pub fn exec_agent_policy(&self) -> Result<ExecAgentPolicy> {
        let word = owned_string(|out, err| unsafe { sys::li_manager_get_exec_agent_policy(out, self.as_ptr(), err) })?;
        [ExecAgentPolicy::Off, ExecAgentPolicy::OnDemand, ExecAgentPolicy::AtStart]
            .into_iter()
            .find(|p| p.as_str() == word)
            .ok_or_else(|| Error {
                code: ErrorCode::Internal,
                message: format!("unknown exec agent policy \"{word}\""),
                key: Some("policy".into()),
                errno: None,
            })
    }
}
