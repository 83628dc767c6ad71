"""instanced's instance snapshots, backups (`lxc export` / `lxc import`) and logs, driven by
Debian's real `lxc` client, pylxd and raw HTTP."""
import json
import os
import tarfile
import subprocess
import tempfile

from conftest import envelope, pylxd


def wait_op(lxc, payload):
    doc = envelope(payload)
    assert doc["type"] == "async", doc
    return json.loads(lxc.ok("query", f"/1.0/operations/{doc['metadata']['id']}/wait"))


def snapshot_names(lxc, name):
    return [s["name"] for s in json.loads(lxc.ok("query", f"/1.0/instances/{name}/snapshots?recursion=1"))]


def test_snapshot_restore_rename_delete(lxd):
    state, lxc, http = lxd
    lxc.ok("launch", "busybox", "snapc")
    lxc.ok("snapshot", "snapc", "s1")
    assert snapshot_names(lxc, "snapc") == ["s1"]
    assert "s1" in lxc.ok("info", "snapc")
    urls = json.loads(lxc.ok("query", "/1.0/instances/snapc/snapshots"))
    assert urls == ["/1.0/instances/snapc/snapshots/s1"]
    # Restore undoes a config change made after the snapshot.
    lxc.ok("config", "set", "snapc", "user.after", "yes")
    lxc.ok("restore", "snapc", "s1")
    assert lxc.ok("config", "get", "snapc", "user.after").strip() == ""
    # Expiry edit, then rename (the /1.0/containers alias answers as well).
    status, payload = http.request("PUT", "/1.0/containers/snapc/snapshots/s1",
                                   json.dumps({"expires_at": "2099-01-02T03:04:05Z"}).encode())
    assert status == 202 and wait_op(lxc, payload)["status_code"] == 200
    snap = json.loads(lxc.ok("query", "/1.0/instances/snapc/snapshots/s1"))
    assert snap["expires_at"].startswith("2099-01-02T03:04:05")
    status, payload = http.request("POST", "/1.0/instances/snapc/snapshots/s1", json.dumps({"name": "s2"}).encode())
    assert status == 202 and wait_op(lxc, payload)["status_code"] == 200
    assert snapshot_names(lxc, "snapc") == ["s2"]
    lxc.ok("delete", "snapc/s2")
    assert snapshot_names(lxc, "snapc") == []
    assert http.request("GET", "/1.0/instances/snapc/snapshots/s2")[0] == 404


def test_snapshot_bad_requests(lxd):
    state, lxc, http = lxd
    lxc.ok("init", "busybox", "snapbad")
    status, payload = http.request("POST", "/1.0/instances/snapbad/snapshots", json.dumps({"name": "x", "stateful": True}).encode())
    assert status == 501 and "stateful" in envelope(payload)["error"].lower()
    status, payload = http.request("POST", "/1.0/instances/snapbad/snapshots", json.dumps({"name": 5}).encode())
    assert status == 400 and "name" in envelope(payload)["error"]
    status, payload = http.request("POST", "/1.0/instances/snapbad/snapshots", b"[1]")
    assert status == 400
    status, payload = http.request("POST", "/1.0/instances/nosuch/snapshots", json.dumps({"name": "x"}).encode())
    assert status == 404
    status, payload = http.request("POST", "/1.0/instances/snapbad/snapshots/none", json.dumps({"name": "y"}).encode())
    assert status == 404
    assert snapshot_names(lxc, "snapbad") == []
    # No name: snapshots.pattern's next one; --no-expiry sends the zero time, kept as "never".
    lxc.ok("snapshot", "snapbad", "--no-expiry")
    assert snapshot_names(lxc, "snapbad") == ["snap0"]
    assert json.loads(lxc.ok("query", "/1.0/instances/snapbad/snapshots/snap0"))["expires_at"].startswith("0001-01-01")
    status, payload = http.request("POST", "/1.0/instances/snapbad/snapshots", json.dumps({"name": "snap0"}).encode())
    if status == 202:
        op = wait_op(lxc, payload)
        assert op["status_code"] == 400 and "snap0" in op["err"]
    else:
        assert status == 409 and "snap0" in envelope(payload)["error"]
    lxc.ok("delete", "snapbad/snap0")
    lxc.ok("delete", "snapbad")


def test_pylxd_snapshot(lxd):
    state, lxc, http = lxd
    lxc.ok("init", "busybox", "pysnap")
    out = pylxd(state, """
c = client.containers.get('pysnap')
c.snapshots.create('ps', wait=True)
print(','.join(s.name for s in c.snapshots.all()))
""")
    assert out.strip() == "ps"
    assert snapshot_names(lxc, "pysnap") == ["ps"]
    out = pylxd(state, """
c = client.containers.get('pysnap')
s = c.snapshots.get('ps')
s.rename('ps2', wait=True)
print(','.join(x.name for x in c.snapshots.all()))
c.snapshots.get('ps2').delete(wait=True)
""")
    assert out.strip() == "ps2"
    assert snapshot_names(lxc, "pysnap") == []
    lxc.ok("delete", "pysnap")


