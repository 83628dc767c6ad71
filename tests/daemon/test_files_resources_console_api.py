"""Files, host resources and the console through instanced: real `lxc file push/pull/delete/edit`
(-p, -r, owner and mode kept as LXD 5.0.2 does), pylxd's container.files, raw HTTP for the
headers and bad input (missing path, unknown instance, hostile paths that must not reach the
host), `lxc info --resources`, `lxc storage info`, and `lxc console` attached under a pty."""
import json
import os
import socket
import subprocess
import tempfile
import time
import uuid

from conftest import PtyClient, envelope, pylxd


def raw_request(state, method, target, body=b"", headers=None, chunked=False):
    """One request on the daemon's socket; returns (status, headers with lower-case names, body)."""
    head = f"{method} {target} HTTP/1.1\r\nHost: unix.socket\r\nConnection: close\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
        payload = b""
        for i in range(0, len(body), 7):  # small chunks, several of them
            part = body[i:i + 7]
            payload += f"{len(part):x}\r\n".encode() + part + b"\r\n"
        payload += b"0\r\n\r\n"
    else:
        if body or method in ("PUT", "POST", "PATCH"):
            head += f"Content-Length: {len(body)}\r\n"
        payload = body
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(os.path.join(state, "unix.socket"))
        s.sendall(head.encode() + b"\r\n" + payload)
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    head_bytes, _, data = answer.partition(b"\r\n\r\n")
    lines = head_bytes.decode().split("\r\n")
    fields = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        fields[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), fields, data


def files_url(name, path, kind="instances"):
    from urllib.parse import quote
    return f"/1.0/{kind}/{name}/files?path={quote(path, safe='')}"


def test_lxc_file_push_pull_delete(lxd):
    state, lxc, _ = lxd
    lxc.ok("launch", "busybox", "f1")
    work = tempfile.mkdtemp(prefix="files-")
    src = os.path.join(work, "hello.txt")
    with open(src, "w") as f:
        f.write("hello from the host\n")
    os.chmod(src, 0o751)
    os.chown(src, 1000, 1001)

    # lxc sends the local owner and mode: kept on a new file (pitfall #41).
    lxc.ok("file", "push", src, "f1/root/hello.txt")
    status, h, body = raw_request(state, "GET", files_url("f1", "/root/hello.txt"))
    assert status == 200 and body == b"hello from the host\n"
    assert (h["x-lxd-type"], h["x-lxd-uid"], h["x-lxd-gid"], h["x-lxd-mode"]) == ("file", "1000", "1001", "0751")
    assert h["content-type"] == "application/octet-stream"
    assert lxc.ok("exec", "f1", "--", "stat", "-c", "%u:%g:%a", "/root/hello.txt").strip() == "1000:1001:751"

    # A second push replaces the content but, as LXD 5.0.2, keeps the existing owner and mode.
    with open(src, "w") as f:
        f.write("second version\n")
    os.chown(src, 0, 0)
    os.chmod(src, 0o600)
    lxc.ok("file", "push", src, "f1/root/hello.txt")
    assert lxc.ok("exec", "f1", "--", "cat", "/root/hello.txt") == "second version\n"
    assert lxc.ok("exec", "f1", "--", "stat", "-c", "%u:%g:%a", "/root/hello.txt").strip() == "1000:1001:751"

    # --uid/--gid/--mode on a new file; pull it back.
    lxc.ok("file", "push", "--uid", "7", "--gid", "8", "--mode", "0640", src, "f1/root/flags.txt")
    assert lxc.ok("exec", "f1", "--", "stat", "-c", "%u:%g:%a", "/root/flags.txt").strip() == "7:8:640"
    pulled = os.path.join(work, "pulled.txt")
    lxc.ok("file", "pull", "f1/root/flags.txt", pulled)
    assert open(pulled).read() == "second version\n"

    # -p creates the missing parents (new directories default to 0750 without a mode header).
    lxc.ok("file", "push", "-p", src, "f1/deep/er/dir/file.txt")
    assert lxc.ok("exec", "f1", "--", "cat", "/deep/er/dir/file.txt") == "second version\n"
    status, h, body = raw_request(state, "GET", files_url("f1", "/deep/er"))
    assert status == 200 and h["x-lxd-type"] == "directory" and envelope(body)["metadata"] == ["dir"]
    assert h["x-lxd-mode"] == "0750"

    # -r: a tree with a subdirectory, owners, modes and a symlink.
    tree = os.path.join(work, "tree")
    os.makedirs(os.path.join(tree, "sub"))
    with open(os.path.join(tree, "sub", "x.sh"), "w") as f:
        f.write("#!/bin/sh\necho x\n")
    os.chmod(os.path.join(tree, "sub", "x.sh"), 0o755)
    os.chown(os.path.join(tree, "sub"), 1000, 1000)
    os.chown(os.path.join(tree, "sub", "x.sh"), 1000, 1000)
    os.symlink("sub/x.sh", os.path.join(tree, "link"))
    lxc.ok("file", "push", "-r", tree, "f1/root/")
    assert lxc.ok("exec", "f1", "--", "stat", "-c", "%u:%g:%a", "/root/tree/sub/x.sh").strip() == "1000:1000:755"
    assert lxc.ok("exec", "f1", "--", "stat", "-c", "%u:%g", "/root/tree/sub").strip() == "1000:1000"
    assert lxc.ok("exec", "f1", "--", "readlink", "/root/tree/link").strip() == "sub/x.sh"
    assert lxc.ok("exec", "f1", "--", "/root/tree/link").strip() == "x"

    # pull -r brings the tree back.
    back = os.path.join(work, "back")
    os.mkdir(back)
    lxc.ok("file", "pull", "-r", "f1/root/tree", back)
    assert open(os.path.join(back, "tree", "sub", "x.sh")).read() == "#!/bin/sh\necho x\n"
    assert os.stat(os.path.join(back, "tree", "sub", "x.sh")).st_mode & 0o777 == 0o755

    # lxc file edit reads the new content from stdin when it is not a terminal.
    lxc.ok("file", "edit", "f1/root/hello.txt", input="edited\n")
    assert lxc.ok("exec", "f1", "--", "cat", "/root/hello.txt") == "edited\n"

    # delete: gone inside the instance, and GET answers 404.
    lxc.ok("file", "delete", "f1/root/hello.txt")
    assert lxc.run("exec", "f1", "--", "test", "-e", "/root/hello.txt").returncode == 1
    status, _, body = raw_request(state, "GET", files_url("f1", "/root/hello.txt"))
    assert status == 404 and envelope(body)["error_code"] == 404
    r = lxc.run("file", "pull", "f1/root/hello.txt", pulled)
    assert r.returncode != 0


