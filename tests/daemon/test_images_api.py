"""instanced's /1.0/images: upload (unified and split), export, edit, delete, aliases and publish,
driven by Debian's real `lxc` client, pylxd and raw HTTP."""
import hashlib
import io
import json
import os
import tarfile
import subprocess
import tempfile

from conftest import envelope, pylxd


def fingerprint_of(lxc, ref):
    return json.loads(lxc.ok("query", f"/1.0/images/{ref}"))["fingerprint"]


def image_fps(lxc):
    return {i["fingerprint"] for i in json.loads(lxc.ok("image", "list", "--format", "json"))}


def exported_busybox(lxc, tmp):
    """The busybox image as `lxc image export` writes it (a unified tarball)."""
    lxc.ok("image", "export", "busybox", tmp + "/")
    files = [f for f in os.listdir(tmp) if f.endswith((".tar.gz", ".tar.xz", ".tar"))]
    assert len(files) == 1, os.listdir(tmp)
    return os.path.join(tmp, files[0])


def _plain(name):
    return name[2:] if name.startswith("./") else name


def repack(src, dst, description, split_rootfs=None):
    """A copy of a unified image whose metadata.yaml differs by a comment (so another
    fingerprint); with split_rootfs, dst gets only metadata.yaml and split_rootfs the rootfs/
    content."""
    with tarfile.open(src) as tin:
        meta_member = [m for m in tin.getmembers() if _plain(m.name) == "metadata.yaml"][0]
        meta = tin.extractfile(meta_member).read() + f"\n# {description}\n".encode()
        info = tarfile.TarInfo("metadata.yaml")
        info.size = len(meta)
        info.mode = 0o644
        root = tarfile.open(split_rootfs, "w:gz") if split_rootfs else None
        with tarfile.open(dst, "w:gz") as tout:
            tout.addfile(info, io.BytesIO(meta))
            for m in tin.getmembers():
                name = _plain(m.name)
                if name == "metadata.yaml":
                    continue
                data = tin.extractfile(m) if m.isfile() else None
                if root is None:
                    tout.addfile(m, data)
                elif name == "rootfs" or name.startswith("rootfs/"):
                    m.name = "." + name[len("rootfs"):]
                    if m.islnk():
                        m.linkname = "." + _plain(m.linkname)[len("rootfs"):]
                    root.addfile(m, data)
        if root is not None:
            root.close()


