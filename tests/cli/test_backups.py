"""inst export / import and storage volume export / import, as lxc 5.0.2's: round trips with
snapshots, --instance-only, another name, another pool (loop-backed btrfs), LXD 5.0.2's own
exports, and hostile archives refused with the entry named and nothing left behind."""

import io
import os
import subprocess
import tarfile

import pytest

from conftest import assert_error, run_on_pty

BACKUPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "backups")


def snapshot_names(inst, name):
    return [s["name"] for s in (inst.instance(name).get("snapshots") or [])]


def cat(inst, name, path):
    return inst.ok("exec", name, "--", "cat", path).stdout


def test_export_import_round_trip_with_snapshots(inst, tmp_path):
    inst.ok("launch", "busybox", "bk1")
    try:
        inst.ok("exec", "bk1", "--", "sh", "-c", "echo snapped > /root/v")
        inst.ok("snapshot", "bk1", "s0")
        inst.ok("exec", "bk1", "--", "sh", "-c", "echo current > /root/v")
        full = tmp_path / "full.tar.gz"
        out = inst.ok("export", "bk1", str(full)).stdout
        assert "Backup exported successfully!" in out
        with tarfile.open(full) as t:
            names = t.getnames()
        assert "backup/index.yaml" in names
        assert any(n.startswith("backup/snapshots/s0/") for n in names)

        only = tmp_path / "only.tar.xz"
        inst.ok("export", "bk1", str(only), "--instance-only", "--compression", "xz")
        with tarfile.open(only, "r:xz") as t:
            assert not any(n.startswith("backup/snapshots/") for n in t.getnames())

        # The name the backup holds is taken: refused naming it, nothing changes.
        assert_error(inst.run("import", str(full)), "bk1")

        inst.ok("delete", "--force", "bk1")
        inst.ok("import", str(full))
        assert snapshot_names(inst, "bk1") == ["s0"]
        inst.ok("start", "bk1")
        assert cat(inst, "bk1", "/root/v") == "current\n"
        inst.ok("stop", "--force", "bk1")
        inst.ok("restore", "bk1", "s0")
        inst.ok("start", "bk1")
        assert cat(inst, "bk1", "/root/v") == "snapped\n"

        # Another name, from the snapshot-less backup; the optional "local:" remote is accepted.
        inst.ok("import", "local:", str(only), "bk2")
        assert snapshot_names(inst, "bk2") == []
        inst.ok("start", "bk2")
        assert cat(inst, "bk2", "/root/v") == "current\n"

        # Bad flags and files are named.
        assert_error(inst.run("export", "bk1", str(tmp_path / "x.tar"), "--compression", "lzma9"), "lzma9")
        assert not (tmp_path / "x.tar").exists()
        assert_error(inst.run("export", "bk1", str(tmp_path / "y"), "--optimized-storage"), "optimized")
        assert_error(inst.run("export", "no-such-bk", str(tmp_path / "z")), "no-such-bk")
        assert_error(inst.run("import", str(tmp_path / "missing.tar.gz"), "bk3"), "missing.tar.gz")
        assert_error(inst.run("import", str(only), "bk3", "--storage", "no-such-pool"), "no-such-pool")
        assert inst.instance("bk3") is None
    finally:
        for name in ("bk1", "bk2", "bk3"):
            inst.run("delete", "--force", name)


