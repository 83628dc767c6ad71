//! Instance::exec_terminal: a command on a terminal allocated inside the instance.

mod common;

use common::{container, expect_error, manager};
use libinstance::{ErrorCode, ExecOptions, TerminalSize};

#[test]
fn terminal_tty_size_input_and_exit_code() {
    let mgr = manager();
    let c = container(&mgr, "rs-term", true);
    let size = TerminalSize { width: 93, height: 29 };

    let out = c
        .exec_terminal(
            &["sh", "-c", "tty; stty size; echo to-err >&2; exit 5"],
            &ExecOptions::default(),
            size,
        )
        .unwrap();
    let shown = out.stdout_text();
    assert_eq!(out.exit_code, 5, "{shown}");
    assert!(shown.lines().any(|l| l.starts_with("/dev/pts/")), "tty: {shown:?}");
    assert!(shown.contains("29 93\r\n"), "stty size: {shown:?}");
    assert!(shown.contains("to-err\r\n"), "stderr on the terminal: {shown:?}");
    assert!(out.stderr.is_empty());

    // Without a terminal the same command has none.
    let plain = c.exec(&["tty"], &ExecOptions::default()).unwrap();
    assert_eq!(plain.exit_code, 1);

    // Typed input, env, cwd and user apply.
    let opts = ExecOptions {
        env: vec![("GREETING".into(), "hi".into())],
        cwd: Some("/tmp".into()),
        stdin: Some(b"echo $GREETING-$(pwd)-$(id -u); exit 4\n".to_vec()),
        uid: 1000,
        ..Default::default()
    };
    let out = c.exec_terminal(&["sh"], &opts, TerminalSize::default()).unwrap();
    assert_eq!(out.exit_code, 4);
    assert!(out.stdout_text().contains("hi-/tmp-1000"), "{}", out.stdout_text());

    expect_error(
        c.exec_terminal(&["no-such-command"], &ExecOptions::default(), size),
        ErrorCode::NotFound,
        "no-such-command",
    );
}

#[test]
fn terminal_on_a_stopped_instance_conflicts() {
    let mgr = manager();
    let c = container(&mgr, "rs-term-stopped", false);
    expect_error(
        c.exec_terminal(&["tty"], &ExecOptions::default(), TerminalSize::default()),
        ErrorCode::Conflict,
        "rs-term-stopped",
    );
}
