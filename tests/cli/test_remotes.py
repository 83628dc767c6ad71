"""inst remote add/list/remove/rename, image list REMOTE:, image copy, image refresh and
launch REMOTE:ALIAS against a simplestreams server the test serves itself on 127.0.0.1 over TLS
(tests/support/simplestreams_server.py with a self-signed certificate)."""

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from conftest import assert_error, run_on_pty

SUPPORT = Path(__file__).resolve().parents[1] / "support" / "simplestreams_server.py"
_spec = importlib.util.spec_from_file_location("simplestreams_server", SUPPORT)
ss = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ss)


class Served:
    def __init__(self, fresh, work):
        self.image = os.path.join(work, "busybox.tar.gz")
        fresh.ok("image", "build", "busybox", "--output", self.image)
        fresh.ok("image", "delete", ss.sha256_file(self.image))
        self.root = os.path.join(work, "srv")
        os.makedirs(self.root)
        self.unified = ss.add_image(self.root, self.image, "bb-unified", "bbu,busybox-unified",
                                    "20260101_00:00", "unified")
        self.split = ss.add_image(self.root, self.image, "bb-split", "bbs", "20260101_00:00", "split")
        self.server = ss.Server(self.root, os.path.join(work, "tls")).__enter__()
        self.cert_file = self.server.certificate_path


@pytest.fixture
def served(fresh):
    work = tempfile.mkdtemp(prefix="inst-cli-ss-", dir="/tmp")
    s = Served(fresh, work)
    fresh.ok("remote", "add", "srv", s.server.url, "--protocol", "simplestreams", "--certificate-file", s.cert_file)
    yield s
    s.server.__exit__(None, None, None)
    shutil.rmtree(work, ignore_errors=True)


def images(tool):
    return json.loads(tool.ok("image", "list", "--format", "json").stdout)


def test_remote_add_list_rename_remove(fresh):
    fresh.ok("remote", "add", "mirror", "https://images.example.org", "--protocol", "simplestreams")
    out = fresh.ok("remote", "list").stdout
    assert "NAME" in out and "mirror" in out and "https://images.example.org" in out
    rows = list(csv.reader(io.StringIO(fresh.ok("remote", "list", "--format", "csv").stdout)))
    assert ["local (current)", "unix://", "lxd", "file access", "NO", "YES", "NO"] in rows
    assert ["mirror", "https://images.example.org", "simplestreams", "none", "YES", "NO", "NO"] in rows
    doc = json.loads(fresh.ok("remote", "list", "--format", "json").stdout)
    assert doc == [{"name": "mirror", "url": "https://images.example.org", "protocol": "simplestreams",
                    "public": True, "certificate": ""}]
    assert yaml.safe_load(fresh.ok("remote", "list", "-f", "yaml").stdout)[0]["name"] == "mirror"

    assert_error(fresh.run("remote", "add", "mirror", "https://x.example.org", "--protocol", "simplestreams"), "mirror", "already exists")
    assert_error(fresh.run("remote", "add", "bad/name", "https://x.example.org", "--protocol", "simplestreams"), "bad/name")
    assert_error(fresh.run("remote", "add", "plain", "http://x.example.org", "--protocol", "simplestreams"), "http://x.example.org")
    assert_error(fresh.run("remote", "add", "x", "https://x", "--protocol", "bogus"), '"bogus"')
    assert_error(fresh.run("remote", "add", "x", "https://x", "--protocol", "simplestreams", "--certificate-file", "/nonexistent.pem"),
                 "/nonexistent.pem")
    assert_error(fresh.run("remote", "remove", "local"), "local")
    fresh.ok("remote", "rename", "mirror", "other")
    assert "other" in fresh.ok("remote", "list").stdout
    fresh.ok("remote", "remove", "other")
    assert_error(fresh.run("remote", "remove", "other"), "other")
    assert json.loads(fresh.ok("remote", "list", "--format", "json").stdout) == []


def test_image_list_of_a_remote(fresh, served):
    listed = json.loads(fresh.ok("image", "list", "srv:", "--format", "json").stdout)
    assert {i["fingerprint"] for i in listed} == {served.unified, served.split}
    rows = list(csv.reader(io.StringIO(fresh.ok("image", "list", "srv:", "-c", "lF", "-f", "csv").stdout)))
    assert sorted(r[1] for r in rows) == sorted([served.unified, served.split])
    rows = list(csv.reader(io.StringIO(fresh.ok("image", "list", "srv:bbs", "-c", "F", "-f", "csv").stdout)))
    assert rows == [[served.split]]
    info = fresh.ok("image", "info", "srv:bbs").stdout
    assert f"Fingerprint: {served.split}" in info and "    - bbs" in info
    assert "serial: " in fresh.ok("image", "show", "srv:bbu").stdout
    assert_error(fresh.run("image", "info", "srv:nosuch"), '"nosuch"')
    assert images(fresh) == []  # looking at a remote stores nothing
    assert_error(fresh.run("image", "list", "nosuch:"), 'The remote "nosuch" doesn\'t exist')


@pytest.mark.parametrize("alias,layout", [("bbu", "unified"), ("bbs", "split")])
def test_image_copy(fresh, served, alias, layout):
    r = fresh.ok("image", "copy", f"srv:{alias}", "local:", "--alias", "mine", "--alias", "mine2")
    assert "Image copied successfully!" in r.stdout
    (img,) = images(fresh)
    assert img["fingerprint"] == (served.unified if layout == "unified" else served.split)
    assert sorted(a["name"] for a in img["aliases"]) == ["mine", "mine2"]
    assert img["cached"] is False
    assert not [p for p in os.listdir(os.path.join(fresh.state_dir, "images")) if p.startswith("download-")]