def sha256(*paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def test_list_info_and_aliases(lxd):
    state, lxc, http = lxd
    fp = fingerprint_of(lxc, "busybox")
    assert fp in image_fps(lxc)
    assert fp[:12] in lxc.ok("image", "info", "busybox")
    lxc.ok("image", "alias", "create", "bb2", fp[:12])
    aliases = {a["name"]: a for a in json.loads(lxc.ok("image", "alias", "list", "--format", "json"))}
    assert aliases["bb2"]["target"] == fp
    # Rename answers 201 with the new alias' Location; the old name is gone.
    status, payload = http.request("POST", "/1.0/images/aliases/bb2", json.dumps({"name": "bb3"}).encode())
    assert status == 201, payload
    assert http.request("GET", "/1.0/images/aliases/bb2")[0] == 404
    status, payload = http.request("PATCH", "/1.0/images/aliases/bb3", json.dumps({"description": "third"}).encode())
    assert status == 200, payload
    alias = envelope(http.request("GET", "/1.0/images/aliases/bb3")[1])["metadata"]
    assert alias["description"] == "third" and alias["target"] == fp
    lxc.ok("image", "alias", "delete", "bb3")
    assert "bb3" not in lxc.ok("image", "alias", "list", "--format", "json")
    # An alias to nothing names its target.
    status, payload = http.request("POST", "/1.0/images/aliases", json.dumps({"name": "x", "target": "f00"}).encode())
    assert status == 404, payload
    status, payload = http.request("POST", "/1.0/images/aliases", json.dumps({"target": fp}).encode())
    assert status == 400 and "name" in envelope(payload)["error"]


def test_edit_image_properties(lxd):
    state, lxc, http = lxd
    fp = fingerprint_of(lxc, "busybox")
    status, payload = http.request("PATCH", f"/1.0/images/{fp}", json.dumps({"properties": {"user.note": "hi"}}).encode())
    assert status == 200, payload
    image = json.loads(lxc.ok("query", f"/1.0/images/{fp}"))
    assert image["properties"]["user.note"] == "hi"
    assert image["properties"].get("os")  # PATCH merged: the other properties are still there
    status, payload = http.request("PUT", f"/1.0/images/{fp}", json.dumps({"public": "yes"}).encode())
    assert status == 400 and "public" in envelope(payload)["error"]


def test_export_import_unified_and_delete(lxd):
    state, lxc, http = lxd
    tmp = tempfile.mkdtemp()
    src = exported_busybox(lxc, tmp)
    assert sha256(src) == fingerprint_of(lxc, "busybox")  # exported unchanged
    copy = os.path.join(tmp, "copy.tar.gz")
    repack(src, copy, "unified copy")
    lxc.ok("image", "import", copy, "--alias", "uni", "--public", "user.origin=test suite")
    fp = sha256(copy)
    assert fingerprint_of(lxc, "uni") == fp
    image = json.loads(lxc.ok("query", "/1.0/images/uni"))
    assert image["public"] is True and image["properties"]["user.origin"] == "test suite"
    # The same image again is refused, naming it.
    r = lxc.run("image", "import", copy)
    assert r.returncode != 0 and fp[:12] in r.stderr, r.stderr
    # It really is an image: an instance runs from it.
    lxc.ok("launch", "uni", "from-uni")
    assert json.loads(lxc.ok("query", "/1.0/instances/from-uni/state"))["status"] == "Running"
    lxc.ok("delete", "--force", "from-uni")
    lxc.ok("image", "delete", "uni")
    assert fp not in image_fps(lxc)
    assert lxc.run("image", "info", fp).returncode != 0


def test_split_image_import_and_export(lxd):
    state, lxc, http = lxd
    tmp = tempfile.mkdtemp()
    src = exported_busybox(lxc, tmp)
    meta, rootfs = os.path.join(tmp, "meta.tar.gz"), os.path.join(tmp, "rootfs.tar.gz")
    repack(src, meta, "split copy", split_rootfs=rootfs)
    lxc.ok("image", "import", meta, rootfs, "--alias", "split")
    fp = sha256(meta, rootfs)
    assert fingerprint_of(lxc, "split") == fp
    out = tempfile.mkdtemp()
    lxc.ok("image", "export", "split", out + "/")
    files = sorted(os.listdir(out))
    assert len(files) == 2, files
    meta_out = [f for f in files if f.startswith("meta-")][0]
    root_out = [f for f in files if not f.startswith("meta-")][0]
    assert sha256(os.path.join(out, meta_out), os.path.join(out, root_out)) == fp
    lxc.ok("image", "delete", "split")
    assert fp not in image_fps(lxc)


def test_garbage_upload_is_refused_and_leaves_nothing(lxd):
    state, lxc, http = lxd
    before = image_fps(lxc)
    status, payload = http.request("POST", "/1.0/images", b"this is not a tarball" * 100,
                                   {"Content-Type": "application/octet-stream", "X-LXD-filename": "junk.tar.gz"})
    doc = envelope(payload)
    assert status == 400, payload
    print(doc["error"])
    assert "tar" in doc["error"].lower() or "image" in doc["error"].lower(), doc["error"]
    assert image_fps(lxc) == before
    # A split upload without its rootfs part names what is missing.
    body = (b"--b\r\nContent-Disposition: form-data; name=\"metadata\"; filename=\"m\"\r\n\r\nxx\r\n--b--\r\n")
    status, payload = http.request("POST", "/1.0/images", body, {"Content-Type": "multipart/form-data; boundary=b"})
    assert status == 400 and "rootfs" in envelope(payload)["error"]
    status, payload = http.request("POST", "/1.0/images", json.dumps({"source": {"type": "bogus"}}).encode(),
                                   {"Content-Type": "application/json"})
    assert status == 400 and "source.type" in envelope(payload)["error"]
    assert image_fps(lxc) == before


def test_publish_a_stopped_instance_then_launch_from_it(lxd):
    state, lxc, http = lxd
    lxc.ok("init", "busybox", "pubsrc")
    lxc.ok("publish", "pubsrc", "--alias", "published")
    image = json.loads(lxc.ok("query", "/1.0/images/published"))
    assert image["fingerprint"] in image_fps(lxc)
    lxc.ok("launch", "published", "pubdst")
    assert json.loads(lxc.ok("query", "/1.0/instances/pubdst/state"))["status"] == "Running"
    lxc.ok("delete", "--force", "pubdst")
    lxc.ok("image", "delete", "published")  # publishing is reproducible: the snapshot's image may be the same
    # A snapshot publishes too, with several aliases at once.
    lxc.ok("snapshot", "pubsrc", "ps0")
    lxc.ok("publish", "pubsrc/ps0", "--alias", "fromsnap", "--alias", "fromsnap2")
    assert fingerprint_of(lxc, "fromsnap") == fingerprint_of(lxc, "fromsnap2")
    lxc.ok("image", "delete", "fromsnap")
    lxc.ok("delete", "pubsrc")
    # Publishing something that does not exist names it.
    status, payload = http.request("POST", "/1.0/images", json.dumps({"source": {"type": "instance", "name": "nope"}}).encode(),
                                   {"Content-Type": "application/json"})
    if status == 202:
        op = envelope(payload)["metadata"]["id"]
        done = json.loads(lxc.ok("query", f"/1.0/operations/{op}/wait"))
        assert done["status_code"] == 400 and "nope" in done["err"]
    else:
        assert status == 404 and "nope" in envelope(payload)["error"]


def test_pylxd_upload_and_list(lxd):
    state, lxc, http = lxd
    tmp = tempfile.mkdtemp()
    src = exported_busybox(lxc, tmp)
    copy = os.path.join(tmp, "py.tar.gz")
    repack(src, copy, "pylxd copy")
    out = pylxd(state, f"""
data = open({copy!r}, 'rb').read()
image = client.images.create(data, public=True, wait=True)
print(image.fingerprint)
print(' '.join(i.fingerprint for i in client.images.all()))
""").split("\n")
    fp = sha256(copy)
    assert out[0] == fp
    assert fp in out[1].split()
    assert json.loads(lxc.ok("query", f"/1.0/images/{fp}"))["public"] is True
    # A split upload (multipart), export and delete through pylxd.
    meta, rootfs = os.path.join(tmp, "pm.tar.gz"), os.path.join(tmp, "pr.tar.gz")
    repack(src, meta, "pylxd split", split_rootfs=rootfs)
    out = pylxd(state, f"""
image = client.images.create(open({rootfs!r}, 'rb').read(), metadata=open({meta!r}, 'rb').read(), wait=True)
print(image.fingerprint)
exported = client.images.get({fp!r}).export().read()
print(len(exported))
client.images.get({fp!r}).delete(wait=True)
""").split("\n")
    assert out[0] == sha256(meta, rootfs)
    assert int(out[1]) == os.path.getsize(copy)
    assert fp not in image_fps(lxc)
    lxc.ok("image", "delete", out[0])
    # lxc's own filters on image lists.
    assert "busybox" in lxc.ok("image", "list", "busybox")


def test_vm_image_import_export_and_hostile_qcow2(lxd):
    """An LXD-style VM image (metadata tarball + qcow2 disk) is type virtual-machine through the
    real lxc client and exports unchanged; a qcow2 with a backing file is refused, leaving nothing."""
    state, lxc, http = lxd
    tmp = tempfile.mkdtemp()
    meta, disk = os.path.join(tmp, "meta.tar.gz"), os.path.join(tmp, "disk.qcow2")
    with tarfile.open(meta, "w:gz") as t:
        data = b"architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  description: vm test\n"
        info = tarfile.TarInfo("metadata.yaml")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "32M"], check=True)
    lxc.ok("image", "import", meta, disk, "--alias", "lxd-vm")
    fp = sha256(meta, disk)
    doc = json.loads(lxc.ok("query", "/1.0/images/lxd-vm"))
    assert doc["fingerprint"] == fp and doc["type"] == "virtual-machine"
    assert "VIRTUAL-MACHINE" in lxc.ok("image", "list", "lxd-vm")
    out = tempfile.mkdtemp()
    lxc.ok("image", "export", "lxd-vm", out + "/")
    files = sorted(os.listdir(out))
    assert files == sorted([f"meta-{fp}.tar.gz", f"{fp}.qcow2"]), files
    assert sha256(os.path.join(out, f"meta-{fp}.tar.gz"), os.path.join(out, f"{fp}.qcow2")) == fp
    lxc.ok("image", "delete", "lxd-vm")

    before = image_fps(lxc)
    secret = os.path.join(tmp, "secret.raw")
    with open(secret, "wb") as f:
        f.write(b"s" * 65536)
    evil = os.path.join(tmp, "evil.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", secret, evil], check=True)
    r = lxc.run("image", "import", meta, evil, "--alias", "evil")
    assert r.returncode != 0 and "backing file" in r.stderr, r.stderr
    assert image_fps(lxc) == before
