"""Networks through Python (pylxd's shape): create/all/get/exists, save with the ETag, rename,
delete, state and leases, and Client.init(). The fast tests run the mock network driver, which
validates as the bridge driver does but makes nothing on the host; one test makes a real bridge
inside a network namespace of its own."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
import uuid
from typing import Iterator

import pytest

import libinstance
from conftest import make_state_dir


def nname(stem: str) -> str:
    # Interface names have at most 15 characters.
    return f"li{uuid.uuid4().hex[:5]}{stem}"[:15]


@pytest.fixture
def mock_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[libinstance.Client]:
    """A client on a fresh state directory whose bridges use the mock driver (the variable is
    read whenever a network's driver is picked, so it stays set for the whole test)."""
    monkeypatch.setenv("LIBINSTANCE_NETWORK_DRIVER", "mock")
    path = make_state_dir("net")
    try:
        with libinstance.Client(path) as c:
            yield c
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_create_fills_in_auto_addresses(mock_client: libinstance.Client) -> None:
    name = nname("a")
    net = mock_client.networks.create(name, description="d", config={"ipv4.address": "auto", "ipv6.address": "auto"})
    assert isinstance(net, libinstance.Network)
    assert (net.name, net.description, net.type, net.managed) == (name, "d", "bridge", True)
    assert net.status == "Created" and net.used_by == []
    v4 = ipaddress.ip_interface(net.config["ipv4.address"])
    v6 = ipaddress.ip_interface(net.config["ipv6.address"])
    assert v4.version == 4 and v4.network.is_private and v4.network.prefixlen == 24
    assert v6.version == 6
    assert net.etag

    assert mock_client.networks.exists(name) and not mock_client.networks.exists(name + "x")
    again = mock_client.networks.get(name)
    assert again.config == net.config and again.etag == net.etag
    listed = {n.name: n for n in mock_client.networks.all()}
    assert listed[name].managed and listed[name].config["ipv4.address"] == str(v4)
    # The host's own interfaces are listed as LXD lists them: unmanaged.
    assert listed["lo"].managed is False and listed["lo"].type == "loopback"

    with pytest.raises(libinstance.AlreadyExists, match=name) as dup:
        mock_client.networks.create(name)
    assert dup.value.key == "name"
    with pytest.raises(libinstance.NotFound) as missing:
        mock_client.networks.get(name + "x")
    assert missing.value.key == "name"


def test_create_mapping_and_bad_input(mock_client: libinstance.Client) -> None:
    name = nname("m")
    net = mock_client.networks.create({"name": name, "config": {"ipv4.address": "10.98.7.1/24", "ipv6.address": "none"}})
    assert net.type == "bridge"  # LXD's default type
    assert net.config["ipv4.address"] == "10.98.7.1/24" and net.config["ipv6.address"] == "none"

    bad = nname("b")
    with pytest.raises(libinstance.InvalidArgument) as err:
        mock_client.networks.create(bad, config={"ipv4.address": "10.1.2.300/24"})
    assert err.value.key == "config.ipv4.address"
    with pytest.raises(libinstance.InvalidArgument) as err:
        mock_client.networks.create(bad, config={"no.such.key": "1"})
    assert err.value.key == "config.no.such.key"
    with pytest.raises(libinstance.InvalidArgument) as err:
        mock_client.networks.create(bad, config={"ipv4.address": "10.98.7.5/24"})  # overlaps the first one
    assert name in str(err.value)
    with pytest.raises(libinstance.NotSupported) as err:
        mock_client.networks.create(bad, type="nosuchtype")
    assert err.value.key == "type"
    with pytest.raises(libinstance.InvalidArgument) as err:
        mock_client.networks.create("bad/name")
    assert err.value.key == "name"
    assert not mock_client.networks.exists(bad)  # a refused create leaves nothing


def test_save_with_etag_and_refused_config(mock_client: libinstance.Client) -> None:
    name = nname("s")
    net = mock_client.networks.create(name, config={"ipv4.address": "10.97.1.1/24", "ipv6.address": "none"})
    stale = mock_client.networks.get(name)

    net.description = "newer"
    net.config["ipv4.dhcp"] = "false"
    old_etag = net.etag
    net.save()
    assert net.etag and net.etag != old_etag
    fresh = mock_client.networks.get(name)
    assert fresh.description == "newer" and fresh.config["ipv4.dhcp"] == "false"

    stale.description = "stale"
    with pytest.raises(libinstance.Conflict) as err:
        stale.save()
    assert err.value.key == "etag"

    net.config["ipv4.nat"] = "maybe"
    with pytest.raises(libinstance.InvalidArgument, match="maybe") as err:
        net.save()
    assert err.value.key == "config.ipv4.nat"
    net.config.pop("ipv4.nat")
    net.config["bogus.key"] = "1"
    with pytest.raises(libinstance.InvalidArgument) as err:
        net.save()
    assert err.value.key == "config.bogus.key"
    # A refused config changed nothing.
    fresh = mock_client.networks.get(name)
    assert "ipv4.nat" not in fresh.config and "bogus.key" not in fresh.config
    assert fresh.description == "newer"

    # Host interfaces libinstance does not manage cannot be changed.
    lo = mock_client.networks.get("lo")
    lo.description = "mine"
    with pytest.raises(libinstance.InvalidArgument) as err:
        lo.save()
    assert err.value.key == "name"


def test_rename_and_delete(mock_client: libinstance.Client) -> None:
    name, other = nname("r"), nname("o")
    net = mock_client.networks.create(name, config={"ipv4.address": "10.96.1.1/24", "ipv6.address": "none"})
    mock_client.networks.create(other, config={"ipv4.address": "10.96.2.1/24", "ipv6.address": "none"})
    with pytest.raises(libinstance.AlreadyExists) as err:
        net.rename(other)
    assert err.value.key == "new_name"

    renamed = net.rename(name + "n")
    assert renamed is net and net.name == name + "n"
    assert net.config["ipv4.address"] == "10.96.1.1/24"
    assert not mock_client.networks.exists(name) and mock_client.networks.exists(name + "n")

    net.delete()
    assert not mock_client.networks.exists(name + "n")
    with pytest.raises(libinstance.NotFound):
        net.state()


def test_delete_refused_while_the_default_profile_uses_it(mock_client: libinstance.Client) -> None:
    name = nname("u")
    net = mock_client.networks.create(name, config={"ipv4.address": "10.95.1.1/24", "ipv6.address": "none"})
    default = mock_client.profiles.get("default")
    default.devices["eth0"] = {"type": "nic", "network": name, "name": "eth0"}
    default.save()
    net.sync()
    assert "/1.0/profiles/default" in net.used_by

    with pytest.raises(libinstance.Busy, match="default") as err:
        net.delete()
    assert err.value.key == "name"
    with pytest.raises(libinstance.Busy) as err:
        net.rename(name + "n")
    assert err.value.key == "name"
    assert mock_client.networks.exists(name)

    del default.devices["eth0"]
    default.save()
    net.delete()
    assert not mock_client.networks.exists(name)


def test_state_and_leases_are_typed(mock_client: libinstance.Client) -> None:
    name = nname("t")
    net = mock_client.networks.create(name, config={"ipv4.address": "10.94.3.1/24", "ipv6.address": "none",
                                                    "bridge.mtu": "1400"})
    state = net.state()
    assert isinstance(state, libinstance.NetworkState)
    assert state.state == "up" and state.mtu == 1400
    assert state.addresses == [libinstance.NetworkAddress(family="inet", address="10.94.3.1", netmask="24", scope="global")]
    assert state.addresses[0].cidr == "10.94.3.1/24"
    assert isinstance(state.counters, libinstance.NetworkCounters) and state.counters.bytes_sent >= 0
    assert isinstance(state.bridge, libinstance.NetworkBridgeState) and state.bridge.upper_devices == []
    assert state.raw["addresses"][0]["address"] == "10.94.3.1"

    leases = net.leases()
    assert isinstance(leases, list) and leases == []  # the mock driver hands out none
    lease = libinstance.NetworkLease._from_doc({"hostname": "c1", "hwaddr": "00:16:3e:00:00:01",
                                                "address": "10.94.3.5", "type": "dynamic", "location": "none"})
    assert (lease.hostname, lease.address, lease.type) == ("c1", "10.94.3.5", "dynamic")


def test_init_sets_up_a_bridge_and_the_default_eth0(mock_client: libinstance.Client) -> None:
    with pytest.raises(libinstance.InvalidArgument) as err:
        mock_client.init(ipv4_address="10.1.1.300/24")
    assert err.value.key == "ipv4_address"
    assert not mock_client.networks.exists("instbr0")  # nothing left by the refused init
    assert "eth0" not in mock_client.profiles.get("default").devices

    first = mock_client.init()
    assert first == libinstance.InitResult(network_created=True, profile_nic_added=True, network_name="instbr0")
    net = mock_client.networks.get("instbr0")
    assert net.managed and net.type == "bridge"
    assert ipaddress.ip_interface(net.config["ipv4.address"]).version == 4
    assert net.config["ipv4.nat"] == "true"
    assert mock_client.profiles.get("default").devices["eth0"] == {"type": "nic", "network": "instbr0", "name": "eth0"}
    assert "/1.0/profiles/default" in net.used_by

    # Idempotent: the network and the nic are kept as they are.
    second = mock_client.init()
    assert second == libinstance.InitResult(network_created=False, profile_nic_added=False, network_name="instbr0")
    assert mock_client.networks.get("instbr0").config == net.config
    assert [n.name for n in mock_client.networks.all() if n.managed] == ["instbr0"]


def test_init_without_a_network(mock_client: libinstance.Client) -> None:
    result = mock_client.init(network_name=None)
    assert result == libinstance.InitResult(network_created=False, profile_nic_added=False, network_name="")
    assert [n.name for n in mock_client.networks.all() if n.managed] == []
    assert "eth0" not in mock_client.profiles.get("default").devices


# Runs in a network namespace of its own (`unshare -n`), so the bridge, its address and its
# dnsmasq never touch the host's network.
REAL_BRIDGE = r"""
import json, subprocess, sys
import libinstance

out = {}
with libinstance.Client(sys.argv[1]) as client:
    net = client.networks.create("libr0", config={"ipv4.address": "10.123.0.1/24", "ipv6.address": "none",
                                                  "ipv4.nat": "false"})
    out["managed"] = net.managed
    state = net.state()
    out["addresses"] = [a.cidr for a in state.addresses if a.family == "inet"]
    out["mtu"] = state.mtu
    out["leases"] = [l.address for l in net.leases()]
    kernel = json.loads(subprocess.run(["ip", "-j", "addr", "show", "dev", "libr0"], capture_output=True, text=True,
                                       check=True).stdout)
    out["kernel"] = [f"{a['local']}/{a['prefixlen']}" for a in kernel[0]["addr_info"] if a["family"] == "inet"]
    net.delete()
    out["exists_after"] = client.networks.exists("libr0")
    out["link_after"] = subprocess.run(["ip", "link", "show", "dev", "libr0"], capture_output=True).returncode
print("RESULT " + json.dumps(out))
"""


def test_real_bridge_in_a_network_namespace() -> None:
    env = dict(os.environ)
    env.pop("LIBINSTANCE_NETWORK_DRIVER", None)
    path = make_state_dir("netns")
    try:
        run = subprocess.run(["unshare", "-n", sys.executable, "-c", REAL_BRIDGE, path], env=env,
                             capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(path, ignore_errors=True)
    assert run.returncode == 0, run.stderr
    line = [ln for ln in run.stdout.splitlines() if ln.startswith("RESULT ")]
    assert line, run.stdout + run.stderr
    out = json.loads(line[-1][len("RESULT "):])
    assert out["managed"] is True
    assert out["addresses"] == ["10.123.0.1/24"]
    assert out["kernel"] == ["10.123.0.1/24"]
    assert out["mtu"] > 0
    assert out["leases"] == []
    assert out["exists_after"] is False
    assert out["link_after"] != 0  # the bridge is gone from the namespace
