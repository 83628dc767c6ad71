"""What the benchmark scripts share: running commands, timing them, medians, finding LXD."""
import os
import shutil
import statistics
import subprocess
import sys
import time


def run(cmd, **kw):
    """Runs cmd; a failure ends the benchmark with the command's stderr."""
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def timed(cmd, **kw):
    """Wall milliseconds of run(cmd)."""
    t0 = time.perf_counter()
    run(cmd, **kw)
    return (time.perf_counter() - t0) * 1000


def median(values):
    return statistics.median(values) if values else float("nan")


def lxd_available():
    """Whether an LXD daemon answers `lxc info` (started by hand, see bench/README.md)."""
    if not shutil.which("lxc"):
        return False
    try:
        return subprocess.run(["lxc", "info"], capture_output=True, timeout=10).returncode == 0
    except (subprocess.SubprocessError, OSError):
        return False


def raw_container_dir(lxcpath, name, template_cfg, template_rootfs):
    """Makes <lxcpath>/<name>/config from the liblxc config libinstance rendered for a container
    named "template" (its rootfs and name swapped); returns where this container's rootfs goes."""
    cdir = os.path.join(lxcpath, name)
    os.makedirs(cdir)
    rootfs = os.path.join(cdir, "rootfs")
    cfg = template_cfg.replace(template_rootfs, rootfs).replace("lxc.uts.name = template", f"lxc.uts.name = {name}")
    with open(os.path.join(cdir, "config"), "w") as f:
        f.write(cfg)
    return rootfs
