"""`inst copy` and `inst move` between two servers (ADR 0013): the client's own state directory
and an instanced over HTTPS, added twice (as "r" and "r2") for copies from one connection of it to
another. The instance travels as a backup; a file written inside the container survives, the
snapshots come along unless --instance-only, the copy has none of the source's identifying
volatile keys, a move deletes the source only once the copy exists, and a failing copy or move
leaves nothing behind (no instance on the target, no temporary file on the client)."""
import json
import os
import tempfile

import pytest

from remote_support import daemon_get, fails, make_token, remote_client

KEPT_VOLATILE = ("volatile.base_image", "volatile.last_state.idmap")


@pytest.fixture(scope="module")
def two(served):
    """An Inst with the daemon as remotes "r" and "r2", the busybox image in its own store, and a
    private TMPDIR, to check that the relay's temporary files are gone."""
    _, lxc, http, url = served
    me = remote_client(lxc, url, "copy-client")
    me.ok("remote", "add", "r2", url, "--token", make_token(lxc, "copy-client-2"))
    me.ok("image", "build", "busybox", "--alias", "busybox")
    me.env["TMPDIR"] = tempfile.mkdtemp(prefix="inst-copy-tmp-")
    yield me, lxc, http
    for name in ("c1", "c2", "c4"):
        me.run("delete", "--force", name)
    for name in ("c1copy", "c2", "c4"):
        lxc.run("delete", "--force", name)
    lxc.run("delete", "--force", "c3", "--project", "other")
    lxc.run("project", "delete", "other")


def leftovers(me):
    return os.listdir(me.env["TMPDIR"])


def identifying(config):
    return {k: v for k, v in config.items() if k.startswith("volatile.") and k not in KEPT_VOLATILE}


def remote_instance(http, name, project="default"):
    status, doc = daemon_get(http, f"/1.0/instances/{name}?project={project}")
    return doc["metadata"] if status == 200 else None


def remote_snapshots(http, name, project="default"):
    _, doc = daemon_get(http, f"/1.0/instances/{name}/snapshots?project={project}")
    return sorted(s.split("?")[0].rsplit("/", 1)[-1] for s in doc["metadata"])


def test_copy_local_to_remote_and_back(two):
    me, lxc, http = two
    me.ok("launch", "busybox", "c1")
    me.ok("exec", "c1", "--", "sh", "-c", "echo survived > /root/mark")
    me.ok("snapshot", "c1", "s0")
    source = json.loads(me.ok("list", "c1", "--format", "json"))[0]
    assert identifying(source["config"]), source["config"]  # a started instance has some
    # A running source is copied as its files are, with its snapshots.
    me.ok("copy", "c1", "r:c1copy", "-c", "user.note=copied")
    copy = remote_instance(http, "c1copy")
    assert copy is not None and copy["status"] == "Stopped"
    assert copy["config"]["user.note"] == "copied"
    for key, value in identifying(source["config"]).items():
        assert copy["config"].get(key) != value, key  # regenerated (or left for the first start)
    assert remote_snapshots(http, "c1copy") == ["s0"]
    _, snap = daemon_get(http, "/1.0/instances/c1copy/snapshots/s0")
    assert not identifying(snap["metadata"]["config"]), snap["metadata"]["config"]
    me.ok("start", "r:c1copy")
    assert me.ok("exec", "r:c1copy", "--", "cat", "/root/mark") == "survived\n"
    me.ok("stop", "r:c1copy", "--force")

    # Back, without snapshots, under another name.
    me.ok("copy", "r:c1copy", "c2", "--instance-only")
    back = json.loads(me.ok("list", "c2", "--format", "json"))[0]
    assert back["config"]["user.note"] == "copied"
    assert "s0" not in me.ok("info", "c2")  # --instance-only
    me.ok("start", "c2")
    assert me.ok("exec", "c2", "--", "cat", "/root/mark") == "survived\n"
    me.ok("stop", "c2", "--force")
    assert leftovers(me) == []


def test_copy_between_two_remotes(two):
    me, lxc, http = two
    me.ok("project", "create", "r:other")
    # r and r2 are two connections: the relay runs, into another project.
    me.ok("copy", "r:c1copy", "r2:c3", "--target-project", "other", "--no-profiles", "-s", "default",
          "-c", "user.where=other")
    c3 = remote_instance(http, "c3", "other")
    assert c3 is not None and c3["profiles"] == [], c3
    assert c3["devices"]["root"] == {"type": "disk", "path": "/", "pool": "default"}
    assert c3["config"]["user.where"] == "other" and c3["config"]["user.note"] == "copied"
    assert remote_snapshots(http, "c3", "other") == ["s0"]
    assert remote_instance(http, "c1copy") is not None  # the source stays
    assert leftovers(me) == []


def test_move_between_servers(two):
    me, lxc, http = two
    # A stopped instance: the copy, then the source goes.
    me.ok("move", "c2", "r:c2")
    assert remote_instance(http, "c2") is not None
    assert json.loads(me.ok("list", "--format", "json", "c2")) == []
    # A running one is refused unless --stateless, and stays as it was.
    me.ok("launch", "busybox", "c4")
    me.ok("exec", "c4", "--", "sh", "-c", "echo moved > /root/mark")
    fails(me.run("move", "c4", "r:"), "stop it first or use --stateless")
    assert json.loads(me.ok("list", "c4", "--format", "json"))[0]["status"] == "Running"
    assert remote_instance(http, "c4") is None
    me.ok("move", "c4", "r:", "--stateless")
    moved = remote_instance(http, "c4")
    assert moved is not None and moved["status"] == "Running", moved
    assert me.ok("exec", "r:c4", "--", "cat", "/root/mark") == "moved\n"
    assert json.loads(me.ok("list", "--format", "json", "c4")) == []
    # And back from the server to this state directory.
    me.ok("move", "r:c4", "c4", "--stateless")
    assert remote_instance(http, "c4") is None
    assert json.loads(me.ok("list", "c4", "--format", "json"))[0]["status"] == "Running"
    assert leftovers(me) == []


def test_failing_copies_leave_nothing(two):
    me, lxc, http = two
    before = json.dumps(remote_instance(http, "c1copy"), sort_keys=True)
    fails(me.run("copy", "c1", "r:c1copy"), "already exists")
    after = remote_instance(http, "c1copy")
    after.pop("last_used_at", None)
    again = json.loads(before)
    again.pop("last_used_at", None)
    assert after == again  # untouched
    fails(me.run("copy", "c1", "r:c5", "-s", "nopool"), "nopool")
    assert remote_instance(http, "c5") is None
    fails(me.run("copy", "c1", "r:c6", "-p", "noprofile"), "noprofile")
    assert remote_instance(http, "c6") is None
    # A failing move keeps its source.
    me.ok("stop", "c1", "--force")
    fails(me.run("move", "c1", "r:c1copy"), "already exists")
    assert json.loads(me.ok("list", "c1", "--format", "json"))[0]["name"] == "c1"
    fails(me.run("copy", "c1", "r:c7", "--refresh"), "--refresh")
    fails(me.run("copy", "c1/s0", "r:c8"), "snapshot")
    fails(me.run("copy", "c1", "r:c8", "-d", "nodev,key=value"), "nodev")
    assert remote_instance(http, "c7") is None and remote_instance(http, "c8") is None
    assert leftovers(me) == []
