//! Operations against real containers: `_async` calls, wait with a timeout, info, list and get,
//! cancel (refused for what cannot be cancelled, honoured for a create from a big image).

mod common;

use std::time::Duration;

use common::{expect_error, manager, paths_named, Guard, TempDir};
use libinstance::api::{self, operation_status, status};
use libinstance::{ErrorCode, Manager, Operation, StopOptions};

const WAIT: Option<Duration> = Some(Duration::from_secs(120));

fn post(name: &str) -> api::InstancesPost {
    api::InstancesPost::new(name, api::InstanceSource::image_alias(common::IMAGE))
}

/// Waits for `op` to succeed and returns its final document.
#[track_caller]
fn finish(op: &Operation) -> api::Operation {
    op.wait(WAIT).unwrap_or_else(|e| panic!("operation {}: {e:?}", op.id()));
    op.info().unwrap()
}

#[track_caller]
fn assert_succeeded(info: &api::Operation, description: &str, resource: (&str, &str)) {
    assert_eq!(info.description, description, "{info:?}");
    assert_eq!(info.status, "Success", "{info:?}");
    assert_eq!(info.status_code, operation_status::SUCCESS);
    assert!(info.is_finished());
    assert_eq!(info.class, "task");
    assert_eq!(info.err, "");
    assert!(!info.created_at.is_empty() && !info.updated_at.is_empty(), "{info:?}");
    assert!(info.updated_at >= info.created_at, "{info:?}");
    assert_eq!(info.resources.get(resource.0), Some(&vec![resource.1.to_string()]), "{info:?}");
}

#[test]
fn async_lifecycle_create_start_restart_stop_delete() {
    let mgr = manager();
    let op = mgr.create_instance_async(&post("rs-op-life")).unwrap();
    // A UUID: 8-4-4-4-12 hex digits.
    let id = op.id().to_string();
    assert_eq!(id.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "id {id:?}");
    assert_eq!(format!("{op:?}"), format!("Operation {{ id: {id:?} }}"));
    let info = finish(&op);
    assert_eq!(info.id, id);
    assert_succeeded(&info, "Creating instance", ("instances", "/1.0/instances/rs-op-life"));
    let c = Guard(mgr.instance("rs-op-life").unwrap());
    assert_eq!(c.status_code().unwrap(), status::STOPPED);

    let info = finish(&c.start_async().unwrap());
    assert_succeeded(&info, "Starting instance", ("instances", "/1.0/instances/rs-op-life"));
    assert_eq!(c.status_code().unwrap(), status::RUNNING);
    let pid = c.state().unwrap().pid;

    let info = finish(&c.restart_async(StopOptions { force: true, timeout: None }).unwrap());
    assert_succeeded(&info, "Restarting instance", ("instances", "/1.0/instances/rs-op-life"));
    assert_eq!(c.status_code().unwrap(), status::RUNNING);
    assert_ne!(c.state().unwrap().pid, pid, "restart gave no new init");

    let info = finish(&c.stop_async(StopOptions { force: true, timeout: None }).unwrap());
    assert_succeeded(&info, "Stopping instance", ("instances", "/1.0/instances/rs-op-life"));
    assert_eq!(c.status_code().unwrap(), status::STOPPED);

    let info = finish(&c.delete_async(false).unwrap());
    assert_succeeded(&info, "Deleting instance", ("instances", "/1.0/instances/rs-op-life"));
    expect_error(mgr.instance("rs-op-life"), ErrorCode::NotFound, "rs-op-life");
}

#[test]
fn list_and_get() {
    let mgr = manager();
    let op = mgr.create_instance_async(&post("rs-op-list")).unwrap();
    finish(&op);
    let _guard = Guard(mgr.instance("rs-op-list").unwrap());

    // Ended operations stay listed (LXD keeps them for a while).
    let listed = mgr.operations().unwrap();
    let entry =
        listed.iter().find(|o| o.id == op.id()).unwrap_or_else(|| panic!("{} not in {listed:?}", op.id()));
    assert_eq!(entry.status_code, operation_status::SUCCESS);
    assert_eq!(entry.description, "Creating instance");

    // A second handle on the same operation, by id.
    let again = mgr.operation(op.id()).unwrap();
    assert_eq!(again.id(), op.id());
    assert_eq!(again.info().unwrap(), op.info().unwrap());
    again.wait(Some(Duration::ZERO)).unwrap();
    // Handles are independent: dropping one leaves the other working.
    drop(again);
    assert_eq!(op.info().unwrap().status_code, operation_status::SUCCESS);

    let missing = "00000000-0000-0000-0000-000000000000";
    expect_error(mgr.operation(missing), ErrorCode::NotFound, missing);
    let err = expect_error(mgr.operation("bad\0id"), ErrorCode::InvalidArgument, "bad\\0id");
    assert_eq!(err.key.as_deref(), Some("id"));
}

