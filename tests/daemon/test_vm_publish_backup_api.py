"""Stopped virtual machines through instanced, driven by Debian's real `lxc` client and pylxd:
snapshot, copy, publish (an image of type virtual-machine), export and import (a backup tarball
holding the disk), and custom block volumes (content_type block) as a VM's extra disk, which a
container refuses. No VM boots: every VM is made with `init` from the debian-vm image."""
import json
import os
import tarfile

import pytest
import yaml

from conftest import daemon_with_images, pylxd


@pytest.fixture(scope="module")
def vmd():
    yield from daemon_with_images(["busybox", "debian-vm"])


def disk(state, name):
    """The VM's disk image file as the daemon keeps it (the default pool is a dir pool)."""
    return os.path.join(state, "storage-pools", "default", "containers", name, "root.img")


def instance(lxc, name):
    return json.loads(lxc.ok("query", f"/1.0/instances/{name}"))


def test_stopped_vm_snapshot_and_copy(vmd):
    state, lxc, _ = vmd
    lxc.ok("init", "debian-vm", "v1", "--vm", "-c", "limits.memory=256MiB", timeout=300)
    assert instance(lxc, "v1")["type"] == "virtual-machine"
    size = os.path.getsize(disk(state, "v1"))
    assert size > 0

    lxc.ok("snapshot", "v1", "s0")
    snaps = json.loads(lxc.ok("query", "/1.0/instances/v1/snapshots?recursion=1"))
    assert [s["name"] for s in snaps] == ["s0"]
    assert "s0" in lxc.ok("info", "v1")

    lxc.ok("copy", "v1", "v2", timeout=300)
    assert instance(lxc, "v2")["type"] == "virtual-machine"
    assert os.path.getsize(disk(state, "v2")) == size
    rows = {r["name"]: r for r in json.loads(lxc.ok("list", "--format", "json"))}
    assert rows["v2"]["type"] == "virtual-machine" and rows["v2"]["status"] == "Stopped"
    # lxc copy takes the snapshots along (not --instance-only), each with its own disk.
    assert [s["name"] for s in json.loads(lxc.ok("query", "/1.0/instances/v2/snapshots?recursion=1"))] == ["s0"]
    assert instance(lxc, "v2")["config"]["volatile.base_image"] == instance(lxc, "v1")["config"]["volatile.base_image"]


def test_stopped_vm_and_its_snapshot_publish_as_vm_images(vmd, tmp_path):
    state, lxc, _ = vmd
    lxc.ok("init", "debian-vm", "p1", "--vm", timeout=300)
    lxc.ok("snapshot", "p1", "s0")
    lxc.ok("publish", "p1", "--alias", "pub", timeout=600)
    image = json.loads(lxc.ok("query", "/1.0/images/pub"))
    assert image["type"] == "virtual-machine"
    assert "VIRTUAL-MACHINE" in lxc.ok("image", "list", "pub", "--format", "csv")
    info = lxc.ok("image", "info", "pub")
    assert "Type: virtual-machine" in info or "VIRTUAL-MACHINE" in info.upper(), info
    lxc.ok("init", "pub", "v3", "--vm", timeout=300)
    assert instance(lxc, "v3")["type"] == "virtual-machine"
    assert os.path.getsize(disk(state, "v3")) == os.path.getsize(disk(state, "p1"))

    # The image is split: a metadata tarball and the disk as qcow2.
    out = tmp_path / "pub"
    out.mkdir()
    lxc.ok("image", "export", "pub", str(out) + "/", timeout=600)
    files = list(out.iterdir())
    disks = [f for f in files if f.open("rb").read(4) == b"QFI\xfb"]  # qcow2's magic
    assert len(files) == 2 and len(disks) == 1, files
    with tarfile.open(next(f for f in files if f not in disks)) as tar:
        assert "metadata.yaml" in tar.getnames()

    # A snapshot publishes too.
    lxc.ok("publish", "p1/s0", "--alias", "pubsnap", timeout=600)
    assert json.loads(lxc.ok("query", "/1.0/images/pubsnap"))["type"] == "virtual-machine"
    # pylxd 2.2.10's Image model has no type: its raw API reads it.
    seen = pylxd(state, ("fp = client.images.get_by_alias('pubsnap').fingerprint\n"
                         "print(client.api.images[fp].get().json()['metadata']['type'])\n"))
    assert seen.strip() == "virtual-machine"


