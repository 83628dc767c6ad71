"""Custom volume snapshots, copies and moves through Python (volume.snapshot/snapshots/restore,
volume.copy, pool.volumes.create with a copy source, volume.move) on the default dir pool and a
real loop-backed btrfs pool: file content checked in the pools' volume directories, refusals with
the exception class and key, and nothing changed."""

from __future__ import annotations

import os
from typing import Iterator, List

import pytest

import libinstance

from conftest import unique_name

NEVER = "0001-01-01T00:00:00Z"


def volume_dir(client: libinstance.Client, pool: str, volume: str) -> str:
    # Both the dir pool's default source and the btrfs pool's mount are <state>/storage-pools/<pool>.
    return os.path.join(client.state_dir, "storage-pools", pool, "custom", volume)


def snapshot_dir(client: libinstance.Client, pool: str, volume: str, snapshot: str) -> str:
    return os.path.join(client.state_dir, "storage-pools", pool, "custom-snapshots", volume, snapshot)


def write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def read(path: str) -> str:
    with open(path) as f:
        return f.read()


def custom_names(pool: libinstance.StoragePool) -> List[str]:
    return sorted(v.name for v in pool.volumes.all() if v.type == "custom")


def delete_custom_volumes(pool: libinstance.StoragePool, prefix: str) -> None:
    for v in pool.volumes.all():
        if v.type == "custom" and v.name.startswith(prefix):
            v.delete()


@pytest.fixture
def prefix(client: libinstance.Client) -> Iterator[str]:
    """A name prefix for this test's volumes on the default pool, deleted afterwards."""
    p = unique_name("vs")
    yield p
    delete_custom_volumes(client.storage_pools.get("default"), p)


@pytest.fixture
def btrfs_pool(client: libinstance.Client) -> Iterator[libinstance.StoragePool]:
    name = unique_name("vsb")[:12].replace("-", "")
    pool = client.storage_pools.create({"name": name, "driver": "btrfs", "config": {"size": "512MiB"}})
    try:
        yield pool
    finally:
        delete_custom_volumes(pool, "")
        pool.delete()


