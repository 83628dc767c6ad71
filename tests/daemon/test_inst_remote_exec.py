"""`inst exec`, `inst console --show-log` and `inst monitor` through an lxd remote (instanced over
HTTPS): stdin, stdout, stderr and the exit code travel over the exec operation's websockets, an
interactive exec runs on the server's terminal (sized like ours), events come from /1.0/events.
A server that accepts connections and never answers gives an error naming its URL, not a hang."""
import fcntl
import json
import os
import pty
import signal
import socket
import struct
import subprocess
import termios
import threading
import time

import pytest

from conftest import INST
from remote_support import Inst, fails, remote_client, token_of


@pytest.fixture(scope="module")
def remote(served):
    """A running c1 on the daemon, and an Inst with the daemon as remote "r"."""
    _, lxc, http, url = served
    lxc.ok("launch", "busybox", "c1")
    yield remote_client(lxc, url, "exec-client"), lxc, http
    lxc.run("delete", "--force", "c1")


def test_exec_streams_and_exit_code(remote):
    me, _, _ = remote
    r = me.run("exec", "r:c1", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (r.returncode, r.stdout, r.stderr) == (3, "out\n", "err\n")
    # stdin is piped through, all of it (more than one websocket frame), then closed.
    data = "".join(f"line {i}\n" for i in range(20000))
    r = subprocess.run([INST, "--state-dir", me.state, "exec", "r:c1", "--", "cat"], input=data, env=me.env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == data, r.stderr
    r = me.run("exec", "r:c1", "--env", "FOO=bar baz", "--cwd", "/tmp", "--", "sh", "-c", 'echo "$FOO"; pwd; id -u')
    assert r.stdout == "bar baz\n/tmp\n0\n", r.stderr
    assert me.run("exec", "r:c1", "-n", "--", "cat").stdout == ""  # --disable-stdin: /dev/null
    assert me.run("exec", "r:c1", "--", "no-such-command").returncode == 127
    fails(me.run("exec", "r:nope", "--", "true"), "nope")


def test_exec_interactive_terminal(remote):
    me, _, _ = remote
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(INST, [INST, "--state-dir", me.state, "exec", "r:c1", "--", "sh"], me.env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    out = b""

    def until(marker, timeout=20):
        nonlocal out
        deadline = time.monotonic() + timeout
        while marker not in out and time.monotonic() < deadline:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
        return marker in out

    os.write(fd, b"tty; stty size; echo $((6*7))\n")
    assert until(b"42\r\n"), out
    assert b"/dev/pts/" in out and b"40 100" in out, out  # the server's terminal, our size
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 90, 0, 0))
    os.kill(pid, 28)  # SIGWINCH, as a terminal emulator sends it
    time.sleep(1)
    os.write(fd, b"stty size\n")
    assert until(b"30 90"), out
    os.write(fd, b"exit 5\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 5


def test_console_log_and_monitor(remote):
    me, lxc, http = remote
    status, body = http.request("GET", "/1.0/instances/c1/console")
    # Bytes, not text: the log holds the terminal's \r\n, which text mode would fold.
    r = subprocess.run([INST, "--state-dir", me.state, "console", "r:c1", "--show-log"], env=me.env,
                       capture_output=True, timeout=60)
    assert r.returncode == 0 and r.stdout == body, r.stderr

    mon = subprocess.Popen([INST, "--state-dir", me.state, "monitor", "r:", "--type", "lifecycle", "--format", "json"],
                           env=me.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        lxc.ok("config", "set", "c1", "user.seen", "yes")
        time.sleep(1.5)
    finally:
        mon.terminate()
        out, err = mon.communicate(timeout=10)
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert any(e["type"] == "lifecycle" and e["metadata"]["action"] == "instance-updated" for e in events), out + err
    fails(me.run("monitor", "r:c1"), "monitor takes [<remote>:]")


def test_dead_server_times_out_naming_the_url():
    """A server that accepts and never answers: the TLS handshake gives up (here after 2 s)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}"
    me = Inst()
    me.env["LIBINSTANCE_REST_TIMEOUT"] = "2"
    token = token_of({"client_name": "x", "fingerprint": "00" * 32, "addresses": [url[8:]], "secret": "s",
                      "expires_at": "0001-01-01T00:00:00Z"})
    started = time.monotonic()
    r = me.run("remote", "add", "dead", url, "--token", token, timeout=60)
    assert time.monotonic() - started < 20
    fails(r, url, "within 2 s")
    listener.close()


def test_info_show_log(remote):
    me, _, http = remote
    status, body = http.request("GET", "/1.0/instances/c1/logs/lxc.log")
    assert status == 200, body
    out = me.ok("info", "--show-log", "r:c1")
    assert "\nLog:\n" in out, out
    assert body.decode(errors="replace").strip() in out  # the log only grows
    fails(me.run("info", "--show-log", "r:nope"), "nope")


def test_snapshot_edit_and_rename(remote):
    me, _, http = remote
    me.ok("snapshot", "r:c1", "s1")
    try:
        r = subprocess.run([INST, "--state-dir", me.state, "config", "edit", "r:c1/s1"], input="expires_at: 2099-01-02T03:04:05Z\n",
                           env=me.env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        doc = json.loads(http.request("GET", "/1.0/instances/c1/snapshots/s1")[1])["metadata"]
        assert doc["expires_at"].startswith("2099-01-02T03:04:05"), doc
        assert "2099-01-02" in me.ok("config", "show", "r:c1/s1")
        me.ok("rename", "r:c1/s1", "r:c1/s2")
        assert http.request("GET", "/1.0/instances/c1/snapshots/s1")[0] == 404
        assert http.request("GET", "/1.0/instances/c1/snapshots/s2")[0] == 200
        me.ok("move", "r:c1/s2", "r:c1/s3")
        assert http.request("GET", "/1.0/instances/c1/snapshots/s3")[0] == 200
        fails(me.run("rename", "r:c1/nope", "r:c1/s4"), "nope")
    finally:
        for name in ("s1", "s2", "s3"):
            me.run("delete", f"r:c1/{name}")
    assert http.request("GET", "/1.0/instances/c1/snapshots/s3")[0] == 404


def test_network_attach_detach(remote):
    me, lxc, http = remote
    subprocess.run(["ip", "link", "del", "br-att"], capture_output=True)  # left by an aborted run
    me.ok("network", "create", "r:br-att", "ipv4.address=none", "ipv6.address=none")
    lxc.ok("init", "busybox", "c-att")
    try:
        me.ok("network", "attach", "r:br-att", "c-att", "eth5", "eth5")
        devices = json.loads(http.request("GET", "/1.0/instances/c-att")[1])["metadata"]["devices"]
        assert devices["eth5"] == {"type": "nic", "network": "br-att", "name": "eth5"}, devices
        fails(me.run("network", "attach", "r:br-att", "c-att", "eth5"), "already exists")
        me.ok("network", "detach", "r:br-att", "r:c-att")  # the same remote's prefix is accepted
        assert "eth5" not in json.loads(http.request("GET", "/1.0/instances/c-att")[1])["metadata"]["devices"]
        fails(me.run("network", "attach", "r:br-att", "local:c-att"), "same remote")

        me.ok("profile", "create", "r:att")
        me.ok("network", "attach-profile", "r:br-att", "att")
        devices = json.loads(http.request("GET", "/1.0/profiles/att")[1])["metadata"]["devices"]
        assert devices == {"br-att": {"type": "nic", "network": "br-att"}}, devices
        me.ok("network", "detach-profile", "r:br-att", "att")
        assert json.loads(http.request("GET", "/1.0/profiles/att")[1])["metadata"]["devices"] == {}
        # Not the client's own store.
        fails(me.run("network", "attach", "br-att", "c-att"), "not found")
    finally:
        lxc.run("delete", "--force", "c-att")
        me.run("profile", "delete", "r:att")
        me.run("network", "delete", "r:br-att")


LOOP = 'echo ready; while :; do sleep 0.1; done'


def test_exec_forwards_signals(remote):
    me, _, _ = remote
    script = f'trap "echo got-usr1" USR1; trap "echo got-term; exit 7" TERM; {LOOP}'
    p = subprocess.Popen([INST, "--state-dir", me.state, "exec", "r:c1", "--", "sh", "-c", script], env=me.env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline() == "ready\n"
        p.send_signal(signal.SIGUSR1)
        time.sleep(1)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
    finally:
        p.kill()
    assert (p.returncode, out) == (7, "got-usr1\ngot-term\n"), err


def test_exec_interactive_forwards_signals(remote):
    me, _, _ = remote
    script = f'trap "echo got-term; exit 9" TERM; {LOOP}'
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(INST, [INST, "--state-dir", me.state, "exec", "r:c1", "--", "sh", "-c", script], me.env)
    out = b""
    deadline = time.monotonic() + 30
    while b"ready" not in out and time.monotonic() < deadline:
        out += os.read(fd, 4096)
    assert b"ready" in out, out
    os.kill(pid, signal.SIGTERM)
    while b"got-term" not in out and time.monotonic() < deadline:
        try:
            out += os.read(fd, 4096)
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert b"got-term" in out and os.waitstatus_to_exitcode(status) == 9, out
