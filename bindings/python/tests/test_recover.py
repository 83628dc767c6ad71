"""Disaster recovery through Python (Client.recover_validate / recover_import): a client of its own
loses its database; its custom volumes (dir pool and a loop btrfs pool) with their snapshots are
found, the unknown pool too, and imported with their config; bad pool definitions are refused
naming the field."""

from __future__ import annotations

import os
import shutil

import pytest

import libinstance
from conftest import make_state_dir


def drop_database(state_dir: str) -> None:
    for name in ("local.db", "local.db-wal", "local.db-shm"):
        try:
            os.remove(os.path.join(state_dir, "database", name))
        except FileNotFoundError:
            pass


def test_a_lost_database_is_rebuilt_from_the_pools() -> None:
    state_dir = make_state_dir("recover")
    try:
        with libinstance.Client(state_dir) as c:
            bt = c.storage_pools.create({"name": "pyrecbt", "driver": "btrfs", "description": "loop",
                                         "config": {"size": "512MiB"}})
            for pool in (c.storage_pools.get("default"), bt):
                vol = pool.volumes.create({"name": "keep", "description": "on " + pool.name,
                                           "config": {"user.k": pool.name}})
                vol.snapshot("first")
            assert c.recover_validate().unknown_volumes == []
        drop_database(state_dir)

        with libinstance.Client(state_dir) as c:
            found = c.recover_validate()
            assert isinstance(found, libinstance.RecoverResult)
            assert found.unknown_pools == ["pyrecbt"]
            assert found.dependency_errors == []
            assert sorted(found.unknown_volumes, key=lambda v: v.pool) == [
                libinstance.RecoverVolume(pool="default", project="default", type="custom", name="keep", snapshot_count=1),
                libinstance.RecoverVolume(pool="pyrecbt", project="default", type="custom", name="keep", snapshot_count=1),
            ]
            with pytest.raises(libinstance.NotFound):
                c.storage_pools.get("pyrecbt")

            imported = c.recover_import()
            assert len(imported.unknown_volumes) == 2
            bt = c.storage_pools.get("pyrecbt")
            assert bt.driver == "btrfs" and bt.description == "loop"
            for pool in (c.storage_pools.get("default"), bt):
                vol = pool.volumes.get("custom", "keep")
                assert vol.description == "on " + pool.name
                assert vol.config["user.k"] == pool.name
                assert [s.name for s in vol.snapshots()] == ["first"]
            again = c.recover_validate()
            assert again.unknown_pools == [] and again.unknown_volumes == []
            for pool in (c.storage_pools.get("default"), bt):
                vol = pool.volumes.get("custom", "keep")
                vol.snapshots.get("first").delete()
                vol.delete()
            bt.delete()
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def test_bad_pool_definitions_are_named(client: libinstance.Client) -> None:
    with pytest.raises(libinstance.InvalidConfig) as bad:
        client.recover_validate([{"name": "nodriver"}])
    assert bad.value.key == "pools[0].driver"
    with pytest.raises(libinstance.InvalidConfig) as bad:
        client.recover_import([{"name": "p", "driver": "dir", "config": ["x"]}])
    assert bad.value.key == "pools[0].config"
    with pytest.raises(TypeError):
        client.recover_validate({"name": "p"})  # type: ignore[arg-type]
