#!/usr/bin/env python3
"""Daemon benchmark (issue 10): instanced against Debian's LXD 5.0.2, in one invocation, both
driven by the same client (Debian's `lxc`, pointed at each daemon's socket with LXD_SOCKET).

Measures, as medians:
  - `lxc launch`, `lxc exec -- true`, `lxc stop --force`, `lxc delete --force` of a busybox
    container (whole client processes; the two daemons take turns, iteration by iteration);
  - `lxc init` of 50 containers, then GET /1.0/instances?recursion=2 over the raw unix socket
    with those 50 stopped, and again with 20 of them running;
  - the daemon's VmRSS idle, and with 20 running containers together with the per-container
    helper processes ([lxc monitor] and whatever else the daemon keeps per container), whose
    RSS and PSS (/proc/PID/smaps_rollup) are summed.
LXD is measured when a daemon answers `lxc info` on its socket (or when --start-lxd starts it);
otherwise instanced's numbers are printed alone. Run as root from the project root after building:
    python3 bench/run_daemon.py [--iterations N] [--build-dir build] [--start-lxd]
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from bench_common import lxd_available, median, teardown_under

PREFIX = "li-bench-"          # every instance the bench makes, so cleanup never touches others'
ALIAS = "li-bench-busybox"    # the same image alias on both daemons: the very same lxc commands
COMMAND_TIMEOUT = 120         # a daemon that does not answer within this is reported as hung
VERBOSE = False


class BenchError(Exception):
    """One operation failed or hung on one daemon; the message names both."""


class Daemon:
    """One daemon as the `lxc` client and a raw HTTP client see it, plus where its processes are."""

    def __init__(self, label, sock, conf, pid):
        self.label = label
        self.sock = sock
        self.lxcpath = os.path.join(os.path.dirname(sock), "containers")  # liblxc's path on both
        self.env = dict(os.environ, LXD_SOCKET=sock, LXD_CONF=conf)
        self.pid = pid

    def lxc(self, *args, check=True):
        try:
            r = subprocess.run(["lxc", *args], env=self.env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{self.label}: `lxc {' '.join(args)}` hung (no answer after {COMMAND_TIMEOUT} s)")
        if check and r.returncode != 0:
            raise BenchError(f"{self.label}: `lxc {' '.join(args)}` failed ({r.returncode}): {r.stderr.strip()}")
        return r

    def timed(self, *args):
        t0 = time.perf_counter()
        self.lxc(*args)
        return (time.perf_counter() - t0) * 1000

    def get(self, target):
        """Wall ms of one GET over a fresh connection (as the Go client does), and its JSON body."""
        t0 = time.perf_counter()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(COMMAND_TIMEOUT)
                s.connect(self.sock)
                s.sendall(f"GET {target} HTTP/1.1\r\nHost: unix.socket\r\nConnection: close\r\n\r\n".encode())
                data = b""
                while chunk := s.recv(1 << 16):
                    data += chunk
        except OSError as e:
            raise BenchError(f"{self.label}: GET {target}: {e}")
        ms = (time.perf_counter() - t0) * 1000
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b"\r\n")[0].decode(errors="replace")
        if " 200 " not in status:
            raise BenchError(f"{self.label}: GET {target} answered {status}")
        if b"transfer-encoding: chunked" in head.lower():
            body = dechunk(body)
        return ms, json.loads(body)

    def ours(self):
        """Names of the bench's instances on this daemon."""
        r = self.lxc("list", "--format", "csv", "-c", "n", check=False)
        return [n for n in r.stdout.split() if n.startswith(PREFIX)]

    def remove_ours(self):
        names = self.ours()
        if names:
            self.lxc("delete", "--force", *names, check=False)

    def memory(self):
        """(daemon VmRSS, [(pid, rss, pss, cmdline)] of its per-container helpers), in KiB."""
        own_ns = os.readlink("/proc/self/ns/pid")
        procs = {}  # pid -> (ppid, cmdline, pid namespace)
        for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
            try:
                stat = open(f"/proc/{pid}/stat").read()
                cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace").strip()
                procs[pid] = (int(stat[stat.rindex(")") + 2:].split()[1]), cmd, os.readlink(f"/proc/{pid}/ns/pid"))
            except (OSError, ValueError):
                continue  # gone meanwhile

        def descends(pid):
            for _ in range(64):
                pid = procs.get(pid, (0,))[0]
                if pid == self.pid:
                    return True
                if pid <= 1:
                    return False
            return False

        def is_exec_agent(pid, cmd):
            # instanced's exec agent (docs/design/0011): a child of one of its containers' init,
            # whose parent is that container's liblxc monitor.
            if cmd != "li-exec-agent":
                return False
            init = procs.get(pid, (0,))[0]
            monitor = procs.get(init, (0,))[0]
            return procs.get(monitor, (0, ""))[1].startswith(f"[lxc monitor] {self.lxcpath} ")

        helpers = []
        for pid, (_, cmd, ns) in procs.items():
            # liblxc's monitor of one of this daemon's containers (daemonized: its parent is init),
            # or a child the daemon keeps (LXD's forkfile, forkexec...). Container payloads live in
            # their own PID namespace and do not count; nor does anything of other daemons that
            # run the same binary.
            if (cmd.startswith(f"[lxc monitor] {self.lxcpath} ") or (ns == own_ns and descends(pid))
                    or is_exec_agent(pid, cmd)):
                helpers.append((pid, status_kb(pid, "VmRSS"), pss_kb(pid), cmd))
        return status_kb(self.pid, "VmRSS"), helpers


