"""The LXD image format from Python: split imports, fingerprints, properties, export, aliases,
updates, expiry settings and hostile archives."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from typing import Iterator

import pytest

import libinstance
from conftest import make_state_dir


def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def add_dir(tar: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tar.addfile(info)


METADATA = (f"architecture: {os.uname().machine}\ncreation_date: 1700000000\n"
            "properties:\n  os: pytest\n  release: one\n").encode()


def write_split(dir: str, mode: str = "w:xz") -> tuple:
    meta = os.path.join(dir, "meta.tar.xz")
    with tarfile.open(meta, mode) as tar:
        add_file(tar, "metadata.yaml", METADATA)
    rootfs = os.path.join(dir, "rootfs.tar.gz")
    with tarfile.open(rootfs, "w:gz") as tar:
        add_dir(tar, "etc")
        add_file(tar, "etc/os-release", b"ID=py\n")
    return meta, rootfs


def sha256_of(*paths: str) -> str:
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


@pytest.fixture
def fresh() -> Iterator[tuple]:
    path = make_state_dir("imgfmt")
    with libinstance.Client(path) as c:
        yield c, path
    shutil.rmtree(path, ignore_errors=True)


def test_split_import_export_and_properties(fresh: tuple, tmp_path) -> None:
    client, _ = fresh
    meta, rootfs = write_split(str(tmp_path))
    fp = sha256_of(meta, rootfs)
    image = client.images.import_file(meta, alias="split", rootfs_path=rootfs, expected_fingerprint=fp,
                                      properties={"release": "two"}, public=True, auto_update=True)
    assert image.fingerprint == fp
    assert image.properties == {"os": "pytest", "release": "two"}
    assert image.public and image.auto_update and not image.cached

    out = tmp_path / "out"
    out.mkdir()
    paths = image.export(out)
    assert paths["metadata_path"] == str(out / f"meta-{fp}.tar.xz")
    assert paths["rootfs_path"] == str(out / f"{fp}.tar.gz")
    assert sha256_of(paths["metadata_path"], paths["rootfs_path"]) == fp
    assert image.export().read() == open(meta, "rb").read()

    image.properties["added"] = "yes"
    image.public = False
    image.expires_at = "2031-01-01T00:00:00Z"
    image.save()
    again = client.images.get("split")
    assert again.properties == {"os": "pytest", "release": "two", "added": "yes"}
    assert not again.public
    assert again.expires_at == "2031-01-01T00:00:00Z"


def test_pylxd_create_from_bytes_and_aliases(fresh: tuple, tmp_path) -> None:
    client, _ = fresh
    meta, rootfs = write_split(str(tmp_path), "w:gz")
    data = open(rootfs, "rb").read()
    metadata = open(meta, "rb").read()
    image = client.images.create(data, metadata=metadata, fingerprint=sha256_of(meta, rootfs))
    assert image.fingerprint == sha256_of(meta, rootfs)
    image.add_alias("one", "first alias")
    client.images.rename_alias("one", "two")
    assert [a["name"] for a in client.images.aliases] == ["two"]
    assert client.images.get_alias("two") == {"name": "two", "description": "first alias",
                                             "target": image.fingerprint, "type": "container"}
    with pytest.raises(libinstance.NotFound) as e:
        client.images.rename_alias("one", "three")
    assert '"one"' in str(e.value)
    with pytest.raises(libinstance.InvalidArgument) as e2:
        client.images.create(data, metadata=metadata, fingerprint="0" * 64)
    assert e2.value.key == "expected_fingerprint"


def test_hostile_archive_and_settings(fresh: tuple, tmp_path) -> None:
    client, path = fresh
    evil = str(tmp_path / "evil.tar.gz")
    with tarfile.open(evil, "w:gz") as tar:
        add_file(tar, "metadata.yaml", METADATA)
        add_dir(tar, "rootfs")
        link = tarfile.TarInfo("rootfs/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc"
        tar.addfile(link)
        add_file(tar, "rootfs/link/pwned-by-py", b"x")
    with pytest.raises(libinstance.InvalidArgument) as e:
        client.images.import_file(evil)
    assert e.value.key == "rootfs/link/pwned-by-py"
    assert 'through the symlink "rootfs/link"' in str(e.value)
    assert not os.path.exists("/etc/pwned-by-py")
    assert client.images.all() == []
    assert os.listdir(os.path.join(path, "images")) == []

    assert client.get_config("images.remote_cache_expiry") == "10"
    client.set_config("images.remote_cache_expiry", "2")
    assert client.config == {"images.remote_cache_expiry": "2"}
    with pytest.raises(libinstance.InvalidArgument) as e3:
        client.set_config("images.unpack_max_size", "lots")
    assert e3.value.key == "images.unpack_max_size"
    assert client.images.prune_expired() == []
