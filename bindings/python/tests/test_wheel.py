"""`pip install bindings/python` builds a wheel (meson-python, via wheel/) carrying the extension,
libinstance.so.0 and libinstance-helper; a fresh venv imports it and runs a real container.

Slow: the wheel build compiles the whole core again. Run by the meson test `wheel`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent

pytestmark = pytest.mark.slow

# Runs inside the venv: checks where everything was loaded from, then drives a container with
# nothing from the build tree in reach.
PROBE = textwrap.dedent(r"""
    import os, sys, tempfile, shutil
    import libinstance

    pkg = os.path.dirname(libinstance.__file__)
    assert pkg.startswith(sys.prefix), pkg
    assert os.path.dirname(libinstance._native.native.__file__) == pkg
    helper = os.path.join(pkg, "libinstance-helper")
    assert os.access(helper, os.X_OK), helper
    assert os.access(os.path.join(pkg, "libinstance-vm-agent"), os.X_OK)
    maps = open("/proc/self/maps").read()
    loaded = {line.split()[-1] for line in maps.splitlines() if "libinstance.so" in line}
    assert loaded == {os.path.join(pkg, "libinstance.so.0")}, loaded

    state = tempfile.mkdtemp(prefix="li-py-wheel-", dir="/tmp")
    os.chmod(state, 0o711)
    try:
        with libinstance.Client(state) as client:
            client.images.build("busybox", alias="busybox")
            name = "pywheel-" + os.urandom(3).hex()
            with client.events(types=["lifecycle"]) as events:
                op = client.instances.create(
                    {"name": name, "source": {"type": "image", "alias": "busybox"}}, wait=False)
                assert op.wait().status == "Success", op
                event = events.next(timeout=30)
                assert event["metadata"]["action"] == "instance-created", event
            c = client.instances.get(name)
            try:
                c.start()
                res = c.execute(["uname", "-s"])
                assert res.exit_code == 0 and res.stdout.strip() == "Linux", res
            finally:
                c.delete(force=True)
            try:
                client.instances.get(name)
            except libinstance.NotFound as e:
                assert name in str(e)
            else:
                raise AssertionError("deleted instance still found")
    finally:
        shutil.rmtree(state, ignore_errors=True)
    print("WHEEL-OK", libinstance.__version__)
""")


def clean_env() -> dict:
    env = dict(os.environ)
    for var in ("PYTHONPATH", "LIBINSTANCE_HELPER", "LIBINSTANCE_TEST_BUILD_DIR", "PYTHONHOME"):
        env.pop(var, None)
    return env


def test_pip_install_wheel_into_venv() -> None:
    work = Path(tempfile.mkdtemp(prefix="li-py-wheeltest-"))
    try:
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        vpy = str(venv / "bin" / "python")
        build_dir = work / "build"
        subprocess.run(
            [vpy, "-m", "pip", "install", "--disable-pip-version-check", "-v",
             f"--config-settings=build-dir={build_dir}",
             # Shared 2-core machines: build serially.
             "--config-settings=compile-args=-j1",
             str(PACKAGE_ROOT)],
            check=True, env=clean_env(), cwd=work)
        # The helper must come from the wheel, not the build dir baked into the library.
        shutil.rmtree(build_dir)
        probe = subprocess.run([vpy, "-c", PROBE], env=clean_env(), cwd=work,
                               capture_output=True, text=True)
        assert probe.returncode == 0, probe.stdout + probe.stderr
        assert "WHEEL-OK" in probe.stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)
