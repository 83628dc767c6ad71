"""Profiles, networks, storage pools and volumes (with snapshots) and project writes through a
client connected to a real instanced over HTTPS: each change is checked on the daemon's unix
socket and is absent from the client's own state directory; the server's refusals keep their
error class."""

from __future__ import annotations

import subprocess
from typing import Tuple

import pytest

import libinstance
from libinstance import Client

from test_remote_connect import Daemon, client_dir, encode, served  # noqa: F401 (fixtures)


def test_remote_objects(served: Tuple[Daemon, str], client_dir: str) -> None:  # noqa: F811
    daemon, url = served
    with Client(client_dir) as local:
        remote = local.remotes.add("srv", url, token=encode(daemon.token_doc("py-objects")))
        with remote.connect() as connected:
            # Profiles: create, change with the ETag, rename, delete.
            connected.profiles.create("py-web", config={"user.tier": "front"}, description="remote")
            status, doc = daemon.request("GET", "/1.0/profiles/py-web")
            assert status == 200 and doc["metadata"]["config"] == {"user.tier": "front"}
            assert not local.profiles.exists("py-web")
            profile = connected.profiles.get("py-web")
            profile.config["limits.cpu"] = "1"
            profile.save()
            assert daemon.request("GET", "/1.0/profiles/py-web")[1]["metadata"]["config"]["limits.cpu"] == "1"
            with pytest.raises(libinstance.InvalidArgument):
                connected.profiles.create("py-bad", config={"limits.memory": "lots"})
            with pytest.raises(libinstance.AlreadyExists):
                connected.profiles.create("py-web")
            connected.profiles.get("py-web").rename("py-site")
            assert daemon.request("GET", "/1.0/profiles/py-web")[0] == 404
            connected.profiles.get("py-site").delete()
            assert not connected.profiles.exists("py-site")

            # Projects: create, update, state, delete.
            project = connected.projects.create("py-far", config={"limits.instances": "2"})
            assert project.config["features.profiles"] == "true"  # the server's defaults, read back
            assert daemon.request("GET", "/1.0/projects/py-far")[0] == 200
            assert project.state().resources["instances"].limit == 2
            project.config["limits.instances"] = "3"
            project.save()
            assert daemon.request("GET", "/1.0/projects/py-far")[1]["metadata"]["config"]["limits.instances"] == "3"
            connected.projects.get("py-far").delete()
            assert daemon.request("GET", "/1.0/projects/py-far")[0] == 404

            # Storage: the pool's resources, a custom volume with snapshots.
            pool = connected.storage_pools.all()[0]
            assert pool.get_resources().space["total"] > 0
            volume = pool.volumes.create({"name": "py-vol", "config": {"user.a": "1"}})
            assert daemon.request("GET", f"/1.0/storage-pools/{pool.name}/volumes/custom/py-vol")[0] == 200
            snap = volume.snapshot("first")
            assert snap.name == "first"
            assert [s.name for s in volume.snapshots.all()] == ["first"]
            volume.config["user.a"] = "2"
            volume.save(wait=True)
            assert daemon.request("GET", f"/1.0/storage-pools/{pool.name}/volumes/custom/py-vol")[1][
                "metadata"]["config"]["user.a"] == "2"
            volume.restore("first", wait=True)  # the snapshot stays
            assert [s.name for s in volume.snapshots.all()] == ["first"]
            with pytest.raises(libinstance.NotFound):
                volume.restore("nothere", wait=True)
            volume.snapshots.get("first").delete()
            volume.delete()
            assert daemon.request("GET", f"/1.0/storage-pools/{pool.name}/volumes/custom/py-vol")[0] == 404
            with pytest.raises(libinstance.NotFound):
                pool.volumes.get("custom", "py-vol")
            # wait=False: the operation names the volume, as the embedded one does.
            op = pool.volumes.create({"name": "py-vol2"}, wait=False)
            assert op.wait(60).metadata["name"] == "py-vol2"
            pool.volumes.get("custom", "py-vol2").delete()

            # Networks: a bridge on the server's host, its state, then gone.
            subprocess.run(["ip", "link", "del", "pybr-rmt"], capture_output=True)
            net = connected.networks.create("pybr-rmt", config={"ipv4.address": "10.125.0.1/24", "ipv6.address": "none"})
            try:
                assert net.managed and net.config["ipv4.address"] == "10.125.0.1/24"
                assert any(a.address == "10.125.0.1" for a in net.state().addresses)
                assert net.leases() == []
            finally:
                connected.networks.get("pybr-rmt").delete()
            assert daemon.request("GET", "/1.0/networks/pybr-rmt")[0] == 404
