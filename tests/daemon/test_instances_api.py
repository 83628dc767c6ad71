"""Instances through instanced, driven by Debian's real `lxc` client and by pylxd: launch, list
(with filters), info, config set, exec (non-interactive and interactive, exit codes, stdin,
output that outlives the command), rename, stop, delete; and bad requests answered with the
right status and the field named."""
import json
import os
import subprocess
import time

from conftest import PtyClient, envelope, pylxd


def test_launch_list_info_config_stop_delete(lxd):
    state, lxc, http = lxd
    lxc.ok("launch", "busybox", "t1")
    rows = lxc.ok("list", "--format", "csv", "-c", "ns")
    assert "t1,RUNNING" in rows
    assert lxc.ok("list", "status=stopped", "--format", "csv", "-c", "n").strip() == ""
    assert lxc.ok("list", "status=running", "--format", "csv", "-c", "n").split() == ["t1"]
    info = lxc.ok("info", "t1")
    assert "Status: RUNNING" in info and "Processes:" in info

    lxc.ok("config", "set", "t1", "limits.memory", "256MiB")
    assert lxc.ok("config", "get", "t1", "limits.memory").strip() == "256MiB"
    r = lxc.run("config", "set", "t1", "limits.memory", "lots")
    assert r.returncode != 0 and "limits.memory" in r.stderr

    lxc.ok("stop", "t1", "--force")
    assert "t1,STOPPED" in lxc.ok("list", "--format", "csv", "-c", "ns")
    lxc.ok("move", "t1", "t2")
    assert lxc.ok("list", "--format", "csv", "-c", "n").split() == ["t2"]
    lxc.ok("delete", "t2")
    assert lxc.ok("list", "--format", "csv", "-c", "n").strip() == ""
    status, payload = http.request("GET", "/1.0/instances/t2")
    assert status == 404 and envelope(payload)["error_code"] == 404


def test_exec_streams_exit_codes_and_stdin(lxd):
    _, lxc, _ = lxd
    lxc.ok("launch", "busybox", "e1")
    r = lxc.run("exec", "e1", "--", "sh", "-c", "echo out; echo err >&2; exit 7")
    assert (r.returncode, r.stdout, r.stderr) == (7, "out\n", "err\n")
    r = lxc.run("exec", "e1", "--", "cat", input="fed through stdin\n")
    assert (r.returncode, r.stdout) == (0, "fed through stdin\n")
    r = lxc.run("exec", "e1", "--", "no-such-command")
    assert r.returncode == 127
    # A process left in the background keeps stdout open: the exec still ends with the command.
    start = time.monotonic()
    r = lxc.run("exec", "e1", "--", "sh", "-c", "sleep 60 & echo started")
    assert r.returncode == 0 and r.stdout == "started\n" and time.monotonic() - start < 20
    r = lxc.run("exec", "e1", "--env", "GREETING=hi", "--cwd", "/tmp", "--", "sh", "-c", "echo $GREETING $PWD $HOME")
    assert r.stdout == "hi /tmp /root\n"
    big = lxc.run("exec", "e1", "--", "sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x")
    assert big.returncode == 0 and len(big.stdout) == 3000000
    lxc.ok("delete", "--force", "e1")


def test_exec_interactive_terminal(lxd):
    _, lxc, _ = lxd
    lxc.ok("launch", "busybox", "i1")
    term = PtyClient(lxc, "exec", "i1", "--", "sh")
    term.write(b"tty; stty size; echo done-$((6*7))\n")
    assert term.read_until(b"done-42"), term.out
    # A terminal of the container's own devpts: `tty` can name it.
    assert b"/dev/pts/" in term.out and b"not a tty" not in term.out, term.out
    term.write(b"exit 3\n")
    assert term.wait() == 3
    lxc.ok("delete", "--force", "i1")


def test_pylxd_containers(lxd):
    state, lxc, _ = lxd
    out = pylxd(state, """
c = client.containers.create({'name': 'p1', 'source': {'type': 'image', 'alias': 'busybox'}}, wait=True)
c.start(wait=True)
print('status', client.containers.get('p1').status)
print('names', [x.name for x in client.containers.all()])
r = c.execute(['sh', '-c', 'cat; echo to-err >&2; exit 4'], stdin_payload='from pylxd')
print('exec', r.exit_code, repr(r.stdout), repr(r.stderr))
print('state', c.state().status)
c.stop(wait=True)
print('stopped', client.containers.get('p1').status)
c.delete(wait=True)
print('left', client.containers.exists('p1'))
""")
    assert "status Running" in out
    assert "'p1'" in out
    assert "exec 4 'from pylxd' 'to-err\\n'" in out
    assert "state Running" in out
    assert "stopped Stopped" in out
    assert "left False" in out


