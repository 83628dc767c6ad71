#!/usr/bin/env python3
"""Storage benchmark (issue 6): instance copy and custom volume snapshot on libinstance's `dir`
pool and on a `btrfs` pool on a loop file, against LXD 5.0.2 on its `dir` pool, in one invocation.

Per image (busybox, and the debootstrapped Debian bookworm image when its build is cached):
  - copy: `inst copy SRC DST` of a stopped container, on the source's pool (on `dir` a new overlay
    layer over the same image, on `btrfs` a subvolume snapshot), against `lxc copy SRC DST`;
  - volume snapshot: `inst storage volume snapshot POOL VOL SNAP` of a custom volume holding the
    image's whole rootfs, against `lxc storage volume snapshot default VOL SNAP` of a custom volume
    with the very same content;
  - instance snapshot (issue 7): `inst snapshot SRC SNAP` of the stopped container against
    `lxc snapshot SRC SNAP`;
  - export (issue 7): `inst export SRC FILE --instance-only` (gzip, LXD's layout) against
    `lxc export SRC FILE --instance-only`.
Every timing is a whole client process (wall clock); what a timed step made is removed untimed
before the next one, so every iteration starts from the same state.

LXD is measured when a daemon answers `lxc info` (start it by hand, see bench/README.md); this
script never starts it. Run as root from the project root after building:
    python3 bench/run_storage.py [--iterations N] [--build-dir build] [--quick]
"""
import argparse
import os
import shutil
import subprocess
import tempfile

from bench_common import Inst, debian_cached, lxd_available, median, run, stored_tarball, teardown_under, timed

POOLS = {"dir": "default", "btrfs": "bt"}  # column -> libinstance pool name
LXD_PREFIX = "li-bench-st"


def fill_from_image(tarball, dest):
    """Unpacks the image's rootfs/ into dest (a custom volume's directory), owners kept."""
    run(["tar", "-xzf", tarball, "-C", dest, "--numeric-owner", "--xattrs", "--xattrs-include=*",
         "--strip-components=1", "rootfs"])


def bench_libinstance(inst, state, image, tarball, pool, iterations):
    """Median-ready lists of copy and volume snapshot milliseconds on one libinstance pool."""
    src = f"src-{image}-{pool}"
    vol = f"vol-{image}"
    inst("init", image, src, "-s", pool)
    copies, inst_snaps, exports = [], [], []
    for i in range(iterations):
        copies.append(inst.timed("copy", src, f"{src}-c{i}"))
        inst("delete", f"{src}-c{i}")
    for i in range(iterations):
        inst_snaps.append(inst.timed("snapshot", src, f"snap{i}"))
        inst("delete", f"{src}/snap{i}")
    backup = os.path.join(state, "bench-backup.tar.gz")
    for i in range(iterations):
        exports.append(inst.timed("export", src, backup, "--instance-only"))
        os.remove(backup)
    inst("delete", src)
    inst("storage", "volume", "create", pool, vol)
    fill_from_image(tarball, os.path.join(state, "storage-pools", pool, "custom", vol))
    snaps = []
    for i in range(iterations):
        snaps.append(inst.timed("storage", "volume", "snapshot", pool, vol, f"snap{i}"))
        inst("storage", "volume", "delete", pool, f"{vol}/snap{i}")
    inst("storage", "volume", "delete", pool, vol)
    return {"copy": copies, "volume snapshot": snaps, "instance snapshot": inst_snaps, "export": exports}


def lxc_quiet(*args):
    return subprocess.run(["lxc", *args], capture_output=True, text=True)


def lxd_pool_source(pool="default"):
    for line in run(["lxc", "storage", "get", pool, "source"]).stdout.splitlines():
        if line.strip():
            return line.strip()
    raise SystemExit(f"bench: LXD pool {pool} has no source")


def bench_lxd(image, tarball, iterations):
    """lxc copy, lxc snapshot and lxc storage volume snapshot on LXD's `dir` pool "default"."""
    alias, src, vol = f"{LXD_PREFIX}-{image}", f"{LXD_PREFIX}-{image}-src", f"{LXD_PREFIX}-{image}-vol"
    lxc_quiet("image", "delete", alias)
    run(["lxc", "image", "import", tarball, "--alias", alias])
    run(["lxc", "init", alias, src])
    copies, inst_snaps, vol_snaps = [], [], []
    for i in range(iterations):
        copies.append(timed(["lxc", "copy", src, f"{src}-c{i}"]))
        run(["lxc", "delete", f"{src}-c{i}"])
    for i in range(iterations):
        inst_snaps.append(timed(["lxc", "snapshot", src, f"snap{i}"]))
        run(["lxc", "delete", f"{src}/snap{i}"])
    exports = []
    backup = os.path.join(tempfile.gettempdir(), f"{LXD_PREFIX}-backup.tar.gz")
    for i in range(iterations):
        exports.append(timed(["lxc", "export", src, backup, "--instance-only"]))
        os.remove(backup)
    run(["lxc", "storage", "volume", "create", "default", vol])
    # LXD names a default-project custom volume "default_<name>" on disk.
    fill_from_image(tarball, os.path.join(lxd_pool_source(), "custom", f"default_{vol}"))
    for i in range(iterations):
        vol_snaps.append(timed(["lxc", "storage", "volume", "snapshot", "default", vol, f"snap{i}"]))
        run(["lxc", "storage", "volume", "delete", "default", f"{vol}/snap{i}"])
    return {"copy": copies, "volume snapshot": vol_snaps, "instance snapshot": inst_snaps, "export": exports}


