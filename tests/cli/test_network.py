"""`inst network ...` and `inst admin init` as lxc 5.0.2 / `lxd init --auto` have them.

Real bridges are made only inside a network namespace each test creates (every inst command of
the test runs under tests/support/in-netns.sh, which keeps the host's cgroups so containers
start), checked there with `ip -n`, and the namespace is deleted at the end. The instance attach/detach test uses the mock driver (it validates like the bridge
driver and creates nothing), on its own state directory so that no later open starts its network."""

import csv
import io
import json
import os
import pty
import secrets
import shutil
import subprocess

import pytest
import yaml

from conftest import Inst, assert_error, inst_binary, make_state_dir


IN_NETNS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "in-netns.sh")


def ip(*args):
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)


def cells(table_line):
    return [c.strip() for c in table_line.strip().strip("|").split("|")]


def managed_networks(tool):
    r = tool.run("network", "list", "--format", "json")
    return [n["name"] for n in json.loads(r.stdout) if n["managed"]] if r.returncode == 0 else []


@pytest.fixture
def netns(monkeypatch):
    """An Inst on a new state directory whose commands all run in a new network namespace."""
    monkeypatch.delenv("LIBINSTANCE_NETWORK_DRIVER", raising=False)
    ns = f"li-cli-{secrets.token_hex(4)}"
    subprocess.run(["ip", "netns", "add", ns], check=True, timeout=30)
    tool = Inst(inst_binary(), make_state_dir(), prefix=[IN_NETNS, ns])
    tool.ns = ns
    try:
        yield tool
    finally:
        # Networks a failed test left: profiles' nics first, then the networks (their dnsmasq goes).
        for name in managed_networks(tool):
            for profile in ("default", "pnet"):
                tool.run("network", "detach-profile", name, profile)
            tool.run("network", "delete", name)
        shutil.rmtree(tool.state_dir, ignore_errors=True)
        subprocess.run(["ip", "netns", "del", ns], timeout=30)