def test_image_copy_copy_aliases_and_errors(fresh, served):
    fresh.ok("image", "copy", "srv:" + served.unified[:12], "local:", "--copy-aliases")
    (img,) = images(fresh)
    assert {"bbu", "busybox-unified"} <= {a["name"] for a in img["aliases"]}
    assert_error(fresh.run("image", "copy", "srv:nosuch", "local:"), '"nosuch"', "not found")
    assert_error(fresh.run("image", "copy", "busybox", "local:"), "remote image")
    assert_error(fresh.run("image", "copy", "srv:bbs", "srv:"), "local:")


def test_sha256_mismatch_is_refused(fresh, served):
    ss.corrupt(served.root, "bb-unified")
    assert_error(fresh.run("image", "copy", "srv:bbu", "local:"), "sha256 mismatch", "lxd_combined.tar.gz")
    assert images(fresh) == []


def test_untrusted_certificate_is_refused_and_accept_certificate_pins_it(fresh, served):
    fresh.ok("remote", "add", "plain", served.server.url, "--protocol", "simplestreams")
    assert_error(fresh.run("image", "list", "plain:"), "not trusted", served.server.url)
    assert_error(fresh.run("image", "copy", "plain:bbu", "local:"), "not trusted")
    assert images(fresh) == []
    fresh.ok("remote", "add", "pinned", served.server.url, "--protocol", "simplestreams", "--accept-certificate")
    assert "pinned certificate" in fresh.ok("remote", "list").stdout
    assert len(json.loads(fresh.ok("image", "list", "pinned:", "--format", "json").stdout)) == 2


def test_copy_shows_download_progress_on_a_tty(fresh, served):
    Path(served.root, ".throttle").write_text(str(400 * 1000))
    r = run_on_pty(fresh, "image", "copy", "srv:bbu", "local:")
    assert r.returncode == 0, r.stderr
    assert re.search(r"Copying the image: rootfs: \d+% \([0-9.]+[kMG]?B/s\)", r.stdout), r.stdout
    assert "Image copied successfully!" in r.stdout


def test_refresh(fresh, served):
    fresh.ok("image", "copy", "srv:bbu", "local:", "--alias", "follow", "--auto-update")
    assert "Image already up to date." in fresh.ok("image", "refresh", "follow").stdout
    newer = ss.add_image(served.root, served.image, "bb-unified", "bbu", "20260102_00:00", "unified")
    assert "Image refreshed successfully!" in fresh.ok("image", "refresh", "follow").stdout
    (img,) = images(fresh)
    assert img["fingerprint"] == newer
    assert [a["name"] for a in img["aliases"]] == ["follow"]
    assert img["auto_update"] is True


def test_launch_remote_alias_and_exec(fresh, served):
    fresh.ok("launch", "srv:bbs", "rc1")
    assert fresh.ok("exec", "rc1", "--", "echo", "hello").stdout == "hello\n"
    (img,) = images(fresh)
    assert img["fingerprint"] == served.split and img["cached"] is True
    fresh.ok("delete", "--force", "rc1")


def test_admin_image_auto_update(fresh, served):
    fresh.ok("image", "copy", "srv:bbu", "local:", "--alias", "auto", "--auto-update")
    t0 = datetime.now(timezone.utc).replace(microsecond=0)
    at = lambda hours: (t0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    # The state directory's first look only starts the clock.
    first = json.loads(fresh.ok("admin", "image-auto-update", "--at", at(0), "--format", "json").stdout)
    assert first == {"ran": False, "refreshed": [], "failed": []}
    newer = ss.add_image(served.root, served.image, "bb-unified", "bbu", "20260102_00:00", "unified")

    # Past images.auto_update_interval (6 hours by default): refreshed, and listed.
    r = fresh.ok("admin", "image-auto-update", "--at", at(7))
    assert "NEW FINGERPRINT" in r.stdout
    assert served.unified[:12] in r.stdout and newer[:12] in r.stdout and "auto" in r.stdout
    (img,) = images(fresh)
    assert img["fingerprint"] == newer
    assert [a["name"] for a in img["aliases"]] == ["auto"]

    # Within the interval of that pass: nothing due (said on stderr; the document stays clean).
    later = fresh.ok("admin", "image-auto-update", "--at", at(8), "--format", "yaml")
    assert yaml.safe_load(later.stdout) == {"ran": False, "refreshed": [], "failed": []}
    assert "No pass due" in later.stderr

    # One more newer version, a pass in JSON.
    newest = ss.add_image(served.root, served.image, "bb-unified", "bbu", "20260103_00:00", "unified")
    doc = json.loads(fresh.ok("admin", "image-auto-update", "--at", at(14), "-f", "json").stdout)
    assert doc == {"ran": True, "failed": [], "refreshed": [
        {"project": "default", "old_fingerprint": newer, "new_fingerprint": newest, "aliases": ["auto"]}]}

    assert_error(fresh.run("admin", "image-auto-update", "--at", "1960-01-01T00:00:00Z"), "1960", "--at")
    assert_error(fresh.run("admin", "image-auto-update", "--at", "soon"), "soon", "--at")
    assert_error(fresh.run("admin", "image-auto-update", "extra"))
