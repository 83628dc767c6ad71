"""Custom storage volumes through Python (pool.volumes): create/all/get/save/rename/delete on the
default pool, a volume shared by two running containers as a disk device, bad input naming the
key with nothing changed, and refusal while attached; copies, moves, exports and imports as
operations (wait=False, progress=, cancel)."""

from __future__ import annotations

import os
from typing import Callable, List

import pytest

import libinstance

from conftest import unique_name


def custom_names(pool: libinstance.StoragePool) -> List[str]:
    return sorted(v.name for v in pool.volumes.all() if v.type == "custom")


@pytest.fixture
def pool(client: libinstance.Client) -> libinstance.StoragePool:
    return client.storage_pools.get("default")


@pytest.fixture
def volume_name(pool: libinstance.StoragePool):  # type: ignore[no-untyped-def]
    name = unique_name("vol")
    yield name
    try:
        pool.volumes.get("custom", name).delete()
    except libinstance.NotFound:
        pass


def test_volume_create_show_update_rename_delete(pool: libinstance.StoragePool, volume_name: str) -> None:
    vol = pool.volumes.create({"name": volume_name, "type": "custom", "description": "data",
                               "config": {"user.team": "a"}}, wait=True)
    assert isinstance(vol, libinstance.StorageVolume)
    assert (vol.name, vol.type, vol.content_type) == (volume_name, "custom", "filesystem")
    assert vol.description == "data" and vol.config.get("user.team") == "a"
    assert vol.used_by == [] and vol.location == "none" and vol.project == "default"
    assert vol.created_at

    got = pool.volumes.get("custom", volume_name)
    assert got.name == volume_name and got.config.get("user.team") == "a"
    assert volume_name in custom_names(pool)
    assert pool.volumes.exists("custom", volume_name)
    assert not pool.volumes.exists("custom", volume_name + "-nope")
    with pytest.raises(libinstance.NotFound):
        pool.volumes.get("custom", volume_name + "-nope")
    with pytest.raises(libinstance.AlreadyExists) as e:
        pool.volumes.create({"name": volume_name, "type": "custom"})
    assert volume_name in str(e.value)

    got.description = "changed"
    got.config["user.team"] = "b"
    got.save(wait=True)
    again = pool.volumes.get("custom", volume_name)
    assert again.description == "changed" and again.config.get("user.team") == "b"

    renamed = volume_name + "-r"
    again.rename({"name": renamed})
    assert again.name == renamed
    assert renamed in custom_names(pool) and volume_name not in custom_names(pool)
    pool.volumes.get("custom", renamed).rename(volume_name)
    assert pool.volumes.get("custom", volume_name).description == "changed"

    pool.volumes.get("custom", volume_name).delete()
    assert volume_name not in custom_names(pool)
    with pytest.raises(libinstance.NotFound):
        pool.volumes.get("custom", volume_name)


def test_bad_volume_input_is_refused_naming_the_key(client: libinstance.Client, pool: libinstance.StoragePool,
                                                    volume_name: str) -> None:
    before = custom_names(pool)
    with pytest.raises(libinstance.InvalidArgument) as e:
        pool.volumes.create({"name": volume_name, "config": {"bogus.key": "1"}})
    assert e.value.key == "config.bogus.key" and "bogus.key" in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e:
        pool.volumes.create({"name": volume_name, "config": {"security.shifted": "maybe"}})
    assert e.value.key == "config.security.shifted" and "maybe" in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e:
        pool.volumes.create({"name": "bad/name"})
    assert e.value.key == "name"
    with pytest.raises(libinstance.InvalidArgument) as e:
        pool.volumes.create({"name": volume_name, "type": "container"})
    assert e.value.key == "type"
    with pytest.raises(libinstance.NotFound) as e:
        libinstance.StoragePool(client, {"name": "nopool"}).volumes.create({"name": volume_name})
    assert "nopool" in str(e.value)
    assert custom_names(pool) == before

    # A bad update changes nothing either.
    vol = pool.volumes.create(name=volume_name, config={"user.k": "v"})
    vol.config["bogus.key"] = "1"
    with pytest.raises(libinstance.InvalidArgument) as e:
        vol.save()
    assert e.value.key == "config.bogus.key"
    assert pool.volumes.get("custom", volume_name).config == {"user.k": "v"}
    with pytest.raises(libinstance.InvalidArgument) as e:
        pool.volumes.get("custom", volume_name).rename("bad/name")
    assert pool.volumes.exists("custom", volume_name)


