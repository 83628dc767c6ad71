"""inst copy, move and rename, as lxc's: a copy of a running container on its pool, a whole copy
to a loop-backed btrfs pool, renames and moves between pools, and refusals that change nothing."""

from conftest import assert_error


def test_copy_rename_and_move_between_pools(inst):
    inst.ok("launch", "busybox", "cm1")
    try:
        inst.ok("exec", "cm1", "--", "sh", "-c", "echo original > /root/mark")
        inst.ok("config", "set", "cm1", "user.note", "kept")
        # A running source is copied on its pool; the copy is stopped and independent.
        inst.ok("copy", "cm1", "cm2", "-c", "user.extra=1")
        cm2 = inst.instance("cm2")
        assert cm2["status"] == "Stopped"
        assert cm2["config"]["user.note"] == "kept" and cm2["config"]["user.extra"] == "1"
        assert not any(k.startswith("volatile.idmap") for k in cm2["config"])
        inst.ok("start", "cm2")
        assert inst.ok("exec", "cm2", "--", "cat", "/root/mark").stdout == "original\n"
        # The image's copy templates ran for the copy: busybox's hostname names it.
        assert inst.ok("exec", "cm2", "--", "cat", "/etc/hostname").stdout == "cm2\n"
        inst.ok("exec", "cm2", "--", "sh", "-c", "echo changed > /root/mark")
        assert inst.ok("exec", "cm1", "--", "cat", "/root/mark").stdout == "original\n"

        # Rename: refused while running, naming it; then the name follows.
        assert_error(inst.run("move", "cm2", "cm3"), "cm2", "running")
        inst.ok("stop", "cm2", "--force")
        inst.ok("rename", "cm2", "cm3")
        assert inst.instance("cm2") is None and inst.instance("cm3") is not None
        assert_error(inst.run("copy", "no-such-src", "cm9"), "no-such-src")
        assert inst.instance("cm9") is None

        # Another pool: a whole copy of a stopped source, then moves back and forth.
        inst.ok("storage", "create", "cmbt", "btrfs", "size=512MiB")
        try:
            assert_error(inst.run("copy", "cm1", "cm4", "-s", "cmbt"), "running")
            assert inst.instance("cm4") is None
            inst.ok("copy", "cm3", "cm4", "--storage", "cmbt")
            assert inst.instance("cm4")["expanded_devices"]["root"]["pool"] == "cmbt"
            inst.ok("move", "cm4", "-s", "default")
            assert inst.instance("cm4")["devices"]["root"]["pool"] == "default"
            inst.ok("move", "cm4", "cm5", "--storage", "cmbt")
            assert inst.instance("cm5")["expanded_devices"]["root"]["pool"] == "cmbt"
            inst.ok("start", "cm5")
            assert inst.ok("exec", "cm5", "--", "cat", "/root/mark").stdout == "changed\n"
            assert_error(inst.run("move", "cm5", "-s", "cmbt"), "cmbt")
        finally:
            inst.run("delete", "--force", "cm4")
            inst.run("delete", "--force", "cm5")
            inst.run("storage", "delete", "cmbt")
    finally:
        for name in ("cm1", "cm2", "cm3"):
            inst.run("delete", "--force", name)
