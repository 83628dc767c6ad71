"""Remotes and images from a simplestreams server the tests serve themselves on 127.0.0.1 over
TLS (tests/support/simplestreams_server.py, with a self-signed certificate)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from datetime import datetime, timedelta, timezone
from typing import Iterator, List

import pytest

import libinstance

from conftest import make_state_dir, unique_name

SOURCE_ROOT = Path(os.environ.get("LIBINSTANCE_TEST_SOURCE_ROOT", Path(__file__).resolve().parents[3]))


def _server_module():
    spec = importlib.util.spec_from_file_location(
        "simplestreams_server", SOURCE_ROOT / "tests" / "support" / "simplestreams_server.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ss = _server_module()


class Served:
    def __init__(self, client: libinstance.Client, work: str) -> None:
        self.image = os.path.join(work, "busybox.tar.gz")
        client.images.build("busybox", output_path=self.image)
        self.root = os.path.join(work, "srv")
        os.makedirs(self.root)
        self.unified = ss.add_image(self.root, self.image, "bb-unified", "bbu,busybox-unified",
                                    "20260101_00:00", "unified")
        self.split = ss.add_image(self.root, self.image, "bb-split", "bbs", "20260101_00:00", "split")
        self.server = ss.Server(self.root, os.path.join(work, "tls")).__enter__()


@pytest.fixture
def served(client: libinstance.Client) -> Iterator[Served]:
    work = tempfile.mkdtemp(prefix="li-py-ss-", dir="/tmp")
    s = Served(client, work)
    yield s
    s.server.__exit__(None, None, None)
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def remote(client: libinstance.Client, served: Served) -> Iterator[libinstance.Remote]:
    r = client.remotes.add(f"srv-{uuid.uuid4().hex[:6]}", served.server.url,
                           certificate=served.server.certificate)
    yield r
    for fp in (served.unified, served.split):
        try:
            client.images.get(fp).delete()
        except libinstance.NotFound:
            pass
    for img in client.images.all():
        if img.properties.get("os") == "Busybox":
            img.delete()
    r.delete()


def no_downloads_left(client: libinstance.Client) -> bool:
    return not [p for p in os.listdir(os.path.join(client.state_dir, "images")) if p.startswith("download-")]


def test_remote_crud_and_validation(client: libinstance.Client) -> None:
    name = f"r-{uuid.uuid4().hex[:6]}"
    r = client.remotes.add(name, "https://images.example.org")
    assert r.url == "https://images.example.org" and r.protocol == "simplestreams" and r.public
    assert name in [x.name for x in client.remotes.all()]
    with pytest.raises(libinstance.AlreadyExists):
        client.remotes.add(name, "https://x.example.org")
    with pytest.raises(libinstance.InvalidArgument) as exc:
        client.remotes.add("bad/name", "https://x.example.org")
    assert exc.value.key == "name" and "bad/name" in str(exc.value)
    with pytest.raises(libinstance.InvalidArgument) as exc:
        client.remotes.add("ok", "http://plain.example.org")
    assert exc.value.key == "url" and "http://plain.example.org" in str(exc.value)
    assert not client.remotes.exists("ok")
    r.rename(name + "x")
    assert client.remotes.get(name + "x").url == "https://images.example.org"
    with pytest.raises(libinstance.NotFound):
        client.remotes.get(name)
    client.remotes.delete(name + "x")
    assert not client.remotes.exists(name + "x")


def test_list_remote_images(served: Served, remote: libinstance.Remote) -> None:
    images = {i.fingerprint: i for i in remote.images()}
    assert set(images) == {served.unified, served.split}
    assert "bbu" in images[served.unified].alias_names
    assert "bbs" in images[served.split].alias_names
    assert images[served.split].size > 0
    assert images[served.split].architecture == os.uname().machine


@pytest.mark.parametrize("alias,layout", [("bbu", "unified"), ("bbs", "split")])
def test_pull_by_alias(client: libinstance.Client, served: Served, remote: libinstance.Remote,
                       alias: str, layout: str) -> None:
    updates: List[libinstance.Progress] = []
    local_alias = unique_name("pulled")
    image = client.images.create_from_simplestreams(remote.name, alias, aliases=[local_alias],
                                                    progress=updates.append)
    assert image.fingerprint == (served.unified if layout == "unified" else served.split)
    assert local_alias in image.alias_names
    assert not image.cached
    assert any(re.fullmatch(r"rootfs: \d+% \([0-9.]+[kMG]?B/s\)", str(u)) for u in updates), updates
    assert no_downloads_left(client)


def test_launch_from_remote_and_exec(client: libinstance.Client, served: Served, remote: libinstance.Remote,
                                     make_instance) -> None:
    inst = make_instance("remote", source={"type": "image", "server": remote.name, "alias": "bbs"})
    assert inst.execute(["echo", "from the server"]).stdout == "from the server\n"
    image = client.images.get(served.split)
    assert image.cached
    assert image.alias_names == []


def test_sha256_mismatch(client: libinstance.Client, served: Served, remote: libinstance.Remote) -> None:
    before = client.images.all()
    ss.corrupt(served.root, "bb-unified")
    with pytest.raises(libinstance.InvalidArgument) as exc:
        client.images.create_from_simplestreams(remote.name, "bbu")
    assert exc.value.key == "sha256"
    assert "sha256 mismatch" in str(exc.value) and "lxd_combined.tar.gz" in str(exc.value)
    assert client.images.all() == before
    assert no_downloads_left(client)


def test_untrusted_certificate(client: libinstance.Client, served: Served) -> None:
    name = f"untrusted-{uuid.uuid4().hex[:6]}"
    r = client.remotes.add(name, served.server.url)
    try:
        with pytest.raises(libinstance.PermissionDenied) as exc:
            r.images()
        assert served.server.url in str(exc.value)
        with pytest.raises(libinstance.PermissionDenied):
            client.images.create_from_simplestreams(served.server.url, "bbu")
    finally:
        r.delete()


def test_cancelled_pull_leaves_nothing(client: libinstance.Client, served: Served,
                                       remote: libinstance.Remote) -> None:
    before = client.images.all()
    Path(served.root, ".throttle").write_text(str(100 * 1000))
    op = client.images.create_from_simplestreams(remote.name, "bbu", wait=False)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        op.refresh()
        p = str(op.metadata.get("download_progress", ""))
        if p.startswith("rootfs: ") and not p.startswith("rootfs: 0%"):
            break
        time.sleep(0.1)
    op.cancel()
    with pytest.raises(libinstance.Cancelled):
        op.wait()
    assert client.images.all() == before
    assert no_downloads_left(client)


def test_refresh_to_a_newer_version(client: libinstance.Client, served: Served,
                                    remote: libinstance.Remote) -> None:
    alias = unique_name("follow")
    old = client.images.create_from_simplestreams(remote.name, "bbu", aliases=[alias], auto_update=True)
    assert old.auto_update
    assert old.refresh().fingerprint == old.fingerprint
    newer = ss.add_image(served.root, served.image, "bb-unified", "bbu", "20260102_00:00", "unified")
    now = old.refresh()
    assert now.fingerprint == newer
    assert alias in now.alias_names
    assert now.properties["serial"] == "20260102_00:00"
    assert not client.images.exists(old.fingerprint)
    with pytest.raises(libinstance.InvalidArgument) as exc:
        client.images.refresh("busybox")
    assert exc.value.key == "image"


def test_image_auto_update_past_the_interval(served: Served) -> None:
    # A state directory of its own: the pass's clock (and its images) belong to the directory.
    path = make_state_dir("autoupd")
    try:
        with libinstance.Client(path) as c:
            c.remotes.add("srv", served.server.url, certificate=served.server.certificate)
            old = c.images.create_from_simplestreams("srv", "bbu", aliases=["auto"], auto_update=True)
            assert old.fingerprint == served.unified
            t0 = datetime.now(timezone.utc)
            first = c.run_image_auto_update(t0)  # the first look only starts the clock
            assert isinstance(first, libinstance.ImageAutoUpdateRun)
            assert first.ran is False and first.refreshed == [] and first.failed == []
            newer = ss.add_image(served.root, served.image, "bb-unified", "bbu", "20260102_00:00", "unified")

            # Past images.auto_update_interval (6 hours by default).
            run = c.run_image_auto_update(t0 + timedelta(hours=7))
            assert run.ran is True
            assert run.failed == []
            assert run.refreshed == [libinstance.ImageAutoUpdateRefresh(
                project="default", old_fingerprint=served.unified, new_fingerprint=newer, aliases=["auto"])]
            assert c.images.get("auto").fingerprint == newer
            assert not c.images.exists(served.unified)
            # Within the interval of that pass, and now: nothing is due.
            assert c.run_image_auto_update(t0 + timedelta(hours=8)).ran is False
            assert c.run_image_auto_update().ran is False

            with pytest.raises(TypeError):
                c.run_image_auto_update("soon")  # type: ignore[arg-type]
            with pytest.raises(libinstance.InvalidArgument) as bad_time:
                c.run_image_auto_update(datetime(1960, 1, 1, tzinfo=timezone.utc))
            assert bad_time.value.key == "now_unix"
    finally:
        shutil.rmtree(path, ignore_errors=True)