def test_network_lifecycle_in_a_namespace(netns):
    inst, ns = netns, netns.ns
    r = inst.ok("network", "create", "clinet0", "ipv4.address=10.77.0.1/24", "ipv4.nat=true", "ipv6.address=none",
                "--description", "cli test")
    assert r.stdout == "Network clinet0 created\n"
    assert "inet 10.77.0.1/24" in ip("-n", ns, "addr", "show", "dev", "clinet0").stdout
    assert ip("link", "show", "dev", "clinet0").returncode != 0, "the bridge leaked into the host's namespace"

    # list: every format; the namespace's own lo is not in the table (as lxc), but in the documents.
    table = inst.ok("network", "list").stdout
    lines = table.splitlines()
    assert cells(lines[1]) == ["NAME", "TYPE", "MANAGED", "IPV4", "IPV6", "DESCRIPTION", "USED BY", "STATE"]
    assert cells(next(line for line in lines if "clinet0" in line)) == [
        "clinet0", "bridge", "YES", "10.77.0.1/24", "none", "cli test", "0", "CREATED"]
    assert not any(cells(line)[0] == "lo" for line in lines if line.startswith("|"))
    rows = list(csv.reader(io.StringIO(inst.ok("network", "list", "--format", "csv").stdout)))
    assert ["clinet0", "bridge", "YES", "10.77.0.1/24", "none", "cli test", "0", "CREATED"] in rows
    docs = json.loads(inst.ok("network", "list", "--format", "json").stdout)
    mine = next(n for n in docs if n["name"] == "clinet0")
    assert mine["managed"] is True and mine["config"]["ipv4.nat"] == "true" and mine["used_by"] == []
    assert any(n["name"] == "lo" and n["managed"] is False for n in docs)
    ydocs = yaml.safe_load(inst.ok("network", "list", "--format", "yaml").stdout)
    assert next(n for n in ydocs if n["name"] == "clinet0")["description"] == "cli test"

    # show / get / set (both forms) / unset
    shown_text = inst.ok("network", "show", "clinet0").stdout
    assert list(yaml.safe_load(shown_text)) == ["config", "description", "name", "type", "used_by", "managed", "status",
                                                "locations"]
    shown = yaml.safe_load(shown_text)
    assert shown["name"] == "clinet0" and shown["type"] == "bridge" and shown["config"]["ipv4.address"] == "10.77.0.1/24"
    assert inst.ok("network", "get", "clinet0", "ipv4.address").stdout == "10.77.0.1/24\n"
    assert inst.ok("network", "get", "clinet0", "user.unset").stdout == ""
    inst.ok("network", "set", "clinet0", "user.a=1", "dns.domain=cli")
    inst.ok("network", "set", "clinet0", "user.b", "two")
    assert inst.ok("network", "get", "clinet0", "user.b").stdout == "two\n"
    assert inst.ok("network", "get", "clinet0", "dns.domain").stdout == "cli\n"
    inst.ok("network", "unset", "clinet0", "user.a")
    inst.ok("network", "unset", "clinet0", "user.a")  # as lxc: not set is not an error
    assert "user.a" not in yaml.safe_load(inst.ok("network", "show", "clinet0").stdout)["config"]

    # Bad keys and values are refused naming the key, and change nothing.
    assert_error(inst.run("network", "set", "clinet0", "no.such.key=1"), "config key", '"no.such.key"')
    assert_error(inst.run("network", "set", "clinet0", "ipv4.address=banana"), "config key \"ipv4.address\"", "banana")
    assert_error(inst.run("network", "create", "clinet1", "bogus.key=1"), "config key", '"bogus.key"')
    assert "clinet1" not in managed_networks(inst)
    assert inst.ok("network", "get", "clinet0", "ipv4.address").stdout == "10.77.0.1/24\n"

    # edit from stdin: what show prints, changed, is accepted (read-only fields ignored).
    doc = yaml.safe_load(inst.ok("network", "show", "clinet0").stdout)
    doc["description"] = "edited"
    doc["config"]["ipv4.address"] = "10.77.1.1/24"
    inst.ok("network", "edit", "clinet0", input=yaml.safe_dump(doc))
    shown = yaml.safe_load(inst.ok("network", "show", "clinet0").stdout)
    assert shown["description"] == "edited" and shown["config"]["ipv4.address"] == "10.77.1.1/24"
    addrs = ip("-n", ns, "addr", "show", "dev", "clinet0").stdout
    assert "inet 10.77.1.1/24" in addrs and "10.77.0.1" not in addrs
    assert_error(inst.run("network", "edit", "clinet0", input="config:\n  ipv4.nat: [1]\n"), "ipv4.nat")

    # info: lxc's layout with the address the bridge has.
    info = inst.ok("network", "info", "clinet0").stdout
    assert info.startswith("Name: clinet0\nMAC address: ")
    for line in ("\nMTU: ", "\nState: up\n", "\nType: broadcast\n", "\nIP addresses:\n", "  inet\t10.77.1.1/24 (global)\n",
                 "\nNetwork usage:\n  Bytes received: ", "  Packets sent: ", "\nBridge:\n  ID: ", "  Upper devices: "):
        assert line in info, f"{line!r} not in:\n{info}"

    # list-leases: nothing has a lease yet, so the table is the header alone.
    leases = inst.ok("network", "list-leases", "clinet0").stdout.splitlines()
    assert cells(leases[1]) == ["HOSTNAME", "MAC ADDRESS", "IP ADDRESS", "TYPE"]
    assert len(leases) == 3
    assert json.loads(inst.ok("network", "list-leases", "clinet0", "--format", "json").stdout) == []

    # rename
    assert inst.ok("network", "rename", "clinet0", "clinet2").stdout == "Network clinet0 renamed to clinet2\n"
    assert "inet 10.77.1.1/24" in ip("-n", ns, "addr", "show", "dev", "clinet2").stdout
    assert ip("-n", ns, "link", "show", "dev", "clinet0").returncode != 0
    assert_error(inst.run("network", "show", "clinet0"), "clinet0")

    # attach-profile: a nic on the network; then the network is in use and cannot go.
    inst.ok("profile", "create", "pnet")
    inst.ok("network", "attach-profile", "clinet2", "pnet", "eth1", "eth9")
    dev = yaml.safe_load(inst.ok("profile", "show", "pnet").stdout)["devices"]["eth1"]
    assert dev == {"type": "nic", "network": "clinet2", "name": "eth9"}
    assert_error(inst.run("network", "attach-profile", "clinet2", "pnet", "eth1"), "eth1")
    assert yaml.safe_load(inst.ok("network", "show", "clinet2").stdout)["used_by"] == ["/1.0/profiles/pnet"]
    assert_error(inst.run("network", "delete", "clinet2"), "pnet")
    assert_error(inst.run("network", "rename", "clinet2", "clinet3"), "pnet")
    assert ip("-n", ns, "link", "show", "dev", "clinet2").returncode == 0
    inst.ok("network", "detach-profile", "clinet2", "pnet")
    assert yaml.safe_load(inst.ok("profile", "show", "pnet").stdout)["devices"] == {}
    assert_error(inst.run("network", "detach-profile", "clinet2", "pnet"), "clinet2")

    assert inst.ok("network", "delete", "clinet2").stdout == "Network clinet2 deleted\n"
    assert ip("-n", ns, "link", "show", "dev", "clinet2").returncode != 0
    assert managed_networks(inst) == []
    assert_error(inst.run("network", "delete", "clinet2"), "clinet2")


