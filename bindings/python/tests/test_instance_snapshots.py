"""Instance snapshots through Python (instance.snapshots, snapshot objects, restore_snapshot) on real
containers, on the default dir pool and a real loop-backed btrfs pool: files, config and devices
kept and brought back on running and stopped instances, names, expiry, operations, and refusals
with the exception class and key that change nothing."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Callable, Iterator, List

import pytest

import libinstance

from conftest import unique_name

NEVER = "0001-01-01T00:00:00Z"


@pytest.fixture(params=["dir", "btrfs"])
def pool(request: pytest.FixtureRequest, client: libinstance.Client) -> Iterator[str]:
    """The default dir pool, or a fresh btrfs pool on a loop file deleted afterwards."""
    if request.param == "dir":
        yield "default"
        return
    name = unique_name("isb")[:12].replace("-", "")
    created = client.storage_pools.create({"name": name, "driver": "btrfs", "config": {"size": "512MiB"}})
    try:
        yield name
    finally:
        created.delete()


@pytest.fixture
def make_on_pool(client: libinstance.Client, pool: str) -> Iterator[Callable[..., libinstance.Instance]]:
    """Busybox containers whose root disk is on ``pool``, force-deleted before the pool goes."""
    made: List[libinstance.Instance] = []

    def make(stem: str, start: bool = True) -> libinstance.Instance:
        inst = client.instances.create({"name": unique_name(stem), "source": {"type": "image", "alias": "busybox"},
                                        "devices": {"root": {"type": "disk", "path": "/", "pool": pool}}})
        made.append(inst)
        if start:
            inst.start()
        return inst

    yield make
    for inst in made:
        try:
            inst.delete(force=True)
        except libinstance.NotFound:
            pass


def sh(inst: libinstance.Instance, script: str) -> str:
    result = inst.execute(["sh", "-c", script])
    assert result.exit_code == 0, (script, result.stderr)
    return result.stdout


def names(inst: libinstance.Instance) -> List[str]:
    return [s.name for s in inst.snapshots()]


def snapshot_dir(client: libinstance.Client, pool: str, inst: libinstance.Instance, snap: str) -> str:
    return os.path.join(client.state_dir, "storage-pools", pool, "containers-snapshots", inst.name, snap)


def test_take_list_restore_rename_update_delete(client: libinstance.Client, pool: str,
                                                make_on_pool: Callable[..., libinstance.Instance]) -> None:
    inst = make_on_pool("snap")
    sh(inst, "echo one > /root/f")

    first = inst.snapshots.create()  # running: a stateless snapshot, the pattern's first name
    assert isinstance(first, libinstance.InstanceSnapshot)
    assert first.name == "snap0" and first.created_at and first.expires_at == NEVER and first.never_expires()
    assert "user.mark" not in first.config and not first.stateful
    assert first.profiles == ["default"] and "root" in first.expanded_devices
    assert os.path.isdir(snapshot_dir(client, pool, inst, "snap0"))

    inst.config_set("user.mark", "two")
    inst.device_add("extra", {"type": "disk", "source": "/tmp", "path": "/mnt/tmp"})
    sh(inst, "echo two > /root/f && echo new > /root/g")
    second = inst.snapshots.create("second")
    assert second.name == "second" and second.config["user.mark"] == "two" and "extra" in second.devices
    assert inst.snapshots.create().name == "snap1"  # the next free number, named ones aside
    assert names(inst) == ["snap0", "second", "snap1"]
    assert [s.name for s in inst.snapshots.all()] == ["snap0", "second", "snap1"]
    assert inst.snapshots.exists("second") and not inst.snapshots.exists("nope")
    got = inst.snapshots.get("second")
    assert got.config["user.mark"] == "two" and got.created_at == second.created_at

    # Restore while running: stopped, restored, started again; the attributes follow.
    inst.restore_snapshot("snap0")
    assert inst.status == "Running" and inst.state().status == "Running"
    assert sh(inst, "cat /root/f; ls /root") == "one\nf\n"
    assert "user.mark" not in inst.config and "extra" not in inst.devices
    assert "volatile.idmap.current" in inst.config  # the instance's own volatile keys stay

    # Restore while stopped (through the snapshot object): stays stopped.
    inst.stop(force=True)
    inst.snapshots.get("second").restore()
    assert inst.status == "Stopped"
    assert inst.config["user.mark"] == "two" and "extra" in inst.devices
    inst.start()
    assert sh(inst, "cat /root/f /root/g") == "two\nnew\n"
    assert names(inst) == ["snap0", "second", "snap1"]  # restoring keeps the snapshots

    # Expiry: update() and save(), and back to never.
    second.update(expires_at="2036-01-02T03:04:05Z")
    assert second.expires_at == "2036-01-02T03:04:05Z" and not second.never_expires()
    again = inst.snapshots.get("second")
    assert again.expires_at == "2036-01-02T03:04:05Z"
    again.expires_at = "2037-01-01T00:00:00Z"
    again.save()
    assert inst.snapshots.get("second").expires_at == "2037-01-01T00:00:00Z"
    again.update(expires_at="")
    assert inst.snapshots.get("second").expires_at == NEVER

    # Rename: the object follows, the files move.
    kept = second.rename("kept")
    assert kept is second and second.name == "kept"
    assert names(inst) == ["snap0", "kept", "snap1"]
    assert os.path.isdir(snapshot_dir(client, pool, inst, "kept"))
    assert not os.path.exists(snapshot_dir(client, pool, inst, "second"))

    # Delete: files and record.
    inst.snapshots.get("snap0").delete()
    assert names(inst) == ["kept", "snap1"]
    assert not os.path.exists(snapshot_dir(client, pool, inst, "snap0"))
    assert inst.snapshots.create().name == "snap2"  # one past the highest number taken, as LXD

    # The instance's snapshots go with it.
    inst.delete(force=True)
    assert not os.path.exists(os.path.join(client.state_dir, "storage-pools", pool, "containers-snapshots",
                                           inst.name))


def test_refusals_name_the_key_and_change_nothing(client: libinstance.Client, make_instance) -> None:  # type: ignore[no-untyped-def]
    inst = make_instance("snaperr", start=False)
    inst.snapshots.create("s1")
    inst.snapshots.create("s2")

    with pytest.raises(libinstance.AlreadyExists) as e:
        inst.snapshots.create("s1")
    assert e.value.key == "name" and "s1" in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e:
        inst.snapshots.create("a/b")
    assert e.value.key == "name" and "a/b" in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e:
        inst.snapshots.create("x", expires_at="soon")
    assert e.value.key == "expires_at" and "soon" in str(e.value)
    with pytest.raises(libinstance.NotSupported) as e:
        inst.snapshots.create("st", stateful=True)
    assert e.value.key == "stateful"
    with pytest.raises(libinstance.NotFound) as e:
        inst.snapshots.get("nope")
    assert e.value.key == "snapshot" and "nope" in str(e.value)
    with pytest.raises(libinstance.NotFound) as e:
        inst.restore_snapshot("nope")
    assert e.value.key == "snapshot" and "nope" in str(e.value)
    s2 = inst.snapshots.get("s2")
    with pytest.raises(libinstance.AlreadyExists) as e:
        s2.rename("s1")
    assert e.value.key == "new_name"
    with pytest.raises(libinstance.InvalidArgument) as e:
        s2.rename("x/y")
    assert e.value.key == "new_name" and "x/y" in str(e.value)
    assert s2.name == "s2"
    with pytest.raises(libinstance.InvalidArgument) as e:
        s2.update(expires_at="tomorrow")
    assert e.value.key == "expires_at"
    assert inst.snapshots.get("s2").expires_at == NEVER
    assert names(inst) == ["s1", "s2"]

    s2.delete()
    with pytest.raises(libinstance.NotFound) as e:
        s2.delete()
    assert e.value.key == "snapshot"
    with pytest.raises(libinstance.NotFound) as e:
        s2.rename("s3")
    assert e.value.key == "snapshot"
    assert names(inst) == ["s1"]


def test_operations_and_pattern_and_expiry(client: libinstance.Client, make_instance) -> None:  # type: ignore[no-untyped-def]
    inst = make_instance("snapop")
    sh(inst, "echo one > /root/f")

    op = inst.snapshots.create("op1", wait=False)
    assert isinstance(op, libinstance.Operation)
    op.wait(60)
    assert op.status == "Success"
    assert names(inst) == ["op1"]

    sh(inst, "echo two > /root/f")
    inst.config_set("user.mark", "x")
    op = inst.restore_snapshot("op1", wait=False)
    assert isinstance(op, libinstance.Operation)
    op.wait(120)
    assert op.status == "Success"
    inst.sync()
    assert "user.mark" not in inst.config and inst.status == "Running"
    assert sh(inst, "cat /root/f") == "one\n"

    op = inst.snapshots.get("op1").delete(wait=False)
    assert isinstance(op, libinstance.Operation)
    op.wait(60)
    assert names(inst) == []

    # snapshots.pattern names unnamed snapshots; snapshots.expiry dates them; an explicit expiry wins.
    inst.config_set({"snapshots.pattern": "daily-%d", "snapshots.expiry": "2d"})
    daily = inst.snapshots.create()
    assert daily.name == "daily-0"
    created = datetime.fromisoformat(daily.created_at.replace("Z", "+00:00"))
    expires = datetime.fromisoformat(daily.expires_at.replace("Z", "+00:00"))
    assert abs(expires - created - timedelta(days=2)) <= timedelta(seconds=2)
    assert inst.snapshots.create(expires_at="2031-05-06T07:08:09Z").expires_at == "2031-05-06T07:08:09Z"
    assert names(inst) == ["daily-0", "daily-1"]
