//! ExecControl: another thread signals the command of a running exec in a real container.

mod common;

use common::{container, manager};

#[test]
fn exec_control_signals_the_command() {
    let mgr = manager();
    let c = container(&mgr, "rs-exec-signal", true);
    common::exec_signal::check_signals(&c);
}
