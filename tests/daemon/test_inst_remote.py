"""`inst` driving a remote instanced over HTTPS: `inst remote add r URL --token T` from a state
directory of its own, then launch, list, config, stop and delete through r: (the library's
connected Manager speaking the LXD REST API), each checked on the daemon itself over its unix
socket. Tokens that are reused, forged or made for another server, and a client the server does
not trust, are refused with messages that say why."""
import base64
import csv
import io
import json
import os
import tempfile

from remote_support import Inst, daemon_get, fails, make_token, token_of


def test_remote_instance_lifecycle(served):
    _, lxc, http, url = served
    me = Inst()
    token = make_token(lxc, "inst-client")
    me.ok("remote", "add", "r", url, "--token", token)
    rows = list(csv.reader(io.StringIO(me.ok("remote", "list", "--format", "csv"))))
    assert ["r", url, "lxd", "tls", "NO", "NO", "NO"] in rows
    assert os.stat(os.path.join(me.state, "client.key")).st_mode & 0o777 == 0o600
    # The daemon now trusts the client's certificate, under the token's name.
    assert "inst-client" in lxc.ok("config", "trust", "list", "--format", "csv")
    assert "default" in me.ok("project", "list", "r:", "--format", "csv")

    me.ok("launch", "r:busybox", "r:c1")
    listed = json.loads(me.ok("list", "r:", "--format", "json"))
    assert [(i["name"], i["status"]) for i in listed] == [("c1", "Running")]
    assert "c1,RUNNING" in me.ok("list", "r:", "--format", "csv", "-c", "ns")
    status, doc = daemon_get(http, "/1.0/instances/c1")
    assert status == 200 and doc["metadata"]["status"] == "Running"
    # Nothing was created in the client's own state directory.
    assert json.loads(me.ok("list", "local:", "--format", "json")) == []

    me.ok("config", "set", "r:c1", "limits.memory", "256MiB")
    status, doc = daemon_get(http, "/1.0/instances/c1")
    assert doc["metadata"]["config"]["limits.memory"] == "256MiB"
    assert me.ok("config", "get", "r:c1", "limits.memory").strip() == "256MiB"
    assert "limits.memory: 256MiB" in me.ok("config", "show", "r:c1")
    me.ok("config", "unset", "r:c1", "limits.memory")
    status, doc = daemon_get(http, "/1.0/instances/c1")
    assert "limits.memory" not in doc["metadata"]["config"]
    fails(me.run("config", "set", "r:c1", "limits.memory", "lots"), "limits.memory")

    info = me.ok("info", "r:c1")
    assert "Name: c1" in info and "Status: RUNNING" in info

    # Snapshots: taken, listed by info, restored and deleted on the daemon.
    me.ok("snapshot", "r:c1", "s1")
    status, doc = daemon_get(http, "/1.0/instances/c1/snapshots")
    assert status == 200 and doc["metadata"] == ["/1.0/instances/c1/snapshots/s1"]
    assert "s1" in me.ok("info", "r:c1").split("Snapshots:")[-1]
    me.ok("restore", "r:c1", "s1")
    me.ok("delete", "r:c1/s1")
    assert daemon_get(http, "/1.0/instances/c1/snapshots")[1]["metadata"] == []

    # The default remote: bare names go to r.
    me.ok("remote", "switch", "r")
    assert me.ok("remote", "get-default").strip() == "r"
    assert "r (current)" in me.ok("remote", "list")
    me.ok("stop", "c1", "--force")
    status, doc = daemon_get(http, "/1.0/instances/c1")
    assert doc["metadata"]["status"] == "Stopped"
    # Moved to another pool by the server (LXD's POST {"pool"}); an unknown pool is refused by name.
    fails(me.run("move", "c1", "--storage", "no-such-pool"), "no-such-pool")
    pool_dir = tempfile.mkdtemp(prefix="inst-remote-pool-")
    lxc.ok("storage", "create", "elsewhere", "dir", f"source={pool_dir}")
    me.ok("move", "c1", "--storage", "elsewhere")
    assert daemon_get(http, "/1.0/instances/c1")[1]["metadata"]["expanded_devices"]["root"]["pool"] == "elsewhere"
    me.ok("move", "c1", "--storage", "default")
    lxc.ok("storage", "delete", "elsewhere")
    me.ok("remote", "switch", "local")
    assert me.ok("remote", "get-default").strip() == "local"
    fails(me.run("start", "c1"), "c1")  # local has no c1

    me.ok("start", "r:c1")
    assert daemon_get(http, "/1.0/instances/c1")[1]["metadata"]["status"] == "Running"
    me.ok("delete", "--force", "r:c1")
    status, _ = daemon_get(http, "/1.0/instances/c1")
    assert status == 404
    assert json.loads(me.ok("list", "r:", "--format", "json")) == []
    fails(me.run("info", "r:c1"), "not found")

    # The daemon's operations (kept a while after they end), listed and shown through r:.
    ops = json.loads(me.ok("operation", "list", "r:", "--format", "json"))
    assert ops and all(op["id"] for op in ops)
    assert f"id: {ops[0]['id']}" in me.ok("operation", "show", f"r:{ops[0]['id']}")
    assert json.loads(me.ok("operation", "list", "--format", "json")) == []  # local has none


def test_tokens_that_must_be_refused(served):
    state, lxc, http, url = served
    token = make_token(lxc, "once")
    first = Inst()
    first.ok("remote", "add", "r", url, "--token", token)
    # Used up: a second client cannot reuse it.
    again = Inst()
    fails(again.run("remote", "add", "r", url, "--token", token), "token")
    assert "r" not in [row[0] for row in csv.reader(io.StringIO(again.ok("remote", "list", "--format", "csv")))]

    good = json.loads(base64.b64decode(make_token(lxc, "forged")))
    # Forged: the right server, a secret it never made.
    forged = dict(good, secret="00" * 32)
    fails(again.run("remote", "add", "f", url, "--token", token_of(forged)), "token", "refused")
    # Made for another server: the certificate does not match, and the secret is never sent.
    other = dict(good, fingerprint="ab" * 32)
    fails(again.run("remote", "add", "o", url, "--token", token_of(other)), "token", "fingerprint")
    fails(again.run("remote", "add", "g", url, "--token", "not-a-token"), "token")
    # The genuine one still works afterwards (the refusals did not use it up).
    again.ok("remote", "add", "ok", url, "--token", token_of(good))
    assert json.loads(again.ok("list", "ok:", "--format", "json")) == []


def test_untrusted_client_is_refused(served):
    _, lxc, http, url = served
    me = Inst()
    # No token: the certificate the server presents is pinned, but the server does not trust us.
    me.ok("remote", "add", "plain", url, "--accept-certificate")
    fails(me.run("list", "plain:"), "does not trust")
    fails(me.run("launch", "plain:busybox", "plain:c2"), "does not trust")
    status, _ = daemon_get(http, "/1.0/instances/c2")
    assert status == 404
    # Trusted by its certificate file (`lxc config trust add FILE`), the same remote works.
    cert = os.path.join(tempfile.mkdtemp(prefix="inst-cert-"), "client.crt")
    with open(cert, "w") as f:
        f.write(me.ok("remote", "get-client-certificate"))
    lxc.ok("config", "trust", "add", cert, "--name", "by-file")
    assert json.loads(me.ok("list", "plain:", "--format", "json")) == []
