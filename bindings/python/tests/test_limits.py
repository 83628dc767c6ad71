"""Limits, security keys and host shutdown through the Python package, on real containers: each
limit observed in the container's cgroup (from the host and from inside)."""

from __future__ import annotations

import os
from typing import Callable

import pytest

import libinstance


def host_cgroup_file(pid: int, controller: str, name: str) -> str:
    """A cgroup file of the process's cgroup: the v1 hierarchy of the controller, else the unified one."""
    unified = ""
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if controllers == "":
                unified = path
            if controller in controllers.split(","):
                with open(f"/sys/fs/cgroup/{controller}{path}/{name}") as c:
                    return c.read().strip()
    root = "/sys/fs/cgroup" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else "/sys/fs/cgroup/unified"
    with open(f"{root}{unified}/{name}") as c:
        return c.read().strip()


def memory_v2() -> bool:
    with open("/proc/self/cgroup") as f:
        return not any("memory" in line.split(":")[1].split(",") for line in f)


def test_memory_and_process_limits_reach_the_cgroup(make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("lim", config={"limits.memory": "48MiB", "limits.processes": "21"})
    pid = inst.state().pid
    assert host_cgroup_file(pid, "pids", "pids.max") == "21"
    if memory_v2():
        assert host_cgroup_file(pid, "memory", "memory.max") == str(48 << 20)
        inside = "/sys/fs/cgroup/memory.max"
    else:
        assert host_cgroup_file(pid, "memory", "memory.limit_in_bytes") == str(48 << 20)
        inside = "/sys/fs/cgroup/memory/memory.limit_in_bytes"
    assert inst.execute(["cat", inside]).stdout.strip() == str(48 << 20)


def test_bad_limit_and_denied_raw_lxc_are_refused_naming_the_key(client: libinstance.Client) -> None:
    for config, key, word in [({"limits.memory": "lots"}, "config.limits.memory", "lots"),
                              ({"raw.lxc": "lxc.seccomp.profile = /dev/null"}, "config.raw.lxc", "lxc.seccomp.profile")]:
        with pytest.raises(libinstance.InvalidConfig) as err:
            client.instances.create({"name": "pybad", "source": {"type": "image", "alias": "busybox"}, "config": config},
                                    wait=True)
        assert err.value.key == key
        assert word in str(err.value)
        assert not client.instances.exists("pybad")


def test_seccomp_deny_refuses_the_syscall(make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("sec", config={"security.syscalls.deny": "mknod mknodat"})
    result = inst.execute(["mknod", "/tmp/fifo", "p"])
    assert result.exit_code != 0
    assert "Operation not permitted" in result.stderr


def test_shutdown_instances_stops_running_ones(client: libinstance.Client,
                                               make_instance: Callable[..., libinstance.Instance]) -> None:
    first = make_instance("shut", config={"boot.host_shutdown_timeout": "2", "boot.stop.priority": "3"})
    second = make_instance("shut", config={"boot.host_shutdown_timeout": "2"})
    op = client.shutdown_instances(wait=False)
    assert op is not None
    op.wait()
    for inst in (first, second):
        inst.sync()
        assert inst.status == "Stopped"
        assert inst.config["volatile.last_state.power"] == "RUNNING"
    assert client.shutdown_instances() is None
