"""instanced's process and transport: foreground start on a private state directory, waitready,
the unix socket's mode, LXD's envelopes for /, /1.0 and errors, body limits, Debian's `lxc` client
reading /1.0, and shutdown both through `instanced shutdown` and SIGTERM."""
import hashlib
import json
import os
import signal
import subprocess

from conftest import INSTANCED, envelope


def test_root_and_server_document(daemon):
    _, state, http = daemon
    mode = os.stat(os.path.join(state, "unix.socket")).st_mode & 0o777
    assert mode == 0o660
    status, payload = http.request("GET", "/")
    assert status == 200
    assert envelope(payload)["metadata"] == ["/1.0"]
    status, payload = http.request("GET", "/1.0?project=default")
    doc = envelope(payload)
    assert status == 200 and doc["type"] == "sync" and doc["status_code"] == 200
    server = doc["metadata"]
    assert server["api_version"] == "1.0" and server["auth"] == "trusted"
    assert server["environment"]["server"] == "lxd"
    assert server["environment"]["server_pid"] == daemon[0].pid
    # Only what is implemented is announced: VMs, but nothing of clustering or checkpointing.
    assert {"projects", "instances", "api_filtering", "container_full", "virtual-machines"} <= set(server["api_extensions"])
    assert not {"clustering", "container_snapshot_stateful_migration"} & set(server["api_extensions"])
    # Both drivers, as LXD reports them: "lxc | qemu" with one version each.
    env = server["environment"]
    assert env["driver"] == "lxc | qemu"
    lxc_version, qemu_version = env["driver_version"].split(" | ")
    assert lxc_version[0].isdigit() and qemu_version[0].isdigit()


def test_errors_use_lxds_envelope(daemon):
    _, _, http = daemon
    status, payload = http.request("GET", "/1.0/nope")
    doc = envelope(payload)
    assert status == 404 and doc["type"] == "error" and doc["error_code"] == 404 and doc["error"] == "not found"
    status, payload = http.request("DELETE", "/1.0")
    assert status == 404 and envelope(payload)["error"] == 'Method "DELETE" not found'


def test_hostile_requests_get_4xx_and_the_daemon_lives_on(daemon):
    proc, _, http = daemon
    # A body over the limit is refused from its Content-Length, before it is read.
    answer = http.raw(b"PUT /1.0 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413")
    answer = http.raw(b"\x00\x01garbage\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400")
    status, _ = http.request("GET", "/")
    assert status == 200 and proc.poll() is None


def test_debian_lxc_client_reads_the_server(daemon, tmp_path):
    _, state, _ = daemon
    env = dict(os.environ, LXD_SOCKET=os.path.join(state, "unix.socket"), LXD_CONF=str(tmp_path))
    out = subprocess.run(["lxc", "query", "/1.0"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["environment"]["server"] == "lxd"


def test_shutdown_command_and_sigterm_stop_the_daemon(daemon):
    proc, state, _ = daemon
    assert subprocess.run([INSTANCED, "shutdown", "--state-dir", state]).returncode == 0
    assert proc.wait(timeout=30) == 0
    assert not os.path.exists(os.path.join(state, "unix.socket"))
    # A second daemon on the same state directory starts, and SIGTERM stops it the same way.
    again = subprocess.Popen([INSTANCED, "--state-dir", state], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert subprocess.run([INSTANCED, "waitready", "--state-dir", state, "--timeout", "30"]).returncode == 0
    again.send_signal(signal.SIGTERM)
    assert again.wait(timeout=30) == 0


def test_a_second_daemon_on_the_same_state_directory_is_refused(daemon):
    _, state, _ = daemon
    second = subprocess.run([INSTANCED, "--state-dir", state], capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    assert "in use" in second.stderr or "already answers" in second.stderr


def _der_sha256(cert_file):
    der = subprocess.run(["openssl", "x509", "-in", cert_file, "-outform", "der"], capture_output=True, check=True).stdout
    return hashlib.sha256(der).hexdigest()


def test_certificate_fingerprint_is_the_certificates_and_follows_a_replaced_one(daemon):
    proc, state, http = daemon
    cert = os.path.join(state, "instanced", "server.crt")
    _, payload = http.request("GET", "/1.0")
    assert envelope(payload)["metadata"]["environment"]["certificate_fingerprint"] == _der_sha256(cert)
    # An administrator replaces the certificate (as LXD allows): the next start serves the new
    # one's fingerprint, not a remembered one.
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    key = os.path.join(state, "instanced", "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=replaced"], capture_output=True, check=True)
    again = subprocess.Popen([INSTANCED, "--state-dir", state], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert subprocess.run([INSTANCED, "waitready", "--state-dir", state, "--timeout", "30"]).returncode == 0
        _, payload = http.request("GET", "/1.0")
        server = envelope(payload)["metadata"]["environment"]
        assert server["certificate_fingerprint"] == _der_sha256(cert)
        assert "replaced" in subprocess.run(["openssl", "x509", "-noout", "-subject"], input=server["certificate"].encode(),
                                            capture_output=True, check=True).stdout.decode()
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=30)
