"""instanced on a private state directory and socket, and a one-request-per-connection HTTP
client for it, shared by the daemon tests."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest

INSTANCED = os.environ.get("INSTANCED", "")


class UnixHTTP:
    """One HTTP/1.1 request per connection, as LXD's Go client sends them."""

    def __init__(self, path):
        self.path = path

    def raw(self, data: bytes) -> bytes:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(self.path)
            s.sendall(data)
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out
                out += chunk

    def request(self, method, target, body=b"", headers=None):
        head = f"{method} {target} HTTP/1.1\r\nHost: unix.socket\r\nConnection: close\r\n"
        for k, v in (headers or {}).items():
            head += f"{k}: {v}\r\n"
        if body or method in ("PUT", "POST", "PATCH"):
            head += f"Content-Length: {len(body)}\r\n"
        answer = self.raw(head.encode() + b"\r\n" + body)
        status_line, _, rest = answer.partition(b"\r\n")
        _, _, payload = rest.partition(b"\r\n\r\n")
        return int(status_line.split()[1]), payload


@pytest.fixture
def daemon():
    assert INSTANCED and os.access(INSTANCED, os.X_OK), "INSTANCED must name the built daemon"
    state = tempfile.mkdtemp(prefix="instanced-")
    proc = subprocess.Popen([INSTANCED, "--state-dir", state], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ready = subprocess.run([INSTANCED, "waitready", "--state-dir", state, "--timeout", "30"])
    assert ready.returncode == 0
    yield proc, state, UnixHTTP(os.path.join(state, "unix.socket"))
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def envelope(payload):
    doc = json.loads(payload)
    assert set(doc) == {"type", "status", "status_code", "operation", "error_code", "error", "metadata"}
    return doc




INST = os.environ.get("INST", "")


class Lxc:
    """Debian's real `lxc` client (lxd-client) pointed at a daemon's socket, with its own config."""

    def __init__(self, state):
        self.state = state
        self.conf = tempfile.mkdtemp(prefix="lxc-conf-")
        self.env = dict(os.environ, LXD_SOCKET=os.path.join(state, "unix.socket"), LXD_CONF=self.conf)

    def run(self, *args, input=None, timeout=120):
        return subprocess.run(["lxc", *args], env=self.env, capture_output=True, text=True, input=input, timeout=timeout)

    def ok(self, *args, input=None, timeout=120):
        r = self.run(*args, input=input, timeout=timeout)
        assert r.returncode == 0, f"lxc {' '.join(args)} failed ({r.returncode}): {r.stdout}{r.stderr}"
        return r.stdout


def pylxd(state, script, timeout=180):
    """Runs a Python script with Debian's pylxd (python3-pylxd 2.2.10, /usr/bin/python3) against
    the daemon: `client` is a pylxd Client on its socket. The script's stdout is returned."""
    # pylxd takes an endpoint path only when it is a regular file; $LXD_DIR/unix.socket it takes.
    prelude = ("import os, warnings\nwarnings.simplefilter('ignore')\n"
               "import pylxd\nclient = pylxd.Client()\n")
    env = dict(os.environ, LXD_DIR=state, PYLXD_WARNINGS="none")
    r = subprocess.run(["/usr/bin/python3", "-c", prelude + script], capture_output=True, text=True, timeout=timeout,
                       env=env)
    assert r.returncode == 0, f"pylxd script failed: {r.stdout}{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def lxd():
    """instanced on a state directory holding the busybox image (alias "busybox"), for a whole
    test module; yields (state, Lxc, UnixHTTP)."""
    yield from daemon_with_images(["busybox"])


def daemon_with_images(builders):
    """instanced on a fresh state directory holding an image of each builder (alias: the
    builder's name), built by `inst` before the daemon starts (instanced has no build endpoint);
    yields (state, Lxc, UnixHTTP) and cleans up."""
    assert INSTANCED and INST, "INSTANCED and INST must name the built daemon and CLI"
    state = tempfile.mkdtemp(prefix="instanced-", dir="/tmp")
    os.chmod(state, 0o711)  # the containers' mapped root traverses into their rootfs
    for builder in builders:
        subprocess.run([INST, "--state-dir", state, "image", "build", builder, "--alias", builder],
                       check=True, capture_output=True)
    proc = subprocess.Popen([INSTANCED, "--state-dir", state])
    assert subprocess.run([INSTANCED, "waitready", "--state-dir", state, "--timeout", "30"]).returncode == 0
    client = Lxc(state)
    yield state, client, UnixHTTP(os.path.join(state, "unix.socket"))
    for name in json.loads(client.run("list", "--format", "json").stdout or "[]"):
        client.run("delete", "--force", name["name"])
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    subprocess.run(["rm", "-rf", state, client.conf])


class PtyClient:
    """`lxc` run on a terminal of its own (pty.fork), as a person at a terminal would run it:
    lxc is interactive only when its stdin and stdout are terminals."""

    def __init__(self, lxc, *args):
        import pty
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe("lxc", ["lxc", *args], lxc.env)
        self.out = b""

    def read_until(self, marker, timeout=30):
        """Reads what the terminal shows until marker appears (True) or the time is up (False)."""
        deadline = time.monotonic() + timeout
        while marker not in self.out and time.monotonic() < deadline:
            try:
                self.out += os.read(self.fd, 4096)
            except OSError:
                break
        return marker in self.out

    def write(self, data):
        os.write(self.fd, data)

    def wait(self):
        """lxc's exit status once it ends."""
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.fixture(scope="module")
def served(lxd):
    """The lxd fixture's daemon listening on HTTPS on 127.0.0.1; yields (state, lxc, unix http, url)."""
    from remote_support import free_port  # remote_support imports this module: not at the top
    state, lxc, http = lxd
    port = free_port()
    lxc.ok("config", "set", "core.https_address", f"127.0.0.1:{port}")
    yield state, lxc, http, f"https://127.0.0.1:{port}"