def test_admin_init_in_a_namespace(netns):
    inst, ns = netns, netns.ns
    first = inst.ok("admin", "init", "--auto", "--network-ipv4", "10.78.0.1/24", "--network-ipv6", "none").stdout
    assert "Network instbr0 created" in first and "Device eth0 added to profile default" in first
    assert "inet 10.78.0.1/24" in ip("-n", ns, "addr", "show", "dev", "instbr0").stdout
    second = inst.ok("admin", "init", "--auto").stdout
    assert "Nothing new was created" in second and "created\n" not in second.replace("Nothing new was created\n", "")
    eth0 = yaml.safe_load(inst.ok("profile", "show", "default").stdout)["devices"]["eth0"]
    assert eth0 == {"type": "nic", "network": "instbr0", "name": "eth0"}
    assert inst.ok("network", "get", "instbr0", "ipv4.nat").stdout == "true\n"
    assert_error(inst.run("admin", "init", "--network-name", "br1", "--network-ipv4", "300.1.1.1/24"), "ipv4")
    assert "br1" not in managed_networks(inst)

    assert_error(inst.run("network", "delete", "instbr0"), "default")
    inst.ok("network", "detach-profile", "instbr0", "default")
    inst.ok("network", "delete", "instbr0")
    assert ip("-n", ns, "link", "show", "dev", "instbr0").returncode != 0


@pytest.fixture
def mock_dir(monkeypatch):
    """An Inst on a new state directory with the mock network driver (nothing is created)."""
    monkeypatch.setenv("LIBINSTANCE_NETWORK_DRIVER", "mock")
    tool = Inst(inst_binary(), make_state_dir())
    yield tool
    tool.cleanup()
    for name in managed_networks(tool):
        tool.run("network", "detach-profile", name, "default")
        tool.run("network", "delete", name)
    shutil.rmtree(tool.state_dir, ignore_errors=True)


def test_network_attach_detach_instance_with_mock_driver(mock_dir):
    inst = mock_dir
    inst.ok("network", "create", "mocknet", "ipv4.address=10.79.0.1/24", "ipv6.address=none")
    assert ip("link", "show", "dev", "mocknet").returncode != 0
    inst.ok("image", "build", "busybox", "--alias", "busybox")
    inst.ok("init", "busybox", "m1")
    inst.ok("network", "attach", "mocknet", "m1")
    devices = yaml.safe_load(inst.ok("config", "show", "m1").stdout)["devices"]
    assert devices["mocknet"] == {"type": "nic", "network": "mocknet"}
    assert_error(inst.run("network", "attach", "mocknet", "m1"), "mocknet")
    inst.ok("network", "attach", "mocknet", "m1", "net2", "eth5")
    assert yaml.safe_load(inst.ok("config", "show", "m1").stdout)["devices"]["net2"]["name"] == "eth5"
    assert_error(inst.run("network", "detach", "mocknet", "m1"), "More than one device matches")
    assert_error(inst.run("network", "delete", "mocknet"), "m1")
    inst.ok("network", "detach", "mocknet", "m1", "net2")
    inst.ok("network", "detach", "mocknet", "m1")
    devices = yaml.safe_load(inst.ok("config", "show", "m1").stdout)["devices"]
    assert "mocknet" not in devices and "net2" not in devices
    assert_error(inst.run("network", "detach", "mocknet", "m1"), "mocknet")
    assert_error(inst.run("network", "attach", "nosuchnet", "m1"), "nosuchnet")
    inst.ok("delete", "m1")
    inst.ok("network", "delete", "mocknet")


