"""instanced's custom volume backups (api extension custom_volume_backup): Debian's real `lxc
storage volume export` / `import`, the .../volumes/custom/<v>/backups endpoints over raw HTTP,
hostile imports refused with nothing left behind, and projects (with restricted.backups)."""
import io
import json
import os
import tarfile
import tempfile

from conftest import envelope


def wait_op(lxc, payload):
    doc = envelope(payload)
    assert doc["type"] == "async", doc
    return json.loads(lxc.ok("query", f"/1.0/operations/{doc['metadata']['id']}/wait"))


def refused(lxc, status, payload):
    """A request LXD refuses with 400: at once, or as its operation's failure."""
    if status == 202:
        op = wait_op(lxc, payload)
        assert op["status_code"] == 400, op
        return op["err"]
    assert status == 400, payload
    return envelope(payload)["error"]


def first_pool(lxc):
    return json.loads(lxc.ok("query", "/1.0/storage-pools?recursion=1"))[0]["name"]


def volume_dir(state, pool, name):
    return os.path.join(state, "storage-pools", pool, "custom", name)


def snapshots(lxc, pool, volume, project=None):
    suffix = f"?recursion=1&project={project}" if project else "?recursion=1"
    return [s["name"] for s in json.loads(lxc.ok("query", f"/1.0/storage-pools/{pool}/volumes/custom/{volume}/snapshots{suffix}"))]


def test_lxc_export_and_import_round_trip(lxd):
    state, lxc, http = lxd
    assert "custom_volume_backup" in json.loads(lxc.ok("query", "/1.0"))["api_extensions"]
    pool = first_pool(lxc)
    lxc.ok("storage", "volume", "create", pool, "vbk", "user.mark=exported")
    data = volume_dir(state, pool, "vbk")
    with open(os.path.join(data, "data"), "w") as f:
        f.write("old\n")
    lxc.ok("storage", "volume", "snapshot", pool, "vbk", "s1")
    with open(os.path.join(data, "data"), "w") as f:
        f.write("new\n")
    target = os.path.join(tempfile.mkdtemp(), "vbk.tar.gz")
    lxc.ok("storage", "volume", "export", pool, "vbk", target)
    with tarfile.open(target) as tar:
        assert tar.extractfile("backup/volume/data").read() == b"new\n"
        assert tar.extractfile("backup/volume-snapshots/s1/data").read() == b"old\n"
        assert b"vbk" in tar.extractfile("backup/index.yaml").read()
    # lxc deletes the backup it made once downloaded.
    assert json.loads(lxc.ok("query", f"/1.0/storage-pools/{pool}/volumes/custom/vbk/backups")) == []

    lxc.ok("storage", "volume", "import", pool, target, "vbk2")
    assert lxc.ok("storage", "volume", "get", pool, "vbk2", "user.mark").strip() == "exported"
    with open(os.path.join(volume_dir(state, pool, "vbk2"), "data")) as f:
        assert f.read() == "new\n"
    assert snapshots(lxc, pool, "vbk2") == ["s1"]
    lxc.ok("storage", "volume", "restore", pool, "vbk2", "s1")
    with open(os.path.join(volume_dir(state, pool, "vbk2"), "data")) as f:
        assert f.read() == "old\n"
    # The backup's own name is taken: refused, nothing changed.
    r = lxc.run("storage", "volume", "import", pool, target)
    assert r.returncode != 0 and "vbk" in r.stderr, r.stderr
    # Without a name it is the backup's, once free.
    for v in ("vbk", "vbk2"):
        lxc.ok("storage", "volume", "delete", pool, f"{v}/s1")
        lxc.ok("storage", "volume", "delete", pool, v)
    lxc.ok("storage", "volume", "import", pool, target)
    assert snapshots(lxc, pool, "vbk") == ["s1"]
    # --volume-only leaves the snapshots out.
    only = os.path.join(tempfile.mkdtemp(), "only.tar.gz")
    lxc.ok("storage", "volume", "export", pool, "vbk", only, "--volume-only")
    lxc.ok("storage", "volume", "import", pool, only, "vbk3")
    assert snapshots(lxc, pool, "vbk3") == []
    lxc.ok("storage", "volume", "delete", pool, "vbk3")
    lxc.ok("storage", "volume", "delete", pool, "vbk/s1")
    lxc.ok("storage", "volume", "delete", pool, "vbk")