def test_file_api_raw_http(lxd):
    state, lxc, http = lxd
    if lxc.run("info", "f1").returncode != 0:
        lxc.ok("launch", "busybox", "f1")

    # Missing path: 400 naming it; unknown instance: 404; both collections answer.
    status, body = http.request("GET", "/1.0/instances/f1/files")
    assert status == 400 and "path" in envelope(body)["error"]
    status, body = http.request("POST", "/1.0/containers/f1/files", b"x")
    assert status == 400 and "path" in envelope(body)["error"]
    status, body = http.request("GET", files_url("nosuch", "/etc/hostname"))
    assert status == 404
    status, body = http.request("DELETE", files_url("nosuch", "/etc/hostname"))
    assert status == 404

    # A chunked body (lxc streams pushes that way), through the /1.0/containers alias.
    content = b"chunked body " * 50
    status, _, body = raw_request(state, "POST", files_url("f1", "root/chunked.txt", "containers"), content,
                                  {"X-LXD-mode": "0600", "X-LXD-uid": "5", "X-LXD-gid": "6"}, chunked=True)
    assert status == 200, body
    assert envelope(body)["type"] == "sync"
    status, h, body = raw_request(state, "GET", files_url("f1", "/root/chunked.txt", "containers"))
    assert body == content and (h["x-lxd-uid"], h["x-lxd-gid"], h["x-lxd-mode"]) == ("5", "6", "0600")

    # Directory: created with its mode; created again: 200, left as it is; listed as JSON.
    status, _, _ = raw_request(state, "POST", files_url("f1", "/root/d"), b"", {"X-LXD-type": "directory", "X-LXD-mode": "0700"})
    assert status == 200
    status, _, _ = raw_request(state, "POST", files_url("f1", "/root/d"), b"", {"X-LXD-type": "directory", "X-LXD-mode": "0777"})
    assert status == 200
    status, h, body = raw_request(state, "GET", files_url("f1", "/root/d"))
    assert h["x-lxd-type"] == "directory" and h["x-lxd-mode"] == "0700" and envelope(body)["metadata"] == []
    status, h, body = raw_request(state, "GET", files_url("f1", "/root"))
    assert "d" in envelope(body)["metadata"] and "chunked.txt" in envelope(body)["metadata"]

    # Symlink: created from the body, answered as a symlink with its (absolute) target.
    status, _, _ = raw_request(state, "POST", files_url("f1", "/root/d/ln"), b"../chunked.txt", {"X-LXD-type": "symlink"})
    assert status == 200
    assert lxc.ok("exec", "f1", "--", "readlink", "/root/d/ln").strip() == "../chunked.txt"
    status, h, body = raw_request(state, "GET", files_url("f1", "/root/d/ln"))
    assert status == 200 and h["x-lxd-type"] == "symlink" and body == b"/root/chunked.txt"

    # Deleting a non-empty directory is refused; empty, it goes.
    status, body = http.request("DELETE", files_url("f1", "/root/d"))
    assert status == 409
    assert http.request("DELETE", files_url("f1", "/root/d/ln"))[0] == 200
    assert http.request("DELETE", files_url("f1", "/root/d"))[0] == 200
    assert lxc.run("exec", "f1", "--", "test", "-e", "/root/d").returncode == 1

    # Bad headers: 400 naming the header; append is refused clearly (the library has none).
    for headers, name in ((({"X-LXD-type": "fifo"}), "X-LXD-type"), ({"X-LXD-mode": "0999"}, "X-LXD-mode"),
                          ({"X-LXD-uid": "root"}, "X-LXD-uid"), ({"X-LXD-write": "prepend"}, "X-LXD-write")):
        status, body = http.request("POST", files_url("f1", "/root/bad.txt"), b"x", headers)
        assert status == 400 and name in envelope(body)["error"], (headers, body)
    status, body = http.request("POST", files_url("f1", "/root/chunked.txt"), b"more", {"X-LXD-write": "append"})
    assert status == 501 and "append" in envelope(body)["error"]
    assert lxc.run("exec", "f1", "--", "test", "-e", "/root/bad.txt").returncode == 1

    # A directory where a file is pushed: refused, the directory stays.
    status, body = http.request("POST", files_url("f1", "/root"), b"x")
    assert status in (400, 409)


