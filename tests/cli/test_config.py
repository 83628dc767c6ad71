"""`inst config` and `inst config device` on instances (lxc 5.0.2 syntax), next to the state
directory's own settings, which `inst config` still reaches when no instance is named."""

import os
import pty
import subprocess
import tempfile

import pytest
import yaml

from conftest import assert_error


@pytest.fixture
def stopped(inst):
    name = "cfgcli-s"
    inst.ok("init", "busybox", name)
    yield name
    inst.run("delete", "--force", name)


def show(inst, name, *flags):
    return yaml.safe_load(inst.ok("config", "show", name, *flags).stdout)


def test_set_get_unset_show(inst, stopped):
    # key=value pairs, several at once, and lxc's older "key value" form.
    inst.ok("config", "set", stopped, "user.a=1", "limits.memory=128MiB")
    inst.ok("config", "set", stopped, "user.b", "two words")
    assert inst.ok("config", "get", stopped, "user.a").stdout == "1\n"
    assert inst.ok("config", "get", stopped, "user.b").stdout == "two words\n"
    assert inst.ok("config", "get", stopped, "user.unset").stdout == "\n"

    doc = show(inst, stopped)
    assert list(doc) == ["architecture", "config", "devices", "ephemeral", "profiles", "stateful", "description"]
    assert doc["config"]["user.a"] == "1"
    assert doc["config"]["limits.memory"] == "128MiB"
    assert doc["profiles"] == ["default"]
    assert doc["devices"] == {}
    # --expanded adds what the profiles give (the root disk).
    expanded = show(inst, stopped, "--expanded")
    assert expanded["devices"]["root"]["path"] == "/"
    assert inst.ok("config", "get", "--expanded", stopped, "user.a").stdout == "1\n"

    inst.ok("config", "unset", stopped, "user.a")
    assert "user.a" not in show(inst, stopped)["config"]
    assert_error(inst.run("config", "unset", stopped, "user.a"), "user.a")
    # An empty value unsets too (lxc config set KEY=).
    inst.ok("config", "set", stopped, "user.b=")
    assert "user.b" not in show(inst, stopped)["config"]


def test_bad_values_are_refused_naming_key_and_value(inst, stopped):
    inst.ok("config", "set", stopped, "user.keep=me")
    before = show(inst, stopped)
    for args, needles in [
        (["limits.memory=lots"], ["limits.memory", "lots"]),
        (["limits.cpu", "many"], ["limits.cpu", "many"]),
        (["user.ok=1", "limits.processes=-2"], ["limits.processes", "-2"]),
        (["no.such.key=1"], ["no.such.key"]),
        (["volatile.mine=1"], ["volatile.mine"]),
    ]:
        r = inst.run("config", "set", stopped, *args)
        assert r.returncode != 0
        assert_error(r, *needles)
    assert show(inst, stopped) == before
    assert_error(inst.run("config", "set", stopped, "novalue"), "novalue")
    assert_error(inst.run("config", "get", "ghost", "user.a"), "ghost")


def test_edit_from_stdin(inst, stopped):
    doc = show(inst, stopped)
    doc["config"]["user.edited"] = "yes"
    doc["description"] = "edited on stdin"
    inst.ok("config", "edit", stopped, input=yaml.safe_dump(doc))
    after = show(inst, stopped)
    assert after["config"]["user.edited"] == "yes"
    assert after["description"] == "edited on stdin"
    # volatile keys come back unchanged from show and are accepted; changing one is refused.
    volatile = [k for k in after["config"] if k.startswith("volatile.")]
    assert volatile, after
    after["config"][volatile[0]] = "changed"
    assert_error(inst.run("config", "edit", stopped, input=yaml.safe_dump(after)), volatile[0])
    bad = show(inst, stopped)
    bad["config"]["limits.memory"] = "lots"
    assert_error(inst.run("config", "edit", stopped, input=yaml.safe_dump(bad)), "limits.memory", "lots")
    assert show(inst, stopped)["config"].get("limits.memory") is None


def test_edit_in_editor(inst, stopped, tmp_path):
    # On a terminal, $EDITOR gets the help header and the YAML; what it saves is applied.
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\ngrep -q '^### This is a YAML' \"$1\" || exit 3\n"
                      "sed -i 's/^description: .*/description: from the editor/' \"$1\"\n")
    editor.chmod(0o755)
    leader, follower = pty.openpty()
    try:
        env = dict(os.environ, EDITOR=str(editor), VISUAL="")
        r = subprocess.run([inst.binary, "--state-dir", inst.state_dir, "config", "edit", stopped],
                           stdin=follower, capture_output=True, text=True, timeout=120, env=env)
    finally:
        os.close(follower)
        os.close(leader)
    assert r.returncode == 0, r.stderr
    assert show(inst, stopped)["description"] == "from the editor"


