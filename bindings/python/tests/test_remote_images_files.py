"""Images and instance files through a Client connected to a real instanced over HTTPS: an image
built locally is imported into the daemon, aliased, edited, exported and deleted there; a stopped
instance created from it gets files pushed, read, listed and removed. Each outcome is checked on
the daemon's unix socket, and the embedded client's own store stays empty."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
from typing import Iterator, Tuple

import pytest

import libinstance
from libinstance import Client

from conftest import make_state_dir
from test_remote_connect import Daemon, encode, free_port


def daemon_file(daemon: Daemon, path: str) -> Tuple[int, bytes]:
    """GET /1.0/instances/c1/files?path=path on the daemon's unix socket: status and raw body."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(os.path.join(daemon.state, "unix.socket"))
        s.sendall(f"GET /1.0/instances/c1/files?path={path} HTTP/1.1\r\nHost: unix.socket\r\n"
                  "Connection: close\r\n\r\n".encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.fixture
def connected() -> Iterator[Tuple[Daemon, Client, Client, str]]:
    daemon = Daemon()
    client_dir = make_state_dir("remote-images-client")
    try:
        port = free_port()
        status, doc = daemon.request("PATCH", "/1.0", {"config": {"core.https_address": f"127.0.0.1:{port}"}})
        assert status == 200, doc
        with Client(client_dir) as local:
            remote = local.remotes.add("srv", f"https://127.0.0.1:{port}", token=encode(daemon.token_doc("py-img")))
            with remote.connect() as client:
                yield daemon, local, client, client_dir
    finally:
        daemon.stop()
        shutil.rmtree(client_dir, ignore_errors=True)


def test_images_on_a_connected_client(connected: Tuple[Daemon, Client, Client, str]) -> None:
    daemon, local, client, client_dir = connected
    tarball = os.path.join(client_dir, "bb.tar.gz")
    built = local.images.build("busybox", output_path=tarball)
    local.images.get(built.fingerprint).delete()

    image = client.images.import_file(tarball, alias="bb")
    assert image.fingerprint == built.fingerprint
    status, doc = daemon.request("GET", "/1.0/images/aliases/bb")
    assert status == 200 and doc["metadata"]["target"] == image.fingerprint
    assert [i.fingerprint for i in client.images.all()] == [image.fingerprint]
    assert client.images.get("bb").fingerprint == image.fingerprint
    assert local.images.all() == []

    client.images.create_alias("bb2", "bb", "second")
    assert client.images.get_alias("bb2")["description"] == "second"
    client.images.rename_alias("bb2", "bb3")
    assert daemon.request("GET", "/1.0/images/aliases/bb2")[0] == 404
    assert sorted(a["name"] for a in client.images.aliases) == ["bb", "bb3"]
    client.images.delete_alias("bb3")
    with pytest.raises(libinstance.NotFound):
        client.images.get("no-such-image")
    with pytest.raises(libinstance.NotFound):
        client.images.delete_alias("no-such-alias")

    image.properties["description"] = "edited remotely"
    image.save()
    _, doc = daemon.request("GET", f"/1.0/images/{image.fingerprint}")
    assert doc["metadata"]["properties"]["description"] == "edited remotely"

    out = os.path.join(client_dir, "export")
    os.mkdir(out)
    paths = image.export(out)
    with open(paths["metadata_path"], "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == image.fingerprint

    image.delete()
    assert daemon.request("GET", f"/1.0/images/{image.fingerprint}")[0] == 404


def test_files_on_a_connected_client(connected: Tuple[Daemon, Client, Client, str]) -> None:
    daemon, local, client, client_dir = connected
    tarball = os.path.join(client_dir, "bb.tar.gz")
    local.images.build("busybox", output_path=tarball)
    client.images.import_file(tarball, alias="bb")
    c1 = client.instances.create({"name": "c1", "source": {"type": "image", "alias": "bb"}})

    c1.files.put("/root/hello.txt", b"hello remote\n", mode=0o600)
    assert daemon_file(daemon, "/root/hello.txt") == (200, b"hello remote\n")
    assert c1.files.get("/root/hello.txt") == b"hello remote\n"
    info = c1.files.stat("/root/hello.txt")
    assert (info["type"], info["mode"], info["size"]) == ("file", 0o600, 13)
    c1.files.mk_dir("/root/d/e", make_parents=True)
    c1.files.symlink("/root/d/link", "/root/hello.txt")
    assert c1.files.listdir("/root/d") == ["e", "link"]
    assert c1.files.stat("/root/d/link")["type"] == "symlink"
    c1.files.delete("/root/hello.txt")
    assert not c1.files.exists("/root/hello.txt")
    assert daemon_file(daemon, "/root/hello.txt")[0] == 404
    with pytest.raises(libinstance.NotFound):
        c1.files.get("/root/no-such-file")
    with pytest.raises(libinstance.InvalidArgument):
        c1.files.get("relative/path")
    c1.delete()
