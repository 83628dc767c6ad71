"""The console, the console log, log files, the resource state and environment.* in exec."""

from __future__ import annotations

import time
from typing import Callable

import pytest

import libinstance


def read_until(console: libinstance.Console, needle: bytes, timeout: float = 10.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        seen += console.read(timeout=0.2)
    return seen


def test_console_attach_type_and_detach(make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("cons")
    with inst.console(width=90, height=20) as console:
        assert console.fileno() >= 0
        console.write(b"echo hello-console-$((6*7)); stty size\n")
        out = read_until(console, b"20 90")
        assert b"hello-console-42" in out
        assert b"20 90" in out
        with pytest.raises(libinstance.Busy):
            inst.console()
    assert not console.attached
    assert console.fileno() == -1
    # Detached: the next client gets it.
    again = inst.console()
    again.detach()

    assert "hello-console-42" in inst.console_log()
    inst.clear_console_log()
    assert "hello-console-42" not in inst.console_log()

    inst.stop(force=True, wait=True)
    with pytest.raises(libinstance.Conflict):
        inst.console()


def test_log_files(make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("logs")
    names = inst.log_files()
    assert "lxc.log" in names and "console.log" in names
    assert isinstance(inst.log_file("lxc.log"), str)
    for bad in ("../lxc.log", "..", "a/b"):
        with pytest.raises(libinstance.InvalidArgument) as e:
            inst.log_file(bad)
        assert e.value.key == "name"
        assert bad in str(e.value)
    with pytest.raises(libinstance.NotFound):
        inst.log_file("missing.log")


def test_state_is_real(make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("state")
    # The image's rcS brings lo up just after the start: wait for it (at most 10 s).
    deadline = time.monotonic() + 10
    state = inst.state()
    while state.network["lo"]["state"] != "up" and time.monotonic() < deadline:
        time.sleep(0.1)
        state = inst.state()
    assert state.processes > 0
    assert state.memory["usage"] > 0
    assert state.disk["root"]["usage"] > 0
    before = state.cpu["usage"]
    assert inst.execute(["sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"]).exit_code == 0
    assert inst.state().cpu["usage"] > before
    lo = state.network["lo"]
    assert lo["type"] == "loopback" and lo["state"] == "up"
    assert {"family": "inet", "address": "127.0.0.1", "netmask": "8", "scope": "local"} in lo["addresses"]
    packets = lo["counters"]["packets_received"]
    assert inst.execute(["ping", "-c", "2", "-W", "1", "127.0.0.1"]).exit_code == 0
    assert inst.state().network["lo"]["counters"]["packets_received"] >= packets + 2
    inst.stop(force=True, wait=True)
    assert inst.state().network is None


def test_environment_config_reaches_exec(make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("env", config={"environment.FOO": "bar"})
    assert inst.execute(["sh", "-c", "echo $FOO"]).stdout == "bar\n"
    assert inst.execute(["sh", "-c", "echo $FOO"], environment={"FOO": "override"}).stdout == "override\n"