def test_hostile_paths_stay_inside(lxd):
    state, lxc, http = lxd
    if lxc.run("info", "f1").returncode != 0:
        lxc.ok("launch", "busybox", "f1")
    tag = uuid.uuid4().hex[:12]
    host_dir = tempfile.mkdtemp(prefix="outside-host-")
    # Symlinks inside the instance pointing at its / and at a real host directory.
    lxc.ok("exec", "f1", "--", "ln", "-sfn", "/", "/tmp/outside")
    lxc.ok("exec", "f1", "--", "ln", "-sfn", host_dir, "/tmp/outside2")

    # Through /tmp/outside -> /: lands in the instance's own /, never the host's.
    status, body = http.request("POST", files_url("f1", f"/tmp/outside/escape-{tag}"), b"inside")
    assert status == 200, body
    assert not os.path.exists(f"/escape-{tag}")
    assert lxc.ok("exec", "f1", "--", "cat", f"/escape-{tag}") == "inside"
    # `lxc file push` into the symlinked directory, as LXD's filemanip test does.
    src = os.path.join(host_dir, f"..", f"src-{tag}")
    with open(src, "w") as f:
        f.write("pushed")
    lxc.ok("file", "push", src, "f1/tmp/outside/")
    assert not os.path.exists(f"/src-{tag}")
    assert lxc.ok("exec", "f1", "--", "cat", f"/src-{tag}") == "pushed"

    # Through a symlink naming a host directory: resolved inside the root (absent there) -> error.
    status, body = http.request("POST", files_url("f1", f"/tmp/outside2/escape-{tag}"), b"x")
    assert status != 200
    assert os.listdir(host_dir) == []

    # ".." that climbs above / is refused; ".." within stays inside.
    status, body = http.request("POST", files_url("f1", f"/../../../../tmp/dotdot-{tag}"), b"x")
    assert status == 400 and "path" in envelope(body)["error"]
    assert not os.path.exists(f"/tmp/dotdot-{tag}")
    status, body = http.request("POST", files_url("f1", f"/tmp/../root/dotdot-{tag}"), b"y")
    assert status == 200
    assert lxc.ok("exec", "f1", "--", "cat", f"/root/dotdot-{tag}") == "y"
    # Reading through the symlink gives the instance's file, not the host's.
    status, _, body = raw_request(state, "GET", files_url("f1", f"/tmp/outside/escape-{tag}"))
    assert status == 200 and body == b"inside"
    status, body = http.request("GET", files_url("f1", f"/tmp/outside2/../../etc/shadow-{tag}"))
    assert status == 404
    # A NUL byte in the path: 400.
    status, body = http.request("GET", "/1.0/instances/f1/files?path=/etc/host%00name")
    assert status == 400 and "path" in envelope(body)["error"]
    os.unlink(src)


