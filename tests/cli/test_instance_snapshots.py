"""`inst snapshot|restore` and the "<instance>/<snapshot>" forms of delete, rename, move and
config show, the Snapshots table of `inst info` and the SNAPSHOTS column of `inst list`, in lxc
5.0.2's syntax, on real containers. Content is checked through `inst file push/pull`."""

import datetime
import json
import re

import pytest
import yaml

from conftest import assert_error


def push(tool, name, text, path="/root/f"):
    tool.ok("file", "push", "-", f"{name}{path}", input=text)


def pull(tool, name, path="/root/f"):
    return tool.ok("file", "pull", f"{name}{path}", "-").stdout


def snapshot_rows(tool, name):
    """The rows of info's Snapshots table: [name, taken at, expires at, stateful]."""
    out = tool.ok("info", name).stdout
    if "\nSnapshots:\n" not in out:
        return []
    table = out.split("\nSnapshots:\n", 1)[1].splitlines()
    assert table[0].startswith("+") and table[2].startswith("+")
    header = [c.strip() for c in table[1].strip("|").split("|")]
    assert header == ["NAME", "TAKEN AT", "EXPIRES AT", "STATEFUL"]
    return [[c.strip() for c in l.strip("|").split("|")] for l in table[3:] if l.startswith("|")]


def snapshot_names(tool, name):
    return [r[0] for r in snapshot_rows(tool, name)]


def snapshot_doc(tool, name, snap):
    return yaml.safe_load(tool.ok("config", "show", f"{name}/{snap}").stdout)


@pytest.fixture
def s1(inst):
    """A stopped container s1 holding /root/f = "one", deleted afterwards."""
    inst.ok("init", "busybox", "s1")
    push(inst, "s1", "one")
    yield "s1"
    inst.run("delete", "--force", "s1")
    assert inst.instance("s1") is None


def test_snapshot_names_info_and_list(inst, s1):
    assert snapshot_rows(inst, s1) == []
    assert "Snapshots:" not in inst.ok("info", s1).stdout
    assert inst.ok("list", s1, "-c", "nS", "--format", "csv").stdout == "s1,0\n"

    r = inst.ok("snapshot", s1)
    assert r.stdout == ""  # as lxc: nothing printed
    inst.ok("snapshot", s1)  # the next number of snapshots.pattern
    inst.ok("snapshot", s1, "named")
    inst.ok("snapshot", f"{s1}/slashed")  # lxc's "<instance>/<snapshot>" form
    inst.ok("snapshot", f"local:{s1}", "remote-prefixed")
    assert snapshot_names(inst, s1) == ["snap0", "snap1", "named", "slashed", "remote-prefixed"]

    rows = snapshot_rows(inst, s1)
    for name, taken, expires, stateful in rows:
        assert re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d \S+", taken), taken
        assert expires == "" and stateful == "NO"

    # The SNAPSHOTS column counts them in every format; the default columns include it.
    assert inst.ok("list", s1, "-c", "nS", "--format", "csv").stdout == "s1,5\n"
    table = inst.ok("list", s1).stdout
    assert re.search(r"^\| s1 .*\| CONTAINER \| 5 +\|$", table, re.M), table
    assert inst.ok("list", s1, "-c", "nS", "--format", "json").stdout == inst.ok("list", s1, "--format", "json").stdout
    # JSON and YAML carry the snapshot documents, as lxc's full listing does.
    listed = json.loads(inst.ok("list", s1, "--format", "json").stdout)[0]
    assert [snap["name"] for snap in listed["snapshots"]] == snapshot_names(inst, s1)
    listed = yaml.safe_load(inst.ok("list", s1, "--format", "yaml").stdout)[0]
    assert [snap["name"] for snap in listed["snapshots"]] == snapshot_names(inst, s1)
    inst.ok("delete", f"{s1}/snap0")
    assert inst.ok("list", s1, "-c", "S", "--format", "csv").stdout == "4\n"
    inst.ok("init", "busybox", "s1none")
    try:
        assert json.loads(inst.ok("list", "s1none", "--format", "json").stdout)[0]["snapshots"] is None
    finally:
        inst.run("delete", "s1none")

    # Errors: a taken name, a bad name, a name given twice, an unknown instance.
    assert_error(inst.run("snapshot", s1, "named"), "named")
    assert_error(inst.run("snapshot", s1, "a/b"), "a/b")
    assert_error(inst.run("snapshot", s1, "has space"), "has space")
    assert_error(inst.run("snapshot", f"{s1}/x", "y"), "Invalid instance name", f"{s1}/x")
    assert_error(inst.run("snapshot", "nosuch", "x"), "nosuch")
    assert_error(inst.run("snapshot", f"{s1}/"), f"{s1}/")
    assert snapshot_names(inst, s1) == ["snap1", "named", "slashed", "remote-prefixed"]


