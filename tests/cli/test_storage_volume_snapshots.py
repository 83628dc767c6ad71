"""`inst storage volume snapshot|restore|copy|move|info` and the "<volume>/<snapshot>" forms of
show/rename/delete, in lxc 5.0.2's syntax, on the real dir pool and a loop-backed btrfs pool.
Volume content is written and read through the pool's files on the host."""

import json
import os

import pytest
import yaml

from conftest import assert_error, run_on_pty


def vol_dir(tool, pool, name):
    return os.path.join(tool.state_dir, "storage-pools", pool, "custom", name)


def write(tool, pool, name, text):
    with open(os.path.join(vol_dir(tool, pool, name), "f"), "w") as f:
        f.write(text)


def read(tool, pool, name):
    with open(os.path.join(vol_dir(tool, pool, name), "f")) as f:
        return f.read()


def custom_names(tool, pool):
    listed = json.loads(tool.ok("storage", "volume", "list", pool, "--format", "json").stdout)
    return {v["name"] for v in listed if v["type"] == "custom"}


def snapshot_rows(tool, pool, name):
    """The rows of info's Snapshots table: [name, description, taken at, expires at]."""
    out = tool.ok("storage", "volume", "info", pool, name).stdout
    if "\nSnapshots:\n" not in out:
        return []
    table = out.split("\nSnapshots:\n", 1)[1].splitlines()
    header = [c.strip() for c in table[1].strip("|").split("|")]
    assert header == ["NAME", "DESCRIPTION", "TAKEN AT", "EXPIRES AT"]
    return [[c.strip() for c in l.strip("|").split("|")] for l in table[3:] if l.startswith("|")]


@pytest.fixture
def vols(inst):
    """Custom volume names on the default pool, deleted afterwards."""
    names = ["svs1", "svs2", "svs3"]
    yield names
    for n in names:
        inst.run("storage", "volume", "delete", "default", n)


def test_snapshot_show_info_restore_rename_delete(inst, vols):
    v = vols[0]
    inst.ok("storage", "volume", "create", "default", v)
    write(inst, "default", v, "one")
    r = inst.ok("storage", "volume", "snapshot", "default", v)
    assert r.stdout == ""
    inst.ok("storage", "volume", "snapshot", "default", v)  # the next free number
    write(inst, "default", v, "two")
    inst.ok("storage", "volume", "snapshot", "default", v, "named")

    shown = yaml.safe_load(inst.ok("storage", "volume", "show", "default", f"{v}/snap0").stdout)
    assert shown["name"] == "snap0" and shown["content_type"] == "filesystem" and shown["created_at"]
    assert yaml.safe_load(inst.ok("storage", "volume", "show", "default", f"custom/{v}/snap1").stdout)["name"] == "snap1"

    out = inst.ok("storage", "volume", "info", "default", v).stdout
    assert out.startswith(f"Name: {v}\nType: custom\nContent type: filesystem\n")
    rows = snapshot_rows(inst, "default", v)
    assert [r[0] for r in rows] == ["snap0", "snap1", "named"]
    assert all(r[2] and r[3] == "" for r in rows)  # taken at shown, no expiry

    write(inst, "default", v, "three")
    inst.ok("storage", "volume", "restore", "default", v, "snap0")
    assert read(inst, "default", v) == "one"
    inst.ok("storage", "volume", "restore", "default", v, "named")
    assert read(inst, "default", v) == "two"
    assert [r[0] for r in snapshot_rows(inst, "default", v)] == ["snap0", "snap1", "named"]  # snapshots stay

    r = inst.ok("storage", "volume", "rename", "default", f"{v}/snap0", f"{v}/first")
    assert r.stdout == f'Renamed storage volume from "{v}/snap0" to "{v}/first"\n'
    inst.ok("storage", "volume", "restore", "default", v, "first")
    assert read(inst, "default", v) == "one"
    r = inst.ok("storage", "volume", "delete", "default", f"{v}/snap1")
    assert r.stdout == f"Storage volume {v}/snap1 deleted\n"
    assert [r[0] for r in snapshot_rows(inst, "default", v)] == ["first", "named"]

    # --reuse replaces an existing snapshot of that name with a new one of the current content.
    write(inst, "default", v, "four")
    assert_error(inst.run("storage", "volume", "snapshot", "default", v, "named"), "named")
    inst.ok("storage", "volume", "snapshot", "default", v, "named", "--reuse", "--no-expiry")
    write(inst, "default", v, "five")
    inst.ok("storage", "volume", "restore", "default", v, "named")
    assert read(inst, "default", v) == "four"

    # The snapshot's description through edit, shown by info.
    inst.ok("storage", "volume", "edit", "default", f"{v}/first", input="description: the first\n")
    assert [r[:2] for r in snapshot_rows(inst, "default", v)] == [["first", "the first"], ["named", ""]]


