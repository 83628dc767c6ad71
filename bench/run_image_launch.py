#!/usr/bin/env python3
"""Image launch benchmark (issue 4): create+start of the busybox and the Debian image on a `dir`
pool (overlayfs layers) and on a `btrfs` pool (subvolume snapshots on a loop file), against raw
liblxc and against LXD 5.0.2 on its `dir` pool, all in one invocation.

  - libinstance: `inst launch IMAGE NAME -s POOL` (a whole client process per launch);
  - raw liblxc: a copy of the unpacked image rootfs plus `lxc-start`, with the very liblxc
    configuration libinstance renders (the naive way to launch an image with liblxc);
  - LXD 5.0.2: `lxc launch` of the same image file, when a daemon answers `lxc info`.

The first launch of each image on each pool unpacks the image (once per pool, like LXD's
optimized pools); it is reported apart ("first") and the medians cover the launches after it.
Run as root from the project root after building:
    python3 bench/run_image_launch.py [--iterations N] [--build-dir build] [--no-debian]
The Debian image is built with `inst image build debian` and cached (--cache-dir), so only the
first run pays for debootstrap.
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time

from bench_common import Inst, lxd_available, median, raw_container_dir, run, stored_tarball, teardown_under, timed


def bench_pool(inst, image, pool, iterations):
    """First launch (unpacks the image on the pool), then `iterations` launches."""
    first = inst.timed("launch", image, f"{pool}-first", "-s", pool)
    launches = []
    for i in range(iterations):
        name = f"{pool}-{i}"
        launches.append(inst.timed("launch", image, name, "-s", pool))
        inst("delete", "--force", name)
    inst("delete", "--force", f"{pool}-first")
    return first, launches


def bench_raw_lxc(inst, state, image, iterations, work):
    """lxc-start on a copy of the image's unpacked rootfs, with libinstance's own liblxc config."""
    inst("init", image, "template", "-s", "default")
    inst("start", "template")
    inst("stop", "--force", "template")
    cfg_template = open(os.path.join(state, "containers", "template", "config")).read()
    pool_dir = os.path.join(state, "storage-pools", "default")
    listing = json.loads(inst("list", "--format", "json").stdout)
    fingerprint = next(i["config"]["volatile.base_image"] for i in listing if i["name"] == "template")
    # The image volume unpacked on the dir pool: what a raw liblxc user would copy per container.
    image_rootfs = os.path.join(pool_dir, "images", fingerprint, "rootfs")
    container_rootfs = os.path.join(pool_dir, "containers", "template", "rootfs")
    lxcpath = os.path.join(work, "raw-lxc")
    os.makedirs(lxcpath, exist_ok=True)
    launches = []
    for i in range(iterations):
        name = f"raw-{i}"
        cdir = os.path.join(lxcpath, name)
        rootfs = raw_container_dir(lxcpath, name, cfg_template, container_rootfs)
        t0 = time.perf_counter()
        run(["cp", "-a", image_rootfs, rootfs])
        run(["lxc-start", "-P", lxcpath, "-n", name])
        launches.append((time.perf_counter() - t0) * 1000)
        run(["lxc-stop", "-k", "-P", lxcpath, "-n", name])
        shutil.rmtree(cdir)
    inst("delete", "template")
    return launches


def bench_lxd(tarball, iterations):
    subprocess.run(["lxc", "image", "delete", "li-bench-img"], capture_output=True)
    run(["lxc", "image", "import", tarball, "--alias", "li-bench-img"])
    launches = []
    try:
        for i in range(iterations):
            name = f"li-bench-{i}"
            launches.append(timed(["lxc", "launch", "li-bench-img", name]))
            run(["lxc", "delete", "--force", name])
    finally:
        subprocess.run(["lxc", "image", "delete", "li-bench-img"], capture_output=True)
    return launches


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--lxd-iterations", type=int, default=3, help="LXD launches per image (Debian takes seconds)")
    p.add_argument("--build-dir", default="build")
    p.add_argument("--cache-dir", default=None, help="builder cache (default: BUILD/bench-cache)")
    p.add_argument("--no-debian", action="store_true")
    p.add_argument("--no-lxd", action="store_true", help="skip LXD even when it is running")
    args = p.parse_args()
    binary = os.path.join(args.build_dir, "tools", "inst", "inst")
    cache_dir = os.path.abspath(args.cache_dir or os.path.join(args.build_dir, "bench-cache"))
    os.makedirs(cache_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="li-imgbench-")
    os.chmod(work, 0o711)  # unprivileged container roots traverse into the state dir
    state = os.path.join(work, "state")
    inst = Inst(binary, state, cache_dir)
    images = ["busybox"] + ([] if args.no_debian else ["debian"])
    use_lxd = not args.no_lxd and lxd_available()
    rows = {}
    try:
        inst("image", "build", "busybox", "--alias", "busybox")
        if "debian" in images:
            inst("image", "build", "debian", "--release", "bookworm", "--alias", "debian")
        inst("storage", "create", "bt", "btrfs", "size=8GiB")
        for image in images:
            for pool in ("default", "bt"):
                first, launches = bench_pool(inst, image, pool, args.iterations)
                rows[(image, "dir" if pool == "default" else "btrfs")] = (first, launches)
            rows[(image, "raw liblxc")] = (None, bench_raw_lxc(inst, state, image, args.iterations, work))
            if use_lxd:
                rows[(image, "LXD 5.0.2 dir")] = (None, bench_lxd(stored_tarball(state, inst, image), args.lxd_iterations))
        print(f"{'image':8} {'runner':16} {'first ms':>9} {'launch ms':>10}")
        for (image, runner), (first, launches) in rows.items():
            first_s = f"{first:9.0f}" if first is not None else f"{'':9}"
            print(f"{image:8} {runner:16} {first_s} {median(launches):10.1f}")
        print("\nratios of libinstance launch medians (lower is faster):")
        for image in images:
            for pool in ("dir", "btrfs"):
                li = median(rows[(image, pool)][1])
                line = f"{image:8} {pool:6} vs raw liblxc {li / median(rows[(image, 'raw liblxc')][1]):.2f}x"
                if (image, "LXD 5.0.2 dir") in rows:
                    lxd = median(rows[(image, "LXD 5.0.2 dir")][1])
                    line += f", vs LXD dir {li / lxd:.3f}x ({lxd / li:.1f}x faster)"
                print(line)
        if not use_lxd:
            print("(LXD not measured: no running LXD daemon answered `lxc info`; see bench/README.md)")
    finally:
        for pool in ("bt",):
            subprocess.run([binary, "storage", "delete", pool], env=inst.env, capture_output=True)
        teardown_under(work)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