def test_bad_requests_name_the_field(lxd):
    _, lxc, http = lxd
    status, payload = http.request("POST", "/1.0/instances", b"{not json")
    assert status == 400
    status, payload = http.request("POST", "/1.0/instances", json.dumps(
        {"name": "b1", "source": {"type": "image", "alias": "busybox"}, "config": {"limits.cpu": "many"}}).encode())
    # Creation is an operation: the refusal is its error, and nothing is left behind.
    if status == 202:
        op = envelope(payload)["operation"]
        _, waited = http.request("GET", op + "/wait?timeout=60")
        assert "limits.cpu" in envelope(waited)["metadata"]["err"]
    else:
        assert status == 400 and "limits.cpu" in envelope(payload)["error"]
    assert http.request("GET", "/1.0/instances/b1")[0] == 404
    lxc.ok("launch", "busybox", "b2")
    status, payload = http.request("POST", "/1.0/instances/b2/exec", json.dumps({"command": "ls"}).encode())
    assert status == 400 and "command" in envelope(payload)["error"]
    status, payload = http.request("PUT", "/1.0/instances/b2/state", json.dumps({"action": "dance"}).encode())
    assert status == 400 and "dance" in envelope(payload)["error"]
    status, payload = http.request("PUT", "/1.0/instances/b2", json.dumps({"config": {}}).encode(), {"If-Match": '"stale"'})
    assert status == 412
    status, payload = http.request("GET", "/1.0/instances?filter=colour+eq+red")
    assert status == 400 and "colour" in envelope(payload)["error"]
    lxc.ok("delete", "--force", "b2")


def test_exec_record_output(lxd):
    """record-output (without websockets): stdout and stderr land among the instance's logs, named
    in the operation's metadata.output, readable, listed and deletable as LXD's are; they follow a
    rename and go with the instance."""
    state, lxc, http = lxd
    lxc.ok("launch", "busybox", "rec1")
    try:
        body = {"command": ["sh", "-c", "echo to-out; echo to-err >&2; exit 4"], "record-output": True,
                "wait-for-websocket": False, "interactive": False}
        status, payload = http.request("POST", "/1.0/instances/rec1/exec", json.dumps(body).encode())
        assert status == 202, payload
        _, waited = http.request("GET", envelope(payload)["operation"] + "/wait?timeout=30")
        meta = envelope(waited)["metadata"]["metadata"]
        assert meta["return"] == 4
        out_url, err_url = meta["output"]["1"], meta["output"]["2"]
        assert out_url.startswith("/1.0/instances/rec1/logs/exec_") and out_url.endswith(".stdout")
        assert http.request("GET", out_url) == (200, b"to-out\n")
        assert http.request("GET", err_url) == (200, b"to-err\n")
        logs = envelope(http.request("GET", "/1.0/instances/rec1/logs")[1])["metadata"]
        assert out_url in logs and err_url in logs
        assert http.request("DELETE", out_url)[0] == 200
        assert http.request("GET", out_url)[0] == 404
        # Hostile names are not looked up anywhere.
        assert http.request("GET", "/1.0/instances/rec1/logs/exec_..%2F..%2Fx.stdout")[0] in (400, 404)
        # They follow a rename (there and back).
        lxc.ok("stop", "--force", "rec1")
        lxc.ok("move", "rec1", "rec2")
        assert http.request("GET", err_url.replace("/rec1/", "/rec2/")) == (200, b"to-err\n")
        assert http.request("GET", err_url)[0] == 404
        lxc.ok("move", "rec2", "rec1")
        assert http.request("GET", err_url) == (200, b"to-err\n")
        # A new instance of the same name does not see the old one's outputs, which are gone.
        lxc.ok("delete", "--force", "rec1")
        outputs = os.path.join(state, "instanced", "exec-output", "default")
        deadline = time.time() + 10
        while time.time() < deadline and any(d.startswith("rec1.") for d in os.listdir(outputs)):
            time.sleep(0.05)
        assert not any(d.startswith("rec1.") for d in os.listdir(outputs))
        lxc.ok("launch", "busybox", "rec1")
        assert http.request("GET", err_url)[0] == 404
    finally:
        lxc.run("delete", "--force", "rec1")