def test_export_default_target_is_backup_tar_gz(inst, tmp_path):
    inst.ok("init", "busybox", "bkd")
    try:
        # lxc writes backup.tar.gz in the current directory when no target is given.
        r = subprocess.run([inst.binary, "--state-dir", inst.state_dir, "export", "bkd", "-q"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stderr
        assert r.stdout == ""
        with tarfile.open(tmp_path / "backup.tar.gz", "r:gz") as t:
            assert "backup/index.yaml" in t.getnames()
    finally:
        inst.run("delete", "--force", "bkd")


def test_import_onto_a_btrfs_pool(inst, tmp_path):
    inst.ok("init", "busybox", "bkp")
    inst.ok("snapshot", "bkp", "s0")
    inst.ok("storage", "create", "bkbt", "btrfs", "size=512MiB")
    try:
        inst.ok("export", "bkp", str(tmp_path / "b.tar.gz"))
        inst.ok("import", str(tmp_path / "b.tar.gz"), "bkq", "--storage", "bkbt")
        assert inst.instance("bkq")["expanded_devices"]["root"]["pool"] == "bkbt"
        assert snapshot_names(inst, "bkq") == ["s0"]
        # An optimized backup of a btrfs instance goes back onto btrfs.
        inst.ok("export", "bkq", str(tmp_path / "o.tar.gz"), "--optimized-storage")
        with tarfile.open(tmp_path / "o.tar.gz") as t:
            assert "backup/container.bin" in t.getnames()
        inst.ok("import", str(tmp_path / "o.tar.gz"), "bkr", "-s", "bkbt")
        assert snapshot_names(inst, "bkr") == ["s0"]
        inst.ok("start", "bkr")
        assert inst.ok("exec", "bkr", "--", "cat", "/etc/hostname").returncode == 0
    finally:
        for name in ("bkp", "bkq", "bkr"):
            inst.run("delete", "--force", name)
        inst.run("storage", "delete", "bkbt")


def test_lxd_5_0_2_exports_import(inst):
    inst.ok("import", os.path.join(BACKUPS, "lxd-5.0.2-container.tar.gz"), "from-lxd")
    try:
        assert inst.instance("from-lxd")["config"]["user.origin"] == "lxd"
        assert snapshot_names(inst, "from-lxd") == ["snap0"]
        inst.ok("start", "from-lxd")
        assert inst.ok("exec", "from-lxd", "--", "stat", "-c", "%u:%g %a", "/root/hello").stdout == "1234:2345 640\n"
        assert cat(inst, "from-lxd", "/root/v") == "current\n"
    finally:
        inst.run("delete", "--force", "from-lxd")
    inst.ok("storage", "volume", "import", "default", os.path.join(BACKUPS, "lxd-5.0.2-volume.tar.gz"))
    try:
        assert "snapA" in inst.ok("storage", "volume", "info", "default", "lxdvol").stdout
    finally:
        inst.run("storage", "volume", "delete", "default", "lxdvol/snapA")
        inst.run("storage", "volume", "delete", "default", "lxdvol")


def add(t, name, data=b"", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


EVIL_INDEX = (b"name: evil\nbackend: dir\npool: default\noptimized: false\noptimized_header: false\n"
              b"type: container\nconfig:\n  container:\n    name: evil\n    architecture: x86_64\n"
              b"    config: {}\n    devices: {}\n    profiles: [default]\n    type: container\n")


@pytest.mark.parametrize("entry,build", [
    ("backup/container/rootfs/../../../escape",
     lambda t: add(t, "backup/container/rootfs/../../../escape", b"x")),
    ("backup/container/rootfs/evil/etc/owned",
     lambda t: (add(t, "backup/container/rootfs", kind=tarfile.DIRTYPE),
                add(t, "backup/container/rootfs/evil", kind=tarfile.SYMTYPE, link="/"),
                add(t, "backup/container/rootfs/evil/etc/owned", b"x"))),
])
def test_hostile_backup_refused_naming_the_entry(inst, tmp_path, entry, build):
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as t:
        add(t, "backup/index.yaml", EVIL_INDEX)
        add(t, "backup/container", kind=tarfile.DIRTYPE)
        build(t)
    assert_error(inst.run("import", str(path)), entry)
    assert inst.instance("evil") is None
    assert not os.path.exists("/escape") and not os.path.exists("/etc/owned")


def test_storage_volume_export_import(inst, tmp_path):
    inst.ok("storage", "volume", "create", "default", "bkv")
    try:
        inst.ok("launch", "busybox", "bkvc")
        inst.ok("storage", "volume", "attach", "default", "bkv", "bkvc", "/mnt")
        inst.ok("exec", "bkvc", "--", "sh", "-c", "echo old > /mnt/data")
        inst.ok("storage", "volume", "snapshot", "default", "bkv", "sA")
        inst.ok("exec", "bkvc", "--", "sh", "-c", "echo new > /mnt/data")
        out = inst.ok("storage", "volume", "export", "default", "bkv", str(tmp_path / "v.tar.gz")).stdout
        assert "Volume exported successfully!" in out
        inst.ok("storage", "volume", "export", "default", "custom/bkv", str(tmp_path / "vo.tar.gz"), "--volume-only")
        with tarfile.open(tmp_path / "vo.tar.gz") as t:
            assert not any(n.startswith("backup/volume-snapshots/") for n in t.getnames())
        assert_error(inst.run("storage", "volume", "import", "default", str(tmp_path / "v.tar.gz")), "bkv")

        inst.ok("storage", "volume", "import", "default", str(tmp_path / "v.tar.gz"), "bkv2")
        inst.ok("storage", "volume", "import", "default", str(tmp_path / "vo.tar.gz"), "bkv3")
        assert "sA" in inst.ok("storage", "volume", "info", "default", "bkv2").stdout
        assert "sA" not in inst.ok("storage", "volume", "info", "default", "bkv3").stdout
        inst.ok("storage", "volume", "attach", "default", "bkv2", "bkvc", "/mnt2")
        assert cat(inst, "bkvc", "/mnt2/data") == "new\n"
        inst.ok("stop", "--force", "bkvc")
        inst.ok("storage", "volume", "restore", "default", "bkv2", "sA")
        inst.ok("start", "bkvc")
        assert cat(inst, "bkvc", "/mnt2/data") == "old\n"

        assert_error(inst.run("storage", "volume", "export", "default", "no-such-vol", str(tmp_path / "n")),
                     "no-such-vol")
        assert_error(inst.run("storage", "volume", "import", "no-such-pool", str(tmp_path / "v.tar.gz"), "bkv4"),
                     "no-such-pool")
    finally:
        inst.run("delete", "--force", "bkvc")
        for v in ("bkv", "bkv2", "bkv3"):
            inst.run("storage", "volume", "delete", "default", v + "/sA")
            inst.run("storage", "volume", "delete", "default", v)


def test_export_and_import_show_progress_on_a_terminal(inst, tmp_path):
    inst.ok("init", "busybox", "bkt")
    try:
        r = run_on_pty(inst, "export", "bkt", str(tmp_path / "t.tar.gz"))
        assert r.returncode == 0, r.stderr
        assert "Backing up instance: Backup: " in r.stdout and "Backup exported successfully!" in r.stdout
        r = run_on_pty(inst, "import", str(tmp_path / "t.tar.gz"), "bkt2")
        assert r.returncode == 0, r.stderr
        assert "Importing instance: Unpack: " in r.stdout
        assert inst.instance("bkt2") is not None
    finally:
        inst.run("delete", "--force", "bkt")
        inst.run("delete", "--force", "bkt2")
