"""`inst admin recover`: lxd recover's interactive flow fed on stdin, after the database is lost:
a pool outside the state directory is found only once named, its container (with snapshot) and
custom volume (with snapshot) are listed and recovered, the container starts with its files;
declining changes nothing, and a missing answer is an error naming stdin."""

import os
import shutil
import tempfile

from conftest import assert_error

RECOVER = "Would you like those to be recovered? (yes/no) [default=no]: "


def drop_database(state_dir):
    for name in ("local.db", "local.db-wal", "local.db-shm"):
        try:
            os.remove(os.path.join(state_dir, "database", name))
        except FileNotFoundError:
            pass


def test_admin_recover_brings_back_a_named_pool(fresh):
    source = tempfile.mkdtemp(prefix="inst-cli-recover-", dir="/tmp")
    os.chmod(source, 0o711)
    try:
        fresh.ok("image", "build", "busybox", "--alias", "busybox")
        fresh.ok("storage", "create", "ext", "dir", f"source={source}")
        fresh.ok("storage", "volume", "create", "ext", "vol1")
        fresh.ok("storage", "volume", "snapshot", "ext", "vol1", "vs0")
        fresh.ok("launch", "busybox", "rec1", "-s", "ext")
        fresh.ok("exec", "rec1", "--", "sh", "-c", "echo kept > /root/f")
        fresh.ok("snapshot", "rec1", "s0")
        fresh.ok("stop", "--force", "rec1")
        fresh.ok("config", "set", "rec1", "user.mark=cli")
        drop_database(fresh.state_dir)

        # The pool is outside the state directory: without its name nothing is found.
        r = fresh.ok("admin", "recover", input="no\n\n")
        assert "This server currently has the following storage pools:\n - default (backend=\"dir\"" in r.stdout
        assert "No unknown volumes found. Nothing to do." in r.stdout
        assert fresh.instances() == []

        # Named, but recovery declined: listed, nothing changed.
        answers = f"yes\next\ndir\n{source}\n\nno\n\n"
        r = fresh.ok("admin", "recover", input=answers + "no\n")
        assert f' - NEW: "ext" (backend="dir", source="{source}")' in r.stdout
        assert 'Container "rec1" on pool "ext" in project "default" (includes 1 snapshots)' in r.stdout
        assert 'Volume "vol1" on pool "ext" in project "default" (includes 1 snapshots)' in r.stdout
        assert RECOVER in r.stdout
        assert "Starting recovery" not in r.stdout
        assert fresh.instances() == []

        # An answer that is neither yes nor no is asked again.
        r = fresh.ok("admin", "recover", input=answers + "maybe\nyes\n")
        assert "Invalid input, try again." in r.stderr
        assert "Starting recovery..." in r.stdout
        rec1 = fresh.instance("rec1")
        assert rec1 is not None and rec1["config"]["user.mark"] == "cli"
        assert "s0" in fresh.ok("info", "rec1").stdout
        assert "vs0" in fresh.ok("storage", "volume", "info", "ext", "vol1").stdout
        fresh.ok("start", "rec1")
        assert fresh.ok("exec", "rec1", "--", "cat", "/root/f").stdout == "kept\n"
        fresh.ok("stop", "--force", "rec1")

        r = fresh.ok("admin", "recover", input="no\n\n")
        assert "No unknown volumes found. Nothing to do." in r.stdout
    finally:
        fresh.run("delete", "--force", "rec1")
        fresh.run("storage", "volume", "delete", "ext", "vol1/vs0")
        fresh.run("storage", "volume", "delete", "ext", "vol1")
        fresh.run("storage", "delete", "ext")
        shutil.rmtree(source, ignore_errors=True)


def test_admin_recover_needs_answers(fresh):
    assert_error(fresh.run("admin", "recover", input=""), "stdin")
    assert_error(fresh.run("admin", "recover", input="yes\nbad/name\ndir\n/tmp\n\nno\n\n"), "bad/name")
