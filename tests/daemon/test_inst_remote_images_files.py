"""`inst` driving a remote instanced's images and instance files over HTTPS (`inst remote add r
URL --token T`, then `inst ... r:...`): image list/info/show/alias/property/export/delete/import,
publish, export/import of backups, and file push/pull/delete, each checked on the daemon itself over its unix socket, and
nothing left in the client's own state directory. Bad references get the server's clear errors."""
import hashlib
import json
import os
import tempfile

import pytest

from remote_support import daemon_get, fails, remote_client


def daemon_file(http, path):
    """(status, headers, body) of GET /1.0/instances/c1/files?path=path on the daemon."""
    head = f"GET /1.0/instances/c1/files?path={path} HTTP/1.1\r\nHost: unix.socket\r\nConnection: close\r\n\r\n"
    answer = http.raw(head.encode())
    header_block, _, body = answer.partition(b"\r\n\r\n")
    lines = header_block.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
def remote(served):
    """A client that trusts the served daemon as r:; yields (Inst, unix http)."""
    _, lxc, http, url = served
    yield remote_client(lxc, url, "images-files"), http


def test_remote_images(remote):
    me, http = remote
    listed = json.loads(me.ok("image", "list", "r:", "--format", "json"))
    assert [a["name"] for i in listed for a in i["aliases"]] == ["busybox"]
    fingerprint = listed[0]["fingerprint"]
    assert daemon_get(http, "/1.0/images/" + fingerprint)[0] == 200
    assert json.loads(me.ok("image", "list", "local:", "--format", "json")) == []
    assert f"Fingerprint: {fingerprint}" in me.ok("image", "info", "r:busybox")
    fails(me.run("image", "info", "r:no-such-image"), "not found")

    # Aliases live on the daemon.
    me.ok("image", "alias", "create", "r:bb2", "busybox", "--description", "second")
    status, doc = daemon_get(http, "/1.0/images/aliases/bb2")
    assert status == 200 and doc["metadata"]["target"] == fingerprint and doc["metadata"]["description"] == "second"
    assert "bb2" in me.ok("image", "alias", "list", "r:", "--format", "csv")
    me.ok("image", "alias", "rename", "r:bb2", "bb3")
    assert daemon_get(http, "/1.0/images/aliases/bb2")[0] == 404
    me.ok("image", "alias", "delete", "r:bb3")
    assert daemon_get(http, "/1.0/images/aliases/bb3")[0] == 404
    fails(me.run("image", "alias", "create", "r:bb4", "no-such-image"), "not found")
    fails(me.run("image", "alias", "delete", "r:bb4"), "not found")

    # Properties through the image's PUT.
    me.ok("image", "set-property", "r:busybox", "description", "remote busybox")
    assert daemon_get(http, "/1.0/images/" + fingerprint)[1]["metadata"]["properties"]["description"] == "remote busybox"
    assert me.ok("image", "get-property", "r:busybox", "description").strip() == "remote busybox"
    assert "description: remote busybox" in me.ok("image", "show", "r:busybox")

    # Export to a file, delete, import it back: the same fingerprint, the alias made again.
    out = tempfile.mkdtemp(prefix="inst-export-")
    me.ok("image", "export", "r:busybox", out)
    files = os.listdir(out)
    assert len(files) == 1 and files[0].startswith(fingerprint)
    with open(os.path.join(out, files[0]), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == fingerprint
    me.ok("image", "delete", "r:busybox")
    assert daemon_get(http, "/1.0/images/" + fingerprint)[0] == 404
    imported = me.ok("image", "import", os.path.join(out, files[0]), "r:", "--alias", "busybox", "origin=export")
    assert fingerprint in imported
    status, doc = daemon_get(http, "/1.0/images/" + fingerprint)
    assert status == 200 and doc["metadata"]["properties"]["origin"] == "export"
    assert daemon_get(http, "/1.0/images/aliases/busybox")[1]["metadata"]["target"] == fingerprint
    fails(me.run("image", "import", "/nonexistent/image.tar.gz", "r:"), "not found")
    # Refreshing asks the daemon, which knows this image came from no server.
    fails(me.run("image", "refresh", "r:busybox"), "not pulled from an image server")
    # The client's own store was never touched.
    assert json.loads(me.ok("image", "list", "local:", "--format", "json")) == []


def test_remote_files_and_publish(remote):
    me, http = remote
    me.ok("launch", "r:busybox", "r:c1")
    src = tempfile.mkdtemp(prefix="inst-files-")
    hello = os.path.join(src, "hello.txt")
    with open(hello, "w") as f:
        f.write("hello from the client\n")
    me.ok("file", "push", hello, "r:c1/root/hello.txt", "--mode", "0600")
    status, headers, body = daemon_file(http, "/root/hello.txt")
    assert status == 200 and body == b"hello from the client\n"
    assert headers["x-lxd-mode"] == "0600" and headers["x-lxd-type"] == "file"

    pulled = os.path.join(src, "pulled.txt")
    me.ok("file", "pull", "r:c1/root/hello.txt", pulled)
    with open(pulled) as f:
        assert f.read() == "hello from the client\n"
    assert os.stat(pulled).st_mode & 0o777 == 0o600

    # -p makes the parents; -r copies trees both ways.
    me.ok("file", "push", "-p", hello, "r:c1/root/a/b/c.txt")
    assert daemon_file(http, "/root/a/b/c.txt")[2] == b"hello from the client\n"
    tree = os.path.join(src, "tree")
    me.ok("file", "pull", "-r", "r:c1/root/a", tree)
    with open(os.path.join(tree, "b", "c.txt")) as f:
        assert f.read() == "hello from the client\n"

    me.ok("file", "delete", "r:c1/root/hello.txt")
    assert daemon_file(http, "/root/hello.txt")[0] == 404
    fails(me.run("file", "pull", "r:c1/root/no-such-file", pulled), "/root/no-such-file", "No such file or directory")
    fails(me.run("file", "push", hello, "r:no-such-instance/root/x"), "not found")
    # (Files, images and backups over 64 MiB: test_large_transfers.py.)

    me.ok("stop", "r:c1", "--force")
    # export / import: the backup is made on the daemon, downloaded, and uploaded back as c2.
    backup = os.path.join(src, "c1-backup.tar.gz")
    me.ok("export", "r:c1", backup)
    assert os.path.getsize(backup) > 0
    assert daemon_get(http, "/1.0/instances/c1/backups")[1]["metadata"] == []  # the server's copy is gone
    me.ok("import", "r:", backup, "c2")
    assert daemon_get(http, "/1.0/instances/c2")[0] == 200
    me.ok("delete", "r:c2")
    fails(me.run("import", "r:", "/nonexistent/backup.tar.gz"), "not found")

    # publish makes the image on the daemon, with its alias and properties.
    out = me.ok("publish", "r:c1", "--alias", "published", "made=remotely")
    status, doc = daemon_get(http, "/1.0/images/aliases/published")
    assert status == 200 and doc["metadata"]["target"] in out
    image = daemon_get(http, "/1.0/images/" + doc["metadata"]["target"])[1]["metadata"]
    assert image["properties"]["made"] == "remotely"
    fails(me.run("publish", "r:c1", "local:"), "not supported")
    me.ok("delete", "r:c1")
    me.ok("image", "delete", "r:published")
    assert daemon_get(http, "/1.0/images/aliases/published")[0] == 404
