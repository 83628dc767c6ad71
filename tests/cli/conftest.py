"""Fixtures for the `inst` CLI tests: the binary, a temporary state directory with the busybox
image built by the library's own builder, and a running container c1.

Every test drives the real binary against real (unprivileged liblxc) containers."""

import json
import os
import pty
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

import pytest


def inst_binary():
    path = os.environ.get("INST")
    if not path:
        pytest.exit("INST is not set: run these tests through `meson test --suite cli`", returncode=1)
    return path


@dataclass
class Inst:
    """Runs `inst` against one state directory."""

    binary: str
    state_dir: str
    env: dict = field(default_factory=dict)
    prefix: list = field(default_factory=list)  # e.g. [".../in-netns.sh", NS]: runs inst inside a network namespace

    def run(self, *args, input=None, timeout=180, state_dir=True, env=None):
        cmd = list(self.prefix) + [self.binary]
        if state_dir:
            cmd += ["--state-dir", self.state_dir]
        cmd += list(args)
        run_env = dict(os.environ)
        run_env.pop("LIBINSTANCE_DIR", None)  # only what a test asks for
        run_env.update(env or {})
        return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, env=run_env)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.returncode == 0, f"inst {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        return r

    def instances(self):
        return json.loads(self.ok("list", "--format", "json").stdout)

    def instance(self, name):
        for i in self.instances():
            if i["name"] == name:
                return i
        return None

    def cleanup(self):
        r = self.run("list", "--format", "json")
        if r.returncode == 0:
            for i in json.loads(r.stdout):
                self.run("delete", "--force", i["name"])


def assert_error(result, *needles):
    """lxc's error convention: exit status 1 and "Error: <message>" on stderr, naming the value."""
    assert result.returncode == 1, f"expected failure, got {result.returncode}:\n{result.stdout}\n{result.stderr}"
    assert result.stderr.startswith("Error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not in {result.stderr!r}"


def run_on_pty(tool, *args, on_output=None, timeout=180):
    """Runs `inst` with its stdout on a new pseudo-terminal (stderr piped) and returns a
    CompletedProcess with the raw terminal output as text. on_output(proc, output_so_far) is
    called whenever output arrives, e.g. to send a signal at the right moment."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([tool.binary, "--state-dir", tool.state_dir, *args],
                            stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO once the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
            if on_output:
                on_output(proc, out.decode(errors="replace"))
        returncode = proc.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, returncode, out.decode(errors="replace"),
                                       proc.stderr.read().decode(errors="replace"))


def make_state_dir():
    # Mode 0711: the containers' mapped root must be able to traverse into their rootfs.
    path = tempfile.mkdtemp(prefix="inst-cli-", dir="/tmp")
    os.chmod(path, 0o711)
    return path


@pytest.fixture(scope="session")
def inst():
    """A state directory holding the busybox image (alias "busybox")."""
    tool = Inst(inst_binary(), make_state_dir())
    tool.ok("image", "build", "busybox", "--alias", "busybox")
    yield tool
    tool.cleanup()
    shutil.rmtree(tool.state_dir, ignore_errors=True)


@pytest.fixture
def fresh():
    """An Inst on a new, empty state directory, removed afterwards."""
    tool = Inst(inst_binary(), make_state_dir())
    yield tool
    tool.cleanup()
    shutil.rmtree(tool.state_dir, ignore_errors=True)


@pytest.fixture
def c1(inst):
    """A running container c1, deleted afterwards."""
    inst.ok("launch", "busybox", "c1")
    yield "c1"
    inst.run("delete", "--force", "c1")
    assert inst.instance("c1") is None
