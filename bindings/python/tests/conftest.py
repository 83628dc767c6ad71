"""Shared fixtures: one temporary state directory with the busybox image for the whole session,
a factory of uniquely named instances that are force-deleted after each test, and a large image
of random data for progress and cancellation."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
import time
import uuid
from typing import Callable, Iterator, List, Set, Tuple

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


def tree(path: str) -> Set[str]:
    """Every directory and symlink under @path (files are left out: the store's SQLite journal
    comes and goes on its own)."""
    found = set()
    for root, dirs, files in os.walk(path):
        for d in dirs:
            found.add(os.path.relpath(os.path.join(root, d), path))
        for f in files:
            full = os.path.join(root, f)
            if os.path.islink(full):
                found.add(os.path.relpath(full, path))
    return found


class _RandomReader(io.RawIOBase):
    """A file object of incompressible bytes, so tarfile writes them without a temporary copy."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return os.urandom(max(size, 0) if size >= 0 else 1 << 16)


def write_random_image(path: str, size: int, files: int = 6) -> None:
    """Writes an LXD unified image tarball whose rootfs holds ``size`` bytes of random data in
    ``files`` files: big enough that unpacking it takes a while (progress, cancel)."""
    metadata = (f"architecture: {os.uname().machine}\n"
                f"creation_date: {int(time.time())}\n"
                "properties:\n  os: random\n  description: random data\n").encode()
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("metadata.yaml")
        info.size = len(metadata)
        tar.addfile(info, io.BytesIO(metadata))
        for d in ("rootfs", "rootfs/data", "rootfs/tmp"):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for n in range(files):
            info = tarfile.TarInfo(f"rootfs/data/blob{n}")
            info.size = size // files
            info.mode = 0o644
            tar.addfile(info, _RandomReader())


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
def large_image(client: libinstance.Client) -> Iterator[Tuple[libinstance.Image, List[libinstance.Progress]]]:
    """A fresh ~300 MB image of random data (its own fingerprint, never unpacked yet: the first
    create from it unpacks it, with progress and a window to cancel), and the progress updates
    its import reported. Deleted afterwards."""
    work = tempfile.mkdtemp(prefix="li-py-large-", dir="/tmp")
    try:
        tarball = os.path.join(work, "random.tar")
        write_random_image(tarball, 300 * 1024 * 1024)
        updates: List[libinstance.Progress] = []
        image = client.images.import_file(tarball, alias=unique_name("random"), progress=updates.append)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    yield image, updates
    try:
        image.delete()
    except libinstance.Error:
        pass


def force_delete_instances(client: libinstance.Client, names: List[str]) -> None:
    """A fixture's clean-up: deletes these instances, running or not, and those already gone."""
    for name in names:
        try:
            client.instances.get(name).delete(force=True)
        except libinstance.NotFound:
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
    force_delete_instances(client, created)


@pytest.fixture
def extra_names(client: libinstance.Client) -> Iterator[List[str]]:
    """Names of instances a test makes (by copying, renaming, importing): force-deleted afterwards."""
    names: List[str] = []
    yield names
    force_delete_instances(client, names)
