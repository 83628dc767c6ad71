"""The root disk's size through inst, as lxc's: `launch -s POOL -d root,size=...` on a loop-backed
btrfs pool limits what the container can write, `config device set` raises it; the dir pool
refuses it naming devices.root.size and changes nothing."""

from conftest import assert_error

WRITE_64MIB = "dd if=/dev/zero of=/big bs=1M count=64 conv=fsync && sync; rc=$?; rm -f /big; sync; exit $rc"


def test_launch_with_root_size_is_enforced_on_btrfs(inst):
    inst.ok("storage", "create", "rszbt", "btrfs", "size=512MiB")
    try:
        inst.ok("launch", "busybox", "rsz1", "--storage", "rszbt", "-d", "root,size=32MiB")
        root = inst.instance("rsz1")["devices"]["root"]
        assert root == {"type": "disk", "path": "/", "pool": "rszbt", "size": "32MiB"}
        full = inst.run("exec", "rsz1", "--", "sh", "-c", WRITE_64MIB)
        assert full.returncode != 0
        assert "No space left" in full.stderr or "Disk quota exceeded" in full.stderr, full.stderr

        inst.ok("config", "device", "set", "rsz1", "root", "size=128MiB")
        inst.ok("exec", "rsz1", "--", "sh", "-c", WRITE_64MIB)
    finally:
        inst.run("delete", "--force", "rsz1")
        inst.run("storage", "delete", "rszbt")


def test_root_size_on_dir_is_refused_whole(inst):
    # launch: the profile's root disk gets the size; the create is refused and leaves nothing.
    assert_error(inst.run("launch", "busybox", "rsz2", "-d", "root,size=32MiB"), "devices.root.size")
    assert inst.instance("rsz2") is None
    assert_error(inst.run("launch", "busybox", "rsz2", "-d", "nosuch,size=1"), "nosuch")
    assert_error(inst.run("launch", "busybox", "rsz2", "-d", "root"), "<device>,<key>=<value>")
    assert inst.instance("rsz2") is None

    inst.ok("init", "busybox", "rsz3")
    try:
        before = inst.instance("rsz3")
        assert_error(inst.run("config", "device", "override", "rsz3", "root", "size=32MiB"), "devices.root.size")
        after = inst.instance("rsz3")
        assert after["devices"] == before["devices"]
        assert after["expanded_devices"] == before["expanded_devices"]
    finally:
        inst.run("delete", "--force", "rsz3")
