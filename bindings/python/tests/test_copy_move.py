"""Instance copies (an LXD "copy" source through instances.create, and Instance.copy), renames and
moves between storage pools, on real containers and a real loop-backed btrfs pool."""

from __future__ import annotations

import os
from typing import Callable, Iterator, List

import pytest

import libinstance

from conftest import unique_name


@pytest.fixture
def btrfs_pool(client: libinstance.Client) -> Iterator[str]:
    name = unique_name("pool")[:12].replace("-", "")
    client.storage_pools.create({"name": name, "driver": "btrfs", "config": {"size": "512MiB"}})
    yield name
    client.storage_pools.get(name).delete()


def root_pool(inst: libinstance.Instance) -> str:
    inst.sync()
    return next(d["pool"] for d in inst.expanded_devices.values()
                if d.get("type") == "disk" and d.get("path") == "/")


def test_copy_source_in_create_copies_a_running_instance(client: libinstance.Client, make_instance,  # type: ignore[no-untyped-def]
                                                          extra_names: List[str]) -> None:
    c1 = make_instance("src", config={"user.note": "hello"})
    c1.files.put("/root/marker", b"from c1\n")
    name = unique_name("cp")
    extra_names.append(name)

    c2 = client.instances.create({"name": name, "source": {"type": "copy", "source": c1.name}}, wait=True)

    assert c2.name == name
    assert c2.status == "Stopped"
    assert c2.config.get("user.note") == "hello"
    # The source's identity (idmap, power state, ...) stays with it.
    assert not [k for k in c2.config if k.startswith("volatile.") and k != "volatile.base_image"]
    c2.start(wait=True)
    assert c2.files.get("/root/marker") == b"from c1\n"
    # The image's copy templates ran for the copy: busybox's hostname names it.
    assert c2.files.get("/etc/hostname") == f"{name}\n".encode()
    # Independent: a change in the copy leaves the source alone.
    c2.files.put("/root/marker", b"changed in the copy\n")
    assert c1.files.get("/root/marker") == b"from c1\n"
    assert c1.status == "Running"


def test_copy_of_a_missing_source_names_the_key(client: libinstance.Client) -> None:
    name = unique_name("cp")
    with pytest.raises(libinstance.NotFound) as e:
        client.instances.create({"name": name, "source": {"type": "copy", "source": "no-such-inst"}}, wait=True)
    assert "no-such-inst" in str(e.value)
    assert not client.instances.exists(name)


def test_instance_copy_and_rename(client: libinstance.Client, make_instance,  # type: ignore[no-untyped-def]
                                  extra_names: List[str]) -> None:
    c1 = make_instance("src", start=False)
    c1.files.put("/root/marker", b"x")
    copy_name, new_name = unique_name("cp"), unique_name("rn")
    extra_names.extend([copy_name, new_name])

    c2 = c1.copy(copy_name)
    assert isinstance(c2, libinstance.Instance) and c2.name == copy_name
    assert c2.files.get("/root/marker") == b"x"

    c2.rename(new_name)
    assert c2.name == new_name
    assert not client.instances.exists(copy_name)
    renamed = client.instances.get(new_name)
    assert renamed.files.get("/root/marker") == b"x"
    renamed.start(wait=True)
    assert renamed.status == "Running"
    assert c2.state().status == "Running"  # the object's handle follows the new name


def test_rename_refusals_change_nothing(client: libinstance.Client, make_instance) -> None:  # type: ignore[no-untyped-def]
    running = make_instance("run")
    other = make_instance("oth", start=False)

    with pytest.raises(libinstance.Busy) as e:
        running.rename(unique_name("x"))
    assert "running" in str(e.value)
    assert running.name in str(e.value)

    with pytest.raises(libinstance.AlreadyExists) as e2:
        other.rename(running.name)
    assert running.name in str(e2.value)

    with pytest.raises(libinstance.InvalidConfig) as e3:
        other.rename("bad/name")
    assert e3.value.key == "name"

    assert client.instances.get(running.name).status == "Running"
    assert client.instances.get(other.name).status == "Stopped"
    assert other.name in {i.name for i in client.instances.all()}


