"""Projects through Python (pylxd's shape): create/all/get/exists, save with the ETag, rename and
delete (refused while not empty; never for default); what a project isolates (instances always,
images per features.images); a limit and a restriction; unknown projects.

A state directory has one client at a time (its lock), so each test works on its own module
directory through successive clients, one per project it acts in."""

from __future__ import annotations

import shutil
import uuid
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional

import pytest

import libinstance
from conftest import make_state_dir, unique_name

# A project with its own profiles starts with an empty default profile: instances need a root
# disk of their own.
ROOT = {"root": {"type": "disk", "path": "/", "pool": "default"}}


def pname(stem: str) -> str:
    return f"p{uuid.uuid4().hex[:6]}-{stem}"


@pytest.fixture(scope="module")
def state() -> Iterator[str]:
    """A state directory with the busybox image (alias ``busybox``) in the default project."""
    path = make_state_dir("projects")
    with libinstance.Client(path) as client:
        client.images.build("busybox", alias="busybox")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def open_in(state: str, project: Optional[str] = None) -> Iterator[libinstance.Client]:
    with libinstance.Client(state, project=project) as client:
        yield client


def stopped(client: libinstance.Client, name: str, **post: Any) -> libinstance.Instance:
    doc: Dict[str, Any] = {"name": name, "source": {"type": "image", "alias": "busybox"}, "devices": dict(ROOT)}
    doc.update(post)
    return client.instances.create(doc, wait=True)


def test_project_crud_and_etag(state: str) -> None:
    name = pname("crud")
    with open_in(state) as client:
        proj = client.projects.create(name, description="d", config={"user.owner": "me"})
        assert isinstance(proj, libinstance.Project)
        assert proj.name == name and proj.description == "d"
        assert proj.config == {"user.owner": "me", "features.images": "true", "features.profiles": "true",
                               "features.storage.volumes": "true", "features.networks": "false"}
        # Its own default profile (features.profiles) is all it holds.
        assert proj.used_by == [f"/1.0/profiles/default?project={name}"]
        assert client.projects.exists(name) and not client.projects.exists(name + "x")
        names = [p.name for p in client.projects.all()]
        assert "default" in names and name in names and names == sorted(names)
        with pytest.raises(libinstance.AlreadyExists) as dup:
            client.projects.create(name)
        assert dup.value.key == "name"
        with pytest.raises(libinstance.InvalidArgument, match="many") as bad:
            client.projects.create({"name": pname("bad"), "config": {"limits.instances": "many"}})
        assert bad.value.key == "config.limits.instances"
        assert not any(p.name.endswith("-bad") for p in client.projects.all())

        proj.config["limits.instances"] = "3"
        proj.save()
        assert client.projects.get(name).config["limits.instances"] == "3"
        stale = client.projects.get(name)
        proj.description = "newer"
        proj.save()
        stale.description = "stale"
        with pytest.raises(libinstance.Conflict) as conflict:
            stale.save()
        assert conflict.value.key == "etag"
        assert client.projects.get(name).description == "newer"
        stale.sync()
        stale.description = "fresh"
        stale.save()
        assert client.projects.get(name).description == "fresh"

        renamed = client.projects.get(name).rename(name + "r")
        assert renamed.name == name + "r" and renamed.description == "fresh"
        assert not client.projects.exists(name)
        renamed.delete()
        with pytest.raises(libinstance.NotFound) as gone:
            client.projects.get(name + "r")
        assert gone.value.key == "name"


def test_default_project_is_protected(state: str) -> None:
    with open_in(state) as client:
        default = client.projects.get("default")
        with pytest.raises(libinstance.InvalidArgument) as refused:
            default.delete()
        assert refused.value.key == "name"
        with pytest.raises(libinstance.InvalidArgument) as refused:
            default.rename(pname("other"))
        assert refused.value.key == "name"
        default.config["features.images"] = "false"
        with pytest.raises(libinstance.InvalidArgument) as refused:
            default.save()
        assert refused.value.key == "config.features.images"
        assert client.projects.exists("default")
        assert client.projects.get("default").config.get("features.images") != "false"


def test_rename_and_delete_refused_while_not_empty(state: str) -> None:
    name = pname("full")
    with open_in(state) as client:
        client.projects.create(name, config={"features.images": "false"})
    with open_in(state, project=name) as client:
        inst = stopped(client, unique_name("c"))
        proj = client.projects.get(name)
        assert f"/1.0/instances/{inst.name}?project={name}" in proj.used_by
        with pytest.raises(libinstance.Conflict, match=inst.name) as refused:
            proj.delete()
        assert refused.value.key == "name"
        with pytest.raises(libinstance.Conflict, match=inst.name) as refused:
            proj.rename(name + "r")
        assert refused.value.key == "name"
        assert client.projects.exists(name) and not client.projects.exists(name + "r")
        inst.delete()
        proj.rename(name + "r").delete()
        assert not client.projects.exists(name + "r")


