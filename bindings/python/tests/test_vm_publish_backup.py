"""Stopped virtual machines through Python, none booted: published as virtual-machine images (and
from a snapshot) that make VMs holding the disk, exported and imported under another name, copied,
snapshotted and restored; custom block volumes (content_type block) attached to a VM and refused
by a container naming the device. The disks are checked on the host: root.img, an ext4 image,
read and written with debugfs (a marker file)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Iterator, List

import pytest

import libinstance
from conftest import unique_name

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "support"))
import vm_disk  # noqa: E402  (tests/support)
from vm_disk import disk_read, disk_write  # noqa: E402

pytestmark = pytest.mark.skipif(not vm_disk.HAVE_DEBUGFS, reason="debugfs (e2fsprogs) checks the VM disks")


@pytest.fixture(scope="module")
def vm_alias(client: libinstance.Client) -> Iterator[str]:
    alias = unique_name("vmimg")
    image = client.images.build("debian-vm", alias=alias, cache_dir=os.environ.get("LIBINSTANCE_CACHE_DIR"))
    yield alias
    image.delete()


@pytest.fixture
def make_vm(client: libinstance.Client, vm_alias: str, extra_names: List[str]) -> Callable[..., libinstance.Instance]:
    def make(stem: str, alias: str = vm_alias) -> libinstance.Instance:
        name = unique_name(stem)
        extra_names.append(name)
        vm = client.instances.create({"name": name, "type": "virtual-machine", "config": {"limits.memory": "256MiB"},
                                      "source": {"type": "image", "alias": alias}}, wait=True)
        assert vm.type == "virtual-machine" and vm.status == "Stopped"
        return vm
    return make


def root_img(client: libinstance.Client, name: str, snapshot: str = "") -> Path:
    return Path(vm_disk.root_img(client.state_dir, name, snapshot))


def test_publish_stopped_vm_and_its_snapshot(client: libinstance.Client, make_vm: Callable[..., libinstance.Instance],
                                             extra_names: List[str]) -> None:
    src = make_vm("vmpub")
    disk_write(root_img(client, src.name), "/marker", "at snapshot\n")
    snap = src.snapshots.create("s0")
    disk_write(root_img(client, src.name), "/marker", "published\n")

    images: List[libinstance.Image] = []
    try:
        image = client.images.create_from_instance(src.name, alias=f"{src.name}-img")
        images.append(image)
        assert image.type == "virtual-machine"
        assert client.images.get_by_alias(f"{src.name}-img").type == "virtual-machine"
        assert any(i.fingerprint == image.fingerprint and i.type == "virtual-machine" for i in client.images.all())
        # pylxd's form, as an operation (another property: the same disk and metadata within the
        # same second would be the same image, refused as existing, as LXD does).
        op = src.publish(wait=False, properties={"n": "2"})
        assert isinstance(op, libinstance.Operation)
        op.wait(timeout=300)
        images.append(client.images.get(op.metadata["fingerprint"]))
        assert images[-1].type == "virtual-machine" and images[-1].properties["n"] == "2"

        child = make_vm("vmchild", alias=f"{src.name}-img")
        assert disk_read(root_img(client, child.name), "/marker") == "published\n"
        assert os.path.getsize(root_img(client, child.name)) == os.path.getsize(root_img(client, src.name))
        # A VM image makes no container, naming the source; nothing is left.
        name = unique_name("ctfromvm")
        with pytest.raises(libinstance.InvalidArgument) as e:
            client.instances.create({"name": name, "source": {"type": "image", "alias": f"{src.name}-img"}}, wait=True)
        assert e.value.key == "source" and "virtual-machine" in str(e.value)
        assert not client.instances.exists(name)

        from_snap = snap.publish(wait=True, alias=f"{src.name}-snapimg")
        images.append(from_snap)
        assert from_snap.type == "virtual-machine"
        snap_child = make_vm("vmsnapchild", alias=f"{src.name}-snapimg")
        assert disk_read(root_img(client, snap_child.name), "/marker") == "at snapshot\n"
    finally:
        for image in images:
            image.delete()


def test_export_import_under_another_name(client: libinstance.Client, make_vm: Callable[..., libinstance.Instance],
                                          extra_names: List[str], tmp_path: Path) -> None:
    src = make_vm("vmbk")
    disk_write(root_img(client, src.name), "/marker", "backed up\n")
    src.snapshots.create("s0")
    target = tmp_path / "vm.tar.gz"
    assert src.export_backup(target) is None
    assert target.is_file()

    other = unique_name("vmbk2")
    extra_names.append(other)
    back = client.instances.import_backup(target, name=other)
    assert back.name == other and back.type == "virtual-machine"
    assert client.instances.get(other).type == "virtual-machine"
    assert [s.name for s in back.snapshots()] == ["s0"]
    disk = root_img(client, other)
    assert disk.is_file() and os.path.getsize(disk) == os.path.getsize(root_img(client, src.name))
    assert disk_read(disk, "/marker") == "backed up\n"
    assert root_img(client, other, "s0").is_file()

    # Instance only, as an operation; the source stays as it was.
    only = tmp_path / "only.tar.zst"
    src.export_backup(only, instance_only=True, compression_algorithm="zstd", wait=False).wait(timeout=300)
    third = unique_name("vmbk3")
    extra_names.append(third)
    op = client.instances.create_from_backup(str(only), wait=False, name=third)
    op.wait(timeout=300)
    made3 = client.instances.get(third)
    assert made3.type == "virtual-machine" and [s.name for s in made3.snapshots()] == []
    assert disk_read(root_img(client, third), "/marker") == "backed up\n"
    assert [s.name for s in src.snapshots()] == ["s0"]


def test_copy_stopped_vm_and_its_snapshot(client: libinstance.Client, make_vm: Callable[..., libinstance.Instance],
                                          extra_names: List[str]) -> None:
    src = make_vm("vmcp")
    disk_write(root_img(client, src.name), "/marker", "original\n")
    src.snapshots.create("s0")
    disk_write(root_img(client, src.name), "/marker", "later\n")

    copy_name, from_snap, through_create = unique_name("vmcp2"), unique_name("vmcp3"), unique_name("vmcp4")
    extra_names.extend([copy_name, from_snap, through_create])
    copy = src.copy(copy_name, wait=True)
    assert copy.name == copy_name and copy.type == "virtual-machine"
    assert os.path.getsize(root_img(client, copy_name)) == os.path.getsize(root_img(client, src.name))
    assert disk_read(root_img(client, copy_name), "/marker") == "later\n"
    # The copy's disk is its own.
    disk_write(root_img(client, copy_name), "/marker", "changed in the copy\n")
    assert disk_read(root_img(client, src.name), "/marker") == "later\n"

    made_from_snap = client.instances.create({"name": from_snap, "source": {"type": "copy", "source": f"{src.name}/s0"}},
                                             wait=True)
    assert made_from_snap.type == "virtual-machine"
    assert disk_read(root_img(client, from_snap), "/marker") == "original\n"
    created = client.instances.create({"name": through_create, "type": "virtual-machine",
                                       "source": {"type": "copy", "source": src.name}}, wait=True)
    assert created.type == "virtual-machine" and disk_read(root_img(client, through_create), "/marker") == "later\n"


def test_snapshot_and_restore_stopped_vm(client: libinstance.Client, make_vm: Callable[..., libinstance.Instance]) -> None:
    vm = make_vm("vmsnap")
    disk = root_img(client, vm.name)
    disk_write(disk, "/marker", "before\n")
    snap = vm.snapshots.create("s0")
    assert snap.name == "s0" and [s.name for s in vm.snapshots()] == ["s0"]
    snap_disk = root_img(client, vm.name, "s0")
    assert snap_disk.is_file() and os.path.getsize(snap_disk) == os.path.getsize(disk)
    disk_write(disk, "/marker", "after\n")
    assert disk_read(snap_disk, "/marker") == "before\n"

    vm.restore_snapshot("s0")
    assert disk_read(disk, "/marker") == "before\n"
    assert client.instances.get(vm.name).type == "virtual-machine"
    vm.snapshots.get("s0").delete(wait=True)
    assert vm.snapshots() == [] and not snap_disk.exists()


def test_vm_volumes_are_listed_as_block(client: libinstance.Client, make_vm: Callable[..., libinstance.Instance]) -> None:
    vm = make_vm("vmvol")
    pool = client.storage_pools.get("default")
    listed = {(v.type, v.name): v for v in pool.volumes.all()}
    assert ("container", vm.name) not in listed
    assert listed[("virtual-machine", vm.name)].content_type == "block"
    got = pool.volumes.get("virtual-machine", vm.name)
    assert got.type == "virtual-machine" and got.content_type == "block"
    assert got.used_by == [f"/1.0/instances/{vm.name}"]


def test_block_volume_on_a_vm_refused_by_a_container(client: libinstance.Client,
                                                     make_vm: Callable[..., libinstance.Instance],
                                                     make_instance: Callable[..., libinstance.Instance]) -> None:
    pool = client.storage_pools.get("default")
    name = unique_name("blk")
    vol = pool.volumes.create({"name": name, "type": "custom", "content_type": "block", "config": {"size": "64MiB"}})
    try:
        assert vol.content_type == "block" and vol.config["size"] == "64MiB"
        assert pool.volumes.get("custom", name).content_type == "block"
        assert next(v for v in pool.volumes.all() if v.name == name).content_type == "block"
        disk = Path(client.state_dir, "storage-pools", "default", "custom", name, "root.img")
        assert os.path.getsize(disk) == 64 << 20 and os.stat(disk).st_blocks == 0  # sparse

        vm = make_vm("vmblk")
        vm.device_add("blk", {"type": "disk", "pool": "default", "source": name})
        assert client.instances.get(vm.name).devices["blk"] == {"type": "disk", "pool": "default", "source": name}
        assert pool.volumes.get("custom", name).used_by == [f"/1.0/instances/{vm.name}"]

        ct = make_instance("ctblk", start=False)
        with pytest.raises(libinstance.InvalidArgument) as e:
            ct.device_add("blk", {"type": "disk", "pool": "default", "source": name, "path": "/mnt"})
        assert e.value.key == "devices.blk.source"
        assert name in str(e.value) and "virtual machine" in str(e.value)
        assert client.instances.get(ct.name).devices == {}
        with pytest.raises(libinstance.InvalidArgument):
            make_instance("ctblk2", start=False, devices={"blk": {"type": "disk", "pool": "default", "source": name}})

        with pytest.raises(libinstance.Busy) as busy:
            pool.volumes.get("custom", name).delete()
        assert vm.name in str(busy.value)
        vm.device_remove("blk")
        assert pool.volumes.get("custom", name).used_by == []

        # A copy is a block volume too, with a disk of the same size.
        copy = pool.volumes.get("custom", name).copy(name + "-cp")
        try:
            assert copy.content_type == "block" and pool.volumes.get("custom", name + "-cp").content_type == "block"
            assert os.path.getsize(disk.parent.parent / (name + "-cp") / "root.img") == 64 << 20
        finally:
            copy.delete()
    finally:
        pool.volumes.get("custom", name).delete()
    assert not disk.exists()
