#!/usr/bin/env python3
"""Boots an unpacked debian-vm image volume under plain QEMU (TCG, no libvirt) and checks that
its init reaches the agent start and that an ACPI power-button press powers it off.

usage: boot_vm_image.py <volume dir with boot/vmlinuz, boot/initrd.img and root.img> [timeout s]
Prints the seconds to the agent start and to power-off; exit 0 when both happened in time.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time


def main() -> int:
    volume = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 90
    with tempfile.TemporaryDirectory(prefix="li-vm-boot-") as tmp:
        log, monitor = os.path.join(tmp, "console.log"), os.path.join(tmp, "monitor.sock")
        # The root disk is written by the guest: boot a throw-away overlay, not the volume itself.
        disk = os.path.join(tmp, "overlay.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                        os.path.abspath(os.path.join(volume, "root.img")), disk], check=True)
        argv = ["qemu-system-x86_64", "-machine", "q35,accel=tcg", "-m", "256", "-nographic", "-nodefaults",
                "-kernel", os.path.join(volume, "boot/vmlinuz"), "-initrd", os.path.join(volume, "boot/initrd.img"),
                "-append", "root=/dev/vda rw console=ttyS0",
                "-drive", f"file={disk},format=qcow2,if=virtio",
                "-chardev", f"socket,id=agent,path={tmp}/agent.sock,server=on,wait=off",
                "-device", "virtio-serial", "-device", "virtserialport,chardev=agent,name=org.libinstance.agent.0",
                "-serial", f"file:{log}", "-monitor", f"unix:{monitor},server=on,wait=off"]
        start = time.monotonic()
        qemu = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            agent_at = None
            while time.monotonic() - start < timeout and qemu.poll() is None:
                text = open(log, errors="replace").read() if os.path.exists(log) else ""
                if "libinstance-vm: starting vm-agent" in text:
                    agent_at = time.monotonic() - start
                    break
                time.sleep(0.2)
            if agent_at is None:
                print(f"FAIL: no agent start within {timeout:.0f} s; console:\n{open(log, errors='replace').read()[-3000:]}")
                return 1
            print(f"agent started after {agent_at:.1f} s")
            time.sleep(1)  # acpid is started just before the agent
            with socket.socket(socket.AF_UNIX) as mon:
                mon.connect(monitor)
                mon.sendall(b"system_powerdown\n")
                pressed = time.monotonic()
                try:
                    qemu.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    print(f"FAIL: no power-off 30 s after the ACPI power button; console:\n"
                          f"{open(log, errors='replace').read()[-3000:]}")
                    return 1
            print(f"powered off {time.monotonic() - pressed:.1f} s after the ACPI power button")
            text = open(log, errors="replace").read()
            for needle in ("libinstance-vm: system started", "reboot: Power down"):
                if needle not in text:
                    print(f"FAIL: console has no {needle!r}")
                    return 1
            return 0
        finally:
            if qemu.poll() is None:
                qemu.kill()
                qemu.wait()


if __name__ == "__main__":
    sys.exit(main())
