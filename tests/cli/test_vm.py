"""A real virtual machine through `inst` (TCG where KVM is unusable): launch --vm from the
debian-vm image (cached in $LIBINSTANCE_CACHE_DIR), list and info, exec and files through the
guest agent, a graceful stop, a snapshot and the delete; a container image as a VM's source is
refused with nothing left."""

import os
import time

from conftest import assert_error
from test_cli import table_rows


def test_vm_launch_list_info_exec_files_stop_snapshot_delete(inst, tmp_path):
    inst.ok("image", "build", "debian-vm", "--alias", "vm")
    try:
        started = time.monotonic()
        inst.ok("launch", "vm", "v1", "--vm", "-c", "limits.memory=256MiB")
        assert inst.instance("v1")["type"] == "virtual-machine"
        row = next(r for r in table_rows(inst.ok("list").stdout)[1:] if r[0] == "v1")
        assert "RUNNING" in row and "VIRTUAL-MACHINE" in row
        info = inst.ok("info", "v1").stdout
        assert "Type: virtual-machine" in info and "Status: RUNNING" in info
        assert "Accelerator: tcg" in info or "Accelerator: kvm" in info

        # The first command waits for the guest to boot and its agent to answer.
        r = inst.ok("exec", "v1", "--", "uname", "-r")
        print(f"launch to exec-ready: {time.monotonic() - started:.1f} s")
        assert r.stdout.strip().endswith("-amd64")
        assert inst.run("exec", "v1", "--", "sh", "-c", "exit 3").returncode == 3

        src = tmp_path / "in.txt"
        src.write_text("hello vm from inst\n")
        inst.ok("file", "push", "--mode", "0640", str(src), "v1/root/in.txt")
        assert inst.ok("exec", "v1", "--", "stat", "-c", "%a", "/root/in.txt").stdout == "640\n"
        inst.ok("file", "pull", "v1/root/in.txt", str(tmp_path / "back.txt"))
        assert (tmp_path / "back.txt").read_text() == "hello vm from inst\n"

        inst.ok("stop", "v1", "--timeout", "60")  # ACPI shutdown: the guest powers off on its own
        assert inst.instance("v1")["status"] == "Stopped"
        assert "Accelerator:" not in inst.ok("info", "v1").stdout
        assert_error(inst.run("exec", "v1", "--", "true"))
        inst.ok("snapshot", "v1", "s0")
        assert "s0" in inst.ok("info", "v1").stdout
        inst.ok("delete", "v1")
        assert inst.instance("v1") is None
        assert not os.path.exists(os.path.join(inst.state_dir, "storage-pools", "default", "containers", "v1"))
    finally:
        inst.run("delete", "--force", "v1")
        inst.run("image", "delete", "vm")


def test_container_image_as_vm_source_is_refused(inst):
    assert_error(inst.run("launch", "busybox", "v-bad", "--vm", "-c", "limits.memory=256MiB"),
                 "source: image busybox is a container image")
    assert inst.instance("v-bad") is None
    assert not os.path.exists(os.path.join(inst.state_dir, "storage-pools", "default", "containers", "v-bad"))
