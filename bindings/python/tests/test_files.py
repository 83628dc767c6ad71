"""instance.files on real containers: put/get with owners seen from inside, stopped instances,
recursive copies, errors naming the path, and symlinks that must not lead out of the container."""

import hashlib
import os
import stat
import tempfile

import pytest

import libinstance


def inside(inst, *argv):
    res = inst.execute(list(argv))
    assert res.exit_code == 0, res.stderr
    return res.stdout


def test_put_get_owner_mode(make_instance):
    c = make_instance("files")
    c.files.put("/srv/x/hello.txt", b"hello\n", mode=0o640, uid=1000, gid=1001, make_parents=True)
    assert inside(c, "stat", "-c", "%u %g %a", "/srv/x/hello.txt") == "1000 1001 640\n"
    assert c.files.get("/srv/x/hello.txt") == b"hello\n"
    info = c.files.stat("/srv/x/hello.txt")
    assert (info["type"], info["uid"], info["gid"], info["mode"], info["size"]) == ("file", 1000, 1001, 0o640, 6)
    # str data, and overwriting keeps owner and mode.
    c.files.put("/srv/x/hello.txt", "again\n")
    assert inside(c, "cat", "/srv/x/hello.txt") == "again\n"
    assert inside(c, "stat", "-c", "%u %a", "/srv/x/hello.txt") == "1000 640\n"

    c.files.mk_dir("/srv/d", mode=0o700, uid=5)
    assert inside(c, "stat", "-c", "%u %a", "/srv/d") == "5 700\n"
    c.files.symlink("/srv/link", "/srv/x/hello.txt")
    assert c.files.stat("/srv/link")["target"] == "/srv/x/hello.txt"
    assert c.files.listdir("/srv") == ["d", "link", "x"]
    c.files.delete("/srv/link")
    assert not c.files.exists("/srv/link")
    assert c.files.exists("/srv/d")


def test_streams_a_large_file(make_instance, tmp_path):
    c = make_instance("files-big")
    src = tmp_path / "big"
    digest = hashlib.sha256()
    with open(src, "wb") as f:
        block = os.urandom(1 << 20)
        for i in range(80):  # 80 MiB, larger than the library's chunks by far
            chunk = block[i:] + block[:i]
            digest.update(chunk)
            f.write(chunk)
    with open(src, "rb") as f:
        c.files.put("/root/big", f)
    assert inside(c, "sha256sum", "/root/big").split()[0] == digest.hexdigest()
    out = tmp_path / "back"
    with open(out, "wb") as f:
        info = c.files.get_to("/root/big", f)
    assert info["size"] == 80 << 20
    with open(out, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == digest.hexdigest()


def test_errors_name_the_path(make_instance):
    c = make_instance("files-err")
    with pytest.raises(libinstance.InvalidConfig) as e:
        c.files.put("etc/relative", b"x")
    assert e.value.key == "path"
    assert "etc/relative" in str(e.value)
    with pytest.raises(libinstance.InvalidConfig) as e:
        c.files.get("/../../etc/passwd")
    assert "/../../etc/passwd" in str(e.value)
    with pytest.raises(libinstance.NotFound) as e:
        c.files.get("/no/such/file")
    assert "/no/such/file" in str(e.value)
    with pytest.raises(libinstance.InvalidConfig) as e:
        c.files.put("/tmp/x", b"x", uid=4000000000)
    assert e.value.key == "uid"


def test_symlink_out_of_the_container_is_not_followed(make_instance, tmp_path):
    c = make_instance("files-esc")
    (tmp_path / "secret").write_text("HOST")
    inside(c, "ln", "-s", str(tmp_path), "/tmp/escape")
    with pytest.raises(libinstance.NotFound) as e:
        c.files.get("/tmp/escape/secret")
    assert "/tmp/escape/secret" in str(e.value)
    with pytest.raises(libinstance.NotFound) as e:
        c.files.put("/tmp/escape/planted", b"evil")
    assert "/tmp/escape/planted" in str(e.value)
    assert sorted(os.listdir(tmp_path)) == ["secret"]


def test_recursive_put_get_on_a_stopped_instance(make_instance, tmp_path):
    c = make_instance("files-tree", start=False)
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    (src / "a" / "b" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    os.chmod(src / "a" / "b" / "run.sh", 0o755)
    (src / "top").write_text("top")
    os.symlink("a/b/run.sh", src / "link")
    c.files.recursive_put(str(src), "/opt/tree")
    dst = tmp_path / "dst"
    c.files.recursive_get("/opt/tree", str(dst))
    assert (dst / "top").read_text() == "top"
    assert stat.S_IMODE(os.stat(dst / "a" / "b" / "run.sh").st_mode) == 0o755
    assert os.readlink(dst / "link") == "a/b/run.sh"
    c.start(wait=True)
    assert inside(c, "/opt/tree/link") == "hi\n"
    assert inside(c, "stat", "-c", "%u", "/opt/tree/top") == "0\n"
