//! The real flow against real containers: launch, exec, restart, stop, delete.

mod common;

use std::time::Duration;

use common::{container, expect_error, manager};
use libinstance::api::{self, status};
use libinstance::{ErrorCode, ExecOptions, StopOptions};

fn run(inst: &libinstance::Instance, argv: &[&str]) -> libinstance::ExecResult {
    inst.exec(argv, &ExecOptions::default()).unwrap_or_else(|e| panic!("exec {argv:?}: {e:?}"))
}

#[test]
fn launch_exec_stop_delete() {
    let mgr = manager();
    let c = container(&mgr, "rs-life", true);
    assert_eq!(c.name(), "rs-life");
    assert_eq!(c.project(), "default");
    assert_eq!(c.status_code().unwrap(), status::RUNNING);

    let info = c.info().unwrap();
    assert_eq!(info.name, "rs-life");
    assert_eq!(info.status, "Running");
    assert_eq!(info.status_code, status::RUNNING);
    let state = c.state().unwrap();
    assert_eq!(state.status, "Running");
    assert!(state.pid > 0, "a running container has an init pid: {state:?}");

    let out = run(&c, &["echo", "hello", "world"]);
    assert_eq!(out.exit_code, 0);
    assert_eq!(out.stdout, b"hello world\n");
    assert!(out.stderr.is_empty(), "stderr: {:?}", out.stderr_text());

    // The listing shows it, with state only when asked for.
    let listed = mgr.instances(false).unwrap();
    let entry = listed.iter().find(|i| i.name == "rs-life").expect("rs-life listed");
    assert!(entry.state.is_none());
    let listed = mgr.instances(true).unwrap();
    let entry = listed.iter().find(|i| i.name == "rs-life").expect("rs-life listed");
    assert_eq!(entry.state.as_ref().map(|s| s.status_code), Some(status::RUNNING));

    c.stop(StopOptions { force: false, timeout: Some(Duration::from_secs(10)) }).unwrap();
    assert_eq!(c.status_code().unwrap(), status::STOPPED);
    assert_eq!(c.info().unwrap().status, "Stopped");
    // Stopping a stopped container is a state conflict too.
    expect_error(c.stop(StopOptions::default()), ErrorCode::Conflict, "rs-life");

    c.delete(false).unwrap();
    expect_error(mgr.instance("rs-life"), ErrorCode::NotFound, "rs-life");
    assert!(mgr.instances(false).unwrap().iter().all(|i| i.name != "rs-life"));
}

#[test]
fn exec_exit_status_stderr_env_cwd_stdin() {
    let mgr = manager();
    let c = container(&mgr, "rs-exec", true);

    let out = run(&c, &["sh", "-c", "echo to-out; echo to-err >&2; exit 3"]);
    assert_eq!(out.exit_code, 3);
    assert!(!out.success());
    assert_eq!(out.stdout_text(), "to-out\n");
    assert_eq!(out.stderr_text(), "to-err\n");

    let opts = ExecOptions {
        env: vec![("GREETING".into(), "hi there".into())],
        cwd: Some("/tmp".into()),
        stdin: Some(b"fed through stdin\x00\xff".to_vec()),
        ..Default::default()
    };
    let out = c.exec(&["sh", "-c", "echo \"$GREETING\"; pwd; cat"], &opts).unwrap();
    assert_eq!(out.exit_code, 0, "stderr: {}", out.stderr_text());
    assert_eq!(out.stdout, b"hi there\n/tmp\nfed through stdin\x00\xff");

    // Killed by a signal: 128 + N.
    let out = run(&c, &["sh", "-c", "kill -9 $$"]);
    assert_eq!(out.exit_code, 128 + 9);

    // A command that is not there is an error, not an exit status.
    expect_error(
        c.exec(&["no-such-command"], &ExecOptions::default()),
        ErrorCode::NotFound,
        "no-such-command",
    );
}

#[test]
fn restart_gives_a_new_init() {
    let mgr = manager();
    let c = container(&mgr, "rs-restart", true);
    let before = c.state().unwrap().pid;
    c.restart_with(StopOptions { force: true, timeout: None }).unwrap();
    assert_eq!(c.status_code().unwrap(), status::RUNNING);
    let after = c.state().unwrap().pid;
    assert!(after > 0 && after != before, "init pid {before} -> {after}");
    c.restart().unwrap();
    assert_eq!(c.status_code().unwrap(), status::RUNNING);
    assert_eq!(run(&c, &["true"]).exit_code, 0);
}

#[test]
fn state_conflicts() {
    let mgr = manager();
    let c = container(&mgr, "rs-conflict", false);
    assert_eq!(c.status_code().unwrap(), status::STOPPED);

    let err = expect_error(c.exec(&["true"], &ExecOptions::default()), ErrorCode::Conflict, "rs-conflict");
    assert_eq!(err.key.as_deref(), Some("name")); // the instance that is not running

    c.start().unwrap();
    expect_error(c.start(), ErrorCode::Conflict, "rs-conflict");
    expect_error(c.delete(false), ErrorCode::Conflict, "rs-conflict");
    // The refused delete left it running and usable.
    assert_eq!(c.status_code().unwrap(), status::RUNNING);
    assert_eq!(run(&c, &["true"]).exit_code, 0);

    c.delete(true).unwrap();
    expect_error(mgr.instance("rs-conflict"), ErrorCode::NotFound, "rs-conflict");
    // The handle stays valid but finds nothing.
    expect_error(c.status_code(), ErrorCode::NotFound, "rs-conflict");
}

// Handles are Send + Sync: one instance used from several threads at once.
#[test]
fn handles_are_shared_across_threads() {
    let mgr = manager();
    let c = container(&mgr, "rs-threads", true);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..3)
            .map(|n| {
                let c = &c;
                scope.spawn(move || c.exec(&["echo", &n.to_string()], &ExecOptions::default()).unwrap())
            })
            .collect();
        for (n, worker) in workers.into_iter().enumerate() {
            assert_eq!(worker.join().unwrap().stdout_text(), format!("{n}\n"));
        }
    });
    // A lookup from another thread sees the same instance.
    let name = std::thread::spawn({
        let mgr = mgr.clone();
        move || mgr.instance("rs-threads").unwrap().info().unwrap().name
    })
    .join()
    .unwrap();
    assert_eq!(name, "rs-threads");
}

// Creating from a fingerprint works as well as from an alias.
#[test]
fn create_by_fingerprint() {
    let mgr = manager();
    let fingerprint = mgr.image(common::IMAGE).unwrap().fingerprint;
    assert_eq!(fingerprint.len(), 64, "sha256 fingerprint: {fingerprint:?}");
    let post =
        api::InstancesPost::new("rs-by-fp", api::InstanceSource::image_fingerprint(&fingerprint[..12]));
    let c = common::Guard(mgr.create_instance(&post).unwrap());
    assert_eq!(c.status_code().unwrap(), status::STOPPED);
    assert_eq!(c.info().unwrap().instance_type, "container");
}
