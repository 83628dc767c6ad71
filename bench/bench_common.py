"""What the benchmark scripts share: running commands, timing them, medians, finding LXD, the
`inst` client on a state directory, and tearing down the mounts and loop devices a run left."""
import glob
import json
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


class Inst:
    """`inst` on one state directory (launch and image commands run --quiet: no progress bars)."""

    def __init__(self, binary, state, cache_dir):
        self.binary = binary
        self.env = dict(os.environ, LIBINSTANCE_DIR=state, LIBINSTANCE_CACHE_DIR=cache_dir)

    def __call__(self, *args):
        return run([self.binary, "--quiet", *args] if args[0] in ("launch", "image") else [self.binary, *args],
                   env=self.env)

    def quiet(self, *args):
        """Runs args and ignores a failure (cleanup of what may not exist)."""
        return subprocess.run([self.binary, *args], env=self.env, capture_output=True, text=True)

    def timed(self, *args):
        t0 = time.perf_counter()
        self(*args)
        return (time.perf_counter() - t0) * 1000


def stored_tarball(state, inst, alias):
    """The image file libinstance stored for `alias`: the LXD unified tarball the builder wrote."""
    listing = json.loads(inst("image", "list", "--format", "json").stdout)
    fingerprint = next(i["fingerprint"] for i in listing if any(a["name"] == alias for a in i["aliases"]))
    return os.path.join(state, "images", fingerprint)


def debian_cached(cache_dir, release="bookworm"):
    """Whether `inst image build debian --release RELEASE` would find its build in cache_dir."""
    return bool(glob.glob(os.path.join(cache_dir, f"debian-{release}-minbase-*.tar.gz")))


def teardown_under(root):
    """Unmounts whatever is still mounted below root (deepest first) and detaches loop devices
    whose backing file lies below root, so a failed run leaves no mount or loop device behind."""
    root = os.path.realpath(root)
    with open("/proc/self/mountinfo") as f:
        # The mount point is field 5, with spaces and such escaped as octal.
        points = [line.split()[4].encode().decode("unicode_escape") for line in f]
    for point in sorted({p for p in points if p == root or p.startswith(root + "/")}, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True)
    out = subprocess.run(["losetup", "--list", "--json", "--output", "NAME,BACK-FILE"], capture_output=True, text=True)
    if out.returncode == 0 and out.stdout.strip():
        for dev in json.loads(out.stdout).get("loopdevices", []):
            back = (dev.get("back-file") or "").replace(" (deleted)", "")
            if back.startswith(root + "/"):
                subprocess.run(["losetup", "-d", dev["name"]], capture_output=True)