@pytest.mark.parametrize("driver", ["dir", "btrfs"])
def test_snapshot_list_update_rename_restore_delete(client: libinstance.Client, prefix: str, driver: str,
                                                    request: pytest.FixtureRequest) -> None:
    pool = client.storage_pools.get("default") if driver == "dir" else request.getfixturevalue("btrfs_pool")
    name = prefix + "-data"
    vol = pool.volumes.create({"name": name, "config": {"user.k": "v"}})
    path = volume_dir(client, pool.name, name)
    write(os.path.join(path, "f"), "one")

    first = vol.snapshot("first")
    assert isinstance(first, libinstance.StorageVolumeSnapshot)
    assert first.name == "first" and first.config.get("user.k") == "v" and first.created_at
    assert first.expires_at == NEVER
    assert read(os.path.join(snapshot_dir(client, pool.name, name, "first"), "f")) == "one"
    assert vol.snapshot().name == "snap0"
    assert vol.snapshots.create().name == "snap1"
    assert [s.name for s in vol.snapshots()] == ["first", "snap0", "snap1"]
    assert [s.name for s in vol.snapshots.all()] == ["first", "snap0", "snap1"]
    assert vol.snapshots.exists("snap0") and not vol.snapshots.exists("nope")

    # update: description and expiry, through update() and save()
    first.update(description="before")
    got = vol.snapshots.get("first")
    assert got.description == "before" and got.expires_at == NEVER
    got.expires_at = "2036-01-02T03:04:05Z"
    got.save()
    again = vol.snapshots.get("first")
    assert again.description == "before" and again.expires_at == "2036-01-02T03:04:05Z"
    with pytest.raises(libinstance.InvalidArgument) as e:
        again.update(expires_at="tomorrow")
    assert e.value.key == "expires_at" and "tomorrow" in str(e.value)
    assert vol.snapshots.get("first").expires_at == "2036-01-02T03:04:05Z"

    # restore (through the volume and through the snapshot): the old content comes back
    write(os.path.join(path, "f"), "two")
    write(os.path.join(path, "later"), "x")
    vol.restore("first")
    assert read(os.path.join(path, "f")) == "one"
    assert not os.path.exists(os.path.join(path, "later"))
    write(os.path.join(path, "f"), "three")
    vol.snapshots.get("first").restore()
    assert read(os.path.join(path, "f")) == "one"
    assert [s.name for s in vol.snapshots()] == ["first", "snap0", "snap1"]

    # rename: the object follows
    mid = vol.snapshots.get("snap0").rename("mid")
    assert mid.name == "mid"
    assert [s.name for s in vol.snapshots()] == ["first", "mid", "snap1"]
    assert os.path.isdir(snapshot_dir(client, pool.name, name, "mid"))
    assert not os.path.exists(snapshot_dir(client, pool.name, name, "snap0"))

    # refusals: class and key, nothing changed
    with pytest.raises(libinstance.AlreadyExists) as e:
        vol.snapshot("first")
    assert e.value.key == "name" and "first" in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e:
        vol.snapshot("a/b")
    assert e.value.key == "name" and "a/b" in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e:
        vol.snapshot("e", expires_at="soon")
    assert e.value.key == "expires_at"
    with pytest.raises(libinstance.AlreadyExists) as e:
        mid.rename("first")
    assert e.value.key == "new_name"
    with pytest.raises(libinstance.InvalidArgument) as e:
        mid.rename("x/y")
    assert e.value.key == "new_name" and "x/y" in str(e.value)
    assert mid.name == "mid"
    with pytest.raises(libinstance.NotFound) as e:
        vol.snapshots.get("nope")
    assert e.value.key == "snapshot" and "nope" in str(e.value)
    with pytest.raises(libinstance.NotFound) as e:
        vol.restore("nope")
    assert e.value.key == "snapshot"
    assert [s.name for s in vol.snapshots()] == ["first", "mid", "snap1"]
    assert read(os.path.join(path, "f")) == "one"

    mid.delete()
    assert [s.name for s in vol.snapshots()] == ["first", "snap1"]
    assert not os.path.exists(snapshot_dir(client, pool.name, name, "mid"))
    with pytest.raises(libinstance.NotFound):
        mid.delete()
    vol.delete()
    assert not os.path.exists(path)
    assert not os.path.exists(snapshot_dir(client, pool.name, name, "first"))


