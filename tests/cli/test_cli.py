"""`inst` end to end: the real binary, real containers, a temporary state directory."""

import csv
import io
import json
import os
import re
import subprocess

import yaml

from conftest import Inst, assert_error, inst_binary, run_on_pty

FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")


def table_rows(text):
    """Rows of an lxc-style boxed table, as lists of stripped cells (header first)."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        else:
            assert re.fullmatch(r"\+(-+\+)+", line), f"not a table border: {line!r}"
    return rows


# ---- images -----------------------------------------------------------------------------------


def test_image_list_formats(inst):
    rows = table_rows(inst.ok("image", "list").stdout)
    assert rows[0] == ["ALIAS", "FINGERPRINT", "PUBLIC", "DESCRIPTION", "ARCHITECTURE", "TYPE", "SIZE", "UPLOAD DATE"]
    busybox = [r for r in rows[1:] if r[0] == "busybox"]
    assert len(busybox) == 1
    assert re.fullmatch(r"[0-9a-f]{12}", busybox[0][1])
    assert busybox[0][5] == "CONTAINER"
    assert re.fullmatch(r"\d+\.\d\dMiB", busybox[0][6])

    images = json.loads(inst.ok("image", "list", "--format", "json").stdout)
    img = next(i for i in images if any(a["name"] == "busybox" for a in i["aliases"]))
    assert FINGERPRINT_RE.match(img["fingerprint"])
    assert img["fingerprint"].startswith(busybox[0][1])
    assert img["size"] > 0

    assert yaml.safe_load(inst.ok("image", "list", "-f", "yaml").stdout)[0]["fingerprint"] == img["fingerprint"]
    csv_rows = list(csv.reader(io.StringIO(inst.ok("image", "list", "--format=csv").stdout)))
    assert csv_rows[0][0] == "busybox" and csv_rows[0][1] == busybox[0][1]


def test_image_show_and_info(inst):
    shown = yaml.safe_load(inst.ok("image", "show", "busybox").stdout)
    assert shown["public"] is False
    assert shown["properties"]["os"] == "busybox"
    info = inst.ok("image", "info", "busybox").stdout
    fingerprint = re.search(r"^Fingerprint: ([0-9a-f]{64})$", info, re.M)
    assert fingerprint, info
    assert re.search(r"^Aliases:\n    - busybox$", info, re.M)
    assert "Type: container" in info
    assert_error(inst.run("image", "show", "nosuchimage"), "nosuchimage")


def test_image_alias_create_delete(inst):
    inst.ok("image", "alias", "create", "bb-extra", "busybox")
    aliases = json.loads(inst.ok("image", "alias", "list", "--format", "json").stdout)
    assert {"bb-extra", "busybox"} <= {a["name"] for a in aliases}
    row = next(r for r in table_rows(inst.ok("image", "list").stdout)[1:] if r[0].startswith("busybox"))
    assert row[0] == "busybox (1 more)"  # the shortest alias and a count of the others, like lxc
    assert_error(inst.run("image", "alias", "create", "bb-extra", "busybox"), "bb-extra")
    inst.ok("image", "alias", "delete", "bb-extra")
    assert "bb-extra" not in {a["name"] for a in json.loads(inst.ok("image", "alias", "list", "-f", "json").stdout)}
    assert_error(inst.run("image", "alias", "delete", "bb-extra"), "bb-extra")


def test_image_build_output_import_delete(fresh, tmp_path):
    tarball = tmp_path / "busybox.tar.xz"
    built = fresh.ok("image", "build", "busybox", "--output", str(tarball), "--alias", "one", "--alias", "two")
    fingerprint = re.search(r"fingerprint: ([0-9a-f]{64})", built.stdout).group(1)
    assert tarball.stat().st_size > 0
    img = json.loads(fresh.ok("image", "list", "-f", "json").stdout)[0]
    assert sorted(a["name"] for a in img["aliases"]) == ["one", "two"]

    fresh.ok("image", "delete", fingerprint[:12])
    assert json.loads(fresh.ok("image", "list", "-f", "json").stdout) == []
    assert_error(fresh.run("image", "delete", "one"), "one")

    imported = fresh.ok("image", "import", str(tarball), "--alias", "imported")
    assert re.search(r"Image imported with fingerprint: [0-9a-f]{64}", imported.stdout)
    fresh.ok("launch", "imported", "fromimport")
    assert fresh.instance("fromimport")["status"] == "Running"
    assert_error(fresh.run("image", "import", str(tmp_path / "missing.tar.xz")), "missing.tar.xz")


def test_image_build_shows_progress_on_a_tty(fresh):
    r = run_on_pty(fresh, "image", "build", "busybox")
    assert r.returncode == 0, r.stderr
    # Redrawn in place from the build operation's progress, then blanked out, like lxc.
    assert re.search(r"\rBuilding image: Build: \d+%", r.stdout), repr(r.stdout)
    assert re.search(r"\r +\rImage built with fingerprint: [0-9a-f]{64}\r\n$", r.stdout), repr(r.stdout)

    quiet = run_on_pty(fresh, "-q", "image", "build", "busybox", "--alias", "again")
    assert quiet.returncode == 0 and quiet.stdout == "", repr(quiet.stdout)

    piped = fresh.ok("image", "build", "busybox", "--alias", "piped")  # no terminal: no progress
    assert re.fullmatch(r"Image built with fingerprint: [0-9a-f]{64}\n", piped.stdout), repr(piped.stdout)
    assert fresh.ok("-q", "image", "build", "busybox").stdout == ""


# ---- instances --------------------------------------------------------------------------------


def test_launch_and_list_formats(inst, c1):
    rows = table_rows(inst.ok("list").stdout)
    assert rows[0] == ["NAME", "STATE", "IPV4", "IPV6", "TYPE", "SNAPSHOTS"]
    assert ["c1", "RUNNING", "", "", "CONTAINER", "0"] in rows[1:]

    listed = json.loads(inst.ok("list", "--format", "json").stdout)
    doc = next(i for i in listed if i["name"] == "c1")
    assert doc["status"] == "Running" and doc["status_code"] == 103
    assert doc["state"]["pid"] > 0
    assert doc["type"] == "container"

    docs = yaml.safe_load(inst.ok("list", "--format", "yaml").stdout)
    ydoc = next(i for i in docs if i["name"] == "c1")
    assert ydoc["status"] == "Running" and ydoc["state"]["pid"] == doc["state"]["pid"]

    csv_rows = list(csv.reader(io.StringIO(inst.ok("list", "--format", "csv").stdout)))
    assert ["c1", "RUNNING", "", "", "CONTAINER", "0"] in csv_rows

    custom = table_rows(inst.ok("list", "-c", "nsp,image.os:OS").stdout)
    assert custom[0] == ["NAME", "STATE", "PID", "OS"]
    assert ["c1", "RUNNING", str(doc["state"]["pid"]), "busybox"] in custom[1:]

    assert table_rows(inst.ok("list", "nomatch").stdout)[1:] == []  # a name filter
    assert [r[0] for r in table_rows(inst.ok("list", "status=running").stdout)[1:]] == ["c1"]
    assert_error(inst.run("list", "--format", "xml"), '"xml"')
    assert_error(inst.run("list", "-c", "nZ"), "Z")


def test_launch_prints_progress_and_honours_flags(inst):
    r = inst.ok("launch", "busybox", "c2", "-e", "-c", "user.note=hello", "--config", "user.other=x")
    try:
        assert r.stdout == "Creating c2\nStarting c2\n"
        doc = inst.instance("c2")
        assert doc["ephemeral"] is True
        assert doc["config"]["user.note"] == "hello" and doc["config"]["user.other"] == "x"
        assert ["c2", "RUNNING", "", "", "CONTAINER (EPHEMERAL)", "0"] in table_rows(inst.ok("list").stdout)
        assert_error(inst.run("launch", "busybox", "c9", "-c", "novalue"), "novalue")
    finally:
        inst.run("delete", "--force", "c2")


def test_launch_without_name_generates_one(inst):
    r = inst.ok("launch", "busybox")
    name = re.search(r"^Instance name is: (\S+)$", r.stdout, re.M).group(1)
    try:
        assert re.fullmatch(r"[a-z]+-[a-z]+", name)
        assert inst.instance(name)["status"] == "Running"
    finally:
        inst.ok("delete", "--force", name)


def test_init_creates_stopped_and_exec_on_stopped_fails(inst):
    assert inst.ok("-q", "init", "busybox", "c3").stdout == ""
    try:
        assert inst.instance("c3")["status"] == "Stopped"
        assert_error(inst.run("exec", "c3", "--", "true"), "c3", "not running")
        inst.ok("delete", "c3")  # stopped: no --force needed
        assert inst.instance("c3") is None
    finally:
        inst.run("delete", "--force", "c3")


def test_exec_exit_status_and_streams(inst, c1):
    r = inst.run("exec", "c1", "--", "sh", "-c", "echo out; echo err >&2; exit 7")
    assert r.returncode == 7
    assert r.stdout == "out\n"
    assert r.stderr == "err\n"
    assert inst.run("exec", "c1", "--", "true").returncode == 0
    assert inst.run("exec", "c1", "--", "sh", "-c", "kill -9 $$").returncode == 128 + 9


def test_exec_leaves_no_exec_agent(inst, c1):
    """inst is one-shot: its execs attach through liblxc (policy off), so no exec agent
    (docs/design/0011) is left in the container after them."""
    inst.ok("exec", "c1", "--", "true")
    r = inst.ok("exec", "c1", "--", "sh", "-c", "for p in /proc/[0-9]*; do cat $p/comm 2>/dev/null; done")
    assert "li-exec-agent" not in r.stdout.split()
    assert "sh" in r.stdout.split()  # the listing works: it sees its own shell


def test_exec_stdin_piped(inst, c1):
    data = "".join(f"line {n}\n" for n in range(2000))
    r = inst.run("exec", "c1", "--", "cat", input=data)
    assert r.returncode == 0
    assert r.stdout == data
    r = inst.run("exec", "c1", "--", "wc", "-l", input=data)
    assert r.stdout.strip() == "2000"
    r = inst.run("exec", "-n", "c1", "--", "cat", input="ignored\n")
    assert r.returncode == 0 and r.stdout == ""


def test_exec_env_cwd_user_group(inst, c1):
    r = inst.ok("exec", "c1", "--env", "FOO=bar", "--env", "BAZ=qux", "--cwd", "/tmp", "--",
                "sh", "-c", "echo $FOO $BAZ; pwd")
    assert r.stdout == "bar qux\n/tmp\n"
    r = inst.ok("exec", "c1", "--user", "1000", "--group", "1001", "--", "sh", "-c", "id -u; id -g")
    assert r.stdout == "1000\n1001\n"
    assert_error(inst.run("exec", "c1", "--env", "NOEQUALS", "--", "true"), "NOEQUALS")
    # Without `--`, flags of the command are taken as inst's, exactly like lxc.
    assert_error(inst.run("exec", "c1", "ls", "-la"), "-la")


def test_info(inst, c1):
    text = inst.ok("info", "c1").stdout
    assert re.search(r"^Name: c1$", text, re.M)
    assert re.search(r"^Status: RUNNING$", text, re.M)
    assert re.search(r"^Type: container$", text, re.M)
    assert re.search(r"^Architecture: \S+$", text, re.M)
    assert re.search(r"^PID: [1-9]\d*$", text, re.M)
    assert re.search(r"^Created: \d{4}/\d\d/\d\d \d\d:\d\d \S+$", text, re.M)
    assert re.search(r"^Resources:\n  Processes: [1-9]\d*$", text, re.M)
    assert re.search(r"^  Memory usage:\n    Memory \(current\): [\d.]+(B|KiB|MiB|GiB)$", text, re.M)
    assert_error(inst.run("info", "nosuch"), "nosuch")


def test_stop_start_restart(inst, c1):
    pid = inst.instance("c1")["state"]["pid"]
    inst.ok("stop", "c1", "--timeout", "10")
    assert inst.instance("c1")["status"] == "Stopped"
    info = inst.ok("info", "c1").stdout
    assert "Status: STOPPED" in info and "PID:" not in info
    assert_error(inst.run("stop", "c1"), "c1")  # already stopped

    inst.ok("start", "c1")
    started = inst.instance("c1")
    assert started["status"] == "Running" and started["state"]["pid"] != pid
    assert_error(inst.run("start", "c1"), "c1")  # already running

    inst.ok("restart", "c1", "--force")
    restarted = inst.instance("c1")
    assert restarted["status"] == "Running" and restarted["state"]["pid"] != started["state"]["pid"]
    assert inst.run("exec", "c1", "--", "true").returncode == 0

    inst.ok("stop", "-f", "c1")
    assert inst.instance("c1")["status"] == "Stopped"
    assert_error(inst.run("stop", "c1", "--timeout", "abc"), '"abc"', "--timeout")


def test_actions_on_several_instances(inst, c1):
    inst.ok("init", "busybox", "c4")
    try:
        inst.ok("start", "c4")
        inst.ok("stop", "c1", "c4", "--force")
        assert inst.instance("c1")["status"] == "Stopped" and inst.instance("c4")["status"] == "Stopped"
        r = inst.run("start", "c1", "nosuch", "c4")  # one failure does not stop the others
        assert_error(r, "nosuch")
        assert inst.instance("c1")["status"] == "Running" and inst.instance("c4")["status"] == "Running"
    finally:
        inst.run("delete", "--force", "c4")


def test_delete_refused_while_running_then_forced(inst, c1):
    r = inst.run("delete", "c1")
    assert_error(r, "c1", "running")
    assert inst.instance("c1")["status"] == "Running"
    inst.ok("delete", "--force", "c1")
    assert inst.instance("c1") is None
    assert_error(inst.run("delete", "c1"), "c1")


# ---- bad input --------------------------------------------------------------------------------


def test_unknown_image(inst):
    assert_error(inst.run("launch", "nosuchimage", "c5"), "nosuchimage")
    assert inst.instance("c5") is None


def test_duplicate_name(inst, c1):
    assert_error(inst.run("launch", "busybox", "c1"), "c1", "already exists")
    assert len([i for i in inst.instances() if i["name"] == "c1"]) == 1


def test_invalid_names(inst):
    for bad in ["../x", "a b"]:
        assert_error(inst.run("launch", "busybox", bad), f'"{bad}"')
    assert [i["name"] for i in inst.instances() if i["name"] in ("../x", "a b", "x")] == []


def test_unknown_command_and_flags(inst):
    assert_error(inst.run("frobnicate"), '"frobnicate"', 'unknown command "frobnicate" for "inst"')
    assert_error(inst.run("image", "frob"), 'unknown command "frob" for "inst image"')
    assert_error(inst.run("list", "--bogus"), "unknown flag: --bogus")
    assert_error(inst.run("list", "-Z"), "unknown shorthand flag: 'Z' in -Z")
    assert_error(inst.run("launch", "busybox", "c6", "-c"), "flag needs an argument")
    assert_error(inst.run("launch", "a", "b", "c"), "Invalid number of arguments")


def test_help_and_version(inst):
    r = inst.run("--help", state_dir=False)
    assert r.returncode == 0
    for command in ["launch", "init", "list", "exec", "start", "stop", "restart", "delete", "info", "image",
                    "operation", "monitor"]:
        assert re.search(rf"^  {command}\s", r.stdout, re.M), command
    r = inst.run("exec", "--help", state_dir=False)
    assert r.returncode == 0 and "inst exec [<remote>:]<instance> [flags] [--] <command line>" in r.stdout
    assert "--env" in r.stdout and "--cwd" in r.stdout
    assert inst.run("image", "list", "-h", state_dir=False).returncode == 0
    r = inst.run("start", state_dir=False)  # no arguments: help, like lxc
    assert r.returncode == 0 and "Usage:" in r.stdout
    r = inst.run("--version", state_dir=False)
    assert r.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+\n", r.stdout)


# ---- state directory --------------------------------------------------------------------------


def test_state_dir_from_environment(inst, fresh):
    via_env = inst.run("image", "list", "--format", "json", state_dir=False, env={"LIBINSTANCE_DIR": inst.state_dir})
    assert via_env.returncode == 0, via_env.stderr
    assert any(a["name"] == "busybox" for i in json.loads(via_env.stdout) for a in i["aliases"])
    # --state-dir wins over the environment.
    override = Inst(inst.binary, fresh.state_dir).run("image", "list", "--format", "json",
                                                      env={"LIBINSTANCE_DIR": inst.state_dir})
    assert override.returncode == 0 and json.loads(override.stdout) == []


def test_second_concurrent_opener_is_busy(inst, c1):
    holder = subprocess.Popen([inst.binary, "--state-dir", inst.state_dir, "exec", "c1", "--",
                               "sh", "-c", "echo ready; sleep 3"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "ready\n"  # the holder has the state directory open now
        r = inst.run("list")
        assert_error(r, inst.state_dir, "in use")
    finally:
        assert holder.wait(timeout=60) == 0
    assert inst.instance("c1")["status"] == "Running"  # free again once the holder exits


def test_project_is_passed_through(inst, c1):
    r = inst.ok("--project", "default", "list", "--format", "json")
    assert [i["project"] for i in json.loads(r.stdout) if i["name"] == "c1"] == ["default"]
    other = inst.run("--project", "elsewhere", "list", "--format", "json")
    # Whatever the library does with an unknown project, c1 of "default" must not show up there.
    assert other.returncode != 0 or all(i["name"] != "c1" for i in json.loads(other.stdout))


def test_binary_is_set():
    assert os.access(inst_binary(), os.X_OK)


def test_image_build_debian_vm(fresh):
    # The kernel package and the built image are cached ($LIBINSTANCE_CACHE_DIR in meson's runs).
    built = fresh.ok("image", "build", "debian-vm", "--alias", "vm")
    fingerprint = re.search(r"fingerprint: ([0-9a-f]{64})", built.stdout).group(1)
    img = json.loads(fresh.ok("image", "list", "-f", "json").stdout)[0]
    assert img["fingerprint"] == fingerprint and img["type"] == "virtual-machine"
    assert img["properties"]["variant"] == "vm-busybox"
    row = next(r for r in table_rows(fresh.ok("image", "list").stdout)[1:] if r[0] == "vm")
    assert "VIRTUAL-MACHINE" in row
    assert "Type: virtual-machine" in fresh.ok("image", "info", "vm").stdout
    assert_error(fresh.run("image", "build", "debian-vm", "--release", "no-such-release"), "no-such-release")
    assert_error(fresh.run("image", "build", "debian-vm", "--variant", "buildd"), "--variant")
