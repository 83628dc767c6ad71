"""What the `inst REMOTE:` tests share: an `inst` client on a state directory of its own, trust
tokens made on the daemon (and forged ones), and reads of the daemon's own view over its unix
socket, to check what the client did there."""
import base64
import json
import os
import socket
import subprocess
import tempfile

from conftest import INST


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inst:
    """`inst` on a state directory and CLI config of its own (no relation to the daemon's)."""

    def __init__(self):
        self.state = tempfile.mkdtemp(prefix="inst-client-")
        self.env = dict(os.environ, INST_CONF=tempfile.mkdtemp(prefix="inst-conf-"))

    def run(self, *args, timeout=180):
        return subprocess.run([INST, "--state-dir", self.state, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def ok(self, *args, timeout=180):
        r = self.run(*args, timeout=timeout)
        assert r.returncode == 0, f"inst {' '.join(args)} failed ({r.returncode}): {r.stdout}{r.stderr}"
        return r.stdout


def fails(result, *words):
    """Asserts the command failed with each of words in its stderr."""
    assert result.returncode != 0, result.stdout
    for w in words:
        assert w in result.stderr, f"{w!r} not in {result.stderr!r}"


def token_of(doc):
    """A token document encoded as `lxc config trust add` prints it."""
    return base64.b64encode(json.dumps(doc).encode()).decode()


def make_token(lxc, name):
    """A fresh trust token for a client called name, made by Debian's lxc on the daemon."""
    return lxc.ok("config", "trust", "add", "--name", name).strip().splitlines()[-1].strip()


def remote_client(lxc, url, name):
    """A new Inst with the daemon at url added as remote "r" through a token made for name."""
    me = Inst()
    me.ok("remote", "add", "r", url, "--token", make_token(lxc, name))
    return me


def daemon_get(http, path):
    """(status, JSON document) of GET path on the daemon's socket; a body that is not a JSON
    object (a file's content, say) comes back as bytes."""
    status, payload = http.request("GET", path)
    return status, json.loads(payload) if payload.startswith(b"{") else payload
