//! Renaming instances and moving them between storage pools, on real containers.

mod common;

use common::{container, expect_error, manager};
use libinstance::ErrorCode;

#[test]
fn rename_follows_and_refusals_change_nothing() {
    let mgr = manager();
    let _running = container(&mgr, "rs-mv-run", true);
    let stopped = container(&mgr, "rs-mv-a", false);

    // A running instance is not renamed.
    let mut run_handle = mgr.instance("rs-mv-run").unwrap();
    expect_error(run_handle.rename("rs-mv-x"), ErrorCode::Busy, "running");
    assert_eq!(run_handle.name(), "rs-mv-run");

    // A taken name and a bad name are refused; the instance keeps its name.
    let mut handle = mgr.instance("rs-mv-a").unwrap();
    expect_error(handle.rename("rs-mv-run"), ErrorCode::AlreadyExists, "rs-mv-run");
    expect_error(handle.rename("bad/name"), ErrorCode::InvalidArgument, "bad/name");
    assert_eq!(handle.name(), "rs-mv-a");

    // Unknown pool, and the pool it is already on.
    expect_error(handle.move_to_pool("rs-no-pool"), ErrorCode::NotFound, "rs-no-pool");
    expect_error(handle.move_to_pool("default"), ErrorCode::InvalidArgument, "default");

    handle.rename("rs-mv-b").unwrap();
    assert_eq!(handle.name(), "rs-mv-b");
    assert_eq!(handle.info().unwrap().name, "rs-mv-b");
    expect_error(mgr.instance("rs-mv-a"), ErrorCode::NotFound, "rs-mv-a");
    assert!(mgr.instances(false).unwrap().iter().any(|i| i.name == "rs-mv-b"));
    drop(stopped);
    handle.delete(true).unwrap();
}