def dechunk(body):
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out += rest[:n]
        body = rest[n + 2:]
    return out


def status_kb(pid, field):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def lxd_pid():
    """The LXD daemon itself: the `lxd` process run with options only (its helpers run as
    `lxd forkstart`, `lxd forkexec`, ... and the client commands as `lxd waitready` etc.)."""
    found = []
    for p in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            argv = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")[:-1]
            exe = os.readlink(f"/proc/{p}/exe")
        except OSError:
            continue
        if os.path.basename(exe) == "lxd" and argv and (len(argv) == 1 or argv[1].startswith(b"-")):
            found.append(int(p))
    return min(found) if found else None


def lxd_socket():
    return os.environ.get("LXD_SOCKET") or os.path.join(os.environ.get("LXD_DIR", "/var/lib/lxd"), "unix.socket")


PRESEED = """config: {}
networks: []
storage_pools:
- {name: default, driver: dir}
profiles:
- name: default
  devices: {root: {path: /, pool: default, type: disk}}
"""


def start_lxd(work):
    """Starts Debian's LXD as bench/README.md does (and gives it a dir pool when it has none)."""
    if not shutil.which("lxd"):
        return False
    subprocess.Popen(["lxd", "--group", "root", "--logfile", os.path.join(work, "lxd.log")],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    if subprocess.run(["lxd", "waitready", "--timeout=60"], capture_output=True).returncode != 0:
        return False
    pools = subprocess.run(["lxc", "storage", "list", "--format", "csv"], capture_output=True, text=True)
    if not pools.stdout.strip():
        subprocess.run(["lxd", "init", "--preseed"], input=PRESEED, text=True, capture_output=True)
    return True


def import_image(lxd, tarball):
    """Makes ALIAS name the tarball's image on LXD; returns whether the bench owns the image (it
    may already be there under another alias, and must then stay)."""
    fingerprint = hashlib.sha256(open(tarball, "rb").read()).hexdigest()
    lxd.lxc("image", "alias", "delete", ALIAS, check=False)
    if lxd.lxc("image", "info", fingerprint, check=False).returncode == 0:
        lxd.lxc("image", "alias", "create", ALIAS, fingerprint)
        return None
    lxd.lxc("image", "import", tarball, "--alias", ALIAS)
    return fingerprint


def idle_rss(d):
    d.lxc("list")  # one request served, as after any client's first look
    time.sleep(1)
    return d.memory()[0]


def bench(daemons, iterations, results):
    """Fills results[label][metric] as it goes, so a failure still shows what was measured."""
    for d in daemons:
        results[d.label]["rss idle"] = idle_rss(d)
    # One untimed launch each: instanced unpacks the image into its pool on first use only.
    for d in daemons:
        d.lxc("launch", ALIAS, f"{PREFIX}warm")
        d.lxc("delete", "--force", f"{PREFIX}warm")
    for i in range(iterations):
        for d in daemons:  # taking turns spreads the machine's noise over both
            r, name = results[d.label], f"{PREFIX}b{i}"
            r.setdefault("launch", []).append(d.timed("launch", ALIAS, name))
            r.setdefault("exec", []).append(d.timed("exec", name, "--", "true"))
            r.setdefault("stop --force", []).append(d.timed("stop", "--force", name))
            r.setdefault("delete --force", []).append(d.timed("delete", "--force", name))
    names = [f"{PREFIX}n{i:02}" for i in range(50)]
    for name in names:
        for d in daemons:
            results[d.label].setdefault("init", []).append(d.timed("init", ALIAS, name))
    for key, running in (("list 50 stopped", 0), ("list 50, 20 running", 20)):
        for d in daemons:
            if running:
                d.lxc("start", *names[:running])
        for _ in range(20):
            for d in daemons:
                ms, doc = d.get("/1.0/instances?recursion=2")
                if len(doc["metadata"]) != len(names):
                    raise BenchError(f"{d.label}: GET /1.0/instances?recursion=2 listed {len(doc['metadata'])} "
                                     f"instances, not {len(names)}")
                results[d.label].setdefault(key, []).append(ms)
    time.sleep(1)
    for d in daemons:
        rss, helpers = d.memory()
        r = results[d.label]
        r["rss 20 running"] = rss
        r["helpers"] = len(helpers)
        r["helpers rss"] = sum(h[1] for h in helpers)
        r["helpers pss"] = sum(h[2] for h in helpers)
        r["helper kinds"] = sorted({" ".join(h[3].split()[:2]) for h in helpers})
        if VERBOSE:
            for pid, rss, pss, cmd in helpers:
                print(f"{d.label} helper {pid}: RSS {rss} KiB, PSS {pss} KiB: {cmd}")
    for d in daemons:
        d.lxc("delete", "--force", *names)
    for d in daemons:
        results[d.label]["rss idle after"] = idle_rss(d)


def report(results, iterations):
    labels = list(results)
    both = len(labels) == 2
    print(f"\n{'':36}" + "".join(f"{label:>14}" for label in labels) + (f"{'ratio':>10}   goal" if both else ""))

    def row(title, values, ratio=None, goal=""):
        line = f"{title:36}" + "".join(f"{v:>14}" for v in values)
        if both and ratio is not None:
            line += f"{ratio:>10}   {goal}"
        print(line)

    print(f"times: wall ms, medians ({iterations} iterations; lists: 20 requests; init: 50)")
    for key in ("launch", "exec", "stop --force", "delete --force", "init", "list 50 stopped", "list 50, 20 running"):
        meds = [median(results[l].get(key, [])) for l in labels]
        ratio = f"{meds[1] / meds[0]:.2f}x" if both and meds[0] == meds[0] and meds[0] > 0 else None
        ok = "" if not both or ratio is None else ("ok" if meds[1] / meds[0] >= 2 else "MISSED")
        title = f"GET ?recursion=2, {key[5:]}" if key.startswith("list") else f"lxc {key}"
        row(title, [f"{m:.1f}" for m in meds], ratio, f">= 2x faster {ok}" if key != "init" else "")
    print("memory: MiB" + (" (ratio: instanced / LXD)" if both else ""))

    def mib(key):
        return [results[l].get(key) for l in labels]

    def mem_row(title, key, goal=""):
        vals = mib(key)
        text = [f"{v / 1024:.1f}" if v is not None else "-" for v in vals]
        ratio = f"{vals[0] / vals[1]:.2f}x" if both and None not in vals and vals[1] else None
        if goal and ratio:
            goal += " ok" if vals[0] / vals[1] <= 0.25 else " MISSED"
        row(title, text, ratio, goal)

    mem_row("daemon RSS idle", "rss idle", "<= 0.25x")
    mem_row("daemon RSS, 20 running", "rss 20 running")
    row("per-container helpers, 20 running", [str(results[l].get("helpers", "-")) for l in labels])
    mem_row("  their RSS sum", "helpers rss")
    mem_row("  their PSS sum", "helpers pss")
    for l in labels:
        r = results[l]
        if "rss 20 running" in r:
            r["total"] = r["rss 20 running"] + r["helpers pss"]
    mem_row("daemon RSS + helpers PSS, 20 running", "total")
    mem_row("daemon RSS idle after the run", "rss idle after")
    for l in labels:
        if results[l].get("helper kinds"):
            print(f"{l} helpers: {', '.join(results[l]['helper kinds'])}")
    if both:
        print("time ratios are LXD / instanced (above 1: instanced is faster)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--build-dir", default="build")
    p.add_argument("--no-lxd", action="store_true", help="measure instanced alone even when LXD runs")
    p.add_argument("--start-lxd", action="store_true",
                   help="start Debian's LXD when it is not running (and shut it down at the end)")
    p.add_argument("--verbose", action="store_true", help="list every helper process counted")
    args = p.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    inst = os.path.abspath(os.path.join(args.build_dir, "tools", "inst", "inst"))
    instanced = os.path.abspath(os.path.join(args.build_dir, "tools", "instanced", "instanced"))
    work = tempfile.mkdtemp(prefix="li-bench-daemon-")
    os.chmod(work, 0o711)  # the containers' mapped root traverses into their rootfs
    state, conf = os.path.join(work, "state"), os.path.join(work, "lxc-conf")
    os.makedirs(state, mode=0o711)
    daemon = None
    lxd, lxd_started, lxd_image = None, False, None
    results = {}
    try:
        # The image, built once; its LXD-format export is what LXD imports.
        subprocess.run([inst, "--state-dir", state, "image", "build", "busybox", "--alias", ALIAS],
                       check=True, capture_output=True)
        subprocess.run([inst, "--state-dir", state, "image", "export", ALIAS, os.path.join(work, "busybox")],
                       check=True, capture_output=True)
        tarball = next(os.path.join(work, f) for f in os.listdir(work) if f.startswith("busybox"))

        daemon = subprocess.Popen([instanced, "--state-dir", state], stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(work, "instanced.log"), "w"))
        if subprocess.run([instanced, "waitready", "--state-dir", state, "--timeout", "30"]).returncode != 0:
            sys.exit("bench: instanced did not come up")
        daemons = [Daemon("instanced", os.path.join(state, "unix.socket"), conf, daemon.pid)]

        if not args.no_lxd:
            if not lxd_available() and args.start_lxd:
                lxd_started = start_lxd(work)
            if lxd_available() and lxd_pid():
                lxd = Daemon("LXD 5.0.2", lxd_socket(), conf, lxd_pid())
                lxd.remove_ours()
                lxd_image = import_image(lxd, tarball)
                daemons.append(lxd)
        for d in daemons:
            results[d.label] = {}
        error = None
        try:
            bench(daemons, args.iterations, results)
        except BenchError as e:
            error = str(e)
        report(results, args.iterations)
        if args.no_lxd:
            print("(LXD skipped: --no-lxd)")
        elif lxd is None:
            print("(LXD not measured: no LXD daemon answered `lxc info`; start it, or pass --start-lxd; "
                  "see bench/README.md)")
        if error:
            sys.exit(f"bench: {error}")
    finally:
        for d in ([lxd] if lxd else []):
            d.remove_ours()
            d.lxc("image", "alias", "delete", ALIAS, check=False)
            if lxd_image:
                d.lxc("image", "delete", lxd_image, check=False)
        if daemon and daemon.poll() is None:
            Daemon("instanced", os.path.join(state, "unix.socket"), conf, daemon.pid).remove_ours()
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                print("bench: instanced did not stop within 60 s of SIGTERM; killed", file=sys.stderr)
                daemon.kill()
                daemon.wait()
        if lxd_started:
            subprocess.run(["lxd", "shutdown"], capture_output=True)
        teardown_under(work)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
