"""Backups exported by `inst export` import into Debian's LXD 5.0.2 (`lxc import`), when it is
installed: the instance starts there with its files, and LXD lists its snapshot. The throwaway
daemon is test_lxd_interop.py's (own LXD_DIR under /tmp, shut down and removed afterwards)."""

import json

from test_lxd_interop import lxd, pytestmark, wait_running_in_lxd  # noqa: F401 (fixture and skip mark)


def test_lxd_imports_and_starts_a_backup_exported_by_inst(fresh, lxd, tmp_path):  # noqa: F811
    fresh.ok("image", "build", "busybox", "--alias", "busybox")
    fresh.ok("launch", "busybox", "li-bk")
    fresh.ok("exec", "li-bk", "--", "sh", "-c", "echo in-snapshot > /root/marker")
    fresh.ok("snapshot", "li-bk", "snap0")
    fresh.ok("exec", "li-bk", "--", "sh", "-c", "echo exported-by-libinstance > /root/marker")
    fresh.ok("stop", "--force", "li-bk")
    backup = tmp_path / "li-bk.tar.gz"
    fresh.ok("export", "li-bk", str(backup))

    lxd.lxc("import", str(backup))
    try:
        info = json.loads(lxd.lxc("list", "li-bk", "--format", "json").stdout)
        assert [s["name"] for s in info[0]["snapshots"]] == ["snap0"]
        assert "snap0" in lxd.lxc("info", "li-bk").stdout
        lxd.lxc("start", "li-bk")
        wait_running_in_lxd(lxd, "li-bk")
        assert lxd.lxc("exec", "li-bk", "--", "cat", "/root/marker").stdout == "exported-by-libinstance\n"
        # LXD restores the snapshot libinstance wrote.
        lxd.lxc("restore", "li-bk", "snap0")
        lxd.lxc("start", "li-bk", check=False)
        wait_running_in_lxd(lxd, "li-bk")
        assert lxd.lxc("exec", "li-bk", "--", "cat", "/root/marker").stdout == "in-snapshot\n"
    finally:
        lxd.lxc("delete", "--force", "li-bk", check=False)


def test_lxd_imports_a_volume_backup_exported_by_inst(fresh, lxd, tmp_path):  # noqa: F811
    fresh.ok("storage", "volume", "create", "default", "li-vol")
    fresh.ok("storage", "volume", "snapshot", "default", "li-vol", "vsnap")
    backup = tmp_path / "li-vol.tar.gz"
    fresh.ok("storage", "volume", "export", "default", "li-vol", str(backup))

    lxd.lxc("storage", "volume", "import", "default", str(backup))
    try:
        # (`lxc storage volume info` is "Not supported" on LXD's dir pools; show names both.)
        assert "name: li-vol\n" in lxd.lxc("storage", "volume", "show", "default", "li-vol").stdout
        assert "name: vsnap\n" in lxd.lxc("storage", "volume", "show", "default", "li-vol/vsnap").stdout
    finally:
        lxd.lxc("storage", "volume", "delete", "default", "li-vol/vsnap", check=False)
        lxd.lxc("storage", "volume", "delete", "default", "li-vol", check=False)