def test_snapshot_errors_name_the_thing_and_change_nothing(inst, vols):
    v = vols[0]
    inst.ok("storage", "volume", "create", "default", v)
    write(inst, "default", v, "kept")
    inst.ok("storage", "volume", "snapshot", "default", v, "s1")
    assert_error(inst.run("storage", "volume", "restore", "default", v, "nosnap"), "nosnap")
    assert_error(inst.run("storage", "volume", "show", "default", f"{v}/nosnap"), "nosnap")
    assert_error(inst.run("storage", "volume", "delete", "default", f"{v}/nosnap"), "nosnap")
    assert_error(inst.run("storage", "volume", "rename", "default", f"{v}/nosnap", f"{v}/x"), "nosnap")
    assert_error(inst.run("storage", "volume", "snapshot", "nopool", v), "nopool")
    assert_error(inst.run("storage", "volume", "snapshot", "default", "novol"), "novol")
    assert_error(inst.run("storage", "volume", "snapshot", "default", v, "bad name!"), "bad name!")
    assert_error(inst.run("storage", "volume", "rename", "default", f"{v}/s1", "other/s2"), "parent volume")
    assert_error(inst.run("storage", "volume", "rename", "default", f"{v}/s1", f"{v}/bad name!"), "bad name!")
    assert_error(inst.run("storage", "volume", "info", "default", "novol"), "novol")
    assert_error(inst.run("storage", "volume", "info", "nopool", v), "nopool")
    assert [r[0] for r in snapshot_rows(inst, "default", v)] == ["s1"]
    assert read(inst, "default", v) == "kept"


def test_copy_with_and_without_snapshots_and_errors(inst, vols):
    v, full, flat = vols
    inst.ok("storage", "volume", "create", "default", v, "user.k=v", "--description", "src")
    write(inst, "default", v, "old")
    inst.ok("storage", "volume", "snapshot", "default", v)
    write(inst, "default", v, "new")

    r = inst.ok("storage", "volume", "copy", f"default/{v}", f"default/{full}")
    assert r.stdout == "Storage volume copied successfully!\n"
    assert read(inst, "default", full) == "new"
    assert [r[0] for r in snapshot_rows(inst, "default", full)] == ["snap0"]
    shown = yaml.safe_load(inst.ok("storage", "volume", "show", "default", full).stdout)
    assert shown["config"] == {"user.k": "v"} and shown["description"] == "src"
    inst.ok("storage", "volume", "restore", "default", full, "snap0")
    assert read(inst, "default", full) == "old" and read(inst, "default", v) == "new"  # independent

    inst.ok("storage", "volume", "cp", f"local:default/{v}", f"default/{flat}", "--volume-only")
    assert read(inst, "default", flat) == "new"
    assert snapshot_rows(inst, "default", flat) == []

    before = custom_names(inst, "default")
    assert_error(inst.run("storage", "volume", "copy", f"default/{v}", f"default/{full}"), full)
    assert_error(inst.run("storage", "volume", "copy", "default/novol", "default/svsx"), "novol")
    assert_error(inst.run("storage", "volume", "copy", f"nopool/{v}", "default/svsx"), "nopool")
    assert_error(inst.run("storage", "volume", "copy", f"default/{v}", "nopool/svsx"), "nopool")
    assert_error(inst.run("storage", "volume", "copy", f"default/{v}", "default/bad name!"), "bad name!")
    assert_error(inst.run("storage", "volume", "copy", v, "default/svsx"), "No storage pool for source volume specified")
    assert_error(inst.run("storage", "volume", "copy", f"default/{v}", "svsx"), "No storage pool for target volume specified")
    assert_error(inst.run("storage", "volume", "copy", f"noremote:default/{v}", "default/svsx"), "noremote")
    assert custom_names(inst, "default") == before


