"""`inst storage volume`: custom volumes end to end with the real binary, in lxc 5.0.2's syntax,
attached to real containers."""

import json
import os

import pytest
import yaml

from conftest import assert_error


def volumes(tool, pool="default"):
    return {(v["type"], v["name"]): v
            for v in json.loads(tool.ok("storage", "volume", "list", pool, "--format", "json").stdout)}


def custom(tool, name, pool="default"):
    return volumes(tool, pool).get(("custom", name))


@pytest.fixture
def vol(inst):
    """A custom volume name on the default pool, deleted afterwards."""
    name = "clivol1"
    yield name
    inst.run("storage", "volume", "delete", "default", name)


def test_volume_create_list_show_get_set_unset_edit_rename_delete(inst, vol):
    r = inst.ok("storage", "volume", "create", "default", vol, "user.team=a", "--description", "data")
    assert r.stdout == f"Storage volume {vol} created\n"
    v = custom(inst, vol)
    assert v["config"] == {"user.team": "a"} and v["description"] == "data"
    assert v["content_type"] == "filesystem" and v["used_by"] == [] and v["location"] == "none"

    table = inst.ok("storage", "volume", "list", "default").stdout
    header = [c.strip() for c in table.splitlines()[1].strip("|").split("|")]
    assert header == ["TYPE", "NAME", "DESCRIPTION", "CONTENT-TYPE", "USED BY"]
    row = [l for l in table.splitlines() if f"| {vol} " in l]
    assert row and [c.strip() for c in row[0].strip("|").split("|")] == ["custom", vol, "data", "filesystem", "0"]
    csv = inst.ok("storage", "volume", "list", "default", "--format", "csv").stdout.splitlines()
    assert f"custom,{vol},data,filesystem,0" in csv
    listed_yaml = yaml.safe_load(inst.ok("storage", "volume", "ls", "default", "--format", "yaml").stdout)
    assert any(x["name"] == vol and x["type"] == "custom" for x in listed_yaml)

    shown = yaml.safe_load(inst.ok("storage", "volume", "show", "default", vol).stdout)
    assert shown["name"] == vol and shown["type"] == "custom" and shown["config"] == {"user.team": "a"}
    assert yaml.safe_load(inst.ok("storage", "volume", "show", "default", f"custom/{vol}").stdout)["name"] == vol
    assert inst.ok("storage", "volume", "get", "default", vol, "user.team").stdout == "a\n"
    assert inst.ok("storage", "volume", "get", "default", vol, "user.none").stdout == "\n"

    inst.ok("storage", "volume", "set", "default", vol, "user.team=b", "user.x=1")
    assert custom(inst, vol)["config"] == {"user.team": "b", "user.x": "1"}
    inst.ok("storage", "volume", "set", "default", vol, "user.y", "2")  # lxc's old "key value" form
    assert inst.ok("storage", "volume", "get", "default", vol, "user.y").stdout == "2\n"
    inst.ok("storage", "volume", "unset", "default", vol, "user.x")
    assert custom(inst, vol)["config"] == {"user.team": "b", "user.y": "2"}
    inst.ok("storage", "volume", "unset", "default", vol, "user.never-set")  # as lxc: not an error

    edited = dict(shown, description="edited", config={"user.z": "3"})
    inst.ok("storage", "volume", "edit", "default", vol, input=yaml.safe_dump(edited))
    v = custom(inst, vol)
    assert v["description"] == "edited" and v["config"] == {"user.z": "3"}

    r = inst.ok("storage", "volume", "rename", "default", vol, vol + "b")
    assert r.stdout == f'Renamed storage volume from "{vol}" to "{vol}b"\n'
    assert custom(inst, vol) is None and custom(inst, vol + "b")["description"] == "edited"
    inst.ok("storage", "volume", "rename", "default", vol + "b", vol)

    r = inst.ok("storage", "volume", "delete", "default", vol)
    assert r.stdout == f"Storage volume {vol} deleted\n"
    assert custom(inst, vol) is None
    assert_error(inst.run("storage", "volume", "show", "default", vol), vol)


def test_volume_bad_input_names_the_key_and_changes_nothing(inst, vol):
    before = volumes(inst)
    assert_error(inst.run("storage", "volume", "create", "default", vol, "bogus.key=1"), "bogus.key")
    assert_error(inst.run("storage", "volume", "create", "default", vol, "security.shifted=maybe"),
                 "security.shifted", "maybe")
    assert_error(inst.run("storage", "volume", "create", "default", "bad/name"), "bad/name")
    assert_error(inst.run("storage", "volume", "create", "nopool", vol), "nopool")
    assert_error(inst.run("storage", "volume", "create", "default", vol, "novalue"), "novalue")
    assert_error(inst.run("storage", "volume", "list", "nopool"), "nopool")
    assert volumes(inst).keys() == before.keys()

    inst.ok("storage", "volume", "create", "default", vol, "user.k=v")
    assert_error(inst.run("storage", "volume", "create", "default", vol), vol)
    assert_error(inst.run("storage", "volume", "set", "default", vol, "bogus.key=1"), "bogus.key")
    assert_error(inst.run("storage", "volume", "edit", "default", vol, input="config:\n  bogus.key: '1'\n"), "bogus.key")
    assert_error(inst.run("storage", "volume", "edit", "default", vol, input="config: [1, 2\n"), "YAML")
    assert custom(inst, vol)["config"] == {"user.k": "v"}
    assert_error(inst.run("storage", "volume", "rename", "default", vol, "bad/name"), "bad/name")
    assert_error(inst.run("storage", "volume", "get", "default", "nope", "user.k"), "nope")
    assert_error(inst.run("storage", "volume", "delete", "default", "nope"), "nope")
    assert custom(inst, vol) is not None


