"""/1.0/profiles, /1.0/networks and /1.0/storage-pools (with volumes and their snapshots) through
instanced: Debian's real `lxc profile|network|storage` commands and their effect on a running
container, pylxd's managers, and raw HTTP (201 + Location, ETag with a stale If-Match refused with
412, 400 naming a bad key, 404 for unknown objects)."""
import json
import os
import subprocess
import tempfile

import yaml

from conftest import envelope, pylxd


def etag_of(http, target):
    raw = http.raw(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()).decode()
    return [line.split(":", 1)[1].strip() for line in raw.split("\r\n") if line.lower().startswith("etag:")][0]


def get(http, target):
    status, payload = http.request("GET", target)
    return status, envelope(payload)


def test_profiles_with_lxc(lxd):
    state, lxc, http = lxd
    shared = tempfile.mkdtemp(prefix="pns-profile-")
    with open(f"{shared}/hello.txt", "w") as f:
        f.write("from the host\n")
    os.chmod(shared, 0o755)
    os.chmod(f"{shared}/hello.txt", 0o644)
    lxc.ok("profile", "create", "p1")
    lxc.ok("profile", "set", "p1", "environment.GREETING", "hello")
    lxc.ok("profile", "device", "add", "p1", "extra", "disk", f"source={shared}", "path=/extra")
    shown = yaml.safe_load(lxc.ok("profile", "show", "p1"))
    assert shown["config"]["environment.GREETING"] == "hello"
    assert shown["devices"]["extra"] == {"type": "disk", "source": shared, "path": "/extra"}

    # `lxc profile edit` reads YAML on stdin, then PUTs it with the ETag it read.
    shown["description"] = "edited through stdin"
    shown["config"]["user.team"] = "a"
    lxc.ok("profile", "edit", "p1", input=yaml.safe_dump(shown))
    status, doc = get(http, "/1.0/profiles/p1")
    assert status == 200 and doc["metadata"]["description"] == "edited through stdin"
    assert doc["metadata"]["config"]["user.team"] == "a"
    assert "/1.0/profiles/p1" in lxc.ok("query", "/1.0/profiles")

    lxc.ok("profile", "create", "tmp")
    lxc.ok("profile", "rename", "tmp", "tmp2")
    names = [p["name"] for p in json.loads(lxc.ok("profile", "list", "--format", "json"))]
    assert "tmp2" in names and "tmp" not in names
    lxc.ok("profile", "delete", "tmp2")
    assert get(http, "/1.0/profiles/tmp2")[0] == 404

    lxc.ok("launch", "busybox", "c1", "-p", "default", "-p", "p1")
    expanded = yaml.safe_load(lxc.ok("config", "show", "c1", "--expanded"))
    assert expanded["config"]["environment.GREETING"] == "hello"
    assert expanded["devices"]["extra"]["source"] == shared
    assert expanded["profiles"] == ["default", "p1"]
    # The profile's disk is really mounted in the container (readable by its mapped root).
    assert lxc.ok("exec", "c1", "--", "cat", "/extra/hello.txt") == "from the host\n"
    assert "/1.0/instances/c1" in get(http, "/1.0/profiles/p1")[1]["metadata"]["used_by"]
    r = lxc.run("profile", "delete", "p1")  # in use by c1
    assert r.returncode != 0 and "c1" in r.stderr
    r = lxc.run("profile", "delete", "default")
    assert r.returncode != 0


