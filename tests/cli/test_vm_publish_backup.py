"""Stopped virtual machines through `inst` (lxc 5.0.2 syntax), none booted: publish (of the VM and
of a snapshot) as virtual-machine images that `image list` shows as VIRTUAL-MACHINE and that make
VMs holding the disk; export and import under another name; copy; snapshot and restore; the VM's
volume listed as a virtual-machine block volume; a custom block volume (`--type=block`) attached
to a VM and refused by a container naming it. The disks are checked on the host: root.img, an
ext4 image, read and written with debugfs (a marker file)."""

import json
import os
import re
import sys
import tarfile

import pytest
import yaml

from conftest import assert_error
from test_cli import table_rows

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import vm_disk  # noqa: E402  (tests/support)
from vm_disk import disk_read, disk_write  # noqa: E402

pytestmark = pytest.mark.skipif(not vm_disk.HAVE_DEBUGFS, reason="debugfs (e2fsprogs) checks the VM disks")

VMS = ("vp1", "vp2", "vp3", "vp4", "vp5", "vp6", "ct-vm")


@pytest.fixture(scope="module")
def vm(inst):
    """The debian-vm image (alias "vmimg") and a stopped VM vp1 made from it; every VM these tests
    make is deleted afterwards."""
    inst.ok("image", "build", "debian-vm", "--alias", "vmimg")
    inst.ok("init", "vmimg", "vp1", "--vm", "-c", "limits.memory=256MiB")
    yield "vp1"
    for name in VMS:
        inst.run("delete", "--force", name)
    inst.run("image", "delete", "vmimg")


@pytest.fixture
def cleanup(inst):
    """Names a test makes from vp1, force-deleted afterwards."""
    names = []
    yield names
    for name in names:
        inst.run("delete", "--force", name)


def disk(inst, name, snapshot=""):
    return vm_disk.root_img(inst.state_dir, name, snapshot)


def images(inst):
    return json.loads(inst.ok("image", "list", "--format", "json").stdout)


def image_type(inst, alias):
    return next(i["type"] for i in images(inst) if any(a["name"] == alias for a in i["aliases"]))


def instance_type(inst, name):
    return inst.instance(name)["type"]


def test_publish_stopped_vm_and_snapshot(inst, vm, cleanup):
    cleanup.extend(["vp2", "vp3"])
    disk_write(disk(inst, vm), "/marker", "at snapshot\n")
    inst.ok("snapshot", vm, "pub0")
    disk_write(disk(inst, vm), "/marker", "published\n")
    try:
        r = inst.ok("publish", vm, "--alias", "vmpub")
        fp = re.search(r"Instance published with fingerprint: ([0-9a-f]{64})", r.stdout).group(1)
        assert image_type(inst, "vmpub") == "virtual-machine"
        # The table's TYPE column, as lxc's.
        rows = table_rows(inst.ok("image", "list").stdout)
        type_col = rows[0].index("TYPE")
        assert next(r for r in rows[1:] if r[0] == "vmpub")[type_col] == "VIRTUAL-MACHINE"
        assert next(r for r in rows[1:] if r[0] == "busybox")[type_col] == "CONTAINER"
        assert f"vmpub,{fp[:12]}," in inst.ok("image", "list", "--format", "csv").stdout
        assert "Type: virtual-machine" in inst.ok("image", "info", "vmpub").stdout

        inst.ok("init", "vmpub", "vp2", "--vm", "-c", "limits.memory=256MiB")
        assert instance_type(inst, "vp2") == "virtual-machine"
        assert disk_read(disk(inst, "vp2"), "/marker") == "published\n"
        # A VM image makes no container; nothing is left.
        assert_error(inst.run("init", "vmpub", "ct-vm"), "vmpub", "virtual-machine")
        assert inst.instance("ct-vm") is None

        # A snapshot publishes as well, with the disk as it was then.
        inst.ok("publish", f"{vm}/pub0", "--alias", "vmsnappub")
        assert image_type(inst, "vmsnappub") == "virtual-machine"
        inst.ok("init", "vmsnappub", "vp3", "--vm")
        assert disk_read(disk(inst, "vp3"), "/marker") == "at snapshot\n"
    finally:
        inst.run("delete", f"{vm}/pub0")
        inst.run("image", "delete", "vmpub")
        inst.run("image", "delete", "vmsnappub")


def test_export_import_under_another_name(inst, vm, cleanup, tmp_path):
    cleanup.extend(["vp4", "vp5"])
    disk_write(disk(inst, vm), "/marker", "backed up\n")
    inst.ok("snapshot", vm, "bk0")
    try:
        full = tmp_path / "vm.tar.gz"
        assert "Backup exported successfully!" in inst.ok("export", vm, str(full)).stdout
        with tarfile.open(full) as t:
            index = yaml.safe_load(t.extractfile("backup/index.yaml"))
            assert t.getmember("backup/container/root.img").size == os.path.getsize(disk(inst, vm))
        assert index["type"] == "virtual-machine" and index["snapshots"] == ["bk0"]
        # The name the backup holds is taken: refused naming it.
        assert_error(inst.run("import", str(full)), vm)

        inst.ok("import", str(full), "vp4")
        assert instance_type(inst, "vp4") == "virtual-machine"
        assert "VIRTUAL-MACHINE" in next(r for r in table_rows(inst.ok("list").stdout)[1:] if r[0] == "vp4")
        assert [s["name"] for s in inst.instance("vp4")["snapshots"]] == ["bk0"]
        assert os.path.getsize(disk(inst, "vp4")) == os.path.getsize(disk(inst, vm))
        assert disk_read(disk(inst, "vp4"), "/marker") == "backed up\n"
        assert os.path.isfile(disk(inst, "vp4", "bk0"))

        only = tmp_path / "only.tar.xz"
        inst.ok("export", vm, str(only), "--instance-only", "--compression", "xz")
        inst.ok("import", str(only), "vp5")
        assert instance_type(inst, "vp5") == "virtual-machine" and not inst.instance("vp5").get("snapshots")
        assert disk_read(disk(inst, "vp5"), "/marker") == "backed up\n"
    finally:
        inst.run("delete", f"{vm}/bk0")


