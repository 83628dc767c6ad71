"""inst image import (split, properties, --public), export, edit, *-property, alias rename/list,
and a hostile archive, as lxc 5.0.2 does them."""

import hashlib
import io
import json
import os
import tarfile

import yaml

from conftest import assert_error


METADATA = (f"architecture: {os.uname().machine}\ncreation_date: 1700000000\n"
            "properties:\n  os: cli\n  description: split image\n").encode()


def add(tar, name, data=None, kind=None, link=""):
    info = tarfile.TarInfo(name)
    if kind is not None:
        info.type = kind
        info.linkname = link
        info.mode = 0o755
        tar.addfile(info)
    else:
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))


def write_split(tmp_path):
    meta = tmp_path / "meta.tar.xz"
    with tarfile.open(meta, "w:xz") as tar:
        add(tar, "metadata.yaml", METADATA)
    rootfs = tmp_path / "rootfs.tar.gz"
    with tarfile.open(rootfs, "w:gz") as tar:
        add(tar, "etc", kind=tarfile.DIRTYPE)
        add(tar, "etc/os-release", b"ID=cli\n")
    h = hashlib.sha256(meta.read_bytes() + rootfs.read_bytes()).hexdigest()
    return meta, rootfs, h


def test_split_import_export_edit_properties_aliases(fresh, tmp_path):
    meta, rootfs, fp = write_split(tmp_path)
    r = fresh.ok("image", "import", str(meta), str(rootfs), "--alias", "split", "--public", "extra=yes", "-q")
    images = json.loads(fresh.ok("image", "list", "--format", "json").stdout)
    assert [i["fingerprint"] for i in images] == [fp]
    assert images[0]["public"] is True
    assert images[0]["properties"] == {"os": "cli", "description": "split image", "extra": "yes"}

    out = tmp_path / "out"
    out.mkdir()
    r = fresh.ok("image", "export", "split", str(out))
    assert "Image exported successfully!" in r.stdout
    assert sorted(os.listdir(out)) == sorted([f"meta-{fp}.tar.xz", f"{fp}.tar.gz"])
    assert (out / f"meta-{fp}.tar.xz").read_bytes() == meta.read_bytes()
    fresh.ok("image", "export", "split", str(out / "named"), "-q")
    assert (out / "named.root").read_bytes() == rootfs.read_bytes()

    assert fresh.ok("image", "get-property", "split", "os").stdout == "cli\n"
    fresh.ok("image", "set-property", "split", "os", "changed")
    fresh.ok("image", "unset-property", "split", "extra")
    assert_error(fresh.run("image", "unset-property", "split", "extra"), '"extra"')
    shown = yaml.safe_load(fresh.ok("image", "show", "split").stdout)
    assert shown["properties"] == {"os": "changed", "description": "split image"}
    shown["public"] = False
    shown["properties"]["edited"] = "1"
    fresh.ok("image", "edit", "split", input=yaml.safe_dump(shown))
    info = fresh.ok("image", "info", "split").stdout
    assert "Public: no" in info and "    edited: 1" in info
    assert_error(fresh.run("image", "edit", "split", input="public: [unclosed"), "invalid image YAML")

    fresh.ok("image", "alias", "rename", "split", "renamed")
    aliases = json.loads(fresh.ok("image", "alias", "list", "--format", "json").stdout)
    assert [a["name"] for a in aliases] == ["renamed"]
    assert_error(fresh.run("image", "alias", "rename", "split", "x"), '"split"')


def test_hostile_import_is_refused_and_nothing_stored(fresh, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        add(tar, "metadata.yaml", METADATA)
        add(tar, "rootfs", kind=tarfile.DIRTYPE)
        add(tar, "rootfs/../../etc/pwned-by-cli", b"x")
    assert_error(fresh.run("image", "import", str(evil)), "rootfs/../../etc/pwned-by-cli", "escaping")
    assert json.loads(fresh.ok("image", "list", "--format", "json").stdout) == []
    assert os.listdir(os.path.join(fresh.state_dir, "images")) == []
    meta, rootfs, fp = write_split(tmp_path)
    assert_error(fresh.run("image", "import", str(meta), str(rootfs), str(rootfs)), "Invalid number of arguments")


def test_config_settings_and_prune(fresh):
    assert fresh.ok("config", "get", "images.remote_cache_expiry").stdout == "10\n"
    fresh.ok("config", "set", "images.remote_cache_expiry", "5")
    fresh.ok("config", "set", "images.unpack_max_size=10GiB")
    shown = yaml.safe_load(fresh.ok("config", "show").stdout)
    assert shown == {"config": {"images.remote_cache_expiry": "5", "images.unpack_max_size": "10GiB"}}
    assert_error(fresh.run("config", "set", "images.remote_cache_expiry", "soon"), "images.remote_cache_expiry", "soon")
    assert_error(fresh.run("config", "get", "no.such.key"), "no.such.key")
    fresh.ok("config", "unset", "images.unpack_max_size")
    assert yaml.safe_load(fresh.ok("config", "show").stdout) == {"config": {"images.remote_cache_expiry": "5"}}
    assert fresh.ok("image", "prune").stdout == ""