def test_network_edit_in_editor_with_mock_driver(mock_dir, tmp_path):
    # On a terminal, $EDITOR gets lxc's help header and the writable fields; what it saves is applied.
    inst = mock_dir
    inst.ok("network", "create", "mocked", "ipv4.address=10.80.0.1/24", "ipv6.address=none")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\ngrep -q '^### This is a YAML representation of the network' \"$1\" || exit 3\n"
                      "grep -q '^name:' \"$1\" && exit 4\n"
                      "sed -i 's/^description: .*/description: from the editor/' \"$1\"\n")
    editor.chmod(0o755)
    leader, follower = pty.openpty()
    try:
        env = dict(os.environ, EDITOR=str(editor), VISUAL="")
        r = subprocess.run([inst.binary, "--state-dir", inst.state_dir, "network", "edit", "mocked"],
                           stdin=follower, capture_output=True, text=True, timeout=120, env=env)
    finally:
        os.close(follower)
        os.close(leader)
    assert r.returncode == 0, r.stderr
    shown = yaml.safe_load(inst.ok("network", "show", "mocked").stdout)
    assert shown["description"] == "from the editor" and shown["config"]["ipv4.address"] == "10.80.0.1/24"
    inst.ok("network", "delete", "mocked")


def test_network_help_and_usage_errors(fresh, monkeypatch):
    monkeypatch.setenv("LIBINSTANCE_NETWORK_DRIVER", "mock")
    help_text = fresh.ok("network", "--help").stdout
    for verb in ("attach-profile", "detach-profile", "list-leases", "info", "edit", "unset"):
        assert verb in help_text
    assert "no interactive mode" in fresh.ok("admin", "init", "--help").stdout
    assert_error(fresh.run("network", "get", "n1"), "Invalid number of arguments")
    assert_error(fresh.run("network", "create", "n1", "novalue"), "novalue")
    assert_error(fresh.run("network", "create", "n1", "--type", "nosuch"), "nosuch")
    assert_error(fresh.run("network", "show", "nosuchnet"), "nosuchnet")
    assert managed_networks(fresh) == []



# Writes a udhcpc script that applies the lease, runs it once, prints the address eth0 got.
DHCP_SCRIPT = r"""cat > /tmp/dhcp.sh <<'END'
#!/bin/sh
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    ;;
esac
exit 0
END
chmod +x /tmp/dhcp.sh && udhcpc -i eth0 -n -q -t 8 -T 1 -s /tmp/dhcp.sh >/dev/null 2>&1
ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1"""


def test_launch_on_a_network_gets_dhcp_and_dns_after_the_launching_command_exited(netns):
    """`inst launch -n NET` returns and its manager closes; the bridge's dnsmasq stays for the
    containers, so later commands see leases and names (each `inst` is a process of its own)."""
    inst, ns = netns, netns.ns
    inst.ok("image", "build", "busybox", "--alias", "busybox")
    inst.ok("network", "create", "clidns0", "ipv4.address=10.78.0.1/24", "ipv6.address=none", "dns.domain=cli")
    try:
        for name in ("web", "db"):
            inst.ok("launch", "busybox", name, "-n", "clidns0")
        devices = yaml.safe_load(inst.ok("config", "show", "web").stdout)["devices"]
        assert devices["eth0"] == {"type": "nic", "network": "clidns0", "name": "eth0"}
        addresses = {}
        for name in ("web", "db"):
            addresses[name] = inst.ok("exec", name, "--", "sh", "-c", DHCP_SCRIPT).stdout.strip()
            assert addresses[name].startswith("10.78.0."), addresses
        leases = json.loads(inst.ok("network", "list-leases", "clidns0", "--format", "json").stdout)
        assert {(l["hostname"], l["address"]) for l in leases} >= {("web", addresses["web"]), ("db", addresses["db"])}
        looked = inst.ok("exec", "web", "--", "nslookup", "db.cli", "10.78.0.1").stdout
        assert addresses["db"] in looked
        networks = json.loads(inst.ok("network", "list", "--format", "json").stdout)
        mine = next(n for n in networks if n["name"] == "clidns0")
        assert sorted(mine["used_by"]) == ["/1.0/instances/db", "/1.0/instances/web"]
        assert_error(inst.run("network", "delete", "clidns0"), "/1.0/instances/")
    finally:
        inst.run("delete", "--force", "web", "db")
    # Nothing on the bridge: the last command's manager stopped dnsmasq; delete removes the rest.
    inst.ok("network", "delete", "clidns0")
    assert ip("-n", ns, "link", "show", "dev", "clidns0").returncode != 0
    assert inst.state_dir not in subprocess.run(["pgrep", "-a", "dnsmasq"], capture_output=True, text=True).stdout
