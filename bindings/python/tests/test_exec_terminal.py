"""Instance.execute(terminal=True): a command on a terminal allocated inside the instance."""

from __future__ import annotations

import os
import re
import tempfile

import pytest

import libinstance


def test_terminal_tty_size_and_exit_code(make_instance) -> None:
    inst = make_instance("term")
    res = inst.execute(["sh", "-c", "tty; stty size; echo to-err >&2; exit 6"], terminal=True,
                       width=97, height=31)
    assert res.exit_code == 6
    assert re.search(r"^/dev/pts/\d+\r$", res.stdout, flags=re.M), res.stdout
    assert "31 97\r\n" in res.stdout
    assert "to-err\r\n" in res.stdout  # stderr shows on the terminal too
    assert res.stderr == "" and res.stderr_bytes == b""

    # Without a terminal the same command has none.
    plain = inst.execute(["tty"])
    assert plain.exit_code == 1 and "not a tty" in plain.stdout


def test_terminal_input_env_cwd_user(make_instance) -> None:
    inst = make_instance("termin")
    res = inst.execute(["sh"], stdin_payload="echo $GREETING-$(pwd)-$(id -u); exit 4\n",
                       environment={"GREETING": "hi"}, cwd="/tmp", user=1000, terminal=True)
    assert res.exit_code == 4
    assert "hi-/tmp-1000" in res.stdout


def test_terminal_fds_are_pumped(make_instance) -> None:
    inst = make_instance("termfd")
    read_end, write_end = os.pipe()
    os.write(write_end, b"tty; exit 0\n")
    os.close(write_end)
    with tempfile.TemporaryFile() as out:
        code, shown = inst._handle().exec_terminal(["sh"], stdin_fd=read_end, stdout_fd=out.fileno(),
                                                   width=80, height=24)
        os.close(read_end)
        out.seek(0)
        assert code == 0 and shown == b""
        assert b"/dev/pts/" in out.read()


def test_terminal_errors(make_instance) -> None:
    inst = make_instance("termerr", start=False)
    with pytest.raises(libinstance.Conflict):
        inst.execute(["tty"], terminal=True)
    inst.start(wait=True)
    with pytest.raises(libinstance.NotFound):
        inst.execute(["no-such-command"], terminal=True)
    with pytest.raises(ValueError):
        inst.execute(["tty"], width=80)
