"""ExecControl: another Python thread signals the command of a running Instance.execute (which
releases the GIL while it waits)."""

from __future__ import annotations

import signal
import threading
import time
from typing import List

import pytest

import libinstance

# Traps TERM, marks itself ready with a file, then waits forever: only the signal ends it (exit 7).
TRAPPER = ["sh", "-c", "trap 'echo got-term; exit 7' TERM; touch /tmp/sig-ready; "
                       "while :; do sleep 0.1; done"]


def execute_and_terminate(inst: libinstance.Instance, control: libinstance.ExecControl,
                          **kwargs: object) -> libinstance.ExecuteResult:
    """Runs TRAPPER with control in a thread; once its ready file shows (a second exec looks),
    sends SIGTERM from this thread and returns what the execute returned."""
    inst.execute(["rm", "-f", "/tmp/sig-ready"])
    results: List[object] = []
    runner = threading.Thread(
        target=lambda: results.append(_outcome(inst, control, kwargs)), daemon=True)
    runner.start()
    deadline = time.monotonic() + 30
    while inst.execute(["test", "-f", "/tmp/sig-ready"]).exit_code != 0:
        assert time.monotonic() < deadline, "the command never got ready"
        time.sleep(0.05)
    # One control serves one execute at a time.
    with pytest.raises(libinstance.Conflict, match="control"):
        inst.execute(["true"], control=control)
    send_when_started(control, signal.SIGTERM)
    runner.join(30)
    assert not runner.is_alive(), "SIGTERM did not end the command"
    outcome = results[0]
    if isinstance(outcome, BaseException):
        raise outcome
    assert isinstance(outcome, libinstance.ExecuteResult)
    return outcome


def send_when_started(control: libinstance.ExecControl, sig: int) -> None:
    """control.signal(sig), again while the library has not learnt yet that the command (which
    can already run and print) started."""
    for _ in range(200):
        try:
            control.signal(sig)
            return
        except libinstance.Conflict as exc:
            if "not started" not in str(exc):
                raise
            time.sleep(0.05)
    control.signal(sig)


def _outcome(inst: libinstance.Instance, control: libinstance.ExecControl, kwargs: dict) -> object:
    try:
        return inst.execute(TRAPPER, control=control, **kwargs)
    except BaseException as exc:  # pylint: disable=broad-except  # re-raised by the caller
        return exc


def check_signals(inst: libinstance.Instance) -> None:
    """The whole ExecControl story on inst: no exec yet, plain and terminal exec, after the end."""
    control = libinstance.ExecControl()
    with pytest.raises(libinstance.Conflict, match="no exec"):
        control.signal(signal.SIGTERM)
    with pytest.raises(libinstance.InvalidArgument, match="sig"):
        control.signal(0)

    res = execute_and_terminate(inst, control)
    assert res.exit_code == 7, res
    assert "got-term" in res.stdout

    with pytest.raises(libinstance.Conflict, match="ended"):
        control.signal(signal.SIGTERM)

    res = execute_and_terminate(inst, control, terminal=True)
    assert res.exit_code == 7, res
    assert "got-term" in res.stdout


def test_exec_control_signals_the_command(make_instance) -> None:
    check_signals(make_instance("sig"))
