#!/usr/bin/env python3
"""VM launch benchmark (issue 11): launch-to-exec-ready time of a `debian-vm` virtual machine under
TCG, against plain qemu-system-x86_64 booting the same kernel, initrd and disk as the floor.

  - libinstance: `inst launch vm vN --vm -c limits.memory=256MiB`, then `inst exec vN -- true`
    (which waits for the guest agent), whole client processes; launch and exec are also shown
    apart. `inst delete -f vN` after each iteration is not timed.
  - floor: qemu-system-x86_64 (q35, TCG, 256 MiB, 1 vCPU, qemu64) with the image volume's
    boot/vmlinuz and boot/initrd.img, the driver's kernel command line, a copy of its root.img (of
    the instance's disk size) on virtio, a virtio RNG and the agent's virtio-serial port on a unix socket
    (the devices of the driver's domain for a VM without a NIC, as in a fresh state dir);
    timed from spawning QEMU until `true` ran in the guest through the driver's own agent client
    (build/bench/vm-agent-ready: same connect retry, same hello).

The image is built once (`inst image build debian-vm`, its kernel .deb cached in
LIBINSTANCE_CACHE_DIR or --cache-dir, else a temporary cache) and launched once before measuring,
so the image volume's unpack (qcow2 to raw, once per pool) is excluded. Iterations alternate
libinstance and floor, so slow phases of the machine hit both alike.
Run as root from the project root after building:
    python3 bench/vm_launch.py [--iterations N] [--build-dir build] [--json FILE]
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time

from bench_common import Inst, median, run

MEMORY_MIB = 256
# vm_kernel_cmdline() in lib/instance/drivers/qemu/qemu_render.cpp, for a VM without shares.
KERNEL_CMDLINE = "root=/dev/vda rw console=ttyS0 panic=-1 quiet"
AGENT_PORT = "org.libinstance.agent.0"
AGENT_TIMEOUT_MS = 300000


def ms(t0):
    return (time.perf_counter() - t0) * 1000


def bench_libinstance(inst, name):
    """(launch, exec, total) ms: exec is retried until it succeeds (it waits for the agent itself)."""
    t0 = time.perf_counter()
    inst("launch", "vm", name, "--vm", "-c", f"limits.memory={MEMORY_MIB}MiB")
    launch = ms(t0)
    t1 = time.perf_counter()
    while True:
        r = inst.quiet("exec", name, "--", "true")
        if r.returncode == 0:
            break
        if ms(t1) > AGENT_TIMEOUT_MS:
            raise SystemExit(f"bench: inst exec {name} -- true kept failing: {r.stderr.strip()}")
        time.sleep(0.05)
    return launch, ms(t1), ms(t0)


def bench_floor(qemu, ready_tool, boot, image_root, disk_size, work, i):
    """(agent connected, total) ms from spawning QEMU until `true` ran in the guest."""
    d = os.path.join(work, f"floor-{i}")
    os.makedirs(d)
    disk = os.path.join(d, "root.img")
    run(["cp", "--sparse=always", "--reflink=auto", image_root, disk])
    os.truncate(disk, disk_size)
    sock = os.path.join(d, "agent.sock")
    cmd = [qemu, "-machine", "q35,accel=tcg", "-cpu", "qemu64", "-smp", "1", "-m", str(MEMORY_MIB),
           "-nographic", "-nodefaults",
           "-kernel", os.path.join(boot, "vmlinuz"), "-initrd", os.path.join(boot, "initrd.img"),
           "-append", KERNEL_CMDLINE,
           "-drive", f"file={disk},format=raw,if=virtio",
           "-device", "virtio-serial", "-chardev", f"socket,id=a,path={sock},server=on,wait=off",
           "-device", f"virtserialport,chardev=a,name={AGENT_PORT}",
           # The driver's domain has a virtio RNG too: without it the guest's boot waits for entropy.
           "-object", "rng-random,id=rng0,filename=/dev/urandom", "-device", "virtio-rng-pci,rng=rng0",
           "-serial", f"file:{os.path.join(d, 'console.log')}"]
    t0 = time.perf_counter()
    vm = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        r = subprocess.run([ready_tool, sock, str(AGENT_TIMEOUT_MS)], capture_output=True, text=True)
        total = ms(t0)
        if r.returncode != 0:
            raise SystemExit(f"bench: the floor's agent never answered: {r.stderr.strip()} "
                             f"(QEMU: {vm.poll()}, console: {os.path.join(d, 'console.log')})")
        connected = json.loads(r.stdout)["connected_ms"]
    finally:
        vm.kill()
        vm.wait()
    shutil.rmtree(d)
    return connected, total


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iterations", type=int, default=5)
    p.add_argument("--build-dir", default="build")
    p.add_argument("--cache-dir", default=os.environ.get("LIBINSTANCE_CACHE_DIR"),
                   help="builder cache (default: $LIBINSTANCE_CACHE_DIR, else a temporary one)")
    p.add_argument("--json", help="also write the per-iteration times here")
    args = p.parse_args()
    binary = os.path.abspath(os.path.join(args.build_dir, "tools", "inst", "inst"))
    ready_tool = os.path.abspath(os.path.join(args.build_dir, "bench", "vm-agent-ready"))
    qemu = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"
    work = tempfile.mkdtemp(prefix="li-vmbench-")
    os.chmod(work, 0o711)
    cache_dir = os.path.abspath(args.cache_dir) if args.cache_dir else os.path.join(work, "cache")
    os.makedirs(cache_dir, exist_ok=True)
    state = os.path.join(work, "state")
    inst = Inst(binary, state, cache_dir)
    try:
        t0 = time.perf_counter()
        inst("image", "build", "debian-vm", "--alias", "vm")
        build_ms = ms(t0)
        # The first launch unpacks the image volume (qcow2 to raw) on the pool: shown apart.
        first = bench_libinstance(inst, "v-first")
        listing = json.loads(inst("list", "--format", "json").stdout)
        fingerprint = next(i["config"]["volatile.base_image"] for i in listing if i["name"] == "v-first")
        accelerator = next((i.get("state") or {}).get("accelerator") for i in listing if i["name"] == "v-first")
        pool = os.path.join(state, "storage-pools", "default")
        image_vol = os.path.join(pool, "images", fingerprint)
        instance_disk = next(iter(glob.glob(os.path.join(pool, "*", "v-first", "root.img"))))
        disk_size = os.stat(instance_disk).st_size
        inst("delete", "-f", "v-first")
        li, floor = [], []
        for i in range(args.iterations):
            li.append(bench_libinstance(inst, f"v{i}"))
            inst("delete", "-f", f"v{i}")
            floor.append(bench_floor(qemu, ready_tool, os.path.join(image_vol, "boot"),
                                     os.path.join(image_vol, "root.img"), disk_size, work, i))
        rows = [("libinstance launch", [x[0] for x in li]),
                ("libinstance exec (agent wait)", [x[1] for x in li]),
                ("libinstance launch+exec", [x[2] for x in li]),
                ("floor: QEMU to agent hello", [x[0] for x in floor]),
                ("floor: QEMU to exec true", [x[1] for x in floor])]
        print(f"image build {build_ms / 1000:.1f} s; first launch+exec (unpacks the image) {first[2] / 1000:.2f} s; "
              f"accelerator {accelerator or '?'}; {MEMORY_MIB} MiB; disk {disk_size >> 20} MiB")
        print(f"{'':32} {'median ms':>10} {'min ms':>10}")
        for label, values in rows:
            print(f"{label:32} {median(values):10.0f} {min(values):10.0f}")
        ratio = median(rows[2][1]) / median(rows[4][1])
        ratio_min = min(rows[2][1]) / min(rows[4][1])
        print(f"\nlibinstance / floor: {ratio:.2f}x (medians), {ratio_min:.2f}x (mins); "
              f"overhead {median(rows[2][1]) - median(rows[4][1]):.0f} ms")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"iterations": args.iterations, "memory_mib": MEMORY_MIB, "accelerator": accelerator,
                           "first_ms": first, "rows": dict(rows), "ratio_median": ratio, "ratio_min": ratio_min},
                          f, indent=1)
    finally:
        for r in json.loads(inst.quiet("list", "--format", "json").stdout or "[]"):
            inst.quiet("delete", "-f", r["name"])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
