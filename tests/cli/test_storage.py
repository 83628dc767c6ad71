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


def test_storage_info_get_set_unset_edit_dir(inst):
    st = os.statvfs(pools(inst)["default"]["config"]["source"])
    r = inst.ok("storage", "info", "default", "--bytes")
    # lxc 5.0.2's layout: an info map and a used-by map, keys sorted, yaml.v2 style.
    lines = r.stdout.splitlines()
    assert lines[:4] == ["info:", '  description: ""', "  driver: dir", "  name: default"]
    assert lines[4].startswith("  space used: ") and lines[5].startswith("  total space: ")
    assert int(lines[5].split('"')[1]) == st.f_blocks * st.f_frsize
    assert 0 < int(lines[4].split('"')[1]) <= st.f_blocks * st.f_frsize
    # used by: one sorted list per kind (images, instances, profiles), whichever the pool has.
    assert lines[6] == "used by:"
    kinds = [line.strip() for line in lines[7:] if line.startswith("  ") and not line.startswith("  -")]
    assert "profiles:" in kinds and kinds == sorted(kinds)
    assert "  - default" in lines[lines.index("  profiles:"):]
    human = inst.ok("storage", "info", "default").stdout
    assert "iB\n" in human.splitlines()[5] + "\n" and "total space: " in human

    # A source change is refused naming the key; nothing changes.
    before = pools(inst)["default"]
    assert_error(inst.run("storage", "set", "default", "source", "/elsewhere"), "source")
    assert_error(inst.run("storage", "set", "default", "bogus.key=1"), "bogus.key")
    assert pools(inst)["default"]["config"] == before["config"]
    assert inst.ok("storage", "get", "default", "source").stdout == before["config"]["source"] + "\n"
    assert inst.ok("storage", "get", "default", "nope").stdout == "\n"

    shown = yaml.safe_load(inst.ok("storage", "show", "default").stdout)
    shown["description"] = "edited from the CLI"
    inst.ok("storage", "edit", "default", input=yaml.safe_dump(shown))
    after = pools(inst)["default"]
    assert after["description"] == "edited from the CLI" and after["config"] == before["config"]
    assert_error(inst.run("storage", "edit", "default", input="config: [1, 2]\n"), "config")
    assert_error(inst.run("storage", "edit", "default", input="config:\n  source: /elsewhere\n"), "source")
    assert pools(inst)["default"]["description"] == "edited from the CLI"
    inst.ok("storage", "edit", "default", input=yaml.safe_dump({"description": before["description"], "config": before["config"]}))
    assert pools(inst)["default"]["description"] == before["description"]
    assert_error(inst.run("storage", "info", "nope"), "nope")


def test_storage_set_grows_btrfs_pool_and_refuses_shrink(inst):
    inst.ok("storage", "create", "cligrow", "btrfs", "size=512MiB")
    mount = os.path.join(inst.state_dir, "storage-pools", "cligrow")
    image = os.path.join(inst.state_dir, "disks", "cligrow.img")
    try:
        def total():
            line = [l for l in inst.ok("storage", "info", "cligrow", "--bytes").stdout.splitlines() if "total space" in l][0]
            return int(line.split('"')[1])
        before = total()
        st = os.statvfs(mount)
        assert before == st.f_blocks * st.f_frsize
        info = inst.ok("storage", "info", "cligrow").stdout
        assert "  total space: 512.00MiB\n" in info and "used by: {}\n" in info

        assert_error(inst.run("storage", "set", "cligrow", "size", "300MiB"), "size", "shrink")
        assert_error(inst.run("storage", "set", "cligrow", "size=lots"), "lots")
        assert os.path.getsize(image) == 512 << 20
        assert inst.ok("storage", "get", "cligrow", "size").stdout == "512MiB\n"
        assert total() == before

        inst.ok("storage", "set", "cligrow", "size", "1GiB")
        assert inst.ok("storage", "get", "cligrow", "size").stdout == "1GiB\n"
        assert os.path.getsize(image) == 1 << 30
        st = os.statvfs(mount)
        assert total() == st.f_blocks * st.f_frsize > before + (400 << 20)

        # Unsetting size keeps it (the driver's value); mount options go back to the default.
        inst.ok("storage", "set", "cligrow", "btrfs.mount_options=user_subvol_rm_allowed,compress=zstd")
        with open("/proc/self/mountinfo") as f:
            assert any(f" {mount} " in l and "compress=zstd" in l for l in f)
        inst.ok("storage", "unset", "cligrow", "btrfs.mount_options")
        inst.ok("storage", "unset", "cligrow", "size")
        assert inst.ok("storage", "get", "cligrow", "size").stdout == "1GiB\n"
        assert inst.ok("storage", "get", "cligrow", "btrfs.mount_options").stdout == "user_subvol_rm_allowed\n"

        shown = yaml.safe_load(inst.ok("storage", "show", "cligrow").stdout)
        shown["config"]["size"] = "2GiB"
        inst.ok("storage", "edit", "cligrow", input=yaml.safe_dump(shown))
        assert os.path.getsize(image) == 2 << 30
    finally:
        inst.run("storage", "delete", "cligrow")
