"""`inst storage` and `inst launch -s`: pools end to end with the real binary."""

import json
import os

import yaml

from conftest import assert_error


def pools(tool):
    return {p["name"]: p for p in json.loads(tool.ok("storage", "list", "--format", "json").stdout)}


def test_storage_list_show_default(inst):
    listed = pools(inst)
    assert listed["default"]["driver"] == "dir"
    table = inst.ok("storage", "list").stdout
    assert "NAME" in table and "| default" in table and "CREATED" in table
    csv_line = [l for l in inst.ok("storage", "list", "--format", "csv").stdout.splitlines() if l.startswith("default,")]
    assert csv_line and csv_line[0].startswith("default,dir,")
    shown = yaml.safe_load(inst.ok("storage", "show", "default").stdout)
    assert shown["name"] == "default" and shown["status"] == "Created" and shown["locations"] == ["none"]
    assert "/1.0/profiles/default" in shown["used_by"]
    assert_error(inst.run("storage", "show", "nope"), "nope")
    assert_error(inst.run("storage", "delete", "default"), "/1.0/profiles/default")


def test_storage_btrfs_launch_on_pool_and_delete(inst):
    r = inst.ok("storage", "create", "clibtrfs", "btrfs", "size=1GiB")
    assert "clibtrfs" in r.stdout
    try:
        p = pools(inst)["clibtrfs"]
        assert p["config"]["size"] == "1GiB"
        assert p["config"]["source"] == os.path.join(inst.state_dir, "disks", "clibtrfs.img")
        inst.ok("launch", "busybox", "clis1", "-s", "clibtrfs")
        info = inst.instance("clis1")
        assert info["devices"]["root"]["pool"] == "clibtrfs"
        assert inst.ok("exec", "clis1", "--", "sh", "-c", "echo hi > /f; cat /f").stdout == "hi\n"
        assert os.path.exists(os.path.join(inst.state_dir, "storage-pools", "clibtrfs", "containers", "clis1", "rootfs", "f"))
        assert_error(inst.run("storage", "delete", "clibtrfs"), "clis1")
        inst.ok("init", "busybox", "clis2", "--storage", "clibtrfs")
        assert inst.instance("clis2")["devices"]["root"]["pool"] == "clibtrfs"
        inst.ok("delete", "--force", "clis1", "clis2")
    finally:
        inst.run("delete", "--force", "clis1")
        inst.run("delete", "--force", "clis2")
        inst.run("storage", "delete", "clibtrfs")
    assert "clibtrfs" not in pools(inst)
    assert not os.path.exists(os.path.join(inst.state_dir, "disks", "clibtrfs.img"))


def test_storage_bad_input_names_the_key(inst):
    before = pools(inst)
    assert_error(inst.run("storage", "create", "p1", "dir", "bogus.key=1"), "bogus.key")
    assert_error(inst.run("storage", "create", "p1", "btrfs", "size=huge"), "huge")
    assert_error(inst.run("storage", "create", "p1", "zfs"), "zfs")
    assert_error(inst.run("storage", "create", "default", "dir"), "default")
    assert inst.run("storage", "create", "p1", "dir", "novalue").returncode != 0
    assert_error(inst.run("launch", "busybox", "clis3", "-s", "nopool"), "nopool")
    assert inst.instance("clis3") is None
    assert pools(inst).keys() == before.keys()