def test_snapshot_reuse_stateful_and_expiry(inst, s1):
    inst.ok("snapshot", s1, "keep")
    first_taken = snapshot_doc(inst, s1, "keep")["created_at"]
    push(inst, s1, "two")
    # Without --reuse a taken name is refused; with it the old snapshot is replaced.
    assert_error(inst.run("snapshot", s1, "keep"), "keep")
    inst.ok("snapshot", s1, "keep", "--reuse")
    assert snapshot_names(inst, s1) == ["keep"]
    assert snapshot_doc(inst, s1, "keep")["created_at"] >= first_taken
    inst.ok("restore", s1, "keep")
    assert pull(inst, s1) == "two"
    # --reuse of a name not taken yet simply creates it; without a name it is the usual next one.
    inst.ok("snapshot", s1, "fresh", "--reuse")
    inst.ok("snapshot", s1, "--reuse")
    assert snapshot_names(inst, s1) == ["keep", "fresh", "snap0"]

    # --stateful needs CRIU: refused naming the key, nothing made.
    r = inst.run("snapshot", s1, "st", "--stateful")
    assert_error(r, "stateful")
    assert "st" not in snapshot_names(inst, s1)

    # snapshots.expiry applies unless --no-expiry.
    inst.ok("config", "set", s1, "snapshots.expiry", "3d")
    inst.ok("snapshot", s1, "expiring")
    inst.ok("snapshot", s1, "forever", "--no-expiry")
    inst.ok("snapshot", s1, "--no-expiry")  # unnamed too
    doc = snapshot_doc(inst, s1, "expiring")
    expires = datetime.datetime.fromisoformat(str(doc["expires_at"]).replace("Z", "+00:00"))
    now = datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=3, minutes=-5) < expires - now <= datetime.timedelta(days=3)
    assert str(snapshot_doc(inst, s1, "forever")["expires_at"]).startswith("0001-01-01")
    assert str(snapshot_doc(inst, s1, "snap1")["expires_at"]).startswith("0001-01-01")
    rows = {r[0]: r for r in snapshot_rows(inst, s1)}
    assert re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d \S+", rows["expiring"][2]), rows["expiring"]
    assert rows["forever"][2] == "" and rows["snap1"][2] == ""
    # --reuse with --no-expiry replaces an expiring snapshot with one that never expires.
    inst.ok("snapshot", s1, "expiring", "--reuse", "--no-expiry")
    assert str(snapshot_doc(inst, s1, "expiring")["expires_at"]).startswith("0001-01-01")


def test_restore(inst, s1):
    inst.ok("config", "set", s1, "user.mark", "one")
    inst.ok("snapshot", s1, "base")
    push(inst, s1, "two")
    push(inst, s1, "later", "/root/later")
    inst.ok("config", "set", s1, "user.mark", "two")
    r = inst.ok("restore", s1, "base")
    assert r.stdout == ""
    assert pull(inst, s1) == "one"
    assert_error(inst.run("file", "pull", f"{s1}/root/later", "-"), "/root/later")
    assert inst.ok("config", "get", s1, "user.mark").stdout == "one\n"
    assert snapshot_names(inst, s1) == ["base"]

    # A running instance is restored and runs again.
    inst.ok("start", s1)
    push(inst, s1, "three")
    inst.ok("restore", f"local:{s1}", "base")
    assert inst.instance(s1)["status"] == "Running"
    assert inst.ok("exec", s1, "--", "cat", "/root/f").stdout == "one"

    assert_error(inst.run("restore", s1, "nosnap"), "nosnap")
    assert_error(inst.run("restore", "nosuch", "base"), "nosuch")
    assert_error(inst.run("restore", s1, "base", "--stateful"), "stateful")
    assert_error(inst.run("restore", s1, "nosnap", "--stateful"), "nosnap")
    assert_error(inst.run("restore", s1), "Invalid number of arguments")
    assert pull(inst, s1) == "one"


