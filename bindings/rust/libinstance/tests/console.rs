//! The console, the console log, log files, the resource state and environment.* in exec.

mod common;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use common::{container, expect_error, manager};
use libinstance::api;
use libinstance::{ConsoleOptions, ErrorCode, ExecOptions, StopOptions};

/// Reads the console on a thread until `needle` shows up (or 10 s pass).
fn read_until(console: &libinstance::Console, needle: &str) -> String {
    let fd = console.fd().expect("attached").try_clone_to_owned().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut file = std::fs::File::from(fd);
        let mut buf = [0u8; 4096];
        while let Ok(n) = file.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains(needle) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            Err(_) => break,
        }
    }
    seen
}

fn write_console(console: &libinstance::Console, text: &str) {
    let fd = console.fd().expect("attached").try_clone_to_owned().unwrap();
    std::fs::File::from(fd).write_all(text.as_bytes()).unwrap();
}

#[test]
fn console_attach_log_and_detach() {
    let mgr = manager();
    let c = container(&mgr, "rs-cons", true);
    let mut console = c.console(&ConsoleOptions { width: 70, height: 22 }).unwrap();
    write_console(&console, "echo hello-console-$((6*7)); stty size\n");
    let out = read_until(&console, "22 70");
    assert!(out.contains("hello-console-42"), "console output: {out:?}");
    assert!(out.contains("22 70"), "console output: {out:?}");
    console.resize(100, 30).unwrap();
    expect_error(c.console(&ConsoleOptions::default()), ErrorCode::Busy, "console");
    console.detach();
    assert!(console.fd().is_none());
    drop(c.console(&ConsoleOptions::default()).unwrap());

    let log = String::from_utf8_lossy(&c.console_log().unwrap()).into_owned();
    assert!(log.contains("hello-console-42"), "console log: {log:?}");
    c.clear_console_log().unwrap();
    assert!(!String::from_utf8_lossy(&c.console_log().unwrap()).contains("hello-console-42"));

    c.stop(StopOptions { force: true, timeout: None }).unwrap();
    expect_error(c.console(&ConsoleOptions::default()), ErrorCode::Conflict, "rs-cons");
}

#[test]
fn log_files_are_listed_and_names_checked() {
    let mgr = manager();
    let c = container(&mgr, "rs-logs", true);
    let names = c.log_files().unwrap();
    assert!(names.iter().any(|n| n == "lxc.log"), "{names:?}");
    assert!(names.iter().any(|n| n == "console.log"), "{names:?}");
    c.log_file("lxc.log").unwrap();
    for bad in ["../lxc.log", "..", "a/b"] {
        let err = expect_error(c.log_file(bad), ErrorCode::InvalidArgument, bad);
        assert_eq!(err.key.as_deref(), Some("name"));
    }
    expect_error(c.log_file("missing.log"), ErrorCode::NotFound, "missing.log");
}

#[test]
fn state_reports_real_usage() {
    let mgr = manager();
    let c = container(&mgr, "rs-state", true);
    // The image's rcS brings lo up just after the start: wait for it (at most 10 s).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut st = c.state().unwrap();
    while st.network.as_ref().map_or(true, |n| n["lo"].state != "up") && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        st = c.state().unwrap();
    }
    assert!(st.processes > 0, "{st:?}");
    assert!(st.memory.usage > 0, "{st:?}");
    assert!(st.disk["root"].usage > 0, "{st:?}");
    let network = st.network.expect("a running container has interfaces");
    let lo = &network["lo"];
    assert_eq!(lo.kind, "loopback");
    assert_eq!(lo.state, "up");
    assert!(lo.addresses.iter().any(|a| a.family == "inet" && a.address == "127.0.0.1" && a.netmask == "8"));
    let before = lo.counters.packets_received;
    let cpu_before = st.cpu.usage;
    let ping = c.exec(&["ping", "-c", "2", "-W", "1", "127.0.0.1"], &ExecOptions::default()).unwrap();
    assert_eq!(ping.exit_code, 0, "{}", ping.stderr_text());
    let after = c.state().unwrap();
    assert!(after.network.unwrap()["lo"].counters.packets_received >= before + 2);
    assert!(after.cpu.usage > cpu_before);

    c.stop(StopOptions { force: true, timeout: None }).unwrap();
    let stopped: api::InstanceState = c.state().unwrap();
    assert!(stopped.network.is_none());
}

#[test]
fn environment_config_reaches_exec() {
    let mgr = manager();
    let mut post = api::InstancesPost::new("rs-env", api::InstanceSource::image_alias(common::IMAGE));
    post.config.insert("environment.FOO".into(), "bar".into());
    post.start = true;
    let c = common::Guard(mgr.create_instance(&post).unwrap());
    let out = c.exec(&["sh", "-c", "echo $FOO"], &ExecOptions::default()).unwrap();
    assert_eq!(out.stdout_text(), "bar\n");
}
