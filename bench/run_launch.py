#!/usr/bin/env python3
"""Launch benchmark: libinstance vs raw liblxc (and LXD when it is running), in one invocation.

Measures, per iteration, create+start of a busybox container and `exec true`:
  - libinstance embedded (in-process C++ API, bench/launch-bench)
  - libinstance CLI (`inst launch`, `inst exec`: whole client process)
  - raw liblxc: rootfs copy + `lxc-start`, `lxc-attach -- true`, on the same liblxc config
  - LXD 5.0.2 (`lxc launch`, `lxc exec`) when its daemon answers (see bench/README.md)
and prints medians and ratios. Run as root from the project root after building:
    python3 bench/run_launch.py [--iterations N] [--build-dir build]
"""
import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time

from bench_common import lxd_available, median, raw_container_dir, run, timed


def bench_embedded(build, iterations, work):
    out = run([os.path.join(build, "bench", "launch-bench"), os.path.join(work, "embedded"), str(iterations)])
    data = json.loads(out.stdout)
    return {"launch": data["launch"], "exec": data["exec"]}


def bench_cli(inst, iterations, state):
    env = dict(os.environ, LIBINSTANCE_DIR=state)
    run([inst, "image", "build", "busybox", "--alias", "busybox"], env=env)
    launch, execs = [], []
    for i in range(iterations):
        name = f"cli-{i}"
        launch.append(timed([inst, "launch", "busybox", name], env=env))
        execs.append(timed([inst, "exec", name, "--", "true"], env=env))
        run([inst, "delete", "--force", name], env=env)
    return {"launch": launch, "exec": execs}


def bench_raw_lxc(iterations, state, work):
    """The same liblxc configuration libinstance renders, driven by the lxc-* tools."""
    env = dict(os.environ, LIBINSTANCE_DIR=state)
    inst = ARGS.inst
    run([inst, "init", "busybox", "template"], env=env)
    run([inst, "start", "template"], env=env)
    run([inst, "stop", "--force", "template"], env=env)
    template_cfg = open(os.path.join(state, "containers", "template", "config")).read()
    pool_dir = os.path.join(state, "storage-pools", "default")
    template_rootfs = os.path.join(pool_dir, "containers", "template", "rootfs")
    # A stopped container's rootfs on a dir pool is an unmounted overlay layer: copy the image's
    # unpacked volume instead, as a raw liblxc user would.
    listing = json.loads(run([inst, "list", "--format", "json"], env=env).stdout)
    fingerprint = next(i["config"]["volatile.base_image"] for i in listing if i["name"] == "template")
    image_rootfs = os.path.join(pool_dir, "images", fingerprint, "rootfs")
    lxcpath = os.path.join(work, "raw-lxc")
    os.makedirs(lxcpath, exist_ok=True)
    launch, execs = [], []
    for i in range(iterations):
        name = f"raw-{i}"
        cdir = os.path.join(lxcpath, name)
        rootfs = raw_container_dir(lxcpath, name, template_cfg, template_rootfs)
        t0 = time.perf_counter()
        run(["cp", "-a", "--reflink=auto", image_rootfs, rootfs])
        run(["lxc-start", "-P", lxcpath, "-n", name])
        launch.append((time.perf_counter() - t0) * 1000)
        execs.append(timed(["lxc-attach", "-P", lxcpath, "-n", name, "--", "true"]))
        run(["lxc-stop", "-k", "-P", lxcpath, "-n", name])
        shutil.rmtree(cdir)
    run([inst, "delete", "template"], env=env)
    return {"launch": launch, "exec": execs}


def bench_lxd(iterations, tarball):
    subprocess.run(["lxc", "image", "delete", "li-bench-bb"], capture_output=True)
    run(["lxc", "image", "import", tarball, "--alias", "li-bench-bb"])
    launch, execs = [], []
    try:
        for i in range(iterations):
            name = f"li-bench-{i}"
            launch.append(timed(["lxc", "launch", "li-bench-bb", name]))
            execs.append(timed(["lxc", "exec", name, "--", "true"]))
            run(["lxc", "delete", "--force", name])
    finally:
        subprocess.run(["lxc", "image", "delete", "li-bench-bb"], capture_output=True)
    return {"launch": launch, "exec": execs}


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--build-dir", default="build")
    p.add_argument("--no-lxd", action="store_true", help="skip LXD even when it is running")
    ARGS = p.parse_args()
    ARGS.inst = os.path.join(ARGS.build_dir, "tools", "inst", "inst")
    work = tempfile.mkdtemp(prefix="li-bench-")
    os.chmod(work, 0o711)  # unprivileged container root must traverse into the state dirs
    try:
        results = {}
        results["libinstance embedded"] = bench_embedded(ARGS.build_dir, ARGS.iterations, work)
        cli_state = os.path.join(work, "cli")
        results["libinstance CLI"] = bench_cli(ARGS.inst, ARGS.iterations, cli_state)
        results["raw liblxc"] = bench_raw_lxc(ARGS.iterations, cli_state, work)
        if not ARGS.no_lxd and lxd_available():
            # The stored image file is the very LXD unified tarball the builder wrote.
            images = os.path.join(cli_state, "images")
            tarball = next(os.path.join(images, f) for f in os.listdir(images) if len(f) == 64)
            results["LXD"] = bench_lxd(ARGS.iterations, tarball)
        print(f"{'':24} {'launch ms':>10} {'exec ms':>10}   (medians of {ARGS.iterations})")
        for name, r in results.items():
            print(f"{name:24} {median(r['launch']):10.1f} {median(r['exec']):10.1f}")
        raw = results["raw liblxc"]
        print("\nratios (lower is faster; 1.0 = same as the reference):")
        for name in ("libinstance embedded", "libinstance CLI"):
            r = results[name]
            line = f"{name:24} vs raw liblxc: launch {median(r['launch']) / median(raw['launch']):.2f}x, " \
                   f"exec {median(r['exec']) / median(raw['exec']):.2f}x"
            if "LXD" in results:
                lxd = results["LXD"]
                line += f"; vs LXD: launch {median(r['launch']) / median(lxd['launch']):.2f}x, " \
                        f"exec {median(r['exec']) / median(lxd['exec']):.2f}x"
            print(line)
        if "LXD" not in results:
            print("(LXD not measured: no running LXD daemon answered `lxc info`; see bench/README.md)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
