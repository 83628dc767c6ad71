"""Storage pools through Python: create/all/get/exists/delete, defaults, bad input, in-use refusal."""

from __future__ import annotations

import os
import threading

import pytest

import libinstance


def pool_names(client: libinstance.Client) -> list:
    return sorted(p.name for p in client.storage_pools.all())


def test_default_pool_is_listed_in_lxd_shape(client: libinstance.Client) -> None:
    pool = client.storage_pools.get("default")
    assert pool.driver == "dir"
    assert pool.status == "Created"
    assert pool.locations == ["none"]
    assert pool.config["source"].endswith("/storage-pools/default")
    assert "/1.0/profiles/default" in pool.used_by
    assert client.storage_pools.exists("default")
    assert not client.storage_pools.exists("nope")
    with pytest.raises(libinstance.NotFound):
        client.storage_pools.get("nope")
    with pytest.raises(libinstance.Busy, match="/1.0/profiles/default"):
        client.storage_pools.get("default").delete()


def test_btrfs_pool_create_launch_delete(client: libinstance.Client, make_instance) -> None:  # type: ignore[no-untyped-def]
    pool = client.storage_pools.create({"name": "pybtrfs", "driver": "btrfs", "config": {"size": "1GiB"}})
    try:
        assert pool.config["size"] == "1GiB"
        assert pool.config["source"] == os.path.join(client.state_dir, "disks", "pybtrfs.img")
        assert os.path.ismount(os.path.join(client.state_dir, "storage-pools", "pybtrfs"))
        inst = make_instance("bt", devices={"root": {"type": "disk", "path": "/", "pool": "pybtrfs"}})
        assert inst.execute(["sh", "-c", "echo hi > /f && cat /f"]).stdout == "hi\n"
        assert f"/1.0/instances/{inst.name}" in client.storage_pools.get("pybtrfs").used_by
        with pytest.raises(libinstance.Busy, match=inst.name):
            client.storage_pools.get("pybtrfs").delete()
        inst.delete(force=True)
    finally:
        client.storage_pools.get("pybtrfs").delete()
    assert not client.storage_pools.exists("pybtrfs")
    assert not os.path.exists(os.path.join(client.state_dir, "disks", "pybtrfs.img"))


def test_bad_pools_are_refused_naming_the_key(client: libinstance.Client) -> None:
    before = pool_names(client)
    with pytest.raises(libinstance.InvalidArgument) as e:
        client.storage_pools.create(name="p1", driver="dir", config={"bogus.key": "1"})
    assert e.value.key == "bogus.key"
    with pytest.raises(libinstance.InvalidArgument) as e:
        client.storage_pools.create(name="p1", driver="btrfs", config={"size": "huge"})
    assert e.value.key == "size" and "huge" in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e:
        client.storage_pools.create(name="bad/name", driver="dir")
    assert e.value.key == "name"
    with pytest.raises(libinstance.NotSupported) as e:
        client.storage_pools.create(name="p1", driver="zfs")
    assert "zfs" in str(e.value)
    with pytest.raises(libinstance.AlreadyExists):
        client.storage_pools.create(name="default", driver="dir")
    assert pool_names(client) == before


def test_pool_save_and_resources_pylxd_style(client: libinstance.Client) -> None:
    """dir: description saves, the source cannot change; resources are the host file system's."""
    pool = client.storage_pools.get("default")
    source = pool.config["source"]
    res = pool.resources.get()
    st = os.statvfs(source)
    assert res.space["total"] == st.f_blocks * st.f_frsize
    assert 0 < res.space["used"] <= res.space["total"]
    assert res.inodes["total"] == st.f_files and res.inodes["used"] > 0
    assert pool.get_resources().space["total"] == res.space["total"]

    original = pool.description
    pool.config["source"] = "/elsewhere"
    with pytest.raises(libinstance.InvalidArgument) as e:
        pool.save()
    assert e.value.key == "source" and "source" in str(e.value)
    assert client.storage_pools.get("default").config["source"] == source
    pool.sync()
    pool.description = "python description"
    pool.save()
    again = client.storage_pools.get("default")
    assert again.description == "python description"
    assert again.config["source"] == source
    # A stale copy is refused (its ETag no longer matches).
    pool_copy = client.storage_pools.get("default")
    again.description = original
    again.save()
    pool_copy.description = "stale"
    with pytest.raises(libinstance.Conflict):
        pool_copy.save()
    assert client.storage_pools.get("default").description == original


def test_btrfs_pool_grows_and_refuses_shrinking(client: libinstance.Client) -> None:
    updated = threading.Event()

    def on_event(event: dict) -> None:
        if event["metadata"].get("action") == "storage-pool-updated" and \
                event["metadata"].get("source") == "/1.0/storage-pools/pygrow":
            updated.set()

    pool = client.storage_pools.create({"name": "pygrow", "driver": "btrfs", "config": {"size": "512MiB"}})
    mount = os.path.join(client.state_dir, "storage-pools", "pygrow")
    image = pool.config["source"]
    try:
        with client.events.subscribe(on_event, types="lifecycle"):
            before = pool.resources.get()
            assert before.inodes == {"used": 0, "total": 0}
            st = os.statvfs(mount)
            assert before.space["total"] == st.f_blocks * st.f_frsize

            pool.config["size"] = "300MiB"
            with pytest.raises(libinstance.InvalidArgument) as e:
                pool.save()
            assert e.value.key == "size" and "shrink" in str(e.value)
            pool.sync()
            pool.config["btrfs.bogus"] = "1"
            with pytest.raises(libinstance.InvalidArgument) as e:
                pool.save()
            assert e.value.key == "btrfs.bogus"
            assert os.path.getsize(image) == 512 << 20
            assert client.storage_pools.get("pygrow").config == {k: v for k, v in pool.config.items() if k != "btrfs.bogus"}

            pool.sync()
            pool.patch({"config": {"size": "1GiB"}})
            assert pool.config["size"] == "1GiB"
            assert os.path.getsize(image) == 1 << 30
            after = pool.get_resources()
            st = os.statvfs(mount)
            assert after.space["total"] == st.f_blocks * st.f_frsize
            assert after.space["total"] > before.space["total"] + (400 << 20)
            assert updated.wait(30), "no storage-pool-updated event"
    finally:
        client.storage_pools.get("pygrow").delete()
