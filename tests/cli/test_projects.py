"""`inst project ...` as lxc 5.0.2 has it: projects created, listed in every format, shown,
edited, configured, renamed and deleted; the CLI's current project (switch, kept per state
directory in $INST_CONF) and --project on the other commands; the isolation, limits and
restrictions of a project as the library enforces them, seen through the CLI. Only stopped
instances (init), so nothing starts."""

import csv
import io
import json
import os
import pty
import shutil
import subprocess
import tempfile

import pytest
import yaml

from conftest import Inst, assert_error, inst_binary, make_state_dir

# A project sharing the default project's images and profiles, so `init busybox` works in it.
SHARED = ["-c", "features.images=false", "-c", "features.profiles=false"]


class ProjectInst(Inst):
    """An Inst whose every run gets its own inst config directory (INST_CONF)."""

    def run(self, *args, env=None, **kw):
        return super().run(*args, env={**self.env, **(env or {})}, **kw)


def project_names(tool):
    return sorted(p["name"] for p in json.loads(tool.ok("project", "list", "--format", "json").stdout))


@pytest.fixture
def conf_dir():
    path = tempfile.mkdtemp(prefix="inst-conf-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def tool(inst, conf_dir):
    """The session's state directory (busybox image) with a private INST_CONF; the projects a
    test made (and their instances) are removed afterwards."""
    t = ProjectInst(inst.binary, inst.state_dir, env={"INST_CONF": conf_dir})
    before = set(project_names(t))
    yield t
    for name in set(project_names(t)) - before:
        for i in json.loads(t.ok("list", "--format", "json", "--project", name).stdout):
            t.run("delete", "--force", i["name"], "--project", name)
        t.run("project", "delete", name)
    assert set(project_names(t)) == before


def test_project_create_show_get_set_unset_delete(tool):
    assert tool.ok("project", "create", "pcrud", "-c", "limits.instances=4", "--config", "user.note=hi").stdout == \
        "Project pcrud created\n"
    shown = yaml.safe_load(tool.ok("project", "show", "pcrud").stdout)
    assert shown["name"] == "pcrud" and shown["description"] == ""
    # New projects get LXD's features: own images, profiles and volumes, the default's networks.
    assert shown["config"] == {"features.images": "true", "features.profiles": "true",
                               "features.storage.volumes": "true", "features.networks": "false",
                               "limits.instances": "4", "user.note": "hi"}
    assert shown["used_by"] == ["/1.0/profiles/default?project=pcrud"]  # its own default profile
    # Go's field order: config, description, name, used_by.
    keys = [line.split(":")[0] for line in tool.ok("project", "show", "pcrud").stdout.splitlines()
            if line and not line.startswith((" ", "-"))]
    assert keys == ["config", "description", "name", "used_by"]

    assert tool.ok("project", "get", "pcrud", "limits.instances").stdout == "4\n"
    assert tool.ok("project", "get", "pcrud", "limits.memory").stdout == "\n"
    tool.ok("project", "set", "pcrud", "limits.instances=7", "limits.containers=3")
    tool.ok("project", "set", "pcrud", "limits.memory", "2GiB")
    config = yaml.safe_load(tool.ok("project", "show", "pcrud").stdout)["config"]
    assert (config["limits.instances"], config["limits.containers"], config["limits.memory"]) == ("7", "3", "2GiB")
    tool.ok("project", "unset", "pcrud", "limits.memory")
    tool.ok("project", "unset", "pcrud", "limits.memory")  # as lxc: unsetting an unset key is fine
    assert "limits.memory" not in yaml.safe_load(tool.ok("project", "show", "pcrud").stdout)["config"]
    # A value the library refuses changes nothing and names the key.
    assert_error(tool.run("project", "set", "pcrud", "limits.instances=lots"), "limits.instances")
    assert_error(tool.run("project", "set", "pcrud", "no.such.key=1"), "no.such.key")
    assert tool.ok("project", "get", "pcrud", "limits.instances").stdout == "7\n"

    assert_error(tool.run("project", "create", "pcrud"), "pcrud")
    assert_error(tool.run("project", "create", "bad/name"), "bad/name")
    assert_error(tool.run("project", "create", "pbad", "-c", "limits.instances"), "Bad key=value pair: limits.instances")
    assert tool.ok("project", "rm", "pcrud").stdout == "Project pcrud deleted\n"
    assert_error(tool.run("project", "show", "pcrud"))
    assert_error(tool.run("project", "delete", "pcrud"))
    assert_error(tool.run("project", "delete", "default"), "default")
    assert_error(tool.run("project", "rename", "default", "other"), "default")


def test_project_list_formats(tool):
    tool.ok("project", "create", "plist", "-c", "features.images=false")
    doc = yaml.safe_load(tool.ok("project", "show", "plist").stdout)
    doc["description"] = "listed, with a comma"
    tool.ok("project", "edit", "plist", input=yaml.safe_dump(doc))
    docs = json.loads(tool.ok("project", "list", "--format", "json").stdout)
    names = [d["name"] for d in docs]
    assert "default" in names and "plist" in names
    doc = next(d for d in docs if d["name"] == "plist")
    assert list(doc) == ["config", "description", "name", "used_by"]
    assert doc["description"] == "listed, with a comma"
    assert yaml.safe_load(tool.ok("project", "list", "--format", "yaml").stdout) == docs

    rows = {r[0]: r for r in csv.reader(io.StringIO(tool.ok("project", "list", "-f", "csv").stdout))}
    # NAME, IMAGES, PROFILES, STORAGE VOLUMES, NETWORKS, DESCRIPTION, USED BY; the current one marked.
    assert rows["plist"][:6] == ["plist", "NO", "YES", "YES", "NO", "listed, with a comma"]
    assert rows["plist"][6].isdigit()
    assert rows["default (current)"][:5] == ["default (current)", "YES", "YES", "YES", "YES"]

    table = tool.ok("project", "ls").stdout.splitlines()
    assert [c.strip() for c in table[1].split("|")[1:-1]] == \
        ["NAME", "IMAGES", "PROFILES", "STORAGE VOLUMES", "NETWORKS", "DESCRIPTION", "USED BY"]
    assert table[0].startswith("+-") and table[-1].startswith("+-")
    assert any(line.startswith("| default (current) |") for line in table)
    assert tool.ok("project", "list", "local:", "-f", "csv").stdout == tool.ok("project", "list", "-f", "csv").stdout
    assert_error(tool.run("project", "list", "nosuchremote:"), "nosuchremote")
    assert_error(tool.run("project", "list", "--format", "xml"), "xml")


def test_project_edit_roundtrip_rename_and_stdin_errors(tool):
    tool.ok("project", "create", "pedit")
    doc = yaml.safe_load(tool.ok("project", "show", "pedit").stdout)
    doc["description"] = "edited"
    doc["config"]["limits.containers"] = "2"
    tool.ok("project", "edit", "pedit", input=yaml.safe_dump(doc))
    again = yaml.safe_load(tool.ok("project", "show", "pedit").stdout)
    assert again["description"] == "edited" and again["config"] == doc["config"]
    # What show prints, edited back unchanged, is accepted and changes nothing.
    tool.ok("project", "edit", "pedit", input=tool.ok("project", "show", "pedit").stdout)
    assert yaml.safe_load(tool.ok("project", "show", "pedit").stdout) == again
    assert_error(tool.run("project", "edit", "pedit", input="config: [1, 2]\n"), "config")
    assert_error(tool.run("project", "edit", "pedit", input="config: {limits.containers: many}\n"), "limits.containers")
    assert yaml.safe_load(tool.ok("project", "show", "pedit").stdout) == again

    assert tool.ok("project", "rename", "pedit", "pedit2").stdout == "Project pedit renamed to pedit2\n"
    assert "pedit2" in project_names(tool) and "pedit" not in project_names(tool)
    tool.ok("project", "mv", "pedit2", "pedit")


def test_project_edit_in_editor(tool, tmp_path):
    tool.ok("project", "create", "peditor")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/^description: .*/description: from the editor/' \"$1\"\n")
    editor.chmod(0o755)
    leader, follower = pty.openpty()  # stdin a terminal: lxc opens the editor
    try:
        r = subprocess.run([tool.binary, "--state-dir", tool.state_dir, "project", "edit", "peditor"],
                           stdin=follower, capture_output=True, text=True, timeout=60,
                           env={**os.environ, **tool.env, "EDITOR": str(editor), "VISUAL": ""})
    finally:
        os.close(follower)
        os.close(leader)
    assert r.returncode == 0, r.stderr
    assert yaml.safe_load(tool.ok("project", "show", "peditor").stdout)["description"] == "from the editor"


def test_switch_sets_the_current_project_per_state_dir(tool, conf_dir):
    tool.ok("project", "create", "pswitch", *SHARED)
    tool.ok("init", "busybox", "in-switch", "--project", "pswitch")
    assert tool.instance("in-switch") is None
    assert tool.ok("project", "switch", "pswitch").stdout == ""
    config_file = os.path.join(conf_dir, "config.yml")
    stored = yaml.safe_load(open(config_file))
    assert stored["current_projects"] == {os.path.realpath(tool.state_dir): "pswitch"}

    # Every command now works in pswitch; --project overrides it for one command.
    assert [i["name"] for i in tool.instances()] == ["in-switch"]
    assert tool.instance("in-switch")["project"] == "pswitch"
    assert "in-switch" not in [i["name"] for i in json.loads(tool.ok("list", "--format", "json", "--project", "default").stdout)]
    assert tool.ok("config", "get", "in-switch", "volatile.base_image").stdout.strip() != ""
    rows = {r[0] for r in csv.reader(io.StringIO(tool.ok("project", "list", "-f", "csv").stdout))}
    assert "pswitch (current)" in rows and "default" in rows
    # The marker follows the switch, not --project (as lxc).
    rows = {r[0] for r in csv.reader(io.StringIO(tool.ok("project", "list", "-f", "csv", "--project", "default").stdout))}
    assert "pswitch (current)" in rows

    # Another state directory keeps its own current project.
    other = ProjectInst(inst_binary(), make_state_dir(), env=dict(tool.env))
    try:
        rows = {r[0] for r in csv.reader(io.StringIO(other.ok("project", "list", "-f", "csv").stdout))}
        assert rows == {"default (current)"}
        other.ok("project", "create", "pother")
        other.ok("project", "switch", "pother")
        assert set(yaml.safe_load(open(config_file))["current_projects"].values()) == {"pswitch", "pother"}
        assert [i["name"] for i in tool.instances()] == ["in-switch"]
        # A relative spelling of the state directory is the same directory.
        rel = os.path.relpath(other.state_dir)
        r = subprocess.run([other.binary, "--state-dir", rel, "project", "list", "-f", "csv"],
                           capture_output=True, text=True, env={**os.environ, **other.env})
        assert "pother (current)" in r.stdout, r.stderr
        other.ok("project", "switch", "default")
        assert "pother" not in yaml.safe_load(open(config_file))["current_projects"].values()
    finally:
        shutil.rmtree(other.state_dir, ignore_errors=True)

    # An unknown project is refused and the current one stays.
    assert_error(tool.run("project", "switch", "nosuch"), "nosuch")
    assert [i["name"] for i in tool.instances()] == ["in-switch"]

    # Without INST_CONF, $XDG_CONFIG_HOME/inst holds the config (nothing switched there yet).
    xdg = tempfile.mkdtemp(prefix="inst-xdg-")
    try:
        env = {"INST_CONF": "", "XDG_CONFIG_HOME": xdg}
        assert tool.instance("in-switch") is not None
        assert "in-switch" not in tool.ok("list", "-f", "csv", "-c", "n", env=env).stdout
        tool.ok("project", "switch", "pswitch", env=env)
        assert yaml.safe_load(open(os.path.join(xdg, "inst", "config.yml")))["current_projects"] == \
            {os.path.realpath(tool.state_dir): "pswitch"}
        assert tool.ok("list", "-f", "csv", "-c", "n", env=env).stdout == "in-switch\n"
    finally:
        shutil.rmtree(xdg, ignore_errors=True)

    # Deleting the current project switches back to default (as lxc).
    tool.ok("delete", "in-switch")
    tool.ok("project", "delete", "pswitch")
    assert "current_projects" not in (yaml.safe_load(open(config_file)) or {})
    rows = {r[0] for r in csv.reader(io.StringIO(tool.ok("project", "list", "-f", "csv").stdout))}
    assert "default (current)" in rows


def test_instances_are_isolated_by_project(tool):
    tool.ok("project", "create", "pa", *SHARED)
    tool.ok("project", "create", "pb", *SHARED)
    tool.ok("init", "busybox", "iso", "--project", "pa")
    tool.ok("init", "busybox", "iso", "--project", "pb")  # the same name in another project
    tool.ok("init", "busybox", "only-b", "--project", "pb")
    names = lambda p: sorted(i["name"] for i in json.loads(tool.ok("list", "--format", "json", "--project", p).stdout))
    assert names("pa") == ["iso"]
    assert names("pb") == ["iso", "only-b"]
    assert "iso" not in names("default")
    assert_error(tool.run("info", "only-b", "--project", "pa"), "only-b")
    assert_error(tool.run("delete", "only-b", "--project", "pa"), "only-b")
    tool.ok("config", "set", "iso", "user.where=a", "--project", "pa")
    assert tool.ok("config", "get", "iso", "user.where", "--project", "pb").stdout == "\n"
    # --all-projects: every project's instances, the PROJECT column first (lxc's "ens46tS").
    table = tool.ok("list", "--all-projects").stdout.splitlines()
    assert [c.strip() for c in table[1].split("|")[1:-1]] == ["PROJECT", "NAME", "STATE", "IPV4", "IPV6", "TYPE", "SNAPSHOTS"]
    pairs = {(r[0], r[1]) for r in csv.reader(io.StringIO(tool.ok("list", "--all-projects", "-f", "csv").stdout))}
    assert {("pa", "iso"), ("pb", "iso"), ("pb", "only-b")} <= pairs
    docs = json.loads(tool.ok("list", "--all-projects", "-f", "json").stdout)
    assert sorted(d["project"] for d in docs if d["name"] == "iso") == ["pa", "pb"]
    assert_error(tool.run("list", "--all-projects", "--project", "pa"), "Can't specify --project with --all-projects")
    used_by = yaml.safe_load(tool.ok("project", "show", "pa").stdout)["used_by"]
    assert "/1.0/instances/iso?project=pa" in used_by

    # A project that is not empty cannot be deleted or renamed.
    assert_error(tool.run("project", "delete", "pa"), "pa")
    assert_error(tool.run("project", "rename", "pa", "pa2"), "pa")
    assert "pa" in project_names(tool)
    tool.ok("delete", "iso", "--project", "pa")
    assert names("pb") == ["iso", "only-b"]
    tool.ok("project", "delete", "pa")
    assert_error(tool.run("list", "--project", "pa"), "pa")  # an unknown project is NotFound


def test_project_with_its_own_profiles(tool):
    tool.ok("project", "create", "pown", "-c", "features.images=false")
    # Its own default profile has no devices: without a root disk an instance cannot be made.
    assert yaml.safe_load(tool.ok("profile", "show", "default", "--project", "pown").stdout)["devices"] == {}
    assert_error(tool.run("init", "busybox", "noroot", "--project", "pown"))
    tool.ok("profile", "device", "add", "default", "root", "disk", "path=/", "pool=default", "--project", "pown")
    assert yaml.safe_load(tool.ok("profile", "show", "default", "--project", "pown").stdout)["devices"] == \
        {"root": {"type": "disk", "path": "/", "pool": "default"}}
    tool.ok("init", "busybox", "withroot", "--project", "pown")
    assert tool.ok("list", "-f", "csv", "-c", "n", "--project", "pown").stdout == "withroot\n"


def test_limit_refused(tool):
    tool.ok("project", "create", "plim", *SHARED, "-c", "limits.instances=1")
    tool.ok("init", "busybox", "first", "--project", "plim")
    r = tool.run("init", "busybox", "second", "--project", "plim")
    assert_error(r, "limits.instances")
    assert tool.ok("list", "-f", "csv", "-c", "n", "--project", "plim").stdout == "first\n"
    # A limit below what is in use is refused too.
    tool.ok("project", "set", "plim", "limits.instances=2")
    tool.ok("init", "busybox", "second", "--project", "plim")
    assert_error(tool.run("project", "set", "plim", "limits.instances=1"), "limits.instances")


def test_project_info_table(tool):
    tool.ok("project", "create", "pinfo", *SHARED, "-c", "limits.instances=5", "-c", "limits.memory=1GiB")
    tool.ok("init", "busybox", "counted", "--project", "pinfo", "-c", "limits.memory=256MiB")
    rows = list(csv.reader(io.StringIO(tool.ok("project", "info", "pinfo", "--format", "csv").stdout)))
    by_name = {r[0]: r for r in rows}
    assert [r[0] for r in rows] == sorted(by_name)
    assert by_name["INSTANCES"] == ["INSTANCES", "5", "1"]
    assert by_name["CONTAINERS"] == ["CONTAINERS", "UNLIMITED", "1"]
    assert by_name["MEMORY"] == ["MEMORY", "1.00GiB", "256.00MiB"]
    assert by_name["DISK"][1] == "UNLIMITED" and by_name["DISK"][2].endswith("B")
    table = tool.ok("project", "info", "pinfo").stdout.splitlines()
    assert [c.strip() for c in table[1].split("|")[1:-1]] == ["RESOURCE", "LIMIT", "USAGE"]
    assert any(line.replace(" ", "") == "|INSTANCES|5|1|" for line in table)
    state = json.loads(tool.ok("project", "info", "pinfo", "--format", "json").stdout)
    assert state["resources"]["instances"] == {"Limit": 5, "Usage": 1}
    assert state["resources"]["containers"] == {"Limit": -1, "Usage": 1}
    state = yaml.safe_load(tool.ok("project", "info", "pinfo", "--format", "yaml").stdout)
    assert state["resources"]["memory"] == {"limit": 1 << 30, "usage": 256 << 20}
    assert_error(tool.run("project", "info", "nosuch"), "nosuch")


def test_restriction_refused(tool):
    tool.ok("project", "create", "prestr", *SHARED, "-c", "restricted=true")
    assert_error(tool.run("init", "busybox", "priv", "--project", "prestr", "-c", "security.privileged=true"),
                 "privileged", "restricted.containers.privilege", "prestr")
    assert tool.ok("list", "-f", "csv", "-c", "n", "--project", "prestr").stdout == ""
    tool.ok("init", "busybox", "plain", "--project", "prestr")
    assert_error(tool.run("config", "set", "plain", "security.privileged=true", "--project", "prestr"),
                 "privileged", "restricted.containers.privilege")
    # Allowed by the project's own setting, it is accepted.
    tool.ok("project", "set", "prestr", "restricted.containers.privilege=allow")
    tool.ok("config", "set", "plain", "security.privileged=true", "--project", "prestr")


def test_help_and_usage(tool):
    out = tool.ok("project", "--help").stdout
    for verb in ("create", "delete", "edit", "get", "info", "list", "rename", "set", "show", "switch", "unset"):
        assert f"\n  {verb} " in out
    assert "Override the source project" in tool.ok("list", "--help").stdout
    assert "--config" in tool.ok("project", "create", "--help").stdout
    assert_error(tool.run("project", "create", "a", "b"), "Invalid number of arguments")
    assert_error(tool.run("project", "get", "default"), "Invalid number of arguments")


def test_copy_and_move_to_another_project(tool):
    tool.ok("project", "create", "pcopy", *SHARED)
    tool.ok("project", "create", "pdest", *SHARED)
    tool.ok("init", "busybox", "src", "-c", "user.tag=kept", "--project", "pcopy")
    tool.ok("snapshot", "src", "s0", "--project", "pcopy")
    tool.ok("copy", "src", "copied", "--target-project", "pdest", "--project", "pcopy")
    tool.ok("move", "src", "moved", "--target-project", "pdest", "--project", "pcopy")
    assert tool.ok("list", "-f", "csv", "-c", "n", "--project", "pcopy").stdout == ""
    assert tool.ok("list", "-f", "csv", "-c", "nS", "--project", "pdest").stdout == "copied,1\nmoved,1\n"
    for name in ("copied", "moved"):
        assert tool.ok("config", "get", name, "user.tag", "--project", "pdest").stdout == "kept\n"
    assert_error(tool.run("move", "moved", "--target-project", "nosuch", "--project", "pdest"), "nosuch")
    assert tool.ok("list", "-f", "csv", "-c", "n", "--project", "pdest").stdout == "copied\nmoved\n"
