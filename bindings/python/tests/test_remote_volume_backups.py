"""Custom volume backups (`lxc storage volume export|import`) through a client connected to a real
instanced over HTTPS: the server makes the backup, the client downloads it (and the server's copy
is deleted), and an import uploads the file; checked on the daemon's unix socket and state."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Tuple

import pytest

import libinstance
from libinstance import Client

from test_remote_connect import Daemon, client_dir, encode, served  # noqa: F401 (fixtures)


def test_remote_volume_export_import(served: Tuple[Daemon, str], client_dir: str, tmp_path: Path) -> None:  # noqa: F811
    daemon, url = served
    with Client(client_dir) as local:
        remote = local.remotes.add("srv", url, token=encode(daemon.token_doc("py-volume-backups")))
        with remote.connect() as connected:
            pool = connected.storage_pools.all()[0]
            volume = pool.volumes.create({"name": "py-bk", "config": {"user.k": "v"}})
            data = Path(daemon.state) / "storage-pools" / pool.name / "custom"
            (data / "py-bk" / "data").write_text("old\n")
            volume.snapshot("s1")
            (data / "py-bk" / "data").write_text("new\n")

            target = tmp_path / "py-bk.tar.gz"
            volume.export_backup(target)
            with tarfile.open(target) as tar:
                assert tar.extractfile("backup/volume/data").read() == b"new\n"
                assert tar.extractfile("backup/volume-snapshots/s1/data").read() == b"old\n"
            backups = f"/1.0/storage-pools/{pool.name}/volumes/custom/py-bk/backups"
            assert daemon.request("GET", backups)[1]["metadata"] == []
            only = tmp_path / "only.tar.xz"
            volume.export_backup(only, volume_only=True, compression_algorithm="xz")
            with tarfile.open(only) as tar:
                assert not any(n.startswith("backup/volume-snapshots/") for n in tar.getnames())
            with pytest.raises(libinstance.InvalidArgument) as bad:
                volume.export_backup(tmp_path / "bad", compression_algorithm="rar")
            assert "rar" in str(bad.value)
            assert not (tmp_path / "bad").exists()

            back = pool.volumes.import_backup(target, name="py-bk2")
            assert back.name == "py-bk2" and back.config["user.k"] == "v"
            assert (data / "py-bk2" / "data").read_text() == "new\n"
            assert [s.name for s in back.snapshots.all()] == ["s1"]
            assert daemon.request("GET", f"/1.0/storage-pools/{pool.name}/volumes/custom/py-bk2")[0] == 200
            op = pool.volumes.import_backup(only, name="py-bk3", wait=False)
            op.wait()
            assert op.metadata["name"] == "py-bk3"
            assert pool.volumes.get("custom", "py-bk3").snapshots.all() == []
            with pytest.raises(libinstance.Error) as taken:
                pool.volumes.import_backup(target)  # py-bk exists
            assert "py-bk" in str(taken.value)
            junk = tmp_path / "junk.tar.gz"
            junk.write_bytes(b"not a backup" * 100)
            with pytest.raises(libinstance.Error):
                pool.volumes.import_backup(junk, name="py-junk")
            assert daemon.request("GET", f"/1.0/storage-pools/{pool.name}/volumes/custom/py-junk")[0] == 404

            for name in ("py-bk", "py-bk2", "py-bk3"):
                vol = pool.volumes.get("custom", name)
                for snap in vol.snapshots.all():
                    snap.delete()
                vol.delete()
