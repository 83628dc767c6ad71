"""Exec, the console log and events on a Client connected to a real instanced over HTTPS: output,
errors, stdin and exit codes travel over the exec operation's websockets, a terminal exec runs on
the server's terminal, events come from the daemon's /1.0/events."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from typing import Iterator, Tuple

import pytest

import libinstance
from libinstance import Client

from conftest import make_state_dir
from test_exec_signal import check_signals
from test_remote_connect import Daemon, encode, free_port, instanced


class ImageDaemon(Daemon):
    """instanced on a state directory holding the busybox image (built before it starts)."""

    def __init__(self) -> None:  # pylint: disable=super-init-not-called
        self.state = make_state_dir("instanced-exec")
        os.chmod(self.state, 0o711)  # the containers' mapped root traverses into their rootfs
        with Client(self.state) as c:
            c.images.build("busybox", alias="busybox")
        self.proc = subprocess.Popen([instanced(), "--state-dir", self.state], stdout=subprocess.DEVNULL)
        ready = subprocess.run([instanced(), "waitready", "--state-dir", self.state, "--timeout", "30"])
        assert ready.returncode == 0, "instanced did not become ready"


@pytest.fixture(scope="module")
def connected() -> Iterator[Tuple[Daemon, Client]]:
    """A daemon whose store holds busybox, a running c1 on it, and a Client connected to it."""
    daemon = ImageDaemon()
    client_dir = make_state_dir("remote-exec-client")
    try:
        port = free_port()
        status, doc = daemon.request("PATCH", "/1.0", {"config": {"core.https_address": f"127.0.0.1:{port}"}})
        assert status == 200, doc
        with Client(client_dir) as local:
            remote = local.remotes.add("srv", f"https://127.0.0.1:{port}", token=encode(daemon.token_doc("py-exec")))
            with remote.connect() as client:
                inst = client.instances.create({"name": "c1", "source": {"type": "image", "alias": "busybox"}}, wait=True)
                inst.start(wait=True)
                yield daemon, client
                inst.delete(force=True)
    finally:
        daemon.stop()
        shutil.rmtree(client_dir, ignore_errors=True)


def test_execute_over_websockets(connected: Tuple[Daemon, Client]) -> None:
    _, client = connected
    c1 = client.instances.get("c1")
    result = c1.execute(["sh", "-c", "echo out; echo err >&2; exit 4"])
    assert (result.exit_code, result.stdout, result.stderr) == (4, "out\n", "err\n")
    payload = "x" * 300000 + "\n"
    assert c1.execute(["cat"], stdin_payload=payload).stdout == payload
    assert c1.execute(["sh", "-c", "echo $A; pwd"], environment={"A": "b"}, cwd="/tmp").stdout == "b\n/tmp\n"
    assert c1.execute(["no-such-command"]).exit_code == 127
    shown = c1.execute(["sh", "-c", "tty; stty size"], terminal=True, width=100, height=40)
    assert shown.exit_code == 0 and "/dev/pts/" in shown.stdout and "40 100" in shown.stdout, shown.stdout
    with pytest.raises(libinstance.NotFound):
        client.instances.get("nope").execute(["true"])


def test_console_log_and_events(connected: Tuple[Daemon, Client]) -> None:
    daemon, client = connected
    c1 = client.instances.get("c1")
    assert isinstance(c1.console_log(), str)
    seen = []
    got = threading.Event()

    def on_event(event):
        seen.append(event)
        if event["metadata"].get("action") == "instance-updated":
            got.set()

    with client.events.subscribe(on_event, types=["lifecycle"]):
        status, doc = daemon.request("PATCH", "/1.0/instances/c1", {"config": {"user.seen": "yes"}})
        assert status in (200, 202), doc  # LXD answers an instance PATCH with an operation
        assert got.wait(10), seen
    assert all(e["type"] == "lifecycle" for e in seen)


def test_log_files_and_snapshot_update_rename(connected: Tuple[Daemon, Client]) -> None:
    """Log files come from GET .../logs; a snapshot's expiry and name change on the server."""
    daemon, client = connected
    c1 = client.instances.get("c1")
    names = c1.log_files()
    assert "lxc.log" in names, names
    status, doc = daemon.request("GET", "/1.0/instances/c1/logs")
    assert status == 200 and sorted(u.split("/")[-1] for u in doc["metadata"]) == names
    assert c1.log_file("lxc.log") != ""
    with pytest.raises(libinstance.NotFound):
        c1.log_file("no-such.log")

    snap = c1.snapshots.create("s1")
    try:
        snap.update(expires_at="2099-01-02T03:04:05Z")
        status, doc = daemon.request("GET", "/1.0/instances/c1/snapshots/s1")
        assert status == 200 and doc["metadata"]["expires_at"].startswith("2099-01-02T03:04:05"), doc
        snap.update(expires_at="")
        status, doc = daemon.request("GET", "/1.0/instances/c1/snapshots/s1")
        assert doc["metadata"]["expires_at"].startswith("0001-01-01"), doc
        snap.rename("s2")
        assert daemon.request("GET", "/1.0/instances/c1/snapshots/s1")[0] == 404
        assert daemon.request("GET", "/1.0/instances/c1/snapshots/s2")[0] == 200
        with pytest.raises(libinstance.Error, match="expires_at"):
            snap.update(expires_at="not a time")
    finally:
        for name in ("s1", "s2"):
            if c1.snapshots.exists(name):
                c1.snapshots.get(name).delete()


def test_exec_control_signals_over_the_control_websocket(connected: Tuple[Daemon, Client]) -> None:
    # The same story as embedded; the signal travels as {"command": "signal"} on the control socket.
    _, client = connected
    check_signals(client.instances.get("c1"))


def test_move_to_another_pool_on_the_server(connected: Tuple[Daemon, Client]) -> None:
    """Instance.move_to_pool on a connected client: the server moves it (LXD's POST {"pool"})."""
    daemon, client = connected
    source = make_state_dir("pool2")
    client.storage_pools.create({"name": "py-pool2", "driver": "dir", "config": {"source": source}})
    inst = client.instances.create({"name": "mv1", "source": {"type": "image", "alias": "busybox"}}, wait=True)
    try:
        with pytest.raises(libinstance.NotFound):
            inst.move_to_pool("no-such-pool")
        inst.move_to_pool("py-pool2")
        doc = daemon.request("GET", "/1.0/instances/mv1")[1]["metadata"]
        assert doc["expanded_devices"]["root"]["pool"] == "py-pool2"
    finally:
        inst.delete(wait=True)
        client.storage_pools.get("py-pool2").delete()
        shutil.rmtree(source, ignore_errors=True)
