//! Copies and moves from an embedded Manager to one connected to a real instanced over HTTPS
//! (ADR 0013): the instance travels as a backup, a file and a snapshot come along, the copy has
//! none of the source's identifying volatile keys, a failing copy leaves nothing on the target,
//! and a move deletes the source once the copy exists.

mod common;

use common::daemon::Daemon;
use common::expect_error;
use libinstance::api::{InstanceSnapshotsPost, InstanceSource, InstancesPost};
use libinstance::{CrossCopyOptions, ErrorCode};

/// Deletes the daemon's copies when dropped, so a failing test leaves no container there.
struct DeleteCopies<'a>(&'a Daemon);

impl Drop for DeleteCopies<'_> {
    fn drop(&mut self) {
        for name in ["rc1copy", "rc1moved"] {
            let _ = self.0.request("DELETE", &format!("/1.0/instances/{name}"), None);
        }
    }
}

fn identifying(config: &libinstance::api::ConfigMap) -> Vec<(String, String)> {
    config
        .iter()
        .filter(|(k, _)| k.starts_with("volatile.") && *k != "volatile.base_image" && *k != "volatile.last_state.idmap")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn copy_and_move_from_embedded_to_connected() {
    let daemon = Daemon::start("instanced-copy");
    let _cleanup = DeleteCopies(&daemon);
    let url = daemon.listen_https();
    let (_client_dir, local) = daemon.client(&url, "remote-copy-client", "rust-copy");
    let connected = local.connect_remote("srv").unwrap();

    local.build_image("busybox", Some("busybox")).unwrap();
    let post = InstancesPost { name: "rc1".into(), source: InstanceSource::image_alias("busybox"), ..Default::default() };
    let src = local.create_instance(&post).unwrap();
    src.start().unwrap();
    src.file_push_data("/root/mark", b"from rust\n", &Default::default()).unwrap();
    src.snapshot(&InstanceSnapshotsPost { name: "s0".into(), ..Default::default() }).unwrap();

    let mut opts = CrossCopyOptions::default();
    opts.config.insert("user.k".into(), "v".into());
    let copy = src.copy_to(&connected, "rc1copy", &opts).unwrap();
    let info = copy.info().unwrap();
    assert_eq!(info.config.get("user.k").map(String::as_str), Some("v"));
    for (key, value) in identifying(&src.info().unwrap().config) {
        assert_ne!(info.config.get(&key), Some(&value), "{key}");
    }
    let snapshots: Vec<String> = copy.snapshots().unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(snapshots, vec!["s0".to_string()]);
    copy.start().unwrap();
    assert_eq!(copy.file_read("/root/mark").unwrap(), b"from rust\n");

    // A taken name, an unknown pool: errors of the import, nothing left on the target.
    expect_error(src.copy_to(&connected, "rc1copy", &CrossCopyOptions::default()), ErrorCode::AlreadyExists, "rc1copy");
    assert_eq!(copy.status_code().unwrap(), libinstance::api::status::RUNNING); // untouched
    copy.delete(true).unwrap();
    let bad_pool = CrossCopyOptions { pool: "nopool".into(), ..Default::default() };
    expect_error(src.copy_to(&connected, "rc1bad", &bad_pool), ErrorCode::NotFound, "nopool");
    assert_eq!(daemon.request("GET", "/1.0/instances/rc1bad", None).0, 404);

    // A running source is moved only stateless; then it is gone here and running there.
    expect_error(src.move_to(&connected, "rc1moved", &CrossCopyOptions::default()), ErrorCode::Busy, "--stateless");
    assert_eq!(daemon.request("GET", "/1.0/instances/rc1moved", None).0, 404);
    let stateless = CrossCopyOptions { stateless: true, ..Default::default() };
    src.move_to(&connected, "rc1moved", &stateless).unwrap();
    expect_error(local.instance("rc1"), ErrorCode::NotFound, "rc1");
    let moved = connected.instance("rc1moved").unwrap();
    assert_eq!(moved.status_code().unwrap(), libinstance::api::status::RUNNING);
    assert_eq!(moved.file_read("/root/mark").unwrap(), b"from rust\n");
    moved.delete(true).unwrap();
}
