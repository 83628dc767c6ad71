"""instanced keeps an exec agent in each running container from its start (docs/design/0011):
`lxc exec` forks from it. Its results match an attach's; a restart and a killed agent recover."""

import os
import time

# The live exec agents (a killed one stays a zombie until the container's init reaps it).
COUNT_AGENTS = (r'''n=0; for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = li-exec-agent ] && ! grep -q '^State:.*Z' $p/status 2>/dev/null && n=$((n+1)); done; echo $n''')


def agents(lxc, name):
    return int(lxc.ok("exec", name, "--", "sh", "-c", COUNT_AGENTS).strip())


def test_exec_goes_through_one_agent_per_container(lxd):
    _, lxc, _ = lxd
    lxc.ok("launch", "busybox", "ag1")
    try:
        # Started with the container (at-start): the first exec finds it; it is the only one.
        assert agents(lxc, "ag1") == 1
        r = lxc.run("exec", "ag1", "--", "sh", "-c", "echo out; echo err >&2; exit 7")
        assert (r.returncode, r.stdout, r.stderr) == (7, "out\n", "err\n")
        assert lxc.ok("exec", "ag1", "--env", "GREETING=hi", "--cwd", "/tmp", "--user", "1000", "--",
                      "sh", "-c", 'echo "$GREETING $(pwd) $(id -u)"') == "hi /tmp 1000\n"
        assert lxc.ok("exec", "ag1", "--", "cat", input="piped in") == "piped in"
        missing = lxc.run("exec", "ag1", "--", "no-such-command")
        assert missing.returncode == 127
        assert agents(lxc, "ag1") == 1

        # Root in the container may kill it: the next exec starts another.
        # (After the command that asks for it ended: a command whose agent is killed under it
        # loses its exit status, and its exec fails saying so.)
        lxc.ok("exec", "ag1", "--", "sh", "-c",
               "(sleep 0.3; for p in /proc/[0-9]*; do grep -q '^li-exec-agent$' $p/comm 2>/dev/null && "
               "kill -9 ${p#/proc/}; done) >/dev/null 2>&1 &")
        time.sleep(0.8)
        assert lxc.ok("exec", "ag1", "--", "echo", "again") == "again\n"
        lxc.ok("restart", "--force", "ag1")
        deadline = time.time() + 10
        while agents(lxc, "ag1") != 1 and time.time() < deadline:
            time.sleep(0.2)
        assert agents(lxc, "ag1") == 1
    finally:
        lxc.run("delete", "--force", "ag1")


def test_delete_frees_the_name_at_once(lxd):
    """The files of a deleted instance go in the background; its name is free at once."""
    state, lxc, _ = lxd
    lxc.ok("launch", "busybox", "dl1")
    lxc.ok("delete", "--force", "dl1")
    lxc.ok("launch", "busybox", "dl1")
    assert lxc.ok("exec", "dl1", "--", "echo", "second") == "second\n"
    lxc.ok("delete", "--force", "dl1")
    containers = os.path.join(state, "storage-pools", "default", "containers")
    deadline = time.time() + 10
    while any(n.startswith("dl1") for n in os.listdir(containers)) and time.time() < deadline:
        time.sleep(0.1)
    assert not [n for n in os.listdir(containers) if n.startswith("dl1")]
