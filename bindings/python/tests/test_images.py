"""Images: the session's busybox build, lookups, aliases, import of a tarball, delete."""

from __future__ import annotations

import hashlib
import re
import shutil

import pytest

import libinstance

from conftest import make_state_dir


def test_built_image(client: libinstance.Client) -> None:
    image = client.images.get("busybox")
    assert re.fullmatch(r"[0-9a-f]{64}", image.fingerprint)
    assert "busybox" in image.alias_names
    assert isinstance(image.properties, dict)
    assert image.size > 0
    assert image.type == "container"
    assert image.architecture
    assert client.images.get(image.fingerprint) == image
    assert client.images.get(image.fingerprint[:12]) == image
    assert client.images.get_by_alias("busybox") == image
    assert client.images.exists("busybox")
    assert image in client.images.all()


def test_unknown_image(client: libinstance.Client) -> None:
    assert not client.images.exists("no-such-alias")
    with pytest.raises(libinstance.NotFound) as exc:
        client.images.get("no-such-alias")
    assert "no-such-alias" in str(exc.value)


def test_alias_roundtrip(client: libinstance.Client) -> None:
    image = client.images.get("busybox")
    client.images.create_alias("bb-extra", image, "another name")
    try:
        assert client.images.get("bb-extra") == image
        image.sync()
        assert "bb-extra" in image.alias_names
        with pytest.raises(libinstance.AlreadyExists) as exc:
            client.images.create_alias("bb-extra", image.fingerprint)
        assert "bb-extra" in str(exc.value)
    finally:
        client.images.delete_alias("bb-extra")
    assert not client.images.exists("bb-extra")
    assert client.images.exists(image.fingerprint)  # the image stays
    with pytest.raises(libinstance.NotFound) as exc:
        client.images.delete_alias("bb-extra")
    assert "bb-extra" in str(exc.value)


def test_alias_to_unknown_image(client: libinstance.Client) -> None:
    with pytest.raises(libinstance.NotFound) as exc:
        client.images.create_alias("dangling", "feedface")
    assert "feedface" in str(exc.value)
    assert not client.images.exists("dangling")


def test_import_export_delete(tmp_path) -> None:
    tarball = tmp_path / "busybox.tar.xz"
    source_dir = make_state_dir("export")
    target_dir = make_state_dir("import")
    try:
        with libinstance.Client(source_dir) as source:
            built = source.images.build("busybox", alias="bb", output_path=tarball)
        assert tarball.is_file()
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()

        with libinstance.Client(target_dir) as target:
            image = target.images.import_file(tarball, alias="imported")
            # LXD's fingerprint of a unified tarball is the sha256 of the file.
            assert image.fingerprint == digest
            assert image.fingerprint == built.fingerprint
            assert image.alias_names == ["imported"]
            with pytest.raises(libinstance.AlreadyExists) as exc:
                target.images.import_file(tarball)
            assert image.fingerprint[:12] in str(exc.value)

            image.delete()
            assert not target.images.exists(digest)
            assert not target.images.exists("imported")
            assert target.images.all() == []
            with pytest.raises(libinstance.NotFound) as exc:
                target.images.get(digest)
            assert digest[:12] in str(exc.value)
    finally:
        shutil.rmtree(source_dir, ignore_errors=True)
        shutil.rmtree(target_dir, ignore_errors=True)


def test_import_missing_file(client: libinstance.Client, tmp_path) -> None:
    missing = tmp_path / "nope.tar.xz"
    with pytest.raises(libinstance.Error) as exc:
        client.images.import_file(missing)
    assert str(missing) in str(exc.value)
    assert isinstance(exc.value, (libinstance.NotFound, libinstance.SystemCallError,
                                  libinstance.InvalidConfig))


def test_unknown_builder(client: libinstance.Client) -> None:
    with pytest.raises(libinstance.Error) as exc:
        client.images.build("no-such-builder")
    assert isinstance(exc.value, (libinstance.NotFound, libinstance.InvalidConfig,
                                  libinstance.NotSupported))
    assert "no-such-builder" in str(exc.value)
