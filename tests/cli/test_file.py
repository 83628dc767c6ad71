"""inst file push/pull/delete/create/edit with lxc 5.0.2's syntax, on a real container."""

import hashlib
import os
import stat

from conftest import assert_error


def inside(inst, name, *argv):
    return inst.ok("exec", name, "--", *argv).stdout


def test_push_pull_with_owner_and_mode(inst, c1, tmp_path):
    src = tmp_path / "hello.txt"
    src.write_text("hello cli\n")
    inst.ok("file", "push", "--uid", "1000", "--gid", "1001", "--mode", "0640", str(src), "c1/root/hello.txt")
    assert inside(inst, "c1", "stat", "-c", "%u %g %a", "/root/hello.txt") == "1000 1001 640\n"
    # -p creates the parents; a trailing slash makes the target a directory.
    inst.ok("file", "push", "-p", str(src), "c1/srv/a/b/")
    assert inside(inst, "c1", "cat", "/srv/a/b/hello.txt") == "hello cli\n"
    # Pull to stdout, to a file and into a directory.
    assert inst.ok("file", "pull", "c1/root/hello.txt", "-").stdout == "hello cli\n"
    inst.ok("file", "pull", "c1/root/hello.txt", str(tmp_path / "copy"))
    assert (tmp_path / "copy").read_text() == "hello cli\n"
    assert stat.S_IMODE(os.stat(tmp_path / "copy").st_mode) == 0o640
    out = tmp_path / "outdir"
    out.mkdir()
    inst.ok("file", "pull", "c1/root/hello.txt", "c1/etc/hostname", str(out))
    assert sorted(os.listdir(out)) == ["hello.txt", "hostname"]
    # From stdin.
    inst.ok("file", "push", "-", "c1/root/stdin.txt", input="from stdin")
    assert inside(inst, "c1", "cat", "/root/stdin.txt") == "from stdin"

    inst.ok("file", "delete", "c1/root/hello.txt", "c1/root/stdin.txt")
    assert_error(inst.run("file", "pull", "c1/root/hello.txt", "-"), "/root/hello.txt")


def test_recursive_push_pull_and_large_file(inst, c1, tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "f").write_text("leaf")
    big = tree / "big.bin"
    with open(big, "wb") as f:
        f.truncate(70 << 20)  # sparse, but streamed as bytes
        f.seek(33 << 20)
        f.write(b"marker in the middle")
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    inst.ok("file", "push", "-r", str(tree), "c1/opt")
    assert inside(inst, "c1", "cat", "/opt/tree/sub/f") == "leaf"
    assert inside(inst, "c1", "sha256sum", "/opt/tree/big.bin").split()[0] == digest
    back = tmp_path / "back"
    back.mkdir()
    inst.ok("file", "pull", "-r", "c1/opt/tree", str(back))
    assert (back / "tree" / "sub" / "f").read_text() == "leaf"
    assert hashlib.sha256((back / "tree" / "big.bin").read_bytes()).hexdigest() == digest


def test_create_and_edit(inst, c1):
    inst.ok("file", "create", "-p", "--type=directory", "--mode", "0700", "c1/srv/dir")
    assert inside(inst, "c1", "stat", "-c", "%F %a", "/srv/dir") == "directory 700\n"
    inst.ok("file", "create", "--type=symlink", "c1/srv/link", "/etc/hostname")
    assert inside(inst, "c1", "readlink", "/srv/link") == "/etc/hostname\n"
    inst.ok("file", "edit", "c1/srv/edited", input="edited through stdin\n")
    assert inside(inst, "c1", "cat", "/srv/edited") == "edited through stdin\n"
    assert_error(inst.run("file", "create", "--type=directory", "c1/srv/dir"), "/srv/dir")


def test_errors(inst, c1, tmp_path):
    src = tmp_path / "x"
    src.write_text("x")
    assert_error(inst.run("file", "push", str(src), "c1"), "c1")
    assert_error(inst.run("file", "push", str(src), "c1/no/such/dir/x"), "/no/such/dir/x")
    assert_error(inst.run("file", "push", str(src), "nosuch/tmp/x"), "nosuch")
    assert_error(inst.run("file", "pull", "c1/../../etc/shadow", "-"), "/../../etc/shadow")
    assert_error(inst.run("file", "push", "--uid", "4000000000", str(src), "c1/tmp/x"), "4000000000")
    # A symlink made inside pointing at a host directory never leads there.
    (tmp_path / "secret").write_text("HOST")
    inst.ok("exec", "c1", "--", "ln", "-s", str(tmp_path), "/tmp/escape")
    assert_error(inst.run("file", "pull", "c1/tmp/escape/secret", "-"), "/tmp/escape/secret")
    assert_error(inst.run("file", "push", str(src), "c1/tmp/escape/planted"), "/tmp/escape/planted")
    assert not (tmp_path / "planted").exists()


def test_stopped_instance(inst, c1, tmp_path):
    inst.ok("stop", "--force", "c1")
    src = tmp_path / "offline"
    src.write_text("pushed while stopped")
    inst.ok("file", "push", "--uid", "0", str(src), "c1/root/offline")
    assert inst.ok("file", "pull", "c1/root/offline", "-").stdout == "pushed while stopped"
    inst.ok("start", "c1")
    assert inside(inst, "c1", "stat", "-c", "%u", "/root/offline") == "0\n"