def test_copy_to_btrfs_and_move_between_pools(client: libinstance.Client, make_instance,  # type: ignore[no-untyped-def]
                                              extra_names: List[str], btrfs_pool: str) -> None:
    c1 = make_instance("src", start=False)
    c1.files.put("/root/marker", b"pools\n")
    name = unique_name("bt")
    extra_names.append(name)

    updates: List[libinstance.Progress] = []
    c2 = c1.copy(name, pool=btrfs_pool, progress=updates.append)
    assert root_pool(c2) == btrfs_pool
    assert root_pool(c1) == "default"
    assert os.path.isdir(os.path.join(client.state_dir, "storage-pools", btrfs_pool, "containers", name))
    assert c2.files.get("/root/marker") == b"pools\n"

    # Back to the default pool, then to btrfs again as an operation.
    c2.move_to_pool("default")
    assert root_pool(c2) == "default"
    assert c2.devices["root"]["pool"] == "default"
    assert not os.path.exists(os.path.join(client.state_dir, "storage-pools", btrfs_pool, "containers", name))
    op = c2.move_to_pool(btrfs_pool, wait=False)
    assert isinstance(op, libinstance.Operation)
    op.wait()
    c2.sync()
    assert root_pool(c2) == btrfs_pool
    c2.start(wait=True)
    assert c2.files.get("/root/marker") == b"pools\n"
    assert f"/1.0/instances/{name}" in client.storage_pools.get(btrfs_pool).used_by

    # Refusals name the key and move nothing.
    with pytest.raises(libinstance.Busy) as e:
        c2.move_to_pool("default")
    assert "running" in str(e.value)
    c2.stop(force=True)
    with pytest.raises(libinstance.NotFound) as e2:
        c2.move_to_pool("nopool")
    assert "nopool" in str(e2.value)
    with pytest.raises(libinstance.InvalidConfig) as e3:
        c2.move_to_pool(btrfs_pool)
    assert e3.value.key == "pool"
    assert root_pool(c2) == btrfs_pool
    c2.delete()
    extra_names.remove(name)


def test_running_instance_is_not_copied_to_another_pool(client: libinstance.Client, make_instance,  # type: ignore[no-untyped-def]
                                                        btrfs_pool: str) -> None:
    c1 = make_instance("run")
    name = unique_name("cp")
    with pytest.raises(libinstance.Busy) as e:
        c1.copy(name, pool=btrfs_pool)
    assert c1.name in str(e.value) and "running" in str(e.value)
    assert not client.instances.exists(name)


def test_copies_from_a_snapshot_and_with_snapshots(client: libinstance.Client, make_instance,  # type: ignore[no-untyped-def]
                                                   extra_names: List[str]) -> None:
    c1 = make_instance("snapsrc", start=False)
    c1.files.put("/root/f", b"old\n")
    c1.snapshots.create("s0")
    c1.files.put("/root/f", b"new\n")
    from_name, with_name, only_name = unique_name("fromsnap"), unique_name("withsnaps"), unique_name("only")
    extra_names.extend([from_name, with_name, only_name])

    from_snap = client.instances.create({"name": from_name, "source": {"type": "copy", "source": c1.name + "/s0"}}, wait=True)
    assert from_snap.snapshots.all() == []
    assert from_snap.files.get("/root/f") == b"old\n"

    with_snaps = client.instances.create({"name": with_name, "source": {"type": "copy", "source": c1.name}}, wait=True)
    assert [s.name for s in with_snaps.snapshots.all()] == ["s0"]
    assert with_snaps.files.get("/root/f") == b"new\n"
    with_snaps.restore_snapshot("s0")
    assert with_snaps.files.get("/root/f") == b"old\n"

    only = client.instances.create({"name": only_name, "source": {"type": "copy", "source": c1.name, "instance_only": True}},
                                   wait=True)
    assert only.snapshots.all() == []

    with pytest.raises(libinstance.NotFound) as missing:
        client.instances.create({"name": unique_name("none"), "source": {"type": "copy", "source": c1.name + "/nope"}}, wait=True)
    assert missing.value.key == "source.source"
