"""Exec through the container's exec agent (docs/design/0011-exec-agents.md) and its policy."""

from __future__ import annotations

import time
from typing import Callable

import pytest

import libinstance

# The live exec agents (a killed one stays a zombie until the container's init reaps it).
COUNT_AGENTS = (r'''n=0; for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = li-exec-agent ] && ! grep -q '^State:.*Z' $p/status 2>/dev/null && n=$((n+1)); done; echo $n''')


def agents(inst: libinstance.Instance) -> int:
    return int(inst.execute(["sh", "-c", COUNT_AGENTS]).stdout)


def test_exec_agent_policy(client: libinstance.Client, make_instance: Callable[..., libinstance.Instance]) -> None:
    assert client.exec_agent_policy == "on-demand"  # the library's default
    with pytest.raises(libinstance.InvalidArgument) as bad:
        client.exec_agent_policy = "sometimes"
    assert bad.value.key == "policy"

    inst = make_instance("agent")
    result = inst.execute(["sh", "-c", "echo out; echo err >&2; exit 5"])
    assert (result.exit_code, result.stdout, result.stderr) == (5, "out\n", "err\n")
    assert agents(inst) == 1

    try:
        client.exec_agent_policy = "off"
        assert client.exec_agent_policy == "off"
        left = 1
        for _ in range(50):  # its socket closed: it exits
            left = agents(inst)
            if left == 0:
                break
            time.sleep(0.1)
        assert left == 0
        assert inst.execute(["echo", "attached"]).stdout == "attached\n"
    finally:
        client.exec_agent_policy = "on-demand"
