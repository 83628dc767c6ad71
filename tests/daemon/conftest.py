"""instanced on a private state directory and socket, and a one-request-per-connection HTTP
client for it, shared by the daemon tests."""
import json
import os
import signal
import socket
import subprocess
import tempfile

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