def test_delete_rename_move(inst, s1):
    for n in ["a", "b", "c"]:
        inst.ok("snapshot", s1, n)
    r = inst.ok("delete", f"{s1}/a")
    assert r.stdout == ""
    assert snapshot_names(inst, s1) == ["b", "c"]
    inst.ok("rm", f"local:{s1}/b")
    assert snapshot_names(inst, s1) == ["c"]
    assert_error(inst.run("delete", f"{s1}/nosnap"), "nosnap")
    assert_error(inst.run("delete", f"nosuch/c"), "nosuch")

    r = inst.ok("rename", f"{s1}/c", f"{s1}/d")
    assert r.stdout == ""
    assert snapshot_names(inst, s1) == ["d"]
    inst.ok("move", f"{s1}/d", f"{s1}/e")
    inst.ok("mv", f"{s1}/e", f"{s1}/f")
    assert snapshot_names(inst, s1) == ["f"]
    inst.ok("snapshot", s1, "g")
    assert_error(inst.run("rename", f"{s1}/f", f"{s1}/g"), "g")
    assert_error(inst.run("rename", f"{s1}/f", "other/x"), "parent must be the same as source")
    assert_error(inst.run("rename", f"{s1}/f", "x"), "parent must be the same as source")
    assert_error(inst.run("rename", f"{s1}/f", s1), "Invalid new snapshot name")
    assert_error(inst.run("rename", f"{s1}/f", f"{s1}/a b"), "a b")
    assert_error(inst.run("rename", f"{s1}/nosnap", f"{s1}/x"), "nosnap")
    assert_error(inst.run("move", f"{s1}/f", "--storage", "default"), f"{s1}/f")
    assert snapshot_names(inst, s1) == ["f", "g"]

    # Deleting several: each failure is reported, the others still go.
    r = inst.run("delete", f"{s1}/f", f"{s1}/nosnap", f"{s1}/g")
    assert r.returncode == 1 and "nosnap" in r.stderr
    assert snapshot_names(inst, s1) == []
    # Deleting the instance takes its snapshots along; a new one of that name starts afresh.
    inst.ok("snapshot", s1, "z")
    inst.ok("delete", s1)
    inst.ok("init", "busybox", s1)
    assert snapshot_names(inst, s1) == []


def test_config_show_and_refusals(inst, s1):
    inst.ok("config", "set", s1, "user.mark", "one")
    inst.ok("snapshot", s1, "snap")
    inst.ok("config", "set", s1, "user.mark", "two")
    text = inst.ok("config", "show", f"{s1}/snap").stdout
    doc = yaml.safe_load(text)
    # As lxc: the snapshot's whole document, its own config.
    assert doc["name"] == "snap"
    assert doc["config"]["user.mark"] == "one"
    assert doc["stateful"] is False
    # In the order lxc's YAML has them (Go's field order, expires_at first).
    keys = [l.split(":")[0] for l in text.splitlines() if re.match(r"^[a-z_]+:", l)]
    assert keys == ["expires_at", "architecture", "config", "created_at", "devices", "ephemeral", "expanded_config",
                    "expanded_devices", "last_used_at", "name", "profiles", "stateful", "size"]
    assert "root" not in doc["devices"]  # the root disk comes from the default profile
    expanded = yaml.safe_load(inst.ok("config", "show", f"{s1}/snap", "--expanded").stdout)
    assert expanded["config"]["user.mark"] == "one"
    assert "root" in expanded["devices"]
    assert_error(inst.run("config", "show", f"{s1}/nosnap"), "nosnap")
    assert_error(inst.run("config", "show", f"nosuch/snap"), "nosuch")

    # A snapshot's config is read-only: lxc's refusal, naming it; nothing changes.
    for args in (["set", f"{s1}/snap", "user.mark=x"], ["set", f"{s1}/snap", "user.mark", "x"],
                 ["unset", f"{s1}/snap", "user.mark"], ["get", f"{s1}/snap", "user.mark"]):
        assert_error(inst.run("config", *args), "Invalid instance name", f"{s1}/snap")
    assert snapshot_doc(inst, s1, "snap")["config"]["user.mark"] == "one"
    assert inst.ok("config", "get", s1, "user.mark").stdout == "two\n"


