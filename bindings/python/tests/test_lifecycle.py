"""Real containers through the library: create, start, exec, stop, restart, delete."""

from __future__ import annotations

import threading
import time

import pytest

import libinstance

from conftest import unique_name

RUNNING = 103
STOPPED = 102


def test_launch_exec_stop_delete(client: libinstance.Client) -> None:
    name = unique_name("life")
    inst = client.instances.create(
        {"name": name, "source": {"type": "image", "alias": "busybox"},
         "config": {"user.purpose": "pytest"}},
        wait=True)
    try:
        assert inst.name == name
        assert inst.status == "Stopped"
        assert inst.status_code == STOPPED
        assert inst.type == "container"
        assert inst.config.get("user.purpose") == "pytest"
        assert inst.created_at
        assert client.instances.exists(name)
        assert name in [i.name for i in client.instances.all()]

        inst.start(wait=True)
        assert inst.status == "Running"
        assert inst.status_code == RUNNING
        state = inst.state()
        assert state.status == "Running"
        assert state.pid > 0
        assert state.processes >= 1
        assert state.memory_usage >= 0

        result = inst.execute(["uname", "-a"])
        assert result.exit_code == 0
        assert result.stdout.startswith("Linux")
        exit_code, stdout, stderr = result  # unpacks like pylxd's result
        assert (exit_code, stdout, stderr) == (0, result.stdout, "")

        inst.stop(wait=True)
        assert inst.status == "Stopped"
        assert inst.state().pid <= 0
        again = client.instances.get(name)
        assert again.status_code == STOPPED
    finally:
        inst.delete(force=True)
    assert not client.instances.exists(name)
    with pytest.raises(libinstance.NotFound) as exc:
        client.instances.get(name)
    assert name in str(exc.value)


def test_restart_gives_a_new_init(make_instance) -> None:
    inst = make_instance("restart")
    pid = inst.state().pid
    inst.restart(force=True, wait=True)
    assert inst.status == "Running"
    assert inst.state().pid not in (0, pid)


def test_stop_force(make_instance) -> None:
    inst = make_instance("force")
    inst.stop(force=True)
    assert inst.status_code == STOPPED


def test_sync_sees_changes_made_through_another_object(client: libinstance.Client,
                                                       make_instance) -> None:
    inst = make_instance("sync", start=False)
    other = client.instances.get(inst.name)
    other.start()
    assert inst.status == "Stopped"  # stale until synced
    inst.sync()
    assert inst.status == "Running"


def test_exec_exit_status_and_stderr(make_instance) -> None:
    inst = make_instance("exit")
    res = inst.execute(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert res.exit_code == 3
    assert res.stdout == "out\n"
    assert res.stderr == "err\n"
    assert res.stdout_bytes == b"out\n"
    assert res.stderr_bytes == b"err\n"


def test_exec_killed_by_signal(make_instance) -> None:
    inst = make_instance("signal")
    res = inst.execute(["sh", "-c", "kill -9 $$"])
    assert res.exit_code == 128 + 9


def test_exec_environment_cwd_stdin(make_instance) -> None:
    inst = make_instance("env")
    res = inst.execute(["sh", "-c", 'echo "$FOO|$BAR"'], environment={"FOO": "bar", "BAR": "a b"})
    assert res.stdout == "bar|a b\n"

    res = inst.execute(["pwd"], cwd="/tmp")
    assert res.stdout.strip() == "/tmp"

    res = inst.execute(["cat"], stdin_payload="hello\nworld")
    assert res.stdout == "hello\nworld"

    res = inst.execute(["wc", "-c"], stdin_payload=b"\x00\x01\x02" * 1000)
    assert res.stdout.strip() == "3000"


def test_exec_binary_output(make_instance) -> None:
    inst = make_instance("binary")
    res = inst.execute(["printf", r"\377\000\001"])
    assert res.stdout_bytes == b"\xff\x00\x01"


def test_exec_large_output(make_instance) -> None:
    inst = make_instance("large")
    # More than a pipe buffer on both streams at once: the library must drain both.
    res = inst.execute(["sh", "-c", "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2"])
    assert res.exit_code == 0
    assert len(res.stdout_bytes) == 300000
    assert len(res.stderr_bytes) == 200000


def test_exec_as_user(make_instance) -> None:
    inst = make_instance("user")
    res = inst.execute(["id", "-u"], user=1000, group=1000)
    assert res.stdout.strip() == "1000"


def test_exec_releases_the_gil(make_instance) -> None:
    inst = make_instance("gil")
    done = threading.Event()

    def run() -> None:
        inst.execute(["sleep", "2"])
        done.set()

    worker = threading.Thread(target=run)
    start = last = time.monotonic()
    max_gap = 0.0
    worker.start()
    # Spin while the command runs: a call holding the GIL would freeze this loop for ~2 s.
    while not done.is_set() and last - start < 30:
        now = time.monotonic()
        max_gap = max(max_gap, now - last)
        last = now
    worker.join()
    assert last - start >= 1.9, "exec returned before the sleep ended"
    assert max_gap < 0.5, f"the main thread stalled {max_gap:.2f}s during exec"
