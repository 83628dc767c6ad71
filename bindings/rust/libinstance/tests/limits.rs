//! Limits, security keys and host shutdown through the Rust crate, on real containers.

mod common;

use common::{manager, Guard, IMAGE};
use std::sync::Mutex;

use libinstance::{api, ErrorCode, ExecOptions};

// The tests of this binary run on threads at once; shutdown_instances stops every running
// container of the shared manager, so they take turns.
static SERIAL: Mutex<()> = Mutex::new(());

fn create(mgr: &libinstance::Manager, name: &str, config: &[(&str, &str)], start: bool) -> Guard {
    let mut post = api::InstancesPost::new(name, api::InstanceSource::image_alias(IMAGE));
    post.config = config.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    post.start = start;
    Guard(mgr.create_instance(&post).unwrap_or_else(|e| panic!("creating {name}: {e:?}")))
}

/// pids.max of the process's cgroup, seen from the host (the v1 pids hierarchy or the unified one).
fn host_pids_max(pid: i64) -> String {
    let cgroups = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let mut unified = String::new();
    for line in cgroups.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, list, path) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        if list.is_empty() {
            unified = path.to_string();
        }
        if list.split(',').any(|c| c == "pids") {
            return std::fs::read_to_string(format!("/sys/fs/cgroup/pids{path}/pids.max")).unwrap().trim().to_string();
        }
    }
    let root = if std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists() { "/sys/fs/cgroup" } else { "/sys/fs/cgroup/unified" };
    std::fs::read_to_string(format!("{root}{unified}/pids.max")).unwrap().trim().to_string()
}

#[test]
fn process_limit_reaches_the_cgroup_and_refuses_forks() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mgr = manager();
    let c = create(&mgr, "rs-lim", &[("limits.processes", "6")], true);
    let pid = c.state().unwrap().pid;
    assert_eq!(host_pids_max(pid), "6");
    let out = c
        .exec(&["/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 60 & done; echo end"], &ExecOptions::default())
        .unwrap();
    assert!(out.stderr_text().contains("can't fork"), "stderr: {:?}", out.stderr_text());
}

#[test]
fn invalid_limits_denied_raw_lxc_and_bad_raw_idmap_are_refused_naming_the_key() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mgr = manager();
    for (key, value, word) in [
        ("limits.cpu", "none", "none"),
        ("raw.lxc", "lxc.hook.pre-start = /bin/true", "lxc.hook.pre-start"),
        ("raw.idmap", "both 1000 1000\nuid 2000 1000", "overlaps an earlier entry"),
    ] {
        let mut post = api::InstancesPost::new("rs-bad", api::InstanceSource::image_alias(IMAGE));
        post.config.insert(key.to_string(), value.to_string());
        let err = mgr.create_instance(&post).expect_err("accepted");
        assert_eq!(err.code, ErrorCode::InvalidArgument);
        assert_eq!(err.key.as_deref(), Some(format!("config.{key}").as_str()));
        assert!(err.message.contains(word), "{err:?}");
    }
}

#[test]
fn shutdown_instances_stops_running_ones_and_keeps_them_marked_running() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mgr = manager();
    let a = create(&mgr, "rs-shut1", &[("boot.host_shutdown_timeout", "2"), ("boot.stop.priority", "4")], true);
    let b = create(&mgr, "rs-shut2", &[("boot.host_shutdown_timeout", "2")], true);
    mgr.shutdown_instances_async().unwrap().wait(None).unwrap();
    for c in [&a, &b] {
        let info = c.info().unwrap();
        assert_eq!(info.status, "Stopped");
        assert_eq!(info.config.get("volatile.last_state.power").map(String::as_str), Some("RUNNING"));
    }
    mgr.shutdown_instances().unwrap();
}
