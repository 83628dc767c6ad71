"""nic and proxy devices through the Python package, on real containers: a p2p nic's host side
and traffic shaping seen from the host, a proxy forwarding bytes from the host's loopback into
the container and back, and bad values refused naming the key."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Callable

import pytest

import libinstance

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "support"))
from sockets import exchange, free_port  # noqa: E402  (tests/support)


def test_p2p_nic_host_side_and_limits(make_instance: Callable[..., libinstance.Instance]) -> None:
    host = f"pyv{os.getpid() % 1000000}"
    inst = make_instance("nic", devices={"eth0": {"type": "nic", "nictype": "p2p", "host_name": host,
                                                  "hwaddr": "00:16:3e:12:34:56", "limits.egress": "8Mbit"}})
    assert os.path.exists(f"/sys/class/net/{host}")
    assert inst.execute(["cat", "/sys/class/net/eth0/address"]).stdout == "00:16:3e:12:34:56\n"
    qdiscs = subprocess.run(["tc", "qdisc", "show", "dev", host], capture_output=True, text=True, check=True).stdout
    assert "qdisc ingress" in qdiscs
    inst.stop(force=True, wait=True)
    assert not os.path.exists(f"/sys/class/net/{host}")


def test_proxy_forwards_host_to_container(make_instance: Callable[..., libinstance.Instance]) -> None:
    port = free_port()
    inst = make_instance("prx", devices={"web": {"type": "proxy", "listen": f"tcp:127.0.0.1:{port}",
                                                 "connect": "tcp:127.0.0.1:8080"}})
    # The echo server runs in the container's network namespace, entered from the host.
    server = subprocess.Popen(["nsenter", f"--net=/proc/{inst.state().pid}/ns/net", "busybox", "nc", "-ll", "-p", "8080",
                               "-e", "cat"])
    time.sleep(0.3)
    for i in range(3):
        assert exchange(port, f"py-{i}".encode()) == f"py-{i}".encode()
    inst.stop(force=True, wait=True)
    server.kill()
    server.wait(timeout=30)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


@pytest.mark.parametrize("device,key,word", [
    ({"type": "nic", "nictype": "bridged"}, "devices.d.parent", "parent"),
    ({"type": "nic", "nictype": "p2p", "limits.ingress": "quick"}, "devices.d.limits.ingress", "quick"),
    ({"type": "proxy", "listen": "tcp:127.0.0.1:80", "connect": "udp:127.0.0.1:53"}, "devices.d.connect", "udp"),
    ({"type": "proxy", "listen": "tcp:localhost:80", "connect": "tcp:127.0.0.1:80"}, "devices.d.listen", "localhost"),
])
def test_bad_nic_and_proxy_values_are_refused(client: libinstance.Client, device: dict, key: str, word: str) -> None:
    with pytest.raises(libinstance.InvalidConfig) as err:
        client.instances.create({"name": "pybadnic", "source": {"type": "image", "alias": "busybox"},
                                 "devices": {"d": device}}, wait=True)
    assert err.value.key == key
    assert word in str(err.value)
    assert not client.instances.exists("pybadnic")