def test_profiles_over_http(lxd):
    _, _, http = lxd
    body = json.dumps({"name": "web", "config": {"user.a": "1"}, "devices": {}}).encode()
    status, payload = http.request("POST", "/1.0/profiles", body)
    assert status == 201 and envelope(payload)["metadata"] is None
    status, payload = http.request("POST", "/1.0/profiles", body)
    assert status == 409
    etag = etag_of(http, "/1.0/profiles/web")
    put = json.dumps({"description": "d1", "config": {"user.a": "2"}, "devices": {}}).encode()
    assert http.request("PUT", "/1.0/profiles/web", put, {"If-Match": etag})[0] == 200
    status, payload = http.request("PUT", "/1.0/profiles/web", put, {"If-Match": etag})  # stale now
    assert status == 412 and envelope(payload)["error_code"] == 412
    assert http.request("PATCH", "/1.0/profiles/web", json.dumps({"config": {"user.b": "3"}}).encode())[0] == 200
    doc = get(http, "/1.0/profiles/web")[1]["metadata"]
    assert doc["description"] == "d1" and doc["config"] == {"user.a": "2", "user.b": "3"}
    status, payload = http.request("PATCH", "/1.0/profiles/web", json.dumps({"config": {"bogus.key": "x"}}).encode())
    assert status == 400 and "bogus.key" in envelope(payload)["error"]
    status, payload = http.request("PATCH", "/1.0/profiles/web", b"[1]")
    assert status == 400
    profiles = get(http, "/1.0/profiles?recursion=1")[1]["metadata"]
    assert {"default", "web"} <= {p["name"] for p in profiles}
    status, payload = http.request("POST", "/1.0/profiles/web", json.dumps({"name": "web2"}).encode())
    assert status == 201
    assert get(http, "/1.0/profiles/web")[0] == 404
    assert get(http, "/1.0/profiles/web2")[1]["metadata"]["config"]["user.b"] == "3"
    assert http.request("DELETE", "/1.0/profiles/web2")[0] == 200
    assert get(http, "/1.0/profiles/web2")[0] == 404
    # Profiles belong to projects: a project with its own profiles sees only those.
    assert http.request("POST", "/1.0/projects", json.dumps({"name": "pp", "config": {"features.profiles": "true"}}).encode())[0] == 201
    assert http.request("POST", "/1.0/profiles?project=pp", json.dumps({"name": "only-pp"}).encode())[0] == 201
    listed = get(http, "/1.0/profiles?project=pp")[1]["metadata"]
    assert "/1.0/profiles/only-pp?project=pp" in listed
    assert get(http, "/1.0/profiles/only-pp")[0] == 404
    assert http.request("DELETE", "/1.0/profiles/only-pp?project=pp")[0] == 200


def test_networks(lxd):
    state, lxc, http = lxd
    subprocess.run(["ip", "link", "del", "br-x"], capture_output=True)  # a bridge left by an aborted run
    lxc.ok("network", "create", "br-x", "ipv4.address=10.123.0.1/24", "ipv6.address=none")
    try:
        rows = [line.split(",") for line in lxc.ok("network", "list", "--format", "csv").splitlines()]
        assert any(r[0] == "br-x" and r[2] == "YES" for r in rows)
        shown = yaml.safe_load(lxc.ok("network", "show", "br-x"))
        assert shown["managed"] and shown["config"]["ipv4.address"] == "10.123.0.1/24"
        assert "10.123.0.1" in lxc.ok("network", "info", "br-x")
        assert "10.123.0.1/24" in subprocess.run(["ip", "-4", "addr", "show", "br-x"], capture_output=True, text=True).stdout
        lxc.ok("network", "set", "br-x", "user.owner", "tests")
        assert lxc.ok("network", "get", "br-x", "user.owner").strip() == "tests"
        status, doc = get(http, "/1.0/networks/br-x/state")
        assert status == 200 and any(a["address"] == "10.123.0.1" for a in doc["metadata"]["addresses"])
        status, doc = get(http, "/1.0/networks/br-x/leases")
        assert status == 200 and isinstance(doc["metadata"], list)

        etag = etag_of(http, "/1.0/networks/br-x")
        assert http.request("PATCH", "/1.0/networks/br-x", json.dumps({"config": {"user.n": "1"}}).encode(), {"If-Match": etag})[0] == 200
        status, payload = http.request("PATCH", "/1.0/networks/br-x", json.dumps({"config": {"user.n": "2"}}).encode(), {"If-Match": etag})
        assert status == 412
        status, payload = http.request("PATCH", "/1.0/networks/br-x", json.dumps({"config": {"ipv4.nat": "maybe"}}).encode())
        assert status == 400 and "ipv4.nat" in envelope(payload)["error"]
        status, payload = http.request("POST", "/1.0/networks", json.dumps({"name": "br-bad", "config": {"nonsense": "1"}}).encode())
        assert status == 400 and "nonsense" in envelope(payload)["error"]
        assert get(http, "/1.0/networks/nope0")[0] == 404

        lxc.ok("network", "attach", "br-x", "c1", "eth0")
        devices = yaml.safe_load(lxc.ok("config", "device", "show", "c1"))
        assert devices["eth0"]["network"] == "br-x" and devices["eth0"]["type"] == "nic"
        assert "/1.0/instances/c1" in get(http, "/1.0/networks/br-x")[1]["metadata"]["used_by"]
        r = lxc.run("network", "delete", "br-x")  # c1 uses it
        assert r.returncode != 0 and "c1" in r.stderr
        lxc.ok("network", "detach", "br-x", "c1", "eth0")
        assert "eth0" not in (yaml.safe_load(lxc.ok("config", "device", "show", "c1")) or {})

        lxc.ok("network", "rename", "br-x", "br-y")
        assert get(http, "/1.0/networks/br-x")[0] == 404
        lxc.ok("network", "delete", "br-y")
        assert get(http, "/1.0/networks/br-y")[0] == 404
        assert subprocess.run(["ip", "link", "show", "br-y"], capture_output=True).returncode != 0
    finally:
        lxc.run("network", "delete", "br-x")
        lxc.run("network", "delete", "br-y")


