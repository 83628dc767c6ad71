"""Backups through Python (Instance.export_backup, instances.import_backup/create_from_backup,
StorageVolume.export_backup, pool.volumes.import_backup) on real containers and volumes: round
trips keep files with their owners and modes, config and snapshots; instance_only, renaming,
LXD 5.0.2 backups, operations, and refusals naming the key or the hostile entry."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pytest

import libinstance

from conftest import unique_name

SOURCE_ROOT = Path(os.environ.get("LIBINSTANCE_TEST_SOURCE_ROOT", Path(__file__).resolve().parents[3]))
FIXTURES = SOURCE_ROOT / "tests" / "data" / "backups"


@pytest.fixture
def work() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="li-py-backup-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def sh(inst: libinstance.Instance, script: str) -> str:
    result = inst.execute(["sh", "-c", script])
    assert result.exit_code == 0, (script, result.stderr)
    return result.stdout


def snapshot_names(inst: libinstance.Instance) -> list:
    return [s.name for s in inst.snapshots()]


def test_round_trip_keeps_files_config_and_snapshots(client: libinstance.Client, work: Path,
                                                     make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("bk")
    name = inst.name
    sh(inst, "echo old > /root/f")
    inst.snapshots.create("snap0")
    sh(inst, "echo new > /root/f && chown 1234:2345 /root/f && chmod 640 /root/f")
    inst.config["user.mark"] = "kept"
    inst.save()
    inst.stop(wait=True)

    target = work / "full.tar.gz"
    assert inst.export_backup(target) is None
    assert target.is_file() and target.stat().st_size > 0
    inst.delete()
    assert not client.instances.exists(name)

    back = client.instances.import_backup(str(target))
    assert isinstance(back, libinstance.Instance)
    assert back.name == name and back.config["user.mark"] == "kept"
    assert snapshot_names(back) == ["snap0"]
    back.start(wait=True)
    assert sh(back, "cat /root/f; stat -c '%u:%g %a' /root/f") == "new\n1234:2345 640\n"
    back.stop(wait=True, force=True)
    back.restore_snapshot("snap0")
    back.start(wait=True)
    assert sh(back, "cat /root/f") == "old\n"
    back.delete(force=True)


def test_instance_only_another_name_and_operations(client: libinstance.Client, work: Path,
                                                   make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("bko", start=False)
    inst.snapshots.create("s1")

    only = work / "only.tar.zst"
    op = inst.export_backup(only, instance_only=True, compression_algorithm="zstd", wait=False)
    assert isinstance(op, libinstance.Operation)
    op.wait()
    assert only.is_file()
    with pytest.raises(libinstance.AlreadyExists) as taken:
        client.instances.import_backup(only)
    assert taken.value.key == "name"

    other = unique_name("bko2")
    copy = client.instances.import_backup(only, name=other)
    try:
        assert copy.name == other and snapshot_names(copy) == []
        assert snapshot_names(inst) == ["s1"]
    finally:
        copy.delete(force=True)

    full = work / "full.tar.xz"
    inst.export_backup(full, compression_algorithm="xz")
    third = unique_name("bko3")
    op = client.instances.create_from_backup(str(full), wait=False, name=third)
    assert isinstance(op, libinstance.Operation)
    op.wait()
    made = client.instances.get(third)
    try:
        assert snapshot_names(made) == ["s1"]
    finally:
        made.delete(force=True)


def test_lxd_502_backup_imports(client: libinstance.Client) -> None:
    name = unique_name("fromlxd")
    inst = client.instances.import_backup(FIXTURES / "lxd-5.0.2-container.tar.gz", name=name)
    try:
        assert inst.config["user.origin"] == "lxd"
        assert snapshot_names(inst) == ["snap0"]
        inst.start(wait=True)
        assert sh(inst, "stat -c '%u:%g %a' /root/hello; cat /root/v") == "1234:2345 640\ncurrent\n"
    finally:
        inst.delete(force=True)


def test_refusals_name_the_key_and_leave_nothing(client: libinstance.Client, work: Path,
                                                 make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("bkbad", start=False)
    bad = work / "bad.tar"
    with pytest.raises(libinstance.InvalidArgument) as e:
        inst.export_backup(bad, compression_algorithm="rar")
    assert e.value.key == "compression_algorithm"
    with pytest.raises(libinstance.InvalidArgument) as e:
        inst.export_backup(bad, compression_algorithm="rar", wait=False)
    assert e.value.key == "compression_algorithm"
    with pytest.raises(libinstance.NotSupported) as unsupported:
        inst.export_backup(bad, optimized_storage=True)  # the default pool is dir
    assert unsupported.value.key == "optimized_storage"
    assert not bad.exists()

    with pytest.raises(libinstance.NotFound) as missing:
        client.instances.import_backup(work / "none.tar.gz")
    assert missing.value.key == "path"
    with pytest.raises(TypeError):
        client.instances.import_backup(42)  # type: ignore[arg-type]

    evil_name = unique_name("evil")
    evil = work / "evil.tar.gz"
    index = (f"name: {evil_name}\nbackend: dir\npool: default\ntype: container\nconfig:\n  container:\n"
             f"    name: {evil_name}\n    architecture: x86_64\n    profiles: [default]\n").encode()
    with tarfile.open(evil, "w:gz") as tar:
        for entry, data in (("backup/index.yaml", index), ("backup/container/rootfs/../../../../escape", b"x")):
            info = tarfile.TarInfo(entry)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(libinstance.InvalidArgument) as hostile:
        client.instances.import_backup(evil)
    assert hostile.value.key == "backup/container/rootfs/../../../../escape"
    assert not client.instances.exists(evil_name)
    assert not os.path.exists(os.path.join(client.state_dir, "storage-pools", "default", "containers", evil_name))


def test_volume_round_trip_and_lxd_volume(client: libinstance.Client, work: Path) -> None:
    pool = client.storage_pools.get("default")
    name = unique_name("bkv")
    vol = pool.volumes.create({"name": name, "config": {"user.k": "v"}})
    data = Path(client.state_dir) / "storage-pools" / "default" / "custom" / name
    (data / "data").write_text("old\n")
    vol.snapshots.create("snapA")
    (data / "data").write_text("new\n")
    os.chmod(data / "data", 0o604)

    target = work / "vol.tar.gz"
    vol.export_backup(target)
    only = work / "vol-only.tar.gz"
    vol.export_backup(only, volume_only=True, compression_algorithm="bzip2")
    with pytest.raises(libinstance.InvalidArgument) as e:
        vol.export_backup(work / "bad", compression_algorithm="rar")
    assert e.value.key == "compression_algorithm"
    vol.delete()
    assert not pool.volumes.exists("custom", name)

    back = pool.volumes.import_backup(target)
    assert isinstance(back, libinstance.StorageVolume)
    assert back.name == name and back.config["user.k"] == "v"
    assert (data / "data").read_text() == "new\n" and (data / "data").stat().st_mode & 0o777 == 0o604
    assert [s.name for s in back.snapshots.all()] == ["snapA"]
    with pytest.raises(libinstance.AlreadyExists) as taken:
        pool.volumes.import_backup(target)
    assert taken.value.key == "name"
    back.restore("snapA")
    assert (data / "data").read_text() == "old\n"

    other = unique_name("bkv2")
    copy = pool.volumes.import_backup(only, name=other)
    assert copy.name == other and copy.snapshots.all() == []
    copy.delete()
    for snap in back.snapshots.all():
        snap.delete()
    back.delete()

    lxd = pool.volumes.import_backup(FIXTURES / "lxd-5.0.2-volume.tar.gz", name=unique_name("lxdvol"))
    try:
        lxd_dir = Path(client.state_dir) / "storage-pools" / "default" / "custom" / lxd.name
        assert (lxd_dir / "data").read_text() == "new\n" and (lxd_dir / "sub" / "y").exists()
        assert [s.name for s in lxd.snapshots.all()] == ["snapA"]
    finally:
        for snap in lxd.snapshots.all():
            snap.delete()
        lxd.delete()