#[test]
fn wait_times_out_while_running() {
    let mgr = manager();
    let c = common::container(&mgr, "rs-op-timeout", false);
    let op = c.start_async().unwrap();
    // Starting a container takes far longer than no time at all.
    let err = op.wait(Some(Duration::ZERO)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout, "{err:?}");
    assert!(err.message.contains(op.id()), "message {:?} does not name the operation", err.message);
    let info = op.info().unwrap();
    assert!(!info.is_finished(), "{info:?}");
    // Still running, and it goes on to succeed.
    op.wait(WAIT).unwrap();
    assert_eq!(c.status_code().unwrap(), status::RUNNING);
}

#[test]
fn start_stop_delete_cannot_be_cancelled() {
    let mgr = manager();
    let c = common::container(&mgr, "rs-op-nocancel", false);
    let op = c.start_async().unwrap();
    assert!(!op.info().unwrap().may_cancel);
    expect_error(op.cancel(), ErrorCode::NotSupported, "Starting instance");
    // The refused cancel changed nothing.
    op.wait(WAIT).unwrap();
    assert_eq!(c.status_code().unwrap(), status::RUNNING);
    // Once it has ended, cancelling is a no-op.
    op.cancel().unwrap();
    assert_eq!(op.info().unwrap().status_code, operation_status::SUCCESS);

    let op = c.stop_async(StopOptions { force: true, timeout: None }).unwrap();
    let cancelled = op.cancel();
    if op.info().unwrap().status_code == operation_status::RUNNING {
        expect_error(cancelled, ErrorCode::NotSupported, "Stopping instance");
    }
    op.wait(WAIT).unwrap();
    assert_eq!(c.status_code().unwrap(), status::STOPPED);
}

// A failing operation reports its error through wait() and its document.
#[test]
fn failure_is_reported_by_wait_and_info() {
    let mgr = manager();
    let c = common::container(&mgr, "rs-op-fail", true);
    match c.start_async() {
        Ok(op) => {
            expect_error(op.wait(WAIT), ErrorCode::Conflict, "rs-op-fail");
            let info = op.info().unwrap();
            assert_eq!((info.status.as_str(), info.status_code), ("Failure", operation_status::FAILURE));
            assert!(info.err.contains("rs-op-fail"), "{info:?}");
        }
        // Refusing at once is as good: the state is known before any work starts.
        Err(e) => assert_eq!(e.code, ErrorCode::Conflict, "{e:?}"),
    }
    // Errors in the document itself come back from the call, not from an operation.
    let err =
        expect_error(mgr.create_instance_async(&post("bad name")), ErrorCode::InvalidArgument, "bad name");
    assert_eq!(err.key.as_deref(), Some("name"));
    assert!(mgr.operations().unwrap().iter().all(|o| o
        .resources
        .values()
        .flatten()
        .all(|r| !r.contains("bad name"))));
}

/// The percentage of a progress string like "Unpack: 42%", when `key` has one.
fn progress(info: &api::Operation, key: &str) -> Option<u32> {
    let text = info.metadata_str(key)?;
    text.rsplit(' ').next()?.strip_suffix('%')?.parse().ok()
}

/// Waits until `op` has made `percent`% progress under `key`, runs `before` (to look at what is
/// half-made), then cancels it; returns what `before` returned.
#[track_caller]
fn cancel_at<T>(op: &Operation, key: &str, percent: u32, before: impl FnOnce() -> T) -> T {
    let reached = common::wait_until(Duration::from_secs(60), || {
        let info = op.info().unwrap();
        info.is_finished() || progress(&info, key).is_some_and(|p| p >= percent)
    });
    let info = op.info().unwrap();
    assert!(reached && !info.is_finished(), "never cancellable at {percent}% {key}: {info:?}");
    assert!(info.may_cancel, "{info:?}");
    let seen = before();
    op.cancel().unwrap();
    seen
}