def test_storage_pools_and_volumes(lxd):
    state, lxc, http = lxd
    rows = [line.split(",") for line in lxc.ok("storage", "list", "--format", "csv").splitlines()]
    assert any(r[0] == "default" for r in rows)
    assert yaml.safe_load(lxc.ok("storage", "show", "default"))["name"] == "default"
    lxc.ok("storage", "create", "p2", "dir")
    assert yaml.safe_load(lxc.ok("storage", "show", "p2"))["driver"] == "dir"
    status, doc = get(http, "/1.0/storage-pools/p2/resources")
    assert status == 200 and doc["metadata"]["space"]["total"] > 0
    etag = etag_of(http, "/1.0/storage-pools/p2")
    put = json.dumps({"description": "second", "config": {}}).encode()
    assert http.request("PUT", "/1.0/storage-pools/p2", put, {"If-Match": etag})[0] == 200
    assert http.request("PUT", "/1.0/storage-pools/p2", put, {"If-Match": etag})[0] == 412
    assert get(http, "/1.0/storage-pools/p2")[1]["metadata"]["description"] == "second"
    status, payload = http.request("POST", "/1.0/storage-pools", json.dumps({"name": "p3", "driver": "dir", "config": {"frobnicate": "1"}}).encode())
    assert status == 400 and "frobnicate" in envelope(payload)["error"]
    assert get(http, "/1.0/storage-pools/nope")[0] == 404

    lxc.ok("storage", "volume", "create", "default", "v1")
    vols = json.loads(lxc.ok("storage", "volume", "list", "default", "--format", "json"))
    assert any(v["name"] == "v1" and v["type"] == "custom" for v in vols)
    status, payload = http.request("POST", "/1.0/storage-pools/default/volumes/custom",
                                   json.dumps({"name": "vbad", "config": {"wrong.key": "1"}}).encode())
    assert status == 400 and "wrong.key" in envelope(payload)["error"]
    assert get(http, "/1.0/storage-pools/default/volumes/custom/nope")[0] == 404

    lxc.ok("storage", "volume", "set", "default", "v1", "user.k", "v")
    assert lxc.ok("storage", "volume", "get", "default", "v1", "user.k").strip() == "v"
    etag = etag_of(http, "/1.0/storage-pools/default/volumes/custom/v1")
    patch = json.dumps({"description": "data"}).encode()
    assert http.request("PATCH", "/1.0/storage-pools/default/volumes/custom/v1", patch, {"If-Match": etag})[0] == 200
    assert http.request("PATCH", "/1.0/storage-pools/default/volumes/custom/v1", patch, {"If-Match": etag})[0] == 412
    doc = get(http, "/1.0/storage-pools/default/volumes/custom/v1")[1]["metadata"]
    assert doc["description"] == "data" and doc["config"]["user.k"] == "v"

    # Attached to the running c1: the device is there and the container writes into the volume.
    lxc.ok("storage", "volume", "attach", "default", "v1", "c1", "/mnt")
    devices = yaml.safe_load(lxc.ok("config", "device", "show", "c1"))
    assert devices["v1"] == {"type": "disk", "pool": "default", "source": "v1", "path": "/mnt"}
    lxc.ok("exec", "c1", "--", "sh", "-c", "echo kept > /mnt/file")
    lxc.ok("storage", "volume", "snapshot", "default", "v1")
    snaps = get(http, "/1.0/storage-pools/default/volumes/custom/v1/snapshots")[1]["metadata"]
    assert snaps == ["/1.0/storage-pools/default/volumes/custom/v1/snapshots/snap0"]
    lxc.ok("storage", "volume", "rename", "default", "v1/snap0", "v1/first")
    assert get(http, "/1.0/storage-pools/default/volumes/custom/v1/snapshots/first")[0] == 200
    info = lxc.ok("storage", "volume", "info", "default", "v1")
    assert "Name: v1" in info and "first" in info
    status, payload = http.request("POST", "/1.0/storage-pools/default/volumes/custom/v1/snapshots",
                                   json.dumps({"name": "later", "expires_at": "2030-01-01T00:00:00Z"}).encode())
    assert status == 202 and lxc.ok("query", envelope(payload)["operation"] + "/wait")
    status, doc = get(http, "/1.0/storage-pools/default/volumes/custom/v1/snapshots/later")
    assert doc["metadata"]["expires_at"] == "2030-01-01T00:00:00Z"
    status, payload = http.request("DELETE", "/1.0/storage-pools/default/volumes/custom/v1/snapshots/later")
    assert status == 202 and lxc.ok("query", envelope(payload)["operation"] + "/wait")
    assert get(http, "/1.0/storage-pools/default/volumes/custom/v1/snapshots/later")[0] == 404
    assert get(http, "/1.0/storage-pools/default/volumes/custom/nope/state")[0] == 404

    # A copy (an operation) carries the content: attached to c1 too, the file reads back.
    lxc.ok("storage", "volume", "copy", "default/v1", "p2/v2")
    assert get(http, "/1.0/storage-pools/p2/volumes/custom/v2")[0] == 200
    lxc.ok("storage", "volume", "attach", "p2", "v2", "c1", "/mnt2")
    assert lxc.ok("exec", "c1", "--", "cat", "/mnt2/file") == "kept\n"
    lxc.ok("storage", "volume", "detach", "p2", "v2", "c1")
    r = lxc.run("storage", "volume", "delete", "default", "v1")  # c1 uses it
    assert r.returncode != 0 and "c1" in r.stderr
    lxc.ok("exec", "c1", "--", "sh", "-c", "echo changed > /mnt/file")
    lxc.ok("storage", "volume", "detach", "default", "v1", "c1")
    assert "v1" not in (yaml.safe_load(lxc.ok("config", "device", "show", "c1")) or {})

    # Restoring the snapshot (a PUT with "restore") brings back what the volume held when taken.
    lxc.ok("storage", "volume", "restore", "default", "v1", "first")
    lxc.ok("storage", "volume", "attach", "default", "v1", "c1", "/mnt")
    assert lxc.ok("exec", "c1", "--", "cat", "/mnt/file") == "kept\n"
    lxc.ok("storage", "volume", "detach", "default", "v1", "c1")

    lxc.ok("storage", "volume", "rename", "default", "v1", "v3")
    assert get(http, "/1.0/storage-pools/default/volumes/custom/v1")[0] == 404
    assert get(http, "/1.0/storage-pools/default/volumes/custom/v3/snapshots/first")[0] == 200
    # A move to another pool is an operation; the volume goes with its snapshots.
    lxc.ok("storage", "volume", "move", "default/v3", "p2/v3")
    assert get(http, "/1.0/storage-pools/default/volumes/custom/v3")[0] == 404
    assert get(http, "/1.0/storage-pools/p2/volumes/custom/v3/snapshots/first")[0] == 200
    lxc.ok("storage", "volume", "delete", "p2", "v3/first")
    assert get(http, "/1.0/storage-pools/p2/volumes/custom/v3/snapshots")[1]["metadata"] == []
    lxc.ok("storage", "volume", "delete", "p2", "v3")
    lxc.ok("storage", "volume", "delete", "p2", "v2")
    assert not any(v["type"] == "custom" for v in json.loads(lxc.ok("storage", "volume", "list", "default", "--format", "json")))
    lxc.ok("storage", "delete", "p2")
    assert get(http, "/1.0/storage-pools/p2")[0] == 404


def test_pylxd_managers(lxd):
    state, _, _ = lxd
    out = pylxd(state, """
p = client.profiles.create('py1', config={'user.x': '1'}, devices={})
print('profile', client.profiles.get('py1').config['user.x'], 'py1' in [q.name for q in client.profiles.all()])
p.delete()
print('networks', 'lo' in [n.name for n in client.networks.all()])
pools = client.storage_pools.all()
print('pools', [x.name for x in pools if x.name == 'default'])
pool = client.storage_pools.get('default')
pool.volumes.create({'name': 'pyv', 'type': 'custom', 'config': {}})
# pylxd 2.2.10 maps every type but the old plural ones to 'custom', so names are what is checked.
print('volumes', 'pyv' in [v.name for v in pool.volumes.all()], pool.volumes.get('custom', 'pyv').type)
pool.volumes.get('custom', 'pyv').delete()
print('after', 'pyv' in [v.name for v in pool.volumes.all()])
""")
    assert "profile 1 True" in out
    assert "networks True" in out
    assert "pools ['default']" in out
    assert "volumes True custom" in out and "after False" in out