def test_copy_and_move_between_dir_and_btrfs(client: libinstance.Client, prefix: str,
                                             btrfs_pool: libinstance.StoragePool) -> None:
    default = client.storage_pools.get("default")
    src = default.volumes.create({"name": prefix + "-src", "config": {"user.k": "v"}})
    write(os.path.join(volume_dir(client, "default", src.name), "f"), "one")
    src.snapshot("s1")
    write(os.path.join(volume_dir(client, "default", src.name), "f"), "two")

    # Same pool, with snapshots; independent of the source.
    cp = src.copy(prefix + "-cp")
    assert isinstance(cp, libinstance.StorageVolume)
    assert cp.storage_pool.name == "default" and cp.config.get("user.k") == "v"
    assert read(os.path.join(volume_dir(client, "default", cp.name), "f")) == "two"
    assert [s.name for s in cp.snapshots()] == ["s1"]
    assert read(os.path.join(snapshot_dir(client, "default", cp.name, "s1"), "f")) == "one"
    write(os.path.join(volume_dir(client, "default", cp.name), "f"), "changed")
    assert read(os.path.join(volume_dir(client, "default", src.name), "f")) == "two"
    cpv = src.copy(prefix + "-cpv", volume_only=True)
    assert read(os.path.join(volume_dir(client, "default", cpv.name), "f")) == "two"
    assert cpv.snapshots() == []

    # Across pools (dir -> btrfs): volume.copy and pool.volumes.create with a copy source.
    bcp = src.copy("bcp", pool=btrfs_pool.name)
    assert bcp.storage_pool.name == btrfs_pool.name
    assert read(os.path.join(volume_dir(client, btrfs_pool.name, "bcp"), "f")) == "two"
    assert [s.name for s in bcp.snapshots()] == ["s1"]
    assert read(os.path.join(snapshot_dir(client, btrfs_pool.name, "bcp", "s1"), "f")) == "one"
    bcpv = btrfs_pool.volumes.create({"name": "bcpv", "source": {"type": "copy", "pool": "default", "name": src.name,
                                                                   "volume_only": True}})
    assert read(os.path.join(volume_dir(client, btrfs_pool.name, "bcpv"), "f")) == "two"
    assert bcpv.snapshots() == []

    # Copy refusals: class and key, nothing left behind.
    with pytest.raises(libinstance.NotFound) as e:
        btrfs_pool.volumes.create({"name": "x", "source": {"type": "copy", "pool": "default", "name": "nope"}})
    assert e.value.key == "source.name" and "nope" in str(e.value)
    with pytest.raises(libinstance.AlreadyExists) as e:
        src.copy("bcp", pool=btrfs_pool)
    assert e.value.key == "name"
    assert custom_names(btrfs_pool) == ["bcp", "bcpv"]

    # A move within the pool is a rename; rename({"name", "pool"}) moves as pylxd's does.
    cpv.move("default", prefix + "-cpv2")
    assert cpv.name == prefix + "-cpv2"
    assert not default.volumes.exists("custom", prefix + "-cpv")
    assert read(os.path.join(volume_dir(client, "default", cpv.name), "f")) == "two"

    # Move refusals change nothing.
    with pytest.raises(libinstance.NotFound) as e:
        src.move("nopool")
    assert e.value.key == "pool" and "nopool" in str(e.value)
    with pytest.raises(libinstance.AlreadyExists) as e:
        src.move(btrfs_pool, "bcp")
    assert e.value.key == "name"
    with pytest.raises(libinstance.InvalidArgument) as e:
        src.move(btrfs_pool, "a/b")
    assert e.value.key == "name"
    assert src.name == prefix + "-src" and src.storage_pool.name == "default"
    assert [s.name for s in src.snapshots()] == ["s1"]

    # Move dir -> btrfs: the object follows; the source and its snapshot are gone.
    old_name = src.name
    src.move(btrfs_pool, "moved")
    assert (src.storage_pool.name, src.name) == (btrfs_pool.name, "moved")
    assert src.config.get("user.k") == "v"
    assert not default.volumes.exists("custom", old_name)
    assert not os.path.exists(volume_dir(client, "default", old_name))
    assert not os.path.exists(snapshot_dir(client, "default", old_name, "s1"))
    assert read(os.path.join(volume_dir(client, btrfs_pool.name, "moved"), "f")) == "two"
    assert [s.name for s in src.snapshots()] == ["s1"]
    # And back (btrfs -> dir) through pylxd's rename with a pool.
    src.rename({"name": prefix + "-back", "pool": "default"})
    assert (src.storage_pool.name, src.name) == ("default", prefix + "-back")
    assert not btrfs_pool.volumes.exists("custom", "moved")
    assert read(os.path.join(volume_dir(client, "default", src.name), "f")) == "two"
    src.restore("s1")
    assert read(os.path.join(volume_dir(client, "default", src.name), "f")) == "one"


def test_attached_volume_is_not_moved_nor_restored_while_running(client: libinstance.Client, prefix: str,  # type: ignore[no-untyped-def]
                                                                  make_instance) -> None:
    default = client.storage_pools.get("default")
    vol = default.volumes.create({"name": prefix + "-att"})
    write(os.path.join(volume_dir(client, "default", vol.name), "f"), "one")
    vol.snapshot("s")
    inst = make_instance("att", devices={"v": {"type": "disk", "pool": "default", "source": vol.name, "path": "/mnt/v"}})
    try:
        with pytest.raises(libinstance.Busy) as e:
            vol.move("default", prefix + "-elsewhere")
        assert e.value.key == "name" and inst.name in str(e.value)
        with pytest.raises(libinstance.Busy) as e:
            vol.restore("s")
        assert e.value.key == "name" and inst.name in str(e.value)
        assert vol.name == prefix + "-att"
        assert custom_names(default).count(prefix + "-att") == 1
        assert inst.execute(["cat", "/mnt/v/f"]).stdout == "one"
    finally:
        inst.delete(force=True)
    vol.restore("s")
    assert read(os.path.join(volume_dir(client, "default", vol.name), "f")) == "one"