def test_pylxd_files(lxd):
    state, lxc, _ = lxd
    if lxc.run("info", "f1").returncode != 0:
        lxc.ok("launch", "busybox", "f1")
    out = pylxd(state, """
c = client.containers.get('f1')
c.files.put('/root/py.txt', b'from pylxd', mode=0o640, uid=11, gid=12)
print('get', c.files.get('/root/py.txt'))
import tempfile
src = tempfile.mkdtemp()
os.makedirs(src + '/pydir')
os.chmod(src + '/pydir', 0o711)
open(src + '/pydir/inner', 'w').write('text data')
c.files.recursive_put(src + '/pydir', '/root/pydir')
print('inner', c.files.get('/root/pydir/inner'))
c.files.delete('/root/py.txt')
try:
    c.files.get('/root/py.txt')
    print('still there')
except Exception as e:
    print('gone', type(e).__name__)
""")
    assert "get b'from pylxd'" in out
    assert "inner b'text data'" in out
    assert "gone" in out
    assert lxc.run("exec", "f1", "--", "test", "-e", "/root/py.txt").returncode == 1
    # recursive_put sends no mode for directories: LXD's default 0750.
    assert lxc.ok("exec", "f1", "--", "stat", "-c", "%a", "/root/pydir").strip() == "750"


def test_resources(lxd):
    state, lxc, http = lxd
    status, body = http.request("GET", "/1.0/resources")
    assert status == 200
    res = envelope(body)["metadata"]
    assert res["cpu"]["total"] == os.cpu_count()
    assert sum(len(t["threads"]) for s in res["cpu"]["sockets"] for t in s["cores"]) == os.cpu_count()
    mem_total = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal:"))) * 1024
    assert res["memory"]["total"] == mem_total and 0 < res["memory"]["used"] <= mem_total
    disks = [d for d in os.listdir("/sys/block") if not d.startswith(("loop", "ram", "zram", "dm-"))]
    assert sorted(d["id"] for d in res["storage"]["disks"]) == sorted(disks)
    assert res["storage"]["total"] == len(disks)
    for key in ("gpu", "network"):
        assert res[key] == {"cards": [], "total": 0}

    info = lxc.ok("info", "--resources")
    assert "CPU" in info and "Memory:" in info and "Total:" in info
    assert res["cpu"]["sockets"][0]["name"] in info
    storage = lxc.ok("storage", "info", "default")
    assert "space used" in storage and "total space" in storage


def test_console(lxd):
    state, lxc, http = lxd
    lxc.ok("launch", "busybox", "k1")
    # lxc console needs a terminal: give it one, type to the console's shell, detach with ctrl+a q.
    term = PtyClient(lxc, "console", "k1")
    assert term.read_until(b"+a q"), term.out
    time.sleep(0.5)
    term.write(b"echo con-$((6*7))\r")
    assert term.read_until(b"con-42"), term.out
    term.write(b"\x01q")
    assert term.wait() == 0, term.out

    # The console is free again after the detach: a raw POST gets a websocket operation.
    status, body = http.request("POST", "/1.0/instances/k1/console", json.dumps({"width": 80, "height": 24, "type": "console"}).encode())
    assert status == 202, body
    op = envelope(body)["metadata"]
    assert op["class"] == "websocket" and set(op["metadata"]["fds"]) == {"0", "control"}
    # Nobody connects: the operation fails after LXD's 5 s.
    status, body = http.request("GET", f"/1.0/operations/{op['id']}/wait?timeout=20")
    assert envelope(body)["metadata"]["status"] == "Failure"

    # Bad input: VGA or unknown type, bad sizes, a stopped or unknown instance.
    for bad, field in (({"type": "vga"}, "VGA"), ({"type": "serial"}, "serial"), ({"width": "wide"}, "width")):
        status, body = http.request("POST", "/1.0/instances/k1/console", json.dumps(bad).encode())
        assert status == 400 and field in envelope(body)["error"], body
    assert http.request("POST", "/1.0/instances/nosuch/console", b"{}")[0] == 404
    lxc.ok("stop", "k1", "--force")
    status, body = http.request("POST", "/1.0/containers/k1/console", b"{}")
    assert status == 400 and "not running" in envelope(body)["error"]
    lxc.ok("delete", "k1")