def test_export_and_import_under_a_new_name(lxd):
    state, lxc, http = lxd
    lxc.ok("init", "busybox", "expc")
    lxc.ok("config", "set", "expc", "user.mark", "exported")
    lxc.ok("snapshot", "expc", "before")
    target = os.path.join(tempfile.mkdtemp(), "expc.tar.gz")
    lxc.ok("export", "expc", target)
    with tarfile.open(target) as tar:
        names = tar.getnames()
    assert "backup/index.yaml" in names, names[:20]
    # lxc export deletes the backup it made once downloaded.
    assert json.loads(lxc.ok("query", "/1.0/instances/expc/backups")) == []
    lxc.ok("import", target, "impc")
    assert lxc.ok("config", "get", "impc", "user.mark").strip() == "exported"
    assert snapshot_names(lxc, "impc") == ["before"]
    lxc.ok("start", "impc")
    assert json.loads(lxc.ok("query", "/1.0/instances/impc/state"))["status"] == "Running"
    lxc.ok("delete", "--force", "impc")
    # A garbage backup is refused; nothing is created.
    status, payload = http.request("POST", "/1.0/instances", b"not a backup" * 50,
                                   {"Content-Type": "application/octet-stream", "X-LXD-name": "junk"})
    if status == 202:
        assert wait_op(lxc, payload)["status_code"] == 400
    else:
        assert status == 400
    assert http.request("GET", "/1.0/instances/junk")[0] == 404
    lxc.ok("delete", "expc")


def test_backup_endpoints(lxd):
    state, lxc, http = lxd
    lxc.ok("init", "busybox", "bkc")
    status, payload = http.request("POST", "/1.0/instances/bkc/backups",
                                   json.dumps({"name": "b1", "instance_only": True, "compression_algorithm": "gzip"}).encode())
    assert status == 202, payload
    op = wait_op(lxc, payload)
    assert op["status_code"] == 200, op
    assert op["resources"]["backups"] == ["/1.0/backups/b1"]  # what `lxc export` parses
    assert json.loads(lxc.ok("query", "/1.0/instances/bkc/backups")) == ["/1.0/instances/bkc/backups/b1"]
    backup = json.loads(lxc.ok("query", "/1.0/instances/bkc/backups/b1"))
    assert backup["name"] == "b1" and backup["instance_only"] is True
    status, payload = http.request("POST", "/1.0/instances/bkc/backups", json.dumps({"name": "b1"}).encode())
    assert status == 409 and "b1" in envelope(payload)["error"]
    status, payload = http.request("POST", "/1.0/instances/bkc/backups", json.dumps({"name": "a/b"}).encode())
    assert status == 400 and "a/b" in envelope(payload)["error"]
    status, payload = http.request("POST", "/1.0/instances/bkc/backups", json.dumps({"instance_only": "yes"}).encode())
    assert status == 400 and "instance_only" in envelope(payload)["error"]
    status, body = http.request("GET", "/1.0/instances/bkc/backups/b1/export")
    assert status == 200 and body[:2] == b"\x1f\x8b"  # gzip
    status, payload = http.request("POST", "/1.0/instances/bkc/backups/b1", json.dumps({"name": "b2"}).encode())
    assert status == 202 and wait_op(lxc, payload)["status_code"] == 200
    assert [b["name"] for b in json.loads(lxc.ok("query", "/1.0/containers/bkc/backups?recursion=1"))] == ["b2"]
    status, payload = http.request("DELETE", "/1.0/instances/bkc/backups/b2")
    assert status == 202 and wait_op(lxc, payload)["status_code"] == 200
    assert http.request("GET", "/1.0/instances/bkc/backups/b2")[0] == 404
    # Backups follow a rename and go with their instance.
    status, payload = http.request("POST", "/1.0/instances/bkc/backups", json.dumps({"name": "keep"}).encode())
    assert wait_op(lxc, payload)["status_code"] == 200
    lxc.ok("move", "bkc", "bkd")
    assert json.loads(lxc.ok("query", "/1.0/instances/bkd/backups")) == ["/1.0/instances/bkd/backups/keep"]
    lxc.ok("delete", "bkd")
    lxc.ok("init", "busybox", "bkd")
    assert json.loads(lxc.ok("query", "/1.0/instances/bkd/backups")) == []
    lxc.ok("delete", "bkd")


def test_logs_and_console_log(lxd):
    state, lxc, http = lxd
    lxc.ok("launch", "busybox", "logc")
    urls = json.loads(lxc.ok("query", "/1.0/instances/logc/logs"))
    assert "/1.0/instances/logc/logs/lxc.log" in urls
    out = lxc.ok("info", "--show-log", "logc")
    assert "Log:" in out
    status, body = http.request("GET", "/1.0/containers/logc/logs/lxc.log")
    assert status == 200
    status, payload = http.request("DELETE", "/1.0/instances/logc/logs/lxc.log")
    assert status == 400 and "lxc.log" in envelope(payload)["error"]
    status, payload = http.request("GET", "/1.0/instances/logc/logs/..%2Fetc")
    assert status in (400, 404)
    assert http.request("GET", "/1.0/instances/logc/console")[0] == 200
    status, payload = http.request("DELETE", "/1.0/instances/logc/console")
    assert status == 200, payload
    # A running instance exports too (as its files are), here without snapshots.
    target = os.path.join(tempfile.mkdtemp(), "logc.tar.gz")
    lxc.ok("snapshot", "logc", "ls1")
    lxc.ok("export", "logc", target, "--instance-only")
    with tarfile.open(target) as tar:
        names = tar.getnames()
    assert "backup/index.yaml" in names and not any(n.startswith("backup/snapshots/") for n in names)
    lxc.ok("delete", "--force", "logc")