def test_volume_shared_by_two_containers(client: libinstance.Client, pool: libinstance.StoragePool,
                                         volume_name: str,
                                         make_instance: Callable[..., libinstance.Instance]) -> None:
    pool.volumes.create({"name": volume_name, "type": "custom"}, wait=True)
    disk = {"type": "disk", "pool": "default", "source": volume_name, "path": "/mnt/v"}
    writer = make_instance("volw")
    writer.device_add("vol", disk)
    assert writer.execute(["sh", "-c", "echo shared > /mnt/v/f && cat /mnt/v/f"]).stdout == "shared\n"

    reader = make_instance("volr", devices={"vol": dict(disk, readonly="true")})
    assert reader.execute(["cat", "/mnt/v/f"]).stdout == "shared\n"
    # Read-only really is read-only in the second container.
    assert reader.execute(["sh", "-c", "echo x > /mnt/v/g"]).exit_code != 0
    assert writer.execute(["ls", "/mnt/v"]).stdout.split() == ["f"]

    used_by = pool.volumes.get("custom", volume_name).used_by
    assert f"/1.0/instances/{writer.name}" in used_by and f"/1.0/instances/{reader.name}" in used_by

    vol = pool.volumes.get("custom", volume_name)
    with pytest.raises(libinstance.Busy) as e:
        vol.delete()
    # The C ABI gives li_error_key() for InvalidArgument only; Busy names the users instead.
    assert writer.name in str(e.value) and reader.name in str(e.value)
    with pytest.raises(libinstance.Busy):
        vol.rename(volume_name + "-r")
    assert pool.volumes.exists("custom", volume_name)

    # Detached from both, it can go.
    writer.device_remove("vol")
    reader.delete(force=True)
    assert pool.volumes.get("custom", volume_name).used_by == []
    pool.volumes.get("custom", volume_name).delete()
    assert not pool.volumes.exists("custom", volume_name)


def test_container_volumes_are_listed(pool: libinstance.StoragePool,
                                      make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("volc", start=False)
    listed = {(v.type, v.name) for v in pool.volumes.all()}
    assert ("container", inst.name) in listed
    assert pool.volumes.get("container", inst.name).type == "container"


def test_volume_copy_move_export_import_as_operations(client: libinstance.Client, pool: libinstance.StoragePool,
                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    src_name, copy_name, moved_name, back_name, gone_name = (unique_name(p) for p in ("opsrc", "opcp", "opmv", "opbk", "opgone"))
    src = pool.volumes.create({"name": src_name, "type": "custom"})
    src_dir = os.path.join(client.state_dir, "storage-pools", "default", "custom", src_name)
    for i in range(48):  # incompressible, so that the copy cancelled below is still running
        with open(os.path.join(src_dir, f"f{i}"), "wb") as f:
            f.write(os.urandom(2 << 20))
    try:
        # A copy with progress, waited on; then the same as an Operation.
        updates: List[libinstance.Progress] = []
        cp = src.copy(copy_name, progress=updates.append)
        assert cp.name == copy_name
        op = cp.move("default", moved_name, wait=False)
        assert isinstance(op, libinstance.Operation)
        op.wait(timeout=120)
        assert op.description == "Moving storage volume"
        assert op.metadata["name"] == moved_name
        assert copy_name not in custom_names(pool) and moved_name in custom_names(pool)
        # The copy's progress arrives through events; the last one may trail the return.
        assert updates and updates[0].key == "fs_progress"

        # A cancelled copy leaves no volume and no files.
        op = src.copy(gone_name, wait=False)
        assert op.may_cancel is True
        op.cancel()
        with pytest.raises(libinstance.Cancelled):
            op.wait(timeout=120)
        assert gone_name not in custom_names(pool)
        assert not os.path.exists(os.path.join(client.state_dir, "storage-pools", "default", "custom", gone_name))

        # Export and import as operations; the import's metadata names the new volume.
        target = str(tmp_path / "vol.tar")
        exported: List[libinstance.Progress] = []
        op = src.export_backup(target, compression_algorithm="none", wait=False, progress=exported.append)
        assert isinstance(op, libinstance.Operation)
        op.wait(timeout=120)
        assert op.metadata["create_backup_progress"] == "Backup: 100%"
        assert os.path.exists(target)
        op = pool.volumes.import_backup(target, name=back_name, wait=False)
        op.wait(timeout=120)
        assert op.description == "Restoring custom volume backup"
        assert op.metadata["name"] == back_name
        back = pool.volumes.import_backup(target, name=back_name + "x", progress=lambda _: None)
        assert back.name == back_name + "x"
        back.delete()
        assert os.path.getsize(os.path.join(client.state_dir, "storage-pools", "default", "custom", back_name, "f0")) == 2 << 20
    finally:
        for name in (src_name, copy_name, moved_name, back_name, gone_name):
            try:
                pool.volumes.get("custom", name).delete()
            except libinstance.NotFound:
                pass
