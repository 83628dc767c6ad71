//! The ExecControl story shared by the embedded and the connected exec tests: another thread
//! signals the command of a running exec, plain and on a terminal.

use std::thread;
use std::time::{Duration, Instant};

use libinstance::{ErrorCode, ExecControl, ExecOptions, ExecResult, Instance, TerminalSize};

use super::expect_error;

const SIGTERM: i32 = 15;

/// Traps TERM, marks itself ready with a file, then waits forever: only the signal ends it (exit 7).
const TRAPPER: [&str; 3] =
    ["sh", "-c", "trap 'echo got-term; exit 7' TERM; touch /tmp/sig-ready; while :; do sleep 0.1; done"];

/// Runs TRAPPER with `control` in a thread; once its ready file shows (a second exec looks),
/// checks the busy control cannot serve another exec, sends SIGTERM and returns the exec's result.
fn exec_and_terminate(inst: &Instance, control: &ExecControl, terminal: bool) -> ExecResult {
    inst.exec(&["rm", "-f", "/tmp/sig-ready"], &ExecOptions::default()).unwrap();
    let opts = ExecOptions { control: Some(control.clone()), ..Default::default() };
    thread::scope(|s| {
        let runner = s.spawn(|| {
            if terminal {
                inst.exec_terminal(&TRAPPER, &opts, TerminalSize::default())
            } else {
                inst.exec(&TRAPPER, &opts)
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut ready = false;
        while !ready && Instant::now() < deadline {
            ready = inst.exec(&["test", "-f", "/tmp/sig-ready"], &ExecOptions::default()).unwrap().success();
            thread::sleep(Duration::from_millis(50));
        }
        if !ready {
            let _ = control.signal(9); // so the runner ends instead of hanging the test
            panic!("the command never got ready");
        }
        expect_error(inst.exec(&["true"], &opts), ErrorCode::Conflict, "opts.control");
        // The command can run before the library learnt it started: retry "not started yet".
        let mut sent = control.signal(SIGTERM);
        for _ in 0..200 {
            match &sent {
                Err(e) if e.code == ErrorCode::Conflict && e.message.contains("not started") => {
                    thread::sleep(Duration::from_millis(50));
                    sent = control.signal(SIGTERM);
                }
                _ => break,
            }
        }
        sent.unwrap();
        // A signal that did not arrive fails the exit code check (137) instead of hanging.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !runner.is_finished() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
        if !runner.is_finished() {
            let _ = control.signal(9);
        }
        runner.join().unwrap().unwrap()
    })
}

/// No exec yet, a bad number, a plain exec, after its end, an exec on a terminal.
pub fn check_signals(inst: &Instance) {
    let control = ExecControl::new();
    expect_error(control.signal(SIGTERM), ErrorCode::Conflict, "no exec");
    expect_error(control.signal(0), ErrorCode::InvalidArgument, "sig 0");

    let out = exec_and_terminate(inst, &control, false);
    assert_eq!(out.exit_code, 7, "{out:?}");
    assert!(out.stdout_text().contains("got-term"), "{out:?}");

    expect_error(control.signal(SIGTERM), ErrorCode::Conflict, "ended");

    let out = exec_and_terminate(inst, &control, true);
    assert_eq!(out.exit_code, 7, "{out:?}");
    assert!(out.stdout_text().contains("got-term"), "{out:?}");
}