def test_instances_are_isolated_by_project(state: str) -> None:
    a, b = pname("a"), pname("b")
    shared_name = unique_name("same")
    with open_in(state) as client:
        for p in (a, b):
            client.projects.create(p, config={"features.images": "false"})
    with open_in(state, project=a) as client:
        in_a = stopped(client, shared_name, config={"user.where": "a"})
        assert in_a.project == a
    with open_in(state, project=b) as client:
        assert client.instances.all() == [] and not client.instances.exists(shared_name)
        in_b = stopped(client, shared_name, config={"user.where": "b"})
        listed = client.instances.all()
        assert [i.name for i in listed] == [shared_name] and listed[0].project == b
        assert client.instances.get(shared_name).config["user.where"] == "b"
    with open_in(state) as client:
        assert not client.instances.exists(shared_name)
    with open_in(state, project=a) as client:
        assert client.instances.get(shared_name).config["user.where"] == "a"
        client.instances.get(shared_name).delete()
        client.projects.get(a).delete()
    with open_in(state, project=b) as client:
        client.instances.get(shared_name).delete()
        client.projects.get(b).delete()


def test_images_shared_only_without_features_images(state: str) -> None:
    shared, own = pname("shared"), pname("own")
    with open_in(state) as client:
        busybox = client.images.get_by_alias("busybox")
        client.projects.create(shared, config={"features.images": "false"})
        client.projects.create(own, config={"features.images": "true"})
    with open_in(state, project=shared) as client:
        assert [i.fingerprint for i in client.images.all()] == [busybox.fingerprint]
        assert client.images.get_by_alias("busybox").fingerprint == busybox.fingerprint
        stopped(client, unique_name("img")).delete()
    with open_in(state, project=own) as client:
        assert client.images.all() == []
        with pytest.raises(libinstance.NotFound):
            client.images.get_by_alias("busybox")
        with pytest.raises(libinstance.NotFound):
            stopped(client, unique_name("img"))
        assert client.instances.all() == []
    with open_in(state) as client:
        client.projects.get(shared).delete()
        client.projects.get(own).delete()


def test_limits_instances(state: str) -> None:
    name = pname("lim")
    with open_in(state) as client:
        client.projects.create(name, config={"features.images": "false", "limits.instances": "1"})
    with open_in(state, project=name) as client:
        proj = client.projects.get(name)
        before = proj.state().resources["instances"]
        assert (before.limit, before.usage) == (1, 0)
        first = stopped(client, unique_name("one"))  # exactly at the limit: allowed
        used = proj.state()
        assert isinstance(used, libinstance.ProjectState)
        assert used.resources["instances"] == libinstance.ProjectResource(limit=1, usage=1)
        assert used.resources["containers"].usage == 1 and used.resources["containers"].limit == -1
        second = unique_name("two")
        with pytest.raises(libinstance.InvalidConfig, match="1") as refused:
            stopped(client, second)
        assert refused.value.key == "limits.instances"
        assert not client.instances.exists(second)
        assert proj.state().resources["instances"].usage == 1

        proj.config["limits.instances"] = "0"
        with pytest.raises(libinstance.InvalidConfig) as below:
            proj.save()
        assert below.value.key == "config.limits.instances"
        proj.sync()
        proj.config["limits.instances"] = "2"
        proj.save()
        stopped(client, second).delete()
        first.delete()
        assert proj.state().resources["instances"].usage == 0
        proj.delete()


def test_restricted_project_refuses_privileged_containers(state: str) -> None:
    name, borrowing = pname("strict"), pname("borrow")
    privileged = unique_name("priv")
    with open_in(state) as client:
        client.projects.create(name, config={"features.images": "false", "restricted": "true"})
        # Uses the default project's profiles, one of them privileged.
        client.projects.create(borrowing, config={"features.images": "false", "features.profiles": "false",
                                                  "restricted": "true"})
        client.profiles.create(privileged, config={"security.privileged": "true"})
    try:
        with open_in(state, project=name) as client:
            refused_name = unique_name("c")
            with pytest.raises(libinstance.PermissionDenied) as refused:
                stopped(client, refused_name, config={"security.privileged": "true"})
            assert refused.value.key == "config.security.privileged"
            assert not client.instances.exists(refused_name)

            inst = stopped(client, unique_name("c"))
            inst.config["security.privileged"] = "true"
            with pytest.raises(libinstance.PermissionDenied) as refused:
                inst.save()
            assert refused.value.key == "config.security.privileged"
            inst.sync()
            assert "security.privileged" not in inst.config

            with pytest.raises(libinstance.PermissionDenied) as refused:
                client.profiles.create(unique_name("prof"), config={"security.privileged": "true"})
            assert refused.value.key == "config.security.privileged"
            inst.delete()
            client.projects.get(name).delete()

        with open_in(state, project=borrowing) as client:
            refused_name = unique_name("c")
            with pytest.raises(libinstance.PermissionDenied) as refused:
                client.instances.create({"name": refused_name, "source": {"type": "image", "alias": "busybox"},
                                         "profiles": ["default", privileged]}, wait=True)
            assert refused.value.key == "config.security.privileged"
            assert not client.instances.exists(refused_name)
            client.projects.get(borrowing).delete()
    finally:
        with open_in(state) as client:
            client.profiles.get(privileged).delete()


def test_unknown_project(state: str) -> None:
    missing = pname("missing")
    with open_in(state) as client:
        with pytest.raises(libinstance.NotFound) as nf:
            client.projects.get(missing)
        assert nf.value.key == "name"
        assert not client.projects.exists(missing)
    with open_in(state, project=missing) as client:
        for call in (client.instances.all, client.images.all, client.profiles.all, client.networks.all,
                     lambda: stopped(client, unique_name("c"))):
            with pytest.raises(libinstance.NotFound) as nf:
                call()
            assert nf.value.key == "project", call