def test_backup_endpoints(lxd):
    state, lxc, http = lxd
    pool = first_pool(lxc)
    base = f"/1.0/storage-pools/{pool}/volumes/custom/vbe/backups"
    lxc.ok("storage", "volume", "create", pool, "vbe")
    status, payload = http.request("POST", base, json.dumps({"name": "b1", "volume_only": True, "compression_algorithm": "gzip"}).encode())
    assert status == 202, payload
    op = wait_op(lxc, payload)
    assert op["status_code"] == 200, op
    assert op["resources"]["backups"] == ["/1.0/backups/b1"]  # what `lxc storage volume export` parses
    assert json.loads(lxc.ok("query", base)) == [f"{base}/b1"]
    backup = json.loads(lxc.ok("query", f"{base}/b1"))
    assert backup["name"] == "b1" and backup["volume_only"] is True and "compression_algorithm" not in backup
    status, payload = http.request("POST", base, json.dumps({"name": "b1"}).encode())
    assert status == 409 and "b1" in envelope(payload)["error"]
    status, payload = http.request("POST", base, json.dumps({"name": "a/b"}).encode())
    assert status == 400 and "a/b" in envelope(payload)["error"]
    status, payload = http.request("POST", base, json.dumps({"volume_only": "yes"}).encode())
    assert status == 400 and "volume_only" in envelope(payload)["error"]
    status, payload = http.request("POST", base, json.dumps({"compression_algorithm": "rar"}).encode())
    assert status == 400 and "rar" in envelope(payload)["error"]
    assert json.loads(lxc.ok("query", base)) == [f"{base}/b1"]  # a refused backup leaves no record
    status, payload = http.request("POST", f"/1.0/storage-pools/{pool}/volumes/custom/nosuch/backups", b"{}")
    assert status == 404
    status, payload = http.request("GET", f"/1.0/storage-pools/{pool}/volumes/container/vbe/backups")
    assert status == 400
    status, body = http.request("GET", f"{base}/b1/export")
    assert status == 200 and body[:2] == b"\x1f\x8b"  # gzip
    status, payload = http.request("POST", f"{base}/b1", json.dumps({"name": "b2"}).encode())
    assert status == 202 and wait_op(lxc, payload)["status_code"] == 200
    assert [b["name"] for b in json.loads(lxc.ok("query", f"{base}?recursion=1"))] == ["b2"]
    status, payload = http.request("DELETE", f"{base}/b2")
    assert status == 202 and wait_op(lxc, payload)["status_code"] == 200
    assert http.request("GET", f"{base}/b2")[0] == 404
    # No name: backup0. Backups follow a rename and go with their volume.
    status, payload = http.request("POST", base, b"{}")
    assert wait_op(lxc, payload)["status_code"] == 200
    lxc.ok("storage", "volume", "rename", pool, "vbe", "vbf")
    renamed = f"/1.0/storage-pools/{pool}/volumes/custom/vbf/backups"
    assert json.loads(lxc.ok("query", renamed)) == [f"{renamed}/backup0"]
    lxc.ok("storage", "volume", "delete", pool, "vbf")
    lxc.ok("storage", "volume", "create", pool, "vbf")
    assert json.loads(lxc.ok("query", renamed)) == []
    lxc.ok("storage", "volume", "delete", pool, "vbf")


