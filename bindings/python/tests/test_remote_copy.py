"""Copies and moves between an embedded Client and one connected to a real instanced over HTTPS
(ADR 0013): the instance travels as a backup, its files and snapshots come along, the copy has
none of the source's identifying volatile keys, a move deletes the source once the copy exists,
and failures leave the target without a half-made instance."""

from __future__ import annotations

import shutil
from typing import Iterator, Tuple

import pytest

import libinstance
from libinstance import Client

from conftest import make_state_dir
from test_remote_connect import encode, free_port
from test_remote_exec import ImageDaemon

KEPT = ("volatile.base_image", "volatile.last_state.idmap")


def identifying(config):
    return {k: v for k, v in config.items() if k.startswith("volatile.") and k not in KEPT}


@pytest.fixture(scope="module")
def both() -> Iterator[Tuple[Client, Client]]:
    """An embedded Client with the busybox image, and a Client connected to a daemon."""
    daemon = ImageDaemon()
    client_dir = make_state_dir("remote-copy-client")
    try:
        port = free_port()
        status, doc = daemon.request("PATCH", "/1.0", {"config": {"core.https_address": f"127.0.0.1:{port}"}})
        assert status == 200, doc
        with Client(client_dir) as local:
            local.images.build("busybox", alias="busybox")
            remote = local.remotes.add("srv", f"https://127.0.0.1:{port}", token=encode(daemon.token_doc("py-copy")))
            with remote.connect() as connected:
                yield local, connected
                for inst in connected.instances.all():
                    inst.delete(force=True)
            for inst in local.instances.all():
                inst.delete(force=True)
    finally:
        daemon.stop()
        shutil.rmtree(client_dir, ignore_errors=True)


def test_copy_embedded_to_connected(both: Tuple[Client, Client]) -> None:
    local, remote = both
    src = local.instances.create({"name": "pc1", "source": {"type": "image", "alias": "busybox"}}, wait=True)
    src.start(wait=True)
    src.execute(["sh", "-c", "echo from-python > /root/mark"])
    src.snapshots.create("s0", wait=True)
    src.sync()
    copy = src.copy_to(remote, "pc1copy", config={"user.k": "v"})
    assert copy.name == "pc1copy" and copy.config["user.k"] == "v"
    for key, value in identifying(src.config).items():
        assert copy.config.get(key) != value, key
    assert [s.name for s in copy.snapshots.all()] == ["s0"]
    copy.start(wait=True)
    assert copy.execute(["cat", "/root/mark"]).stdout == "from-python\n"
    copy.stop(force=True)
    # The name is taken: nothing changes on the target.
    with pytest.raises(libinstance.AlreadyExists):
        src.copy_to(remote, "pc1copy")
    with pytest.raises(libinstance.NotFound):
        src.copy_to(remote, "pc1bad", pool="nopool")
    assert not remote.instances.exists("pc1bad")
    # Without snapshots, as an operation.
    op = src.copy_to(remote, "pc1only", instance_only=True, wait=False)
    op.wait()
    assert remote.instances.get("pc1only").snapshots.all() == []


def test_move_between_clients(both: Tuple[Client, Client]) -> None:
    local, remote = both
    src = local.instances.get("pc1")
    # Running: refused unless stateless; the source stays as it was.
    with pytest.raises(libinstance.Busy):
        src.move_to(remote, "pc1moved")
    assert local.instances.get("pc1").status == "Running"
    assert not remote.instances.exists("pc1moved")
    src.move_to(remote, "pc1moved", stateless=True)
    assert not local.instances.exists("pc1")
    moved = remote.instances.get("pc1moved")
    assert moved.status == "Running"
    assert moved.execute(["cat", "/root/mark"]).stdout == "from-python\n"
    moved.stop(force=True)
    # Back to the embedded one, stopped.
    remote.instances.get("pc1moved").move_to(local, "pc1")
    assert not remote.instances.exists("pc1moved")
    assert local.instances.get("pc1").status == "Stopped"
