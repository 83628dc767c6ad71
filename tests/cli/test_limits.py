"""Limits and security keys given with `inst launch -c`, observed inside the container."""

import shutil

from conftest import assert_error


def memory_limit_file():
    with open("/proc/self/cgroup") as f:
        v1 = any("memory" in line.split(":")[1].split(",") for line in f)
    return "/sys/fs/cgroup/memory/memory.limit_in_bytes" if v1 else "/sys/fs/cgroup/memory.max"


def test_launch_with_limits_applies_them(inst):
    inst.ok("launch", "busybox", "lim1", "-c", "limits.memory=64MB", "-c", "limits.processes=9",
            "-c", "limits.kernel.nofile=300")
    try:
        assert inst.ok("exec", "lim1", "--", "cat", memory_limit_file()).stdout.strip() == "64000000"
        limits = inst.ok("exec", "lim1", "--", "cat", "/proc/1/limits").stdout
        assert "Max open files 300 300 files" in [" ".join(line.split()) for line in limits.splitlines()]
        # The process limit refuses forks beyond it.
        r = inst.run("exec", "lim1", "--", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11; do sleep 60 & done; echo end")
        assert "can't fork" in r.stderr + r.stdout
    finally:
        inst.run("delete", "--force", "lim1")


def test_launch_with_bad_or_denied_keys_fails_naming_them(inst):
    assert_error(inst.run("launch", "busybox", "lim2", "-c", "limits.memory=lots"), "limits.memory", "lots")
    assert_error(inst.run("launch", "busybox", "lim2", "-c", "raw.lxc=lxc.mount.auto = sys:rw"), "raw.lxc", "lxc.mount.auto")
    assert inst.instance("lim2") is None


def test_protection_delete_refuses_delete(fresh):
    # A state directory of its own: the protected instance stays until the directory goes.
    fresh.ok("image", "build", "busybox", "--alias", "busybox")
    fresh.ok("init", "busybox", "lim3", "-c", "security.protection.delete=true")
    assert_error(fresh.run("delete", "lim3"), "protected", "security.protection.delete")
    assert_error(fresh.run("delete", "--force", "lim3"), "protected")
    assert fresh.instance("lim3") is not None


def test_seccomp_deny_refuses_mknod(inst):
    inst.ok("launch", "busybox", "lim4", "-c", "security.syscalls.deny=mknod,mknodat")
    try:
        r = inst.run("exec", "lim4", "--", "mknod", "/tmp/fifo", "p")
        assert r.returncode != 0
        assert "Operation not permitted" in r.stderr
    finally:
        inst.run("delete", "--force", "lim4")


def test_raw_idmap_bad_lines_are_refused_and_undelegated_host_ids_named_at_start(inst):
    assert_error(inst.run("init", "busybox", "rawid", "-c", "raw.idmap=both 1000"), "raw.idmap", '"both 1000"')
    assert inst.instance("rawid") is None
    inst.ok("init", "busybox", "rawid", "-c", "raw.idmap=both 1000 1000")
    try:
        assert inst.ok("config", "get", "rawid", "raw.idmap").stdout.strip() == "both 1000 1000"
        assert_error(inst.run("config", "set", "rawid", "raw.idmap", "uid 1000-1009 0-8"), "raw.idmap", "differ in length")
        # Shadow's newuidmap (installed by the setup script) maps only ids /etc/subuid delegates.
        with open("/etc/subuid") as f:
            delegated = "root:1000:1\n" in f.read()
        if shutil.which("newuidmap") and not delegated:
            assert_error(inst.run("start", "rawid"), "raw.idmap", 'add "root:1000:1" to /etc/subuid')
            assert inst.instance("rawid")["status"] == "Stopped"
    finally:
        inst.run("delete", "--force", "rawid")
