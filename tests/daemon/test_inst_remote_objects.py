"""`inst REMOTE:...` for profiles, networks, storage pools and volumes (with snapshots) and project
writes against a remote instanced over HTTPS (the library's connected Manager over the LXD REST
API), each checked on the daemon itself over its unix socket, and the server's refusals kept."""
import csv
import io
import os
import subprocess

import yaml

from remote_support import daemon_get, fails, remote_client


def connected(served, name):
    _, lxc, http, url = served
    return remote_client(lxc, url, name), lxc, http


def test_remote_profiles(served):
    me, lxc, http = connected(served, "objects-profiles")
    me.ok("profile", "create", "r:web", "--description", "from afar")
    assert daemon_get(http, "/1.0/profiles/web")[1]["metadata"]["description"] == "from afar"
    # Not on the client's own state directory.
    assert "web" not in me.ok("profile", "list", "--format", "csv")
    rows = list(csv.reader(io.StringIO(me.ok("profile", "list", "r:", "--format", "csv"))))
    assert any(r[0] == "web" and r[1] == "from afar" for r in rows) and any(r[0] == "default" for r in rows)

    me.ok("profile", "set", "r:web", "limits.cpu=1", "user.tier=front")
    config = daemon_get(http, "/1.0/profiles/web")[1]["metadata"]["config"]
    assert config == {"limits.cpu": "1", "user.tier": "front"}
    me.ok("profile", "unset", "r:web", "limits.cpu")
    assert yaml.safe_load(me.ok("profile", "show", "r:web"))["config"] == {"user.tier": "front"}
    assert me.ok("profile", "get", "r:web", "user.tier").strip() == "front"
    me.ok("profile", "device", "add", "r:web", "data", "disk", "source=/tmp", "path=/mnt")
    assert daemon_get(http, "/1.0/profiles/web")[1]["metadata"]["devices"]["data"]["path"] == "/mnt"

    edited = "description: edited\nconfig:\n  user.x: \"1\"\ndevices: {}\n"
    r = subprocess.run([*me_cmd(me), "profile", "edit", "r:web"], input=edited, env=me.env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    doc = daemon_get(http, "/1.0/profiles/web")[1]["metadata"]
    assert doc["description"] == "edited" and doc["config"] == {"user.x": "1"} and doc["devices"] == {}

    # The server's validation, with the offending key, reaches the user unchanged.
    fails(me.run("profile", "set", "r:web", "limits.memory=lots"), "limits.memory")
    fails(me.run("profile", "show", "r:nothere"), "not found")
    fails(me.run("profile", "create", "r:web"), "already exists")

    me.ok("profile", "rename", "r:web", "r:site")
    assert daemon_get(http, "/1.0/profiles/web")[0] == 404
    assert daemon_get(http, "/1.0/profiles/site")[0] == 200
    fails(me.run("profile", "delete", "r:default"), "default")
    me.ok("profile", "delete", "r:site")
    assert daemon_get(http, "/1.0/profiles/site")[0] == 404


def me_cmd(me):
    from conftest import INST
    return [INST, "--state-dir", me.state]


def test_remote_networks(served):
    me, lxc, http = connected(served, "objects-networks")
    subprocess.run(["ip", "link", "del", "br-rmt"], capture_output=True)  # left by an aborted run
    me.ok("network", "create", "r:br-rmt", "ipv4.address=10.124.0.1/24", "ipv6.address=none")
    try:
        doc = daemon_get(http, "/1.0/networks/br-rmt")[1]["metadata"]
        assert doc["managed"] and doc["config"]["ipv4.address"] == "10.124.0.1/24"
        rows = list(csv.reader(io.StringIO(me.ok("network", "list", "r:", "--format", "csv"))))
        assert any(r[0] == "br-rmt" and r[2] == "YES" for r in rows)
        shown = yaml.safe_load(me.ok("network", "show", "r:br-rmt"))
        assert shown["managed"] and shown["config"]["ipv4.address"] == "10.124.0.1/24"
        # State comes from the server's host: the bridge's address.
        assert "10.124.0.1" in me.ok("network", "info", "r:br-rmt")
        me.ok("network", "list-leases", "r:br-rmt")
        me.ok("network", "set", "r:br-rmt", "user.owner=tests")
        assert daemon_get(http, "/1.0/networks/br-rmt")[1]["metadata"]["config"]["user.owner"] == "tests"
        assert me.ok("network", "get", "r:br-rmt", "user.owner").strip() == "tests"
        fails(me.run("network", "set", "r:br-rmt", "ipv4.nat=maybe"), "ipv4.nat")
    finally:
        me.ok("network", "delete", "r:br-rmt")
    assert daemon_get(http, "/1.0/networks/br-rmt")[0] == 404


def test_remote_storage(served):
    me, lxc, http = connected(served, "objects-storage")
    pools = daemon_get(http, "/1.0/storage-pools?recursion=1")[1]["metadata"]
    pool = pools[0]["name"]
    rows = list(csv.reader(io.StringIO(me.ok("storage", "list", "r:", "--format", "csv"))))
    assert [r[0] for r in rows] == [p["name"] for p in pools]
    assert yaml.safe_load(me.ok("storage", "show", f"r:{pool}"))["driver"] == pools[0]["driver"]
    assert "total space" in me.ok("storage", "info", f"r:{pool}")

    me.ok("storage", "volume", "create", f"r:{pool}", "vol1", "user.a=1")
    vol = daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/vol1")[1]["metadata"]
    assert vol["config"]["user.a"] == "1"
    rows = list(csv.reader(io.StringIO(me.ok("storage", "volume", "list", f"r:{pool}", "--format", "csv"))))
    assert ["custom", "vol1"] == rows[[r[1] for r in rows].index("vol1")][:2]
    me.ok("storage", "volume", "set", f"r:{pool}", "vol1", "user.b=2")
    assert me.ok("storage", "volume", "get", f"r:{pool}", "vol1", "user.b").strip() == "2"
    assert yaml.safe_load(me.ok("storage", "volume", "show", f"r:{pool}", "vol1"))["config"]["user.b"] == "2"
    fails(me.run("storage", "volume", "set", f"r:{pool}", "vol1", "bogus.key=1"), "bogus.key")

    # Snapshots: named by the client, then by the server (snapN), renamed, restored, deleted.
    me.ok("storage", "volume", "snapshot", f"r:{pool}", "vol1", "first")
    me.ok("storage", "volume", "snapshot", f"r:{pool}", "vol1")
    names = sorted(s.rsplit("/", 1)[-1] for s in
                   daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/vol1/snapshots")[1]["metadata"])
    assert names[0] == "first" and names[1].startswith("snap"), names
    me.ok("storage", "volume", "rename", f"r:{pool}", "vol1/first", "vol1/kept")
    assert yaml.safe_load(me.ok("storage", "volume", "show", f"r:{pool}", "vol1/kept"))["name"].endswith("kept")
    me.ok("storage", "volume", "unset", f"r:{pool}", "vol1", "user.a")
    assert "user.a" not in daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/vol1")[1]["metadata"]["config"]
    # A restore keeps the snapshot; an unknown one is the server's NotFound.
    me.ok("storage", "volume", "restore", f"r:{pool}", "vol1", "kept")
    assert daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/vol1/snapshots/kept")[0] == 200
    fails(me.run("storage", "volume", "restore", f"r:{pool}", "vol1", "nothere"), "not found")
    me.ok("storage", "volume", "delete", f"r:{pool}", "vol1/kept")
    assert daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/vol1/snapshots/kept")[0] == 404

    # Copies and moves within the remote are the server's own; between servers they are refused.
    me.ok("storage", "volume", "copy", f"r:{pool}/vol1", f"r:{pool}/vol1-copy")
    def snapshots(volume):
        return sorted(s.rsplit("/", 1)[-1] for s in
                      daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/{volume}/snapshots")[1]["metadata"])
    assert snapshots("vol1-copy") == snapshots("vol1") != []
    me.ok("storage", "volume", "move", f"r:{pool}/vol1-copy", f"r:{pool}/vol1-moved")
    assert daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/vol1-copy")[0] == 404
    me.ok("storage", "volume", "delete", f"r:{pool}", "vol1-moved")
    fails(me.run("storage", "volume", "copy", f"r:{pool}/vol1", "local:default/vol1"), "one server")

    me.ok("storage", "volume", "rename", f"r:{pool}", "vol1", "vol2")
    assert daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/vol2")[0] == 200
    me.ok("storage", "volume", "delete", f"r:{pool}", "vol2")
    assert daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/vol2")[0] == 404
    fails(me.run("storage", "volume", "show", f"r:{pool}", "vol2"), "not found")


def test_remote_projects(served):
    me, lxc, http = connected(served, "objects-projects")
    me.ok("project", "create", "r:far", "-c", "features.images=false")
    doc = daemon_get(http, "/1.0/projects/far")[1]["metadata"]
    assert doc["config"]["features.images"] == "false" and doc["config"]["features.profiles"] == "true"
    assert "far" not in me.ok("project", "list", "--format", "csv")  # the client's own projects
    me.ok("project", "set", "r:far", "limits.instances=3")
    assert daemon_get(http, "/1.0/projects/far")[1]["metadata"]["config"]["limits.instances"] == "3"
    assert me.ok("project", "get", "r:far", "limits.instances").strip() == "3"
    assert "INSTANCES" in me.ok("project", "info", "r:far")
    fails(me.run("project", "set", "r:far", "limits.instances=many"), "limits.instances")
    # A profile in the remote project goes to that project's own profiles.
    me.ok("profile", "create", "r:only-far", "--project", "far")
    assert daemon_get(http, "/1.0/profiles/only-far?project=far")[0] == 200
    assert daemon_get(http, "/1.0/profiles/only-far")[0] == 404
    fails(me.run("project", "delete", "r:far"), "not empty")
    me.ok("profile", "delete", "r:only-far", "--project", "far")
    me.ok("project", "rename", "r:far", "r:near")
    assert daemon_get(http, "/1.0/projects/far")[0] == 404
    me.ok("project", "delete", "r:near")
    assert daemon_get(http, "/1.0/projects/near")[0] == 404
    fails(me.run("project", "delete", "r:default"), "default")


def current_marked(me, *where):
    rows = list(csv.reader(io.StringIO(me.ok("project", "list", *where, "--format", "csv"))))
    return [r[0] for r in rows if r[0].endswith(" (current)")]


def test_remote_project_switch(served):
    """As lxc 5.0.2: each remote has its own current project, used by its commands without
    --project; the client's own current project is another one."""
    me, lxc, http = connected(served, "objects-switch")
    me.ok("project", "create", "r:sw")
    me.ok("project", "create", "mine")  # the client's own
    try:
        me.ok("project", "switch", "r:sw")
        assert current_marked(me, "r:") == ["sw (current)"]
        assert current_marked(me) == ["default (current)"]  # local unchanged
        me.ok("profile", "create", "r:in-sw")
        assert daemon_get(http, "/1.0/profiles/in-sw?project=sw")[0] == 200
        assert daemon_get(http, "/1.0/profiles/in-sw")[0] == 404
        assert "in-sw" in me.ok("profile", "list", "r:", "--format", "csv")
        # --project still wins; local commands keep the local current project.
        assert "in-sw" not in me.ok("profile", "list", "r:", "--project", "default", "--format", "csv")
        me.ok("profile", "create", "local-only")
        assert "local-only" in me.ok("profile", "list", "--format", "csv")
        me.ok("project", "switch", "mine")
        assert current_marked(me) == ["mine (current)"] and current_marked(me, "r:") == ["sw (current)"]
        me.ok("profile", "create", "in-mine")
        assert "in-mine" in me.ok("profile", "list", "--project", "mine", "--format", "csv")
        # The default remote's project applies to names without a prefix.
        me.ok("remote", "switch", "r")
        assert "in-sw" in me.ok("profile", "list", "--format", "csv")
        me.ok("remote", "switch", "local")
        fails(me.run("project", "switch", "r:nope"), "nope")
        assert current_marked(me, "r:") == ["sw (current)"]
        # A config written before per-remote projects (only current_projects) still reads.
        conf = os.path.join(me.env["INST_CONF"], "config.yml")
        doc = yaml.safe_load(open(conf))
        assert list(doc["remote_projects"].values()) == [{"r": "sw"}], doc
        old = {"current_projects": doc["current_projects"]}
        with open(conf, "w") as f:
            yaml.safe_dump(old, f)
        assert current_marked(me) == ["mine (current)"] and current_marked(me, "r:") == ["default (current)"]
        me.ok("project", "switch", "r:sw")
        # The switch follows a renamed remote, and a deleted project falls back to default.
        me.ok("remote", "rename", "r", "r2")
        assert current_marked(me, "r2:") == ["sw (current)"]
        me.ok("remote", "rename", "r2", "r")
        me.ok("profile", "delete", "r:in-sw")
        me.ok("project", "delete", "r:sw")
        assert current_marked(me, "r:") == ["default (current)"]
    finally:
        me.run("profile", "delete", "r:in-sw", "--project", "sw")
        me.run("project", "delete", "r:sw")