def test_copy_snapshot_restore_stopped_vm(inst, vm, cleanup):
    cleanup.extend(["vp6", "vp4"])
    disk_write(disk(inst, vm), "/marker", "original\n")
    inst.ok("snapshot", vm, "cp0")
    try:
        assert "cp0" in inst.ok("info", vm).stdout
        assert os.path.getsize(disk(inst, vm, "cp0")) == os.path.getsize(disk(inst, vm))
        disk_write(disk(inst, vm), "/marker", "later\n")
        assert disk_read(disk(inst, vm, "cp0"), "/marker") == "original\n"

        inst.ok("copy", vm, "vp6")
        assert instance_type(inst, "vp6") == "virtual-machine"
        assert inst.instance("vp6")["status"] == "Stopped"
        assert os.path.getsize(disk(inst, "vp6")) == os.path.getsize(disk(inst, vm))
        assert disk_read(disk(inst, "vp6"), "/marker") == "later\n"
        disk_write(disk(inst, "vp6"), "/marker", "changed in the copy\n")
        assert disk_read(disk(inst, vm), "/marker") == "later\n"
        inst.ok("copy", f"{vm}/cp0", "vp4")
        assert instance_type(inst, "vp4") == "virtual-machine"
        assert disk_read(disk(inst, "vp4"), "/marker") == "original\n"

        inst.ok("restore", vm, "cp0")
        assert disk_read(disk(inst, vm), "/marker") == "original\n"
    finally:
        inst.run("delete", f"{vm}/cp0")
    assert not os.path.exists(disk(inst, vm, "cp0"))


def test_vm_volume_is_a_virtual_machine_block_volume(inst, vm):
    listed = {(v["type"], v["name"]): v
              for v in json.loads(inst.ok("storage", "volume", "list", "default", "--format", "json").stdout)}
    assert ("container", vm) not in listed
    assert listed[("virtual-machine", vm)]["content_type"] == "block"
    shown = yaml.safe_load(inst.ok("storage", "volume", "show", "default", f"virtual-machine/{vm}").stdout)
    assert shown["type"] == "virtual-machine" and shown["content_type"] == "block"
    assert shown["used_by"] == [f"/1.0/instances/{vm}"]


def test_block_volume_on_a_vm_refused_by_a_container(inst, vm, c1):
    inst.ok("storage", "volume", "create", "default", "blk", "--type=block", "size=64MiB")
    try:
        rows = table_rows(inst.ok("storage", "volume", "list", "default").stdout)
        content_col = rows[0].index("CONTENT-TYPE")
        assert next(r for r in rows[1:] if r[1] == "blk")[content_col] == "block"
        shown = yaml.safe_load(inst.ok("storage", "volume", "show", "default", "blk").stdout)
        assert shown["content_type"] == "block" and shown["config"]["size"] == "64MiB"
        img = os.path.join(inst.state_dir, "storage-pools", "default", "custom", "blk", "root.img")
        assert os.path.getsize(img) == 64 << 20

        assert "Device blk added to vp1" in inst.ok("config", "device", "add", vm, "blk", "disk",
                                                    "pool=default", "source=blk").stdout
        assert yaml.safe_load(inst.ok("config", "device", "show", vm).stdout)["blk"] == \
            {"type": "disk", "pool": "default", "source": "blk"}
        shown = yaml.safe_load(inst.ok("storage", "volume", "show", "default", "blk").stdout)
        assert shown["used_by"] == [f"/1.0/instances/{vm}"]
        assert_error(inst.run("storage", "volume", "delete", "default", "blk"), "blk")

        before = inst.ok("config", "show", c1).stdout
        assert_error(inst.run("config", "device", "add", c1, "blk", "disk", "pool=default", "source=blk"),
                     "blk", "block volume can only be attached to a virtual machine")
        assert inst.ok("config", "show", c1).stdout == before
        assert yaml.safe_load(before)["devices"] == {}

        inst.ok("config", "device", "remove", vm, "blk")

        # lxc's attach takes no path for a block volume; a container refuses it the same way.
        inst.ok("storage", "volume", "attach", "default", "blk", vm)
        assert yaml.safe_load(inst.ok("config", "device", "show", vm).stdout)["blk"]["source"] == "blk"
        inst.ok("storage", "volume", "detach", "default", "blk", vm)
        assert "blk" not in (yaml.safe_load(inst.ok("config", "device", "show", vm).stdout) or {})
        assert_error(inst.run("storage", "volume", "attach", "default", "blk", c1, "/mnt"), "blk", "virtual machine")
        assert inst.ok("config", "show", c1).stdout == before

        # A copy is a block volume too, with a disk of the same size.
        inst.ok("storage", "volume", "copy", "default/blk", "default/blk2")
        shown = yaml.safe_load(inst.ok("storage", "volume", "show", "default", "blk2").stdout)
        assert shown["content_type"] == "block"
        assert os.path.getsize(img.replace("/blk/", "/blk2/")) == 64 << 20
    finally:
        inst.run("config", "device", "remove", vm, "blk")
        inst.run("storage", "volume", "delete", "default", "blk")
        inst.run("storage", "volume", "delete", "default", "blk2")
    assert not os.path.exists(img)
