"""Connecting to a real instanced over HTTPS: the daemon runs on a state dir of its own and
listens on 127.0.0.1; a trust token is made over its unix socket; an embedded client adds it as
a remote with that token, connects, and what the connected client sees and does is checked on
the daemon's unix socket. Used-up, forged and malformed tokens, and an untrusted client, are
refused with the library's errors."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest

import libinstance
from libinstance import Client

from conftest import make_state_dir


def instanced() -> str:
    """The daemon of this build: ``$INSTANCED``, else ``<build>/tools/instanced/instanced``."""
    path = os.environ.get("INSTANCED")
    if not path:
        build = Path(os.environ.get("LIBINSTANCE_TEST_BUILD_DIR", "")).resolve()
        path = str(build.parent.parent / "tools" / "instanced" / "instanced")
    if not os.access(path, os.X_OK):
        pytest.skip(f"no instanced at {path} (build tools/instanced or set INSTANCED)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One instanced and a one-request-per-connection HTTP client for its unix socket."""

    def __init__(self) -> None:
        self.state = make_state_dir("instanced")
        self.proc = subprocess.Popen([instanced(), "--state-dir", self.state], stdout=subprocess.DEVNULL)
        ready = subprocess.run([instanced(), "waitready", "--state-dir", self.state, "--timeout", "30"])
        assert ready.returncode == 0, "instanced did not become ready"

    def request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: unix.socket\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(30)
            s.connect(os.path.join(self.state, "unix.socket"))
            s.sendall(head.encode() + data)
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        status_line, _, rest = answer.partition(b"\r\n")
        payload = rest.partition(b"\r\n\r\n")[2]
        return int(status_line.split()[1]), json.loads(payload) if payload else None

    def token_doc(self, name: str) -> Dict[str, Any]:
        """What `lxc config trust add` encodes: the token operation's metadata."""
        status, doc = self.request("POST", "/1.0/certificates", {"type": "client", "token": True, "name": name})
        assert status == 202, doc
        meta = doc["metadata"]["metadata"]
        return {"client_name": name, "fingerprint": meta["fingerprint"], "addresses": meta["addresses"],
                "secret": meta["secret"], "expires_at": meta["expiresAt"]}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        shutil.rmtree(self.state, ignore_errors=True)


def encode(token: Dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(token).encode()).decode()


@pytest.fixture
def served() -> Iterator[Tuple[Daemon, str]]:
    daemon = Daemon()
    try:
        port = free_port()
        status, doc = daemon.request("PATCH", "/1.0", {"config": {"core.https_address": f"127.0.0.1:{port}"}})
        assert status == 200, doc
        yield daemon, f"https://127.0.0.1:{port}"
    finally:
        daemon.stop()


@pytest.fixture
def client_dir() -> Iterator[str]:
    path = make_state_dir("remote-client")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_connect_with_a_trust_token(served: Tuple[Daemon, str], client_dir: str) -> None:
    daemon, url = served
    token = encode(daemon.token_doc("py-client"))
    with Client(client_dir) as local:
        remote = local.remotes.add("srv", url, token=token)
        assert (remote.protocol, remote.url) == ("lxd", url)
        assert "BEGIN CERTIFICATE" in remote.certificate  # the server's certificate is pinned

        with remote.connect() as connected:
            _, projects = daemon.request("GET", "/1.0/projects")
            assert sorted(p.name for p in connected.projects.all()) == sorted(
                p.rsplit("/", 1)[-1] for p in projects["metadata"])
            assert connected.instances.all() == []
            # A server setting made through the connection lands on the daemon only.
            before = local.get_config("images.remote_cache_expiry")
            connected.set_config("images.remote_cache_expiry", "7")
            _, server = daemon.request("GET", "/1.0")
            assert server["metadata"]["config"]["images.remote_cache_expiry"] == "7"
            assert connected.get_config("images.remote_cache_expiry") == "7"
            assert local.get_config("images.remote_cache_expiry") == before != "7"
            # A project made through the connection lands on the daemon only.
            connected.projects.create("py-remote")
            assert daemon.request("GET", "/1.0/projects/py-remote")[0] == 200
        assert "py-remote" not in [p.name for p in local.projects.all()]
        with pytest.raises(libinstance.NotFound):
            local.remotes.connect("missing")


def test_bad_tokens_and_untrusted_clients_are_refused(served: Tuple[Daemon, str], client_dir: str) -> None:
    daemon, url = served
    token = encode(daemon.token_doc("once"))
    first = make_state_dir("remote-first")
    try:
        with Client(first) as c:
            c.remotes.add_with_token("srv", token)  # the URL comes from the token
            assert c.remotes.get("srv").url == url
    finally:
        shutil.rmtree(first, ignore_errors=True)

    forged = dict(daemon.token_doc("forged"), secret="00" * 32)
    with Client(client_dir) as other:
        for name, bad, error in (("again", token, libinstance.PermissionDenied),
                                 ("forged", encode(forged), libinstance.PermissionDenied),
                                 ("junk", "not-a-token", libinstance.InvalidArgument)):
            with pytest.raises(error) as caught:
                other.remotes.add(name, url, token=bad)
            assert caught.value.key == "token", repr(caught.value)
            assert not other.remotes.exists(name)
        # Pinned but not trusted: connecting works, the first call is refused.
        pinned = other.remotes.add("plain", url, protocol="lxd", public=False,
                                   certificate=daemon_cert(daemon))
        with pytest.raises(libinstance.PermissionDenied):
            with pinned.connect() as connected:
                connected.projects.all()


def daemon_cert(daemon: Daemon) -> str:
    _, server = daemon.request("GET", "/1.0")
    return server["metadata"]["environment"]["certificate"]