def cleanup_lxd(images, iterations):
    """Removes every instance, volume and image bench_lxd may have made, whatever step failed."""
    for image in images:
        src, vol = f"{LXD_PREFIX}-{image}-src", f"{LXD_PREFIX}-{image}-vol"
        for i in range(iterations):
            lxc_quiet("delete", "--force", f"{src}-c{i}")
            lxc_quiet("storage", "volume", "delete", "default", f"{vol}/snap{i}")
        lxc_quiet("delete", "--force", src)  # its snapshots go with it
        lxc_quiet("storage", "volume", "delete", "default", vol)
        lxc_quiet("image", "delete", f"{LXD_PREFIX}-{image}")


def cleanup_libinstance(inst, images, iterations):
    """Removes every instance and volume bench_libinstance may have made, then the btrfs pool."""
    for image in images:
        for pool in POOLS.values():
            src, vol = f"src-{image}-{pool}", f"vol-{image}"
            for i in range(iterations):
                inst.quiet("delete", "--force", f"{src}-c{i}")
                inst.quiet("storage", "volume", "delete", pool, f"{vol}/snap{i}")
            inst.quiet("delete", "--force", src)  # its snapshots go with it
            inst.quiet("storage", "volume", "delete", pool, vol)
    inst.quiet("storage", "delete", POOLS["btrfs"])


def fmt_s(ms):
    return f"{ms / 1000:10.3f}" if ms == ms else f"{'-':>10}"


def fmt_ratio(num, den):
    return f"{num / den:9.1f}x" if num == num and den == den and den > 0 else f"{'-':>10}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iterations", type=int, default=5)
    p.add_argument("--build-dir", default="build")
    p.add_argument("--cache-dir", default=None, help="builder cache (default: BUILD/bench-cache)")
    p.add_argument("--quick", action="store_true", help="busybox only")
    p.add_argument("--btrfs-size", default="8GiB", help="size of the btrfs pool's loop file")
    p.add_argument("--no-lxd", action="store_true", help="skip LXD even when it is running")
    args = p.parse_args()
    binary = os.path.abspath(os.path.join(args.build_dir, "tools", "inst", "inst"))
    cache_dir = os.path.abspath(args.cache_dir or os.path.join(args.build_dir, "bench-cache"))
    os.makedirs(cache_dir, exist_ok=True)
    images = ["busybox"]
    if not args.quick:
        if debian_cached(cache_dir):
            images.append("debian")
        else:
            print(f"(Debian skipped: no cached build in {cache_dir}; `inst image build debian` there, or --cache-dir)")
    use_lxd = not args.no_lxd and lxd_available()
    work = tempfile.mkdtemp(prefix="li-stbench-")
    os.chmod(work, 0o711)  # unprivileged container roots traverse into the state dir
    state = os.path.join(work, "state")
    inst = Inst(binary, state, cache_dir)
    results = {}  # (image, column) -> {operation: [ms]}
    try:
        inst("image", "build", "busybox", "--alias", "busybox")
        if "debian" in images:
            inst("image", "build", "debian", "--release", "bookworm", "--alias", "debian")
        # The driver makes a sparse loop file under the state dir, attaches and mounts it;
        # deleting the pool (and teardown_under below, whatever happened) takes it all down.
        inst("storage", "create", POOLS["btrfs"], "btrfs", f"size={args.btrfs_size}")
        for image in images:
            tarball = stored_tarball(state, inst, image)
            for column, pool in POOLS.items():
                results[(image, column)] = bench_libinstance(inst, state, image, tarball, pool, args.iterations)
            if use_lxd:
                results[(image, "lxd")] = bench_lxd(image, tarball, args.iterations)
    finally:
        if use_lxd:
            cleanup_lxd(images, args.iterations)
        cleanup_libinstance(inst, images, args.iterations)
        teardown_under(work)
        shutil.rmtree(work, ignore_errors=True)

    nan = float("nan")
    print(f"\nmedian seconds of {args.iterations} (whole client processes; LXD/x: how many times faster libinstance is)")
    print(f"{'image':8} {'libinstance vs LXD':46} {'li dir':>10} {'li btrfs':>10} {'LXD dir':>10} "
          f"{'LXD/dir':>10} {'LXD/btrfs':>10}")
    rows = [("copy", "copy", "lxc copy"),
            ("volume snapshot", "volume snapshot", "lxc storage volume snapshot"),
            ("instance snapshot", "instance snapshot", "lxc snapshot"),
            ("export", "export", "lxc export --instance-only")]
    for image in images:
        for li_op, lxd_op, lxd_cmd in rows:
            li_dir = median(results[(image, "dir")][li_op])
            li_bt = median(results[(image, "btrfs")][li_op])
            lxd = median(results[(image, "lxd")][lxd_op]) if use_lxd else nan
            print(f"{image:8} {li_op + ' vs ' + lxd_cmd:46} {fmt_s(li_dir)} {fmt_s(li_bt)} {fmt_s(lxd)} "
                  f"{fmt_ratio(lxd, li_dir)} {fmt_ratio(lxd, li_bt)}")
    if not use_lxd:
        print("(LXD not measured: no running LXD daemon answered `lxc info`; see bench/README.md)")


if __name__ == "__main__":
    main()