def test_volume_attach_share_detach(inst, vol):
    inst.ok("storage", "volume", "create", "default", vol)
    try:
        inst.ok("launch", "busybox", "clivw")
        inst.ok("launch", "busybox", "clivr")
        assert_error(inst.run("storage", "volume", "attach", "default", vol, "clivw"), "Missing target directory")
        assert_error(inst.run("storage", "volume", "attach", "default", "nope", "clivw", "/mnt/v"), "nope")
        assert_error(inst.run("storage", "volume", "attach", "default", vol, "noinst", "/mnt/v"), "noinst")

        inst.ok("storage", "volume", "attach", "default", vol, "clivw", "/mnt/v")
        dev = inst.instance("clivw")["devices"][vol]
        assert dev == {"type": "disk", "pool": "default", "source": vol, "path": "/mnt/v"}
        inst.ok("storage", "volume", "attach", "default", vol, "clivr", "shared", "/srv/s")
        assert inst.instance("clivr")["devices"]["shared"]["path"] == "/srv/s"

        r = inst.ok("exec", "clivw", "--", "sh", "-c", "echo shared > /mnt/v/f && cat /mnt/v/f")
        assert r.stdout == "shared\n"
        assert inst.ok("exec", "clivr", "--", "cat", "/srv/s/f").stdout == "shared\n"

        used_by = custom(inst, vol)["used_by"]
        assert sorted(used_by) == ["/1.0/instances/clivr", "/1.0/instances/clivw"]
        row = [l for l in inst.ok("storage", "volume", "list", "default", "--format", "csv").stdout.splitlines()
               if l.startswith(f"custom,{vol},")]
        assert row == [f"custom,{vol},,filesystem,2"]
        assert_error(inst.run("storage", "volume", "delete", "default", vol), "clivw")
        assert_error(inst.run("storage", "volume", "rename", "default", vol, vol + "b"), "clivw")
        assert custom(inst, vol) is not None

        assert_error(inst.run("storage", "volume", "detach", "default", vol, "clivr", "wrongdev"),
                     "No device found for this storage volume")
        inst.ok("storage", "volume", "detach", "default", vol, "clivw")
        assert vol not in inst.instance("clivw")["devices"]
        assert inst.run("exec", "clivw", "--", "test", "-e", "/mnt/v/f").returncode != 0
        inst.ok("storage", "volume", "detach", "default", vol, "clivr", "shared")
        assert "shared" not in inst.instance("clivr")["devices"]
        assert custom(inst, vol)["used_by"] == []
        assert_error(inst.run("storage", "volume", "detach", "default", vol, "clivw"),
                     "No device found for this storage volume")
    finally:
        inst.run("delete", "--force", "clivw")
        inst.run("delete", "--force", "clivr")
    inst.ok("storage", "volume", "delete", "default", vol)
    assert custom(inst, vol) is None


def test_container_volumes_are_listed_and_shown(inst, c1):
    listed = volumes(inst)
    assert ("container", "c1") in listed
    shown = yaml.safe_load(inst.ok("storage", "volume", "show", "default", "container/c1").stdout)
    assert shown["type"] == "container" and shown["name"] == "c1"
    assert_error(inst.run("storage", "volume", "delete", "default", "container/c1"), "custom")


def test_block_volume_create_grow_and_refused_by_a_container(inst, c1):
    # lxc 5.0.2's flag: a block volume is a sparse root.img of its size in the volume's folder.
    inst.ok("storage", "volume", "create", "default", "blk1", "--type=block", "size=1GiB")
    try:
        v = custom(inst, "blk1")
        assert v["content_type"] == "block" and v["config"]["size"] == "1GiB"
        disk = f"{inst.state_dir}/storage-pools/default/custom/blk1/root.img"

        assert os.path.getsize(disk) == 1 << 30
        assert os.stat(disk).st_blocks == 0  # sparse
        inst.ok("storage", "volume", "set", "default", "blk1", "size=2GiB")
        assert os.path.getsize(disk) == 2 << 30
        assert_error(inst.run("storage", "volume", "set", "default", "blk1", "size=1GiB"), "shrink")
        assert os.path.getsize(disk) == 2 << 30
        # A container cannot take a disk image.
        r = inst.run("config", "device", "add", c1, "b", "disk", "pool=default", "source=blk1")
        assert_error(r, "block volume can only be attached to a virtual machine")
    finally:
        inst.run("storage", "volume", "delete", "default", "blk1")