def test_help(inst):
    r = inst.ok("snapshot", "--help", state_dir=False)
    assert "inst snapshot [<remote>:]<instance> [<snapshot name>] [flags]" in r.stdout
    for flag in ["--no-expiry", "--reuse", "--stateful"]:
        assert flag in r.stdout
    r = inst.ok("restore", "--help", state_dir=False)
    assert "inst restore [<remote>:]<instance> <snapshot> [flags]" in r.stdout and "--stateful" in r.stdout
    assert "<instance>[/<snapshot>]" in inst.ok("delete", "--help", state_dir=False).stdout
    assert_error(inst.run("snapshot", "a", "b", "c"), "Invalid number of arguments")
    assert_error(inst.run("snapshot", "x", "--bogus"), "unknown flag: --bogus")


def test_config_edit_snapshot_expiry(inst, s1):
    inst.ok("snapshot", s1, "snap")
    # As lxc: only expires_at of the edited document is applied.
    doc = snapshot_doc(inst, s1, "snap")
    doc["expires_at"] = "2036-01-02T03:04:05Z"
    doc["config"]["user.sneaky"] = "x"
    inst.ok("config", "edit", f"{s1}/snap", input=yaml.safe_dump(doc))
    doc = snapshot_doc(inst, s1, "snap")
    assert str(doc["expires_at"]).startswith("2036-01-02")
    assert "user.sneaky" not in doc["config"]
    rows = {r[0]: r for r in snapshot_rows(inst, s1)}
    assert rows["snap"][2].startswith("2036/01/0")
    # Back to never, with show's own zero time.
    inst.ok("config", "edit", f"{s1}/snap", input="expires_at: 0001-01-01T00:00:00Z\n")
    assert str(snapshot_doc(inst, s1, "snap")["expires_at"]).startswith("0001-01-01")
    assert_error(inst.run("config", "edit", f"{s1}/snap", input="expires_at: someday\n"), "expires_at", "someday")
    assert_error(inst.run("config", "edit", f"{s1}/snap", input="- a list\n"), "YAML must be a map")
    assert_error(inst.run("config", "edit", f"{s1}/nosnap", input="expires_at: \n"), "nosnap")
    assert str(snapshot_doc(inst, s1, "snap")["expires_at"]).startswith("0001-01-01")


def test_copy_from_snapshot(inst, s1):
    inst.ok("config", "set", s1, "user.mark", "one")
    inst.ok("snapshot", s1, "base")
    push(inst, s1, "two")
    inst.ok("config", "set", s1, "user.mark", "two")
    try:
        inst.ok("copy", f"{s1}/base", "s1copy")
        assert pull(inst, "s1copy") == "one"
        assert inst.ok("config", "get", "s1copy", "user.mark").stdout == "one\n"
        assert snapshot_names(inst, "s1copy") == []  # a snapshot is copied without the others
        assert pull(inst, s1) == "two"
        inst.ok("copy", f"local:{s1}/base", "s1copy2", "-c", "user.mark=three")
        assert inst.ok("config", "get", "s1copy2", "user.mark").stdout == "three\n"
        assert_error(inst.run("copy", f"{s1}/nosnap", "s1copy3"), "nosnap")
        assert inst.instance("s1copy3") is None
    finally:
        for n in ["s1copy", "s1copy2", "s1copy3"]:
            inst.run("delete", "--force", n)
