"""Operations, progress, Ctrl-C and events through `inst`: the real binary, real containers."""

import io
import json
import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time

import pytest
import yaml

from conftest import assert_error, run_on_pty

PROGRESS_RE = re.compile(r"Unpack: ([1-9]\d?)%")  # under way: past 0%, not yet 100%


# ---- a large image, slow enough to unpack that it can be interrupted ------------------------------


class _RandomBytes(io.RawIOBase):
    """Incompressible data for tarfile, read on demand (no 300 MB in memory)."""

    def readable(self):
        return True

    def readinto(self, buffer):
        data = os.urandom(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def write_random_image(path, size, files=6):
    """An LXD unified tarball (metadata.yaml + rootfs/) holding `size` bytes of random data."""
    metadata = (f"architecture: {os.uname().machine}\n"
                f"creation_date: {int(time.time())}\n"
                "properties:\n  os: random\n  description: random data\n").encode()
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("metadata.yaml")
        info.size = len(metadata)
        tar.addfile(info, io.BytesIO(metadata))
        for d in ("rootfs", "rootfs/data"):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for n in range(files):
            info = tarfile.TarInfo(f"rootfs/data/blob{n}")
            info.size = size // files
            info.mode = 0o644
            tar.addfile(info, io.BufferedReader(_RandomBytes(), 1 << 20))


@pytest.fixture(scope="module")
def big_tarball():
    work = tempfile.mkdtemp(prefix="inst-cli-big-", dir="/tmp")
    path = os.path.join(work, "random.tar")
    write_random_image(path, 300 * 1024 * 1024)
    yield path
    shutil.rmtree(work, ignore_errors=True)


def containers_dir(tool):
    return os.path.join(tool.state_dir, "storage-pools", "default", "containers")


def image_volumes(tool):
    path = os.path.join(tool.state_dir, "storage-pools", "default", "images")
    return set(os.listdir(path)) if os.path.isdir(path) else set()


def assert_nothing_left(tool, name):
    assert tool.instance(name) is None
    assert name not in tool.ok("list", "--format", "csv").stdout
    leftovers = os.listdir(containers_dir(tool)) if os.path.isdir(containers_dir(tool)) else []
    assert leftovers == [], leftovers


# ---- progress ---------------------------------------------------------------------------------


def test_launch_shows_unpack_progress_on_a_tty(fresh):
    fresh.ok("-q", "image", "build", "busybox", "--alias", "busybox")
    # The first instance from an image unpacks it: that is where the progress comes from.
    r = run_on_pty(fresh, "launch", "busybox", "p1")
    assert r.returncode == 0, r.stderr
    assert re.match(r"Creating p1\r\n\rRetrieving image: Unpack: \d+%", r.stdout), repr(r.stdout)
    assert re.search(r"\r +\rStarting p1\r\n$", r.stdout), repr(r.stdout)  # the line is blanked out
    assert fresh.instance("p1")["status"] == "Running"

    # Quiet: nothing at all on the terminal, though a new image (its own fingerprint) is unpacked.
    tarball = os.path.join(fresh.state_dir, "small.tar")
    write_random_image(tarball, 8 * 1024 * 1024, files=2)
    fresh.ok("-q", "image", "import", tarball, "--alias", "small")
    quiet = run_on_pty(fresh, "-q", "init", "small", "p2")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "", repr(quiet.stdout)
    assert fresh.instance("p2")["status"] == "Stopped"


def test_progress_only_on_a_terminal(fresh):
    fresh.ok("-q", "image", "build", "busybox", "--alias", "busybox")
    r = fresh.ok("launch", "busybox", "p3")  # stdout is a pipe
    assert r.stdout == "Creating p3\nStarting p3\n"
    r = fresh.ok("stop", "p3", "--force")
    assert r.stdout == ""


def test_import_progress_and_ctrl_c_cancels_launch(fresh, big_tarball):
    imported = run_on_pty(fresh, "image", "import", big_tarball, "--alias", "big")
    assert imported.returncode == 0, imported.stderr
    assert re.search(r"\rTransferring image: Import: \d+%", imported.stdout), repr(imported.stdout)
    fingerprint = re.search(r"Image imported with fingerprint: ([0-9a-f]{64})", imported.stdout).group(1)

    interrupted = {}

    def interrupt_mid_unpack(proc, output):
        if not interrupted and PROGRESS_RE.search(output):
            interrupted["at"] = time.monotonic()
            proc.send_signal(signal.SIGINT)

    r = run_on_pty(fresh, "launch", "big", "cbig", on_output=interrupt_mid_unpack)
    assert interrupted, f"no unpack progress seen: {r.stdout!r}"
    assert_error(r, "cancelled", "cbig")
    assert "Starting" not in r.stdout
    assert time.monotonic() - interrupted["at"] < 60
    assert_nothing_left(fresh, "cbig")
    assert fingerprint not in image_volumes(fresh)  # the half-unpacked image volume went too

    # The image itself is intact and usable afterwards.
    fresh.ok("init", "big", "cbig2")
    assert fresh.instance("cbig2")["status"] == "Stopped"


def test_sigint_without_a_terminal_cancels_too(fresh, big_tarball):
    fresh.ok("-q", "image", "import", big_tarball, "--alias", "big")
    # No terminal, so no progress line: the operation events (through monitor) say when to interrupt.
    proc = subprocess.Popen([fresh.binary, "--state-dir", fresh.state_dir, "monitor", "-f", "json",
                             "--type", "operation", "--", "init", "big", "cquiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events = []
    try:
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            events.append(json.loads(line))
            progress = events[-1]["metadata"]["metadata"].get("create_instance_from_image_unpack_progress", "")
            if PROGRESS_RE.search(progress):
                proc.send_signal(signal.SIGINT)
                break
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    events += [json.loads(line) for line in rest.splitlines() if line.startswith("{")]
    assert proc.returncode == 1, err
    assert err.startswith("Cancelling") and "Error: Creating instance \"cquiet\" cancelled" in err, err
    assert events[-1]["metadata"]["status"] == "Cancelled" and events[-1]["metadata"]["status_code"] == 401
    assert_nothing_left(fresh, "cquiet")


# ---- operation list/show/delete ---------------------------------------------------------------


def test_operation_list_formats(inst):
    # No daemon: a fresh inst process knows no operation, and says so honestly with an empty list.
    assert json.loads(inst.ok("operation", "list", "--format", "json").stdout) == []
    assert yaml.safe_load(inst.ok("operation", "ls", "-f", "yaml").stdout) == []
    assert inst.ok("operation", "list", "--format", "csv").stdout == ""
    table = inst.ok("operation", "list").stdout.splitlines()
    assert [c.strip() for c in table[1].strip("|").split("|")] == \
        ["ID", "TYPE", "DESCRIPTION", "STATUS", "CANCELABLE", "CREATED"]
    assert len(table) == 3
    assert_error(inst.run("operation", "list", "--format", "xml"), '"xml"')


def test_operation_show_and_delete_unknown(inst):
    missing = "344a79e4-d88a-45bf-9c39-c72c26f6ab8a"
    for args in (["show", missing], ["delete", missing], ["cancel", missing], ["rm", "local:" + missing]):
        r = inst.run("operation", *args)
        assert_error(r, missing, "not found")


def test_operation_help_is_honest(inst):
    r = inst.run("operation", "--help", state_dir=False)
    assert r.returncode == 0
    assert re.search(r"^  delete\s+Delete a background operation", r.stdout, re.M)
    assert "no daemon" in r.stdout and "usually lists" in r.stdout
    r = inst.run("operation", "delete", "--help", state_dir=False)
    assert "Aliases:\n  delete, cancel, rm" in r.stdout


# ---- monitor ----------------------------------------------------------------------------------


def test_monitor_help(inst):
    r = inst.run("monitor", "--help", state_dir=False)
    assert r.returncode == 0
    for flag in ["--type", "--pretty", "--loglevel", "--all-projects", "--format"]:
        assert flag in r.stdout, flag
    assert "events are those of this inst process only" in r.stdout
    assert "inst monitor --type=lifecycle -- launch busybox c1" in r.stdout
    assert re.search(r"^  monitor\s", inst.run("--help", state_dir=False).stdout, re.M)


def test_monitor_json_lines_of_a_launch(inst):
    r = inst.ok("monitor", "--format", "json", "--type", "lifecycle", "--type", "operation",
                "--", "launch", "busybox", "m1")
    try:
        lines = r.stdout.splitlines()
        assert "Creating m1" in lines and "Starting m1" in lines  # the command's own output
        events = [json.loads(line) for line in lines if line.startswith("{")]
        assert {e["type"] for e in events} == {"lifecycle", "operation"}
        actions = [e["metadata"]["action"] for e in events if e["type"] == "lifecycle"]
        assert actions == ["instance-created", "instance-started"]
        created = next(e for e in events if e["type"] == "lifecycle")
        assert created["metadata"]["source"] == "/1.0/instances/m1" and created["project"] == "default"
        ops = [e["metadata"] for e in events if e["type"] == "operation"]
        assert [o["status"] for o in ops if o["description"] == "Creating instance"][-1] == "Success"
        assert [o["status"] for o in ops if o["description"] == "Starting instance"][-1] == "Success"
        assert all(o["resources"] == {"instances": ["/1.0/instances/m1"]} for o in ops)
    finally:
        inst.run("delete", "--force", "m1")


def test_monitor_yaml_and_pretty(inst):
    r = inst.ok("-q", "monitor", "--type", "lifecycle", "--", "init", "busybox", "m2")
    try:
        docs = [d for d in yaml.safe_load_all(r.stdout) if d]
        assert [d["metadata"]["action"] for d in docs] == ["instance-created"]
        assert list(docs[0]) == sorted(docs[0])  # keys sorted, as lxc prints them
        assert docs[0]["type"] == "lifecycle"

        r = inst.ok("monitor", "--pretty", "--type", "lifecycle", "--", "delete", "m2")
        assert re.search(r"^\[INFO\] \[\d\d-\d\d\|\d\d:\d\d:\d\d\] Action: instance-deleted, Source: /1.0/instances/m2",
                         r.stdout, re.M), r.stdout
    finally:
        inst.run("delete", "--force", "m2")


def test_monitor_loglevel_filters_logging_events(inst):
    shown = inst.ok("-q", "monitor", "-f", "json", "--type", "logging", "--loglevel", "info",
                    "--", "init", "busybox", "m3")
    try:
        messages = [json.loads(line)["metadata"] for line in shown.stdout.splitlines()]
        assert any(m["message"] == "instance created" and m["context"]["instance"] == "m3" for m in messages)
        assert all(m["level"] in ("info", "warn", "error") for m in messages)
        hidden = inst.ok("-q", "monitor", "-f", "json", "--type", "logging", "--loglevel", "error",
                         "--", "delete", "m3")
        assert hidden.stdout == ""
    finally:
        inst.run("delete", "--force", "m3")


def test_monitor_bad_input(inst):
    assert_error(inst.run("monitor", "--type", "bogus"), '"bogus"')
    assert_error(inst.run("monitor", "--format", "xml"), '"xml"')
    assert_error(inst.run("monitor", "--loglevel", "loud"), '"loud"')
    # monitor takes a remote, as lxc's: an unknown one is named as lxc names it.
    assert_error(inst.run("monitor", "elsewhere:"), 'remote "elsewhere" doesn\'t exist')
    assert_error(inst.run("monitor", "--", "frobnicate"), '"frobnicate"')
    # The nested command's own failure is reported and becomes monitor's exit status.
    assert_error(inst.run("monitor", "--", "start", "nosuch"), "nosuch")


def test_monitor_runs_until_interrupted(fresh):
    proc = subprocess.Popen([fresh.binary, "--state-dir", fresh.state_dir, "monitor"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1)
        assert proc.poll() is None  # waiting for events
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert err == ""
