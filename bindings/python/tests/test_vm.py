"""A real virtual machine through Python (TCG where KVM is unusable): launched from the debian-vm
image (cached in $LIBINSTANCE_CACHE_DIR), its state, a command and files through the guest agent,
a graceful stop and the delete; a container image as a VM's source is refused, nothing left."""

from __future__ import annotations

import os
import time

import pytest

import libinstance
from conftest import unique_name


def vm_config(name: str, alias: str) -> dict:
    return {"name": name, "type": "virtual-machine", "config": {"limits.memory": "256MiB"},
            "source": {"type": "image", "alias": alias}}


def test_vm_launch_exec_files_stop_delete(client: libinstance.Client) -> None:
    image = client.images.build("debian-vm", alias="py-vm", cache_dir=os.environ.get("LIBINSTANCE_CACHE_DIR"))
    name = unique_name("vm")
    try:
        vm = client.instances.create(vm_config(name, "py-vm"), wait=True)
        assert vm.type == "virtual-machine"
        vm.start(wait=True)
        state = vm.state()
        assert state.status == "Running"
        assert state.accelerator in ("tcg", "kvm")

        # The first command waits for the guest to boot and its agent to answer.
        started = time.monotonic()
        exit_code, out, _ = vm.execute(["uname", "-r"])
        print(f"exec ready after {time.monotonic() - started:.1f} s")
        assert exit_code == 0 and out.strip().endswith("-amd64")
        assert vm.execute(["sh", "-c", "echo err >&2; exit 3"])[0] == 3

        vm.files.put("/root/py.txt", b"hello vm from python\n", mode=0o640)
        assert vm.files.get("/root/py.txt") == b"hello vm from python\n"
        assert vm.execute(["stat", "-c", "%a", "/root/py.txt"]).stdout == "640\n"

        vm.stop(timeout=60, wait=True)  # ACPI shutdown: the guest powers off on its own
        assert vm.state().status == "Stopped"
        with pytest.raises(libinstance.Conflict):
            vm.execute(["true"])
        vm.delete(wait=True)
        with pytest.raises(libinstance.NotFound):
            client.instances.get(name)
    finally:
        try:
            client.instances.get(name).delete(force=True)
        except libinstance.NotFound:
            pass
        image.delete()


def test_container_image_as_vm_source_is_refused(client: libinstance.Client) -> None:
    name = unique_name("vm-bad")
    with pytest.raises(libinstance.InvalidArgument) as e:
        client.instances.create(vm_config(name, "busybox"), wait=True)
    assert e.value.key == "source"
    assert not client.instances.exists(name)
    assert not os.path.exists(os.path.join(client.state_dir, "storage-pools", "default", "containers", name))