def test_move_between_pools_with_snapshots_and_refusals(inst, vols):
    v = vols[0]
    inst.ok("storage", "volume", "create", "default", v, "user.k=v")
    write(inst, "default", v, "old")
    inst.ok("storage", "volume", "snapshot", "default", v)
    write(inst, "default", v, "new")
    inst.ok("storage", "create", "svsbt", "btrfs", "size=512MiB")
    try:
        r = inst.ok("storage", "volume", "move", f"default/{v}", f"svsbt/{v}")
        assert r.stdout == "Storage volume moved successfully!\n"
        assert v not in custom_names(inst, "default") and v in custom_names(inst, "svsbt")
        assert not os.path.exists(vol_dir(inst, "default", v))
        assert read(inst, "svsbt", v) == "new"
        assert [r[0] for r in snapshot_rows(inst, "svsbt", v)] == ["snap0"]
        inst.ok("storage", "volume", "restore", "svsbt", v, "snap0")
        assert read(inst, "svsbt", v) == "old"

        # Snapshots on btrfs, then back to dir under a new name (mv, as lxc's alias).
        write(inst, "svsbt", v, "btrfs")
        inst.ok("storage", "volume", "snapshot", "svsbt", v, "onbtrfs")
        inst.ok("storage", "volume", "mv", f"svsbt/{v}", f"default/{v}b")
        vols.append(v + "b")
        assert read(inst, "default", v + "b") == "btrfs"
        assert [r[0] for r in snapshot_rows(inst, "default", v + "b")] == ["snap0", "onbtrfs"]
        assert v not in custom_names(inst, "svsbt")

        # Refusals change nothing: unknown target pool, existing target, attached volume.
        assert_error(inst.run("storage", "volume", "move", f"default/{v}b", f"nopool/{v}"), "nopool")
        inst.ok("storage", "volume", "create", "svsbt", "taken")
        assert_error(inst.run("storage", "volume", "move", f"default/{v}b", "svsbt/taken"), "taken")
        assert_error(inst.run("storage", "volume", "move", "default/novol", f"svsbt/{v}"), "novol")
        inst.ok("init", "busybox", "svsc")
        try:
            inst.ok("storage", "volume", "attach", "default", v + "b", "svsc", "/mnt/v")
            assert_error(inst.run("storage", "volume", "move", f"default/{v}b", f"svsbt/{v}"), "svsc")
        finally:
            inst.run("delete", "--force", "svsc")
        assert v + "b" in custom_names(inst, "default") and custom_names(inst, "svsbt") == {"taken"}
        assert read(inst, "default", v + "b") == "btrfs"
        inst.ok("storage", "volume", "delete", "svsbt", "taken")
    finally:
        for n in custom_names(inst, "svsbt"):
            inst.run("storage", "volume", "delete", "svsbt", n)
        inst.run("storage", "delete", "svsbt")


def test_restore_refused_under_a_running_instance(inst, vols):
    v = vols[0]
    inst.ok("storage", "volume", "create", "default", v)
    inst.ok("launch", "busybox", "svsr")
    try:
        inst.ok("storage", "volume", "attach", "default", v, "svsr", "/mnt/v")
        inst.ok("exec", "svsr", "--", "sh", "-c", "echo first > /mnt/v/f")
        inst.ok("storage", "volume", "snapshot", "default", v, "s1")
        inst.ok("exec", "svsr", "--", "sh", "-c", "echo second > /mnt/v/f")
        assert_error(inst.run("storage", "volume", "restore", "default", v, "s1"), "svsr")
        assert inst.ok("exec", "svsr", "--", "cat", "/mnt/v/f").stdout == "second\n"
        inst.ok("stop", "svsr", "--force")
        inst.ok("storage", "volume", "restore", "default", v, "s1")
        inst.ok("start", "svsr")
        assert inst.ok("exec", "svsr", "--", "cat", "/mnt/v/f").stdout == "first\n"
    finally:
        inst.run("delete", "--force", "svsr")


def test_copy_move_export_import_show_progress_and_are_quiet_with_q(inst, vols, tmp_path):
    """The long volume commands run as operations: live progress on a terminal (lxc's prefixes),
    nothing at all with -q, the same results either way."""
    v, copied, back = vols
    inst.ok("storage", "volume", "create", "default", v)
    for i in range(16):  # enough that the progress events come before the end
        with open(os.path.join(vol_dir(inst, "default", v), f"f{i}"), "wb") as f:
            f.write(os.urandom(1 << 20))
    write(inst, "default", v, "data")

    r = run_on_pty(inst, "storage", "volume", "copy", f"default/{v}", f"default/{copied}")
    assert r.returncode == 0, r.stderr
    assert "Copying the storage volume: Copy: " in r.stdout and "Storage volume copied successfully!" in r.stdout
    assert read(inst, "default", copied) == "data"
    r = run_on_pty(inst, "storage", "volume", "export", "default", v, str(tmp_path / "v.tar.gz"))
    assert r.returncode == 0, r.stderr
    assert "Backing up storage volume: Backup: " in r.stdout and "Volume exported successfully!" in r.stdout
    r = run_on_pty(inst, "storage", "volume", "import", "default", str(tmp_path / "v.tar.gz"), back)
    assert r.returncode == 0, r.stderr
    assert "Importing custom volume: Unpack: " in r.stdout
    assert read(inst, "default", back) == "data"
    inst.ok("storage", "volume", "delete", "default", back)

    # -q: the same commands print nothing.
    assert inst.ok("-q", "storage", "volume", "move", f"default/{copied}", f"default/{back}").stdout == ""
    assert custom_names(inst, "default") >= {v, back} and copied not in custom_names(inst, "default")
    assert inst.ok("-q", "storage", "volume", "copy", f"default/{back}", f"default/{copied}").stdout == ""
    assert read(inst, "default", copied) == "data"
    assert inst.ok("-q", "storage", "volume", "export", "default", v, str(tmp_path / "q.tar.gz")).stdout == ""
    inst.ok("storage", "volume", "delete", "default", back)
    assert inst.ok("-q", "storage", "volume", "import", "default", str(tmp_path / "q.tar.gz"), back).stdout == ""
    assert read(inst, "default", back) == "data"
