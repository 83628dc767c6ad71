"""instanced over HTTPS: core.https_address set with `lxc config set`, a trust token made by
`lxc config trust add` and used by `lxc remote add` from another client configuration, that
client then driving the daemon remotely; an untrusted client seeing only the minimal /1.0 and
being refused everything else; a restricted certificate kept to its project."""
import json
import os
import socket
import ssl
import subprocess
import tempfile

from conftest import Lxc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remote_lxc():
    """An `lxc` with its own configuration and no unix socket: it reaches daemons as remotes."""
    conf = tempfile.mkdtemp(prefix="lxc-remote-")
    env = {k: v for k, v in os.environ.items() if k not in ("LXD_SOCKET", "LXD_DIR")}
    env["LXD_CONF"] = conf
    env["LXD_DIR"] = conf  # no local daemon there

    def run(*args, input=None):
        return subprocess.run(["lxc", *args], env=env, capture_output=True, text=True, input=input, timeout=120)
    return run


def token_from(output):
    return output.strip().splitlines()[-1].strip()


def https_get(port, path, cert=None):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(*cert)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_token_remote_untrusted_and_restricted(daemon, tmp_path):
    _, state, _ = daemon
    local = Lxc(state)
    port = free_port()
    local.ok("config", "set", "core.https_address", f"127.0.0.1:{port}")
    assert local.ok("config", "get", "core.https_address").strip() == f"127.0.0.1:{port}"
    r = local.run("config", "set", "core.https_address", "127.0.0.1:99999")
    assert r.returncode != 0 and "core.https_address" in r.stderr

    # An untrusted client sees exactly the six public keys, and nothing else.
    status, doc = https_get(port, "/1.0")
    assert status == 200 and doc["metadata"]["auth"] == "untrusted"
    assert set(doc["metadata"]) == {"api_extensions", "api_status", "api_version", "auth", "public", "auth_methods"}
    status, doc = https_get(port, "/1.0/instances")
    assert status == 403 and doc["error_code"] == 403
    key, crt = tmp_path / "c.key", tmp_path / "c.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", crt, "-days", "1", "-subj", "/CN=stranger"], check=True, capture_output=True)
    status, _ = https_get(port, "/1.0/projects", cert=(str(crt), str(key)))
    assert status == 403

    # A token made on the unix socket admits one remote client.
    token = token_from(local.ok("config", "trust", "add", "--name", "ci"))
    remote = remote_lxc()
    r = remote("remote", "add", "inst", token)
    assert r.returncode == 0, r.stdout + r.stderr
    r = remote("project", "list", "inst:", "--format", "csv")
    assert r.returncode == 0 and "default" in r.stdout, r.stderr
    r = remote("project", "create", "inst:p1")
    assert r.returncode == 0, r.stderr
    assert "ci" in local.ok("config", "trust", "list", "--format", "csv")
    # Used up: a second client cannot reuse it.
    other = remote_lxc()
    assert other("remote", "add", "again", token).returncode != 0

    # A restricted certificate reaches its project and nothing else.
    token = token_from(local.ok("config", "trust", "add", "--name", "kept", "--restricted", "--projects", "p1"))
    kept = remote_lxc()
    r = kept("remote", "add", "inst", token)
    assert r.returncode == 0, r.stdout + r.stderr
    assert kept("list", "inst:", "--project", "p1", "--format", "csv").returncode == 0
    assert kept("project", "list", "inst:", "--format", "csv").stdout.split(",")[0].startswith("p1")
    assert "default" not in kept("project", "list", "inst:", "--format", "csv").stdout
    r = kept("list", "inst:", "--project", "default", "--format", "csv")
    assert r.returncode != 0 and "restricted" in r.stderr.lower()
    r = kept("config", "set", "inst:", "core.https_address", "127.0.0.1:1")
    assert r.returncode != 0

    # pylxd over HTTPS with a certificate trusted by file (`lxc config trust add FILE`).
    local.ok("config", "trust", "add", str(crt), "--name", "pylxd")
    script = (f"import warnings, pylxd\nwarnings.simplefilter('ignore')\n"
              f"c = pylxd.Client(endpoint='https://127.0.0.1:{port}', cert=({str(crt)!r}, {str(key)!r}), verify=False)\n"
              "print('trusted', c.trusted, sorted(p.name for p in c.profiles.all()))\n")
    # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override verify=False: leave them out.
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    r = subprocess.run(["/usr/bin/python3", "-c", script], capture_output=True, text=True, timeout=60,
                       env=dict(env, PYLXD_WARNINGS="none"))
    assert r.returncode == 0 and "trusted True ['default']" in r.stdout, r.stdout + r.stderr

    # Removing the certificate takes the trust away.
    fingerprints = [line.split(",")[3] for line in local.ok("config", "trust", "list", "--format", "csv").splitlines()
                    if line.split(",")[1] == "ci"]
    local.ok("config", "trust", "remove", fingerprints[0])
    assert remote("list", "inst:", "--format", "csv").returncode != 0
