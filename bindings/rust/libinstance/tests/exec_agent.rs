//! Exec through the container's exec agent (docs/design/0011-exec-agents.md) and its policy.

mod common;

use std::thread::sleep;
use std::time::Duration;

use common::{container, manager};
use libinstance::{ErrorCode, ExecAgentPolicy, ExecOptions};

const COUNT_AGENTS: &str = "n=0; for p in /proc/[0-9]*; do [ \"$(cat $p/comm 2>/dev/null)\" = li-exec-agent ] && ! grep -q '^State:.*Z' $p/status 2>/dev/null && n=$((n+1)); done; echo $n";

fn agents(inst: &libinstance::Instance) -> String {
    let out = inst.exec(&["sh", "-c", COUNT_AGENTS], &ExecOptions::default()).expect("counting agents");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn exec_agent_policy() {
    let mgr = manager();
    assert_eq!(mgr.exec_agent_policy().unwrap(), ExecAgentPolicy::OnDemand);
    let c = container(&mgr, "rs-agent", true);
    let out = c.exec(&["sh", "-c", "echo out; echo err >&2; exit 6"], &ExecOptions::default()).unwrap();
    assert_eq!((out.exit_code, out.stdout.as_slice(), out.stderr.as_slice()), (6, &b"out\n"[..], &b"err\n"[..]));
    assert_eq!(agents(&c), "1");

    mgr.set_exec_agent_policy(ExecAgentPolicy::Off).unwrap();
    assert_eq!(mgr.exec_agent_policy().unwrap(), ExecAgentPolicy::Off);
    let mut left = agents(&c);
    for _ in 0..50 {
        if left == "0" {
            break;
        }
        sleep(Duration::from_millis(100));
        left = agents(&c);
    }
    assert_eq!(left, "0", "the agent exits once its socket closes");

    mgr.set_exec_agent_policy(ExecAgentPolicy::AtStart).unwrap();
    assert_eq!(mgr.exec_agent_policy().unwrap(), ExecAgentPolicy::AtStart);
    c.delete(true).unwrap();
    let gone = mgr.instance("rs-agent").err().map(|e| e.code);
    assert_eq!(gone, Some(ErrorCode::NotFound));
}
