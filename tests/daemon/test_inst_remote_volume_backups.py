"""`inst storage volume export|import REMOTE:pool ...` against a remote instanced over HTTPS: the
daemon makes the backup and the file is downloaded (the server's backup deleted), or the file is
uploaded; checked on the daemon over its unix socket and on its state directory."""
import os
import tarfile

from remote_support import daemon_get, fails, remote_client


def test_remote_volume_export_import(served, tmp_path):
    state, lxc, http, url = served
    me = remote_client(lxc, url, "volume-backups")
    pool = daemon_get(http, "/1.0/storage-pools?recursion=1")[1]["metadata"][0]["name"]
    me.ok("storage", "volume", "create", f"r:{pool}", "rvb", "user.mark=far")
    data = os.path.join(state, "storage-pools", pool, "custom", "rvb", "data")
    with open(data, "w") as f:
        f.write("before\n")
    me.ok("storage", "volume", "snapshot", f"r:{pool}", "rvb", "s1")
    with open(data, "w") as f:
        f.write("after\n")

    target = str(tmp_path / "rvb.tar.gz")
    me.ok("storage", "volume", "export", f"r:{pool}", "rvb", target)
    with tarfile.open(target) as tar:
        assert tar.extractfile("backup/volume/data").read() == b"after\n"
        assert tar.extractfile("backup/volume-snapshots/s1/data").read() == b"before\n"
    assert daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/rvb/backups")[1]["metadata"] == []
    # The client's own pools are not involved.
    assert "rvb" not in me.ok("storage", "volume", "list", "--format", "csv")

    me.ok("storage", "volume", "import", f"r:{pool}", target, "rvb2")
    doc = daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/rvb2")[1]["metadata"]
    assert doc["config"]["user.mark"] == "far"
    with open(os.path.join(state, "storage-pools", pool, "custom", "rvb2", "data")) as f:
        assert f.read() == "after\n"
    snaps = daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/rvb2/snapshots")[1]["metadata"]
    assert [s.rsplit("/", 1)[1] for s in snaps] == ["s1"]

    # The server's refusals reach the user: a taken name, a bad option, an unknown volume.
    fails(me.run("storage", "volume", "import", f"r:{pool}", target), "rvb")
    fails(me.run("storage", "volume", "export", f"r:{pool}", "rvb", str(tmp_path / "x"), "--compression", "rar"),
          "rar")
    fails(me.run("storage", "volume", "export", f"r:{pool}", "nothere", str(tmp_path / "y")), "not found")
    assert not os.path.exists(tmp_path / "x") and not os.path.exists(tmp_path / "y")
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not a backup" * 100)
    fails(me.run("storage", "volume", "import", f"r:{pool}", str(bad), "rvbbad"))
    assert daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/rvbbad")[0] == 404

    for v in ("rvb", "rvb2"):
        me.ok("storage", "volume", "delete", f"r:{pool}", f"{v}/s1")
        me.ok("storage", "volume", "delete", f"r:{pool}", v)
        assert daemon_get(http, f"/1.0/storage-pools/{pool}/volumes/custom/{v}")[0] == 404
