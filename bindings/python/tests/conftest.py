"""Shared fixtures: one temporary state directory with the busybox image for the whole session,
and a factory of uniquely named instances that are force-deleted after each test."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from typing import Callable, Iterator, List

import pytest

import libinstance


def make_state_dir(tag: str) -> str:
    # Under /tmp and mode 0711: the container's mapped root (an unprivileged id) must be able to
    # traverse into the rootfs, which 0700 dirs such as pytest's tmp_path would forbid.
    path = tempfile.mkdtemp(prefix=f"li-py-{tag}-", dir="/tmp")
    os.chmod(path, 0o711)
    return path


def unique_name(stem: str) -> str:
    # Host-wide unique: liblxc names cgroups after the container, and other suites may run
    # containers with simple names at the same time.
    return f"py{uuid.uuid4().hex[:6]}-{stem}"


@pytest.fixture(scope="session")
def state_dir() -> Iterator[str]:
    path = make_state_dir("session")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def client(state_dir: str) -> Iterator[libinstance.Client]:
    with libinstance.Client(state_dir) as c:
        c.images.build("busybox", alias="busybox")
        yield c
        # Anything a failed test left behind.
        for inst in c.instances.all():
            try:
                inst.delete(force=True)
            except libinstance.Error:
                pass


@pytest.fixture
def make_instance(client: libinstance.Client) -> Iterator[Callable[..., libinstance.Instance]]:
    created: List[str] = []

    def make(stem: str = "c", start: bool = True, **post: object) -> libinstance.Instance:
        name = unique_name(stem)
        config = {"name": name, "source": {"type": "image", "alias": "busybox"}}
        config.update(post)
        inst = client.instances.create(config, wait=True)
        created.append(name)
        if start:
            inst.start(wait=True)
        return inst

    yield make
    for name in created:
        try:
            client.instances.get(name).delete(force=True)
        except libinstance.NotFound:
            pass