def test_stopped_vm_export_and_import(vmd, tmp_path):
    state, lxc, _ = vmd
    lxc.ok("init", "debian-vm", "e1", "--vm", "-c", "user.mark=exported", timeout=300)
    lxc.ok("snapshot", "e1", "s0")
    size = os.path.getsize(disk(state, "e1"))
    target = str(tmp_path / "e1.tar.gz")
    lxc.ok("export", "e1", target, timeout=600)
    # Our own layout (ADR 0015): the volume's files under backup/container/, the index's type
    # virtual-machine; the disk inside is the VM's, at its size.
    with tarfile.open(target) as tar:
        index = yaml.safe_load(tar.extractfile("backup/index.yaml"))
        assert tar.getmember("backup/container/root.img").size == size
        assert "backup/snapshots/s0/root.img" in tar.getnames()
    assert index["type"] == "virtual-machine" and index["snapshots"] == ["s0"], index

    lxc.ok("import", target, "e2", timeout=600)
    rows = {r["name"]: r for r in json.loads(lxc.ok("list", "--format", "json"))}
    assert rows["e2"]["type"] == "virtual-machine"
    conf = lxc.ok("config", "show", "e2")
    assert "user.mark: exported" in conf
    assert os.path.getsize(disk(state, "e2")) == size
    assert [s["name"] for s in json.loads(lxc.ok("query", "/1.0/instances/e2/snapshots?recursion=1"))] == ["s0"]

    target2 = str(tmp_path / "e1-only.tar.gz")
    # Optimized backups are a btrfs pool's send stream; the default dir pool says so.
    r = lxc.run("export", "e1", target2, "--optimized-storage")
    assert r.returncode != 0 and "optimized backups need a btrfs pool" in r.stderr, r.stderr
    lxc.ok("export", "e1", target2, "--instance-only", timeout=600)
    with tarfile.open(target2) as tar:
        assert not any(n.startswith("backup/snapshots/") for n in tar.getnames())
    lxc.ok("import", target2, "e3", timeout=600)
    assert instance(lxc, "e3")["type"] == "virtual-machine"
    assert json.loads(lxc.ok("query", "/1.0/instances/e3/snapshots")) == []


def test_block_volume_on_a_vm_refused_on_a_container(vmd):
    state, lxc, _ = vmd
    lxc.ok("storage", "volume", "create", "default", "blk", "--type=block", "size=64MiB")
    shown = lxc.ok("storage", "volume", "show", "default", "blk")
    assert "content_type: block" in shown, shown
    vols = json.loads(lxc.ok("query", "/1.0/storage-pools/default/volumes/custom?recursion=1"))
    blk = next(v for v in vols if v["name"] == "blk")
    assert blk["content_type"] == "block" and blk["config"]["size"] == "64MiB"
    img = os.path.join(state, "storage-pools", "default", "custom", "blk", "root.img")
    assert os.path.getsize(img) == 64 * 1024 * 1024

    lxc.ok("init", "debian-vm", "b1", "--vm", timeout=300)
    lxc.ok("config", "device", "add", "b1", "blk", "disk", "pool=default", "source=blk")
    assert instance(lxc, "b1")["devices"]["blk"] == {"type": "disk", "pool": "default", "source": "blk"}
    used = json.loads(lxc.ok("query", "/1.0/storage-pools/default/volumes/custom/blk"))["used_by"]
    assert used == ["/1.0/instances/b1"]

    lxc.ok("init", "busybox", "c1")
    r = lxc.run("config", "device", "add", "c1", "blk", "disk", "pool=default", "source=blk", "path=/mnt")
    assert r.returncode != 0 and 'device "blk": storage volume "blk" is a block volume' in r.stderr, r.stderr
    assert "blk" not in instance(lxc, "c1")["devices"]
    # A container copies through lxc too (it sends volatile.base_image as the VM copy does).
    lxc.ok("copy", "c1", "c2")
    assert instance(lxc, "c2")["type"] == "container"