def test_server_settings_still_work(inst):
    inst.ok("config", "set", "images.remote_cache_expiry=7")
    assert inst.ok("config", "get", "images.remote_cache_expiry").stdout == "7\n"
    inst.ok("config", "set", "images.remote_cache_expiry", "8")
    assert yaml.safe_load(inst.ok("config", "show").stdout)["config"]["images.remote_cache_expiry"] == "8"
    inst.ok("config", "unset", "images.remote_cache_expiry")
    assert "images.remote_cache_expiry" not in (yaml.safe_load(inst.ok("config", "show").stdout)["config"] or {})
    assert_error(inst.run("config", "show", "--expanded"), "--expanded")


def test_image_auto_update_settings(inst):
    assert inst.ok("config", "get", "images.auto_update_interval").stdout == "6\n"
    assert inst.ok("config", "get", "images.auto_update_cached").stdout == "true\n"
    assert_error(inst.run("config", "set", "images.auto_update_interval", "abc"), "images.auto_update_interval", "abc")
    assert_error(inst.run("config", "set", "images.auto_update_cached=maybe"), "images.auto_update_cached", "maybe")
    inst.ok("config", "set", "images.auto_update_interval", "12")
    try:
        assert inst.ok("config", "get", "images.auto_update_interval").stdout == "12\n"
        assert yaml.safe_load(inst.ok("config", "show").stdout)["config"]["images.auto_update_interval"] == "12"
    finally:
        inst.ok("config", "unset", "images.auto_update_interval")


def test_running_instance_environment(inst):
    name = "cfgcli-r"
    inst.ok("launch", "busybox", name)
    try:
        inst.ok("config", "set", name, "environment.CLI_GREETING=hi-cli", "user.live=1")
        assert inst.ok("exec", name, "--", "sh", "-c", "echo $CLI_GREETING").stdout == "hi-cli\n"
        assert show(inst, name)["config"]["user.live"] == "1"
        assert_error(inst.run("config", "set", name, "limits.memory=lots"), "limits.memory", "lots")
        assert inst.instance(name)["status"] == "Running"
    finally:
        inst.run("delete", "--force", name)


def test_devices(inst, stopped):
    src = tempfile.mkdtemp(prefix="cfgcli-src-", dir="/tmp")
    os.chmod(src, 0o755)
    try:
        r = inst.ok("config", "device", "add", stopped, "data", "disk", f"source={src}", "path=/mnt/data")
        assert r.stdout == f"Device data added to {stopped}\n"
        assert inst.ok("config", "device", "list", stopped).stdout == "data\n"
        assert inst.ok("config", "device", "get", stopped, "data", "path").stdout == "/mnt/data\n"
        devices = yaml.safe_load(inst.ok("config", "device", "show", stopped).stdout)
        assert devices == {"data": {"type": "disk", "source": src, "path": "/mnt/data"}}

        inst.ok("config", "device", "set", stopped, "data", "readonly=true", "path=/mnt/ro")
        inst.ok("config", "device", "set", stopped, "data", "recursive", "true")
        assert show(inst, stopped)["devices"]["data"]["readonly"] == "true"
        assert show(inst, stopped)["devices"]["data"]["recursive"] == "true"
        inst.ok("config", "device", "unset", stopped, "data", "readonly")
        assert "readonly" not in show(inst, stopped)["devices"]["data"]

        before = show(inst, stopped)
        assert_error(inst.run("config", "device", "set", stopped, "data", "readonly=perhaps"), "readonly", "perhaps")
        assert_error(inst.run("config", "device", "add", stopped, "data", "disk", "path=/x", f"source={src}"), "already exists")
        assert_error(inst.run("config", "device", "add", stopped, "other", "teleporter"), "teleporter")
        assert_error(inst.run("config", "device", "add", stopped, "other", "disk", "novalue"), "novalue")
        assert_error(inst.run("config", "device", "get", stopped, "ghost", "path"), "ghost")
        # root comes from the default profile: not removable here, but it can be overridden.
        assert_error(inst.run("config", "device", "remove", stopped, "root"), "profile")
        assert show(inst, stopped) == before

        r = inst.ok("config", "device", "override", stopped, "root")
        assert r.stdout == f"Device root overridden for {stopped}\n"
        assert show(inst, stopped)["devices"]["root"] == show(inst, stopped, "--expanded")["devices"]["root"]
        assert_error(inst.run("config", "device", "override", stopped, "root"), "already exists")
        assert_error(inst.run("config", "device", "override", stopped, "nothing"), "nothing")

        r = inst.ok("config", "device", "remove", stopped, "data", "root")
        assert r.stdout == f"Device data, root removed from {stopped}\n"
        assert inst.ok("config", "device", "list", stopped).stdout == "\n"  # as lxc prints it
        assert_error(inst.run("config", "device", "remove", stopped, "data"), "data")
    finally:
        os.rmdir(src)