def hostile_tarball(entry, volume="vhostile"):
    index = (f"name: {volume}\nbackend: dir\npool: default\ntype: custom\noptimized: false\n"
             f"config:\n  volume:\n    name: {volume}\n    type: custom\n    content_type: filesystem\n").encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in (("backup/index.yaml", index), (entry, b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_bad_and_hostile_imports_are_refused(lxd):
    state, lxc, http = lxd
    pool = first_pool(lxc)
    url = f"/1.0/storage-pools/{pool}/volumes/custom"
    headers = {"Content-Type": "application/octet-stream", "X-LXD-name": "vjunk"}
    err = refused(lxc, *http.request("POST", url, b"not a backup" * 50, headers))
    assert err
    assert http.request("GET", f"{url}/vjunk")[0] == 404
    escape = "backup/volume/../../../../vb-escape"
    err = refused(lxc, *http.request("POST", url, hostile_tarball(escape), headers))
    assert escape in err, err
    assert http.request("GET", f"{url}/vjunk")[0] == 404
    assert not os.path.exists(volume_dir(state, pool, "vjunk"))
    assert not os.path.exists(os.path.join(state, "vb-escape"))
    assert not os.path.exists(os.path.join(state, "storage-pools", "vb-escape"))
    # Only custom volumes are imported; an empty body is no backup.
    status, payload = http.request("POST", f"/1.0/storage-pools/{pool}/volumes/container", b"x" * 10, headers)
    assert status == 400
    status, payload = http.request("POST", url, b"", headers)
    assert status == 400 and "body" in envelope(payload)["error"]
    # lxc reports the refusal.
    bad = os.path.join(tempfile.mkdtemp(), "bad.tar.gz")
    with open(bad, "wb") as f:
        f.write(hostile_tarball(escape))
    r = lxc.run("storage", "volume", "import", pool, bad, "vjunk")
    assert r.returncode != 0 and "escape" in r.stderr, r.stderr
    assert http.request("GET", f"{url}/vjunk")[0] == 404
    # Nothing is left in the daemon's scratch space either.
    scratch = os.path.join(state, "instanced", "scratch")
    assert not os.path.isdir(scratch) or os.listdir(scratch) == []


def test_project_and_restricted_backups(lxd):
    state, lxc, http = lxd
    pool = first_pool(lxc)
    lxc.ok("project", "create", "vbp", "-c", "features.storage.volumes=true")
    try:
        lxc.ok("storage", "volume", "create", pool, "pvol", "--project", "vbp")
        lxc.ok("storage", "volume", "snapshot", pool, "pvol", "ps", "--project", "vbp")
        target = os.path.join(tempfile.mkdtemp(), "pvol.tar.gz")
        lxc.ok("storage", "volume", "export", pool, "pvol", target, "--project", "vbp")
        # Imported into the project, not into default.
        lxc.ok("storage", "volume", "import", pool, target, "pvol2", "--project", "vbp")
        assert snapshots(lxc, pool, "pvol2", "vbp") == ["ps"]
        assert http.request("GET", f"/1.0/storage-pools/{pool}/volumes/custom/pvol2")[0] == 404
        base = f"/1.0/storage-pools/{pool}/volumes/custom/pvol/backups"
        status, payload = http.request("POST", f"{base}?project=vbp", json.dumps({"name": "pb"}).encode())
        assert status == 202 and wait_op(lxc, payload)["status_code"] == 200
        assert json.loads(lxc.ok("query", f"{base}?project=vbp")) == [f"{base}/pb?project=vbp"]
        assert http.request("GET", f"{base}/pb")[0] == 404  # not default's
        status, payload = http.request("DELETE", f"{base}/pb?project=vbp")
        assert status == 202 and wait_op(lxc, payload)["status_code"] == 200
        # restricted.backups: refused, no backup left.
        lxc.ok("project", "set", "vbp", "restricted=true")
        r = lxc.run("storage", "volume", "export", pool, "pvol", target + ".2", "--project", "vbp")
        assert r.returncode != 0 and "backups" in r.stderr.lower(), r.stderr
        assert not os.path.exists(target + ".2")
        assert json.loads(lxc.ok("query", f"{base}?project=vbp")) == []
        lxc.ok("project", "set", "vbp", "restricted.backups=allow")
        lxc.ok("storage", "volume", "export", pool, "pvol", target + ".3", "--project", "vbp")
        assert os.path.getsize(target + ".3") > 0
    finally:
        lxc.run("project", "unset", "vbp", "restricted")
        for v in ("pvol", "pvol2"):
            lxc.run("storage", "volume", "delete", pool, f"{v}/ps", "--project", "vbp")
            lxc.run("storage", "volume", "delete", pool, v, "--project", "vbp")
        lxc.run("project", "delete", "vbp")
