"""The debian-vm builder through Python: a virtual-machine image (split: metadata with the kernel
and initrd, and a qcow2 disk). Real: the kernel package comes through apt into the build cache
($LIBINSTANCE_CACHE_DIR), so only the first run downloads it."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import libinstance


def test_build_debian_vm_is_a_virtual_machine_image(client: libinstance.Client, tmp_path: Path) -> None:
    out = tmp_path / "meta.tar.gz"
    image = client.images.build("debian-vm", alias="py-debian-vm", output_path=out,
                                cache_dir=os.environ.get("LIBINSTANCE_CACHE_DIR"))
    try:
        assert image.type == "virtual-machine"
        assert image.properties["variant"] == "vm-busybox"
        assert client.images.get("py-debian-vm").type == "virtual-machine"
        assert any(i.fingerprint == image.fingerprint and i.type == "virtual-machine" for i in client.images.all())
        with tarfile.open(out) as t:
            names = set(t.getnames())
        assert {"metadata.yaml", "boot/vmlinuz", "boot/initrd.img"} <= names
        assert (tmp_path / "meta.tar.gz.qcow2").read_bytes()[:4] == b"QFI\xfb"
    finally:
        image.delete()


def test_build_debian_vm_refuses_another_release(client: libinstance.Client) -> None:
    try:
        client.images.build("debian-vm", release="no-such-release")
    except libinstance.InvalidArgument as e:
        assert e.key == "release" and "no-such-release" in str(e)
    else:
        raise AssertionError("release no-such-release accepted")
