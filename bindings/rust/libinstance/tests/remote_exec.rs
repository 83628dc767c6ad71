//! Exec and events on a Manager connected to a real instanced over HTTPS: the daemon's state
//! holds busybox (built before it starts), c1 is created and started through the connection,
//! exec output, stdin and exit codes travel over the exec websockets, and a lifecycle event made
//! on the daemon reaches a subscriber of the connected Manager; an ExecControl signals a running
//! exec's command.

mod common;

use std::time::Duration;

use common::daemon::Daemon;
use common::expect_error;
use libinstance::api::{InstanceSnapshotPut, InstanceSnapshotsPost, InstanceSource, InstancesPost, StoragePoolsPost};
use libinstance::{ErrorCode, EventFilter, EventType, ExecOptions, StopOptions, TerminalSize};
use serde_json::json;

/// Deletes c1 on the daemon when dropped, so a failing test leaves no container running there
/// (declared after the daemon, so it drops first).
struct DeleteC1<'a>(&'a Daemon);

impl Drop for DeleteC1<'_> {
    fn drop(&mut self) {
        let _ = self.0.request("DELETE", "/1.0/instances/c1", None);
    }
}

#[test]
fn exec_and_events_over_a_connection() {
    let daemon = Daemon::start_with_busybox("instanced-exec");
    let _delete_c1 = DeleteC1(&daemon);
    let url = daemon.listen_https();
    let (_client_dir, local) = daemon.client(&url, "remote-exec-client", "rust-exec");
    let connected = local.connect_remote("srv").unwrap();

    let post = InstancesPost { name: "c1".into(), source: InstanceSource::image_alias("busybox"), ..Default::default() };
    let c1 = connected.create_instance(&post).unwrap();
    c1.start().unwrap();

    let result = c1.exec(&["sh", "-c", "echo out; echo err >&2; exit 6"], &ExecOptions::default()).unwrap();
    assert_eq!((result.exit_code, result.stdout.as_slice(), result.stderr.as_slice()), (6, &b"out\n"[..], &b"err\n"[..]));
    let payload = vec![b'y'; 200_000];
    let opts = ExecOptions { stdin: Some(payload.clone()), ..Default::default() };
    assert_eq!(c1.exec(&["cat"], &opts).unwrap().stdout, payload);
    let shown = c1.exec_terminal(&["stty", "size"], &ExecOptions::default(), TerminalSize { width: 90, height: 30 }).unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("30 90"), "{shown:?}");
    expect_error(connected.instance("nope").and_then(|i| i.exec(&["true"], &ExecOptions::default())), ErrorCode::NotFound, "");

    let (_subscription, events) = connected.events(&EventFilter::types(&[EventType::Lifecycle])).unwrap();
    let (status, doc) = daemon.request("PATCH", "/1.0/instances/c1", Some(json!({"config": {"user.seen": "yes"}})));
    assert!(status == 200 || status == 202, "{doc}"); // LXD answers an instance PATCH with an operation
    let mut actions = Vec::new();
    while let Ok(event) = events.recv_timeout(Duration::from_secs(10)) {
        let action = event.lifecycle().map(|l| l.action).unwrap_or_default();
        actions.push(action.clone());
        if action == "instance-updated" {
            break;
        }
    }
    assert_eq!(actions.last().map(String::as_str), Some("instance-updated"), "{actions:?}");
    log_files_and_snapshot_changes(&daemon, &c1);
    // Signals travel as {"command": "signal"} on the exec's control websocket.
    common::exec_signal::check_signals(&c1);
    move_to_another_pool(&daemon, &connected, &c1);
    c1.delete(true).unwrap();
    assert_eq!(daemon.request("GET", "/1.0/instances/c1", None).0, 404);
}

/// Instance::move_to_pool on a connected Manager: the server moves it (LXD's POST {"pool"}).
fn move_to_another_pool(daemon: &Daemon, connected: &libinstance::Manager, c1: &libinstance::Instance) {
    let source = common::TempDir::new("rs-pool2");
    let mut post = StoragePoolsPost::new("rs-pool2", "dir");
    post.config.insert("source".into(), source.0.to_string_lossy().into_owned());
    connected.create_storage_pool(&post).unwrap();
    c1.stop(StopOptions { force: true, ..Default::default() }).unwrap();
    expect_error(c1.move_to_pool("no-such-pool"), ErrorCode::NotFound, "");
    c1.move_to_pool("rs-pool2").unwrap();
    let (_, doc) = daemon.request("GET", "/1.0/instances/c1", None);
    assert_eq!(doc["metadata"]["expanded_devices"]["root"]["pool"], "rs-pool2", "{doc}");
    c1.move_to_pool("default").unwrap();
    connected.delete_storage_pool("rs-pool2").unwrap();
}

/// Log files come from GET .../logs; a snapshot's expiry and name change on the server.
fn log_files_and_snapshot_changes(daemon: &Daemon, c1: &libinstance::Instance) {
    let names = c1.log_files().unwrap();
    assert!(names.iter().any(|n| n == "lxc.log"), "{names:?}");
    let (status, doc) = daemon.request("GET", "/1.0/instances/c1/logs", None);
    assert_eq!(status, 200, "{doc}");
    let mut listed: Vec<String> =
        doc["metadata"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().rsplit('/').next().unwrap().to_string()).collect();
    listed.sort();
    assert_eq!(listed, names);
    assert!(!c1.log_file("lxc.log").unwrap().is_empty());
    expect_error(c1.log_file("no-such.log"), ErrorCode::NotFound, "");

    let post = InstanceSnapshotsPost { name: "s1".into(), ..Default::default() };
    c1.snapshot(&post).unwrap();
    let put = InstanceSnapshotPut { expires_at: "2099-01-02T03:04:05Z".into() };
    c1.update_snapshot("s1", &put).unwrap();
    let (_, doc) = daemon.request("GET", "/1.0/instances/c1/snapshots/s1", None);
    assert!(doc["metadata"]["expires_at"].as_str().unwrap().starts_with("2099-01-02T03:04:05"), "{doc}");
    c1.rename_snapshot("s1", "s2").unwrap();
    assert_eq!(daemon.request("GET", "/1.0/instances/c1/snapshots/s1", None).0, 404);
    assert_eq!(daemon.request("GET", "/1.0/instances/c1/snapshots/s2", None).0, 200);
    expect_error(c1.rename_snapshot("nope", "s3"), ErrorCode::NotFound, "");
    c1.delete_snapshot("s2").unwrap();
}