/// Every path under the state dir's images/.
fn image_files(mgr: &Manager) -> Vec<std::path::PathBuf> {
    let mut files = paths_named(&mgr.state_dir().join("images"), "");
    files.sort();
    files
}

/// Imports `tarball` asynchronously; returns the operation and its image's fingerprint.
fn import(mgr: &Manager, tarball: &std::path::Path, alias: &str) -> (Operation, String) {
    let op = mgr.import_image_async(tarball, Some(alias)).unwrap();
    let info = finish(&op);
    assert_eq!(info.description, "Importing image");
    let fingerprint = info.metadata_str("fingerprint").expect("fingerprint in the metadata").to_string();
    assert_eq!(mgr.image(alias).unwrap().fingerprint, fingerprint);
    (op, fingerprint)
}

#[track_caller]
fn assert_cancelled(op: &Operation, err: &libinstance::Error) {
    let info = op.info().unwrap();
    assert_eq!(
        (info.status.as_str(), info.status_code),
        ("Cancelled", operation_status::CANCELLED),
        "{info:?}"
    );
    assert_eq!(info.err, err.message);
    assert!(!info.may_cancel, "{info:?}");
    assert!(err.message.contains("cancelled"), "{err:?}");
}

// A big image makes both the import and the unpacking of a create slow enough to cancel.
#[test]
fn cancel_import_and_create_from_a_big_image() {
    let mgr = manager();
    let dir = TempDir::new("big-image");
    let tarball = common::big_image::write_big_image(&dir);
    let images_before = mgr.images().unwrap().len();
    let files_before = image_files(&mgr);

    // An import cancelled at once, or half-way, adds no image and leaves no file.
    let op = mgr.import_image_async(&tarball, Some("rs-big")).unwrap();
    op.cancel().unwrap();
    let err = expect_error(op.wait(WAIT), ErrorCode::Cancelled, "big.tar");
    assert_cancelled(&op, &err);
    let op = mgr.import_image_async(&tarball, Some("rs-big")).unwrap();
    cancel_at(&op, "image_import_progress", 10, || ());
    let err = expect_error(op.wait(WAIT), ErrorCode::Cancelled, "big.tar");
    assert_cancelled(&op, &err);
    assert_eq!(mgr.images().unwrap().len(), images_before);
    expect_error(mgr.image("rs-big"), ErrorCode::NotFound, "rs-big");
    assert_eq!(image_files(&mgr), files_before, "a cancelled import left files");

    let (_, fingerprint) = import(&mgr, &tarball, "rs-big");
    drop(dir);
    let fingerprint_paths = paths_named(&mgr.state_dir(), &fingerprint);
    let staging = format!("{fingerprint}.creating");

    // Cancelled in the middle of unpacking, when part of the image is on disk.
    let create = api::InstancesPost::new("rs-op-big", api::InstanceSource::image_alias("rs-big"));
    let op = mgr.create_instance_async(&create).unwrap();
    let half_made = cancel_at(&op, "create_instance_from_image_unpack_progress", 10, || {
        paths_named(&mgr.state_dir(), &staging)
    });
    let err = expect_error(op.wait(WAIT), ErrorCode::Cancelled, "cancelled");
    assert_cancelled(&op, &err);
    assert!(!half_made.is_empty(), "no half-unpacked image seen at the cancel: the test proves nothing");

    // Nothing half-made: no instance, no files of it, no half-unpacked image volume.
    expect_error(mgr.instance("rs-op-big"), ErrorCode::NotFound, "rs-op-big");
    assert!(mgr.instances(false).unwrap().iter().all(|i| i.name != "rs-op-big"));
    let left = paths_named(&mgr.state_dir(), "rs-op-big");
    assert!(left.is_empty(), "the cancelled create left {left:?}");
    let left = paths_named(&mgr.state_dir(), &staging);
    assert!(left.is_empty(), "the cancelled create left {left:?}");
    assert_eq!(paths_named(&mgr.state_dir(), &fingerprint), fingerprint_paths, "image volume files changed");
    mgr.delete_image("rs-big").unwrap();
}
