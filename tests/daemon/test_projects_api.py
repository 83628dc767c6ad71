"""/1.0/projects through instanced: raw HTTP (201 + Location, ETag and a stale If-Match refused
with 412, PATCH merging, 404 for an unknown project, 400 naming a bad key) and Debian's real
`lxc project` commands (create, list, set, show, get, info, delete)."""
import json
import os
import subprocess

from conftest import envelope


def lxc(state, conf, *args):
    env = dict(os.environ, LXD_SOCKET=os.path.join(state, "unix.socket"), LXD_CONF=str(conf))
    return subprocess.run(["lxc", *args], env=env, capture_output=True, text=True, timeout=60)


def test_projects_over_http(daemon):
    _, _, http = daemon
    body = json.dumps({"name": "web", "config": {"limits.instances": "3"}}).encode()
    status, payload = http.request("POST", "/1.0/projects", body)
    assert status == 201 and envelope(payload)["metadata"] is None
    status, payload = http.request("GET", "/1.0/projects")
    assert sorted(envelope(payload)["metadata"]) == ["/1.0/projects/default", "/1.0/projects/web"]
    status, payload = http.request("GET", "/1.0/projects?recursion=1")
    web = [p for p in envelope(payload)["metadata"] if p["name"] == "web"][0]
    assert web["config"]["limits.instances"] == "3" and web["config"]["features.networks"] == "false"

    raw = http.raw(b"GET /1.0/projects/web HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").decode()
    etag = [line.split(":", 1)[1].strip() for line in raw.split("\r\n") if line.lower().startswith("etag:")][0]
    put = json.dumps({"description": "site", "config": web["config"]}).encode()
    status, _ = http.request("PUT", "/1.0/projects/web", put, {"If-Match": etag})
    assert status == 200
    status, payload = http.request("PUT", "/1.0/projects/web", put, {"If-Match": etag})  # stale now
    assert status == 412 and envelope(payload)["error_code"] == 412

    status, _ = http.request("PATCH", "/1.0/projects/web", json.dumps({"config": {"user.team": "a"}}).encode())
    assert status == 200
    status, payload = http.request("GET", "/1.0/projects/web")
    doc = envelope(payload)["metadata"]
    assert doc["description"] == "site" and doc["config"]["user.team"] == "a" and doc["config"]["limits.instances"] == "3"

    status, payload = http.request("PATCH", "/1.0/projects/web", json.dumps({"config": {"limits.cpu": "lots"}}).encode())
    assert status == 400 and "limits.cpu" in envelope(payload)["error"]
    status, payload = http.request("GET", "/1.0/projects/web/state")
    assert envelope(payload)["metadata"]["resources"]["instances"] == {"Limit": 3, "Usage": 0}
    status, payload = http.request("DELETE", "/1.0/projects/default")
    assert status == 400
    status, _ = http.request("DELETE", "/1.0/projects/web")
    assert status == 200
    status, payload = http.request("GET", "/1.0/projects/web")
    assert status == 404 and envelope(payload)["type"] == "error"


def test_debian_lxc_project_commands(daemon, tmp_path):
    _, state, _ = daemon
    r = lxc(state, tmp_path, "project", "create", "p1", "-c", "limits.instances=2")
    assert r.returncode == 0, r.stderr
    r = lxc(state, tmp_path, "project", "list", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert any(line.startswith("p1,") for line in r.stdout.splitlines())
    assert lxc(state, tmp_path, "project", "set", "p1", "user.x", "1").returncode == 0
    assert lxc(state, tmp_path, "project", "get", "p1", "user.x").stdout.strip() == "1"
    shown = lxc(state, tmp_path, "project", "show", "p1").stdout
    assert "limits.instances: \"2\"" in shown and "features.images: \"true\"" in shown
    info = lxc(state, tmp_path, "project", "info", "p1")
    assert info.returncode == 0, info.stderr
    assert any("INSTANCES" in line and "| 2 " in line for line in info.stdout.splitlines())
    bad = lxc(state, tmp_path, "project", "set", "p1", "limits.instances", "bogus")
    assert bad.returncode != 0 and "limits.instances" in bad.stderr
    assert lxc(state, tmp_path, "project", "delete", "p1").returncode == 0
    assert "p1," not in lxc(state, tmp_path, "project", "list", "--format", "csv").stdout
