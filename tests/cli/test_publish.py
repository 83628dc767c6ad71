"""inst publish (lxc 5.0.2 syntax) and inst image build debian."""

import json
import os
import re
import time

import pytest

from conftest import assert_error


def images(tool):
    return json.loads(tool.ok("image", "list", "--format", "json").stdout)


def image(tool, alias):
    for img in images(tool):
        if any(a["name"] == alias for a in img["aliases"]):
            return img
    return None


def test_publish_stopped_running_force_properties_and_launch(fresh):
    fresh.ok("image", "build", "busybox", "--alias", "busybox")
    fresh.ok("launch", "busybox", "src")
    fresh.ok("exec", "src", "--", "sh", "-c", "echo from-src > /root/marker")
    before = len(images(fresh))

    # Running without --force: refused, nothing added.
    assert_error(fresh.run("publish", "src", "--alias", "pub"), "running", "--force")
    assert len(images(fresh)) == before

    r = fresh.ok("publish", "src", "--alias", "pub", "--alias", "pub2", "--force", "--compression", "xz",
                 "description=Published", "extra=yes")
    fp = re.search(r"Instance published with fingerprint: ([0-9a-f]{64})", r.stdout).group(1)
    # --force stopped it for the publish and started it again, as lxc does.
    assert fresh.instance("src")["status"] == "Running"
    img = image(fresh, "pub")
    assert img["fingerprint"] == fp
    assert sorted(a["name"] for a in img["aliases"]) == ["pub", "pub2"]
    assert img["properties"]["description"] == "Published"
    assert img["properties"]["extra"] == "yes"
    assert img["properties"]["os"] == "busybox"

    fresh.ok("launch", "pub", "fromPub")
    assert fresh.ok("exec", "fromPub", "--", "cat", "/root/marker").stdout == "from-src\n"
    assert fresh.ok("exec", "fromPub", "--", "cat", "/etc/hostname").stdout == "fromPub\n"

    # --reuse moves an existing alias to the new image.
    fresh.ok("stop", "--force", "src")
    r = fresh.ok("publish", "src", "--alias", "pub", "--reuse", "--quiet")
    assert r.stdout == ""
    assert image(fresh, "pub")["fingerprint"] != fp
    assert image(fresh, "pub2")["fingerprint"] == fp


def test_publish_snapshot_while_the_instance_runs(fresh):
    fresh.ok("image", "build", "busybox", "--alias", "busybox")
    fresh.ok("launch", "busybox", "src")
    fresh.ok("exec", "src", "--", "sh", "-c", "echo at-snapshot > /root/marker")
    fresh.ok("snapshot", "src", "s0")
    fresh.ok("exec", "src", "--", "sh", "-c", "echo later > /root/marker")
    r = fresh.ok("publish", "src/s0", "--alias", "fromsnap")
    assert "Instance published with fingerprint" in r.stdout
    assert fresh.instance("src")["status"] == "Running"  # no --force needed for a snapshot
    fresh.ok("launch", "fromsnap", "c2")
    assert fresh.ok("exec", "c2", "--", "cat", "/root/marker").stdout == "at-snapshot\n"


def test_publish_bad_input_names_the_problem(fresh):
    fresh.ok("image", "build", "busybox", "--alias", "busybox")
    fresh.ok("init", "busybox", "stopped1")
    before = images(fresh)
    assert_error(fresh.run("publish", "stopped1", "--compression", "lzop"), "lzop")
    assert_error(fresh.run("publish", "nosuch"), "nosuch")
    assert_error(fresh.run("publish", "stopped1/snap0"), "snap0")
    assert_error(fresh.run("publish", "stopped1", "--expire", "tomorrow"), "tomorrow")
    assert_error(fresh.run("publish", "stopped1", "notakeyvalue"), "notakeyvalue")
    assert_error(fresh.run("publish", "stopped1", "--alias", "busybox"), "busybox")
    assert images(fresh) == before


def test_image_build_debian_options_are_checked(fresh):
    assert_error(fresh.run("image", "build", "busybox", "--release", "bookworm"), "--release", "debian")
    assert_error(fresh.run("image", "build", "debian", "--variant", "huge"), "huge")
    assert_error(fresh.run("image", "build", "debian", "--mirror", "gopher://x"), "gopher://x")
    assert_error(fresh.run("image", "build", "debian", "--package", "bad;pkg"), "bad;pkg")
    assert images(fresh) == []


def test_image_build_debian_from_the_cache(fresh):
    # The first build of the test run fills the cache (minutes); later ones are instant.
    assert os.environ.get("LIBINSTANCE_CACHE_DIR"), "meson passes the test cache directory"
    fresh.ok("image", "build", "debian", "--alias", "deb", timeout=1800)
    img = image(fresh, "deb")
    assert img["properties"]["os"] == "debian"
    assert img["properties"]["release"] == "bookworm"
    assert img["properties"]["variant"] == "minbase"
    start = time.monotonic()
    r = fresh.ok("image", "build", "debian", "--alias", "deb2")
    assert time.monotonic() - start < 30
    assert img["fingerprint"] in r.stdout
    assert sorted(a["name"] for a in image(fresh, "deb")["aliases"]) == ["deb", "deb2"]


def test_publish_a_stopped_vm_and_init_a_vm_from_it(fresh):
    # The kernel package and the built image are cached ($LIBINSTANCE_CACHE_DIR in meson's runs).
    fresh.ok("image", "build", "debian-vm", "--alias", "vm")
    fresh.ok("init", "vm", "v1", "--vm")
    r = fresh.ok("publish", "v1", "--alias", "vpub", "description=Published VM")
    fp = re.search(r"Instance published with fingerprint: ([0-9a-f]{64})", r.stdout).group(1)
    img = image(fresh, "vpub")
    assert img["fingerprint"] == fp
    assert img["type"] == "virtual-machine"
    assert img["properties"]["description"] == "Published VM"
    assert img["properties"]["variant"] == "vm-busybox"
    # A split image: the metadata tarball and the qcow2 disk, as `lxc image export` gives them.
    out = os.path.join(fresh.state_dir, "export")
    os.mkdir(out)
    fresh.ok("image", "export", "vpub", out)
    with open(os.path.join(out, fp + ".qcow2"), "rb") as f:
        assert f.read(4) == b"QFI\xfb"
    fresh.ok("init", "vpub", "v2", "--vm")
    assert fresh.instance("v2")["type"] == "virtual-machine"
