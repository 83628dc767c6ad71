"""nic and proxy devices through `inst config device add/remove`, as with lxc: a proxy forwarding
bytes from the host's loopback into a running container, a p2p nic hot-plugged and unplugged,
and bad values refused naming the key."""

import os
import socket
import subprocess
import sys
import time

from conftest import assert_error

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from sockets import exchange, free_port  # noqa: E402  (tests/support)


def test_proxy_device_add_forwards_and_remove_stops(inst, c1):
    port = free_port()
    # The echo server runs in the container's network namespace, entered from the host (an
    # `inst exec` of it would hold the state directory while it runs).
    pid = inst.instance(c1)["state"]["pid"]
    server = subprocess.Popen(["nsenter", f"--net=/proc/{pid}/ns/net", "busybox", "nc", "-ll", "-p", "80", "-e", "cat"])
    time.sleep(0.3)
    inst.ok("config", "device", "add", c1, "web", "proxy", f"listen=tcp:127.0.0.1:{port}", "connect=tcp:127.0.0.1:80")
    assert exchange(port, b"through-the-cli") == b"through-the-cli"
    assert exchange(port, b"second") == b"second"
    inst.ok("config", "device", "remove", c1, "web")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        assert False, "the forwarder still listens"
    except ConnectionRefusedError:
        pass
    server.kill()
    server.wait(timeout=30)


def test_nic_device_hot_plug(inst, c1):
    host = f"cliv{os.getpid() % 1000000}"
    inst.ok("config", "device", "add", c1, "eth0", "nic", "nictype=p2p", f"host_name={host}", "hwaddr=00:16:3e:0a:0b:0c")
    assert os.path.exists(f"/sys/class/net/{host}")
    assert inst.ok("exec", c1, "--", "cat", "/sys/class/net/eth0/address").stdout == "00:16:3e:0a:0b:0c\n"
    inst.ok("config", "device", "remove", c1, "eth0")
    assert not os.path.exists(f"/sys/class/net/{host}")
    assert inst.run("exec", c1, "--", "test", "-e", "/sys/class/net/eth0").returncode != 0


def test_bad_device_values_are_refused(inst, c1):
    assert_error(inst.run("config", "device", "add", c1, "web", "proxy", "listen=tcp:127.0.0.1:99999",
                          "connect=tcp:127.0.0.1:80"), "listen", "99999", "web")
    assert_error(inst.run("config", "device", "add", c1, "n", "nic", "nictype=bridged"), "parent", "\"n\"")
    assert "web" not in inst.instance(c1)["devices"]
