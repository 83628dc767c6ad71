"""An instance's configuration from Python, pylxd style: edit ``config``/``devices``/
``description`` and ``save()`` (a PUT guarded by the ETag), or the key-level helpers. Refused
changes raise with the offending key and change nothing."""

from __future__ import annotations

import json
import os
import tempfile

import pytest

import libinstance


def writable(inst: libinstance.Instance) -> dict:
    fresh = inst.client.instances.get(inst.name)
    return {k: fresh.raw.get(k) for k in ("config", "devices", "profiles", "description", "ephemeral",
                                           "expanded_config", "expanded_devices")}


def test_save_put_with_etag(make_instance) -> None:
    inst = make_instance("save", start=False)
    etag = inst.etag
    assert etag
    inst.config["user.color"] = "blue"
    inst.config["limits.memory"] = "128MiB"
    inst.description = "saved from python"
    inst.save(wait=True)
    assert inst.config["user.color"] == "blue"
    assert inst.expanded_config["limits.memory"] == "128MiB"
    assert inst.etag != etag
    again = inst.client.instances.get(inst.name)
    assert again.description == "saved from python"
    assert again.config["user.color"] == "blue"

    # Two objects loaded at the same time: the second save would lose the first's change.
    first = inst.client.instances.get(inst.name)
    second = inst.client.instances.get(inst.name)
    first.config["user.first"] = "1"
    first.save()
    second.config["user.second"] = "1"
    with pytest.raises(libinstance.Conflict) as info:
        second.save()
    assert "ETag" in str(info.value)
    assert "user.second" not in writable(inst)["config"]
    second.sync()
    second.config["user.second"] = "1"
    second.save()
    assert {"user.first", "user.second"} <= set(writable(inst)["config"])


def test_save_refuses_bad_values_and_changes_nothing(make_instance) -> None:
    inst = make_instance("bad", start=False)
    before = writable(inst)
    inst.config["limits.memory"] = "lots"
    with pytest.raises(libinstance.InvalidConfig) as info:
        inst.save()
    assert info.value.key == "config.limits.memory"
    assert "lots" in str(info.value)
    assert writable(inst) == before

    inst.sync()
    inst.devices["d"] = {"type": "disk", "source": "/tmp", "path": "/mnt", "readonly": "perhaps"}
    with pytest.raises(libinstance.InvalidConfig) as info:
        inst.save()
    assert info.value.key == "devices.d.readonly"
    assert "perhaps" in str(info.value)

    inst.sync()
    inst.config["user.count"] = 3  # values are strings, as in LXD
    with pytest.raises(libinstance.InvalidConfig) as info:
        inst.save()
    assert info.value.key == "config.user.count"

    inst.sync()
    inst.profiles = ["default", "ghost"]
    with pytest.raises(libinstance.NotFound):
        inst.save()
    assert writable(inst) == before


def test_volatile_keys_round_trip(make_instance) -> None:
    inst = make_instance("vol", start=False)
    volatile = sorted(k for k in inst.config if k.startswith("volatile."))
    assert volatile, inst.config
    before = writable(inst)
    inst.save()  # unchanged, volatile keys included: accepted
    assert writable(inst) == before
    inst.config[volatile[0]] = "changed"
    with pytest.raises(libinstance.InvalidConfig) as info:
        inst.save()
    assert info.value.key == f"config.{volatile[0]}"
    assert writable(inst) == before


def test_key_level_helpers_and_devices(make_instance) -> None:
    inst = make_instance("keys", start=False)
    assert inst.config_get("user.a") is None
    inst.config_set("user.a", "1")
    assert inst.config_get("user.a") == "1"
    assert inst.config["user.a"] == "1"  # attributes refreshed
    inst.config_set({"user.b": "2", "limits.cpu": "1", "user.a": ""})
    assert inst.config_get("user.a") is None
    assert inst.config_get("limits.cpu", expanded=True) == "1"
    inst.config_unset("user.b")
    with pytest.raises(libinstance.NotFound) as info:
        inst.config_unset("user.b")
    assert "user.b" in str(info.value)
    with pytest.raises(libinstance.InvalidConfig) as info:
        inst.config_set({"user.ok": "1", "limits.processes": "none"})
    assert info.value.key == "config.limits.processes"
    assert inst.config_get("user.ok") is None
    with pytest.raises(TypeError):
        inst.config_set("user.x")

    src = tempfile.mkdtemp(prefix="li-py-src-", dir="/tmp")
    try:
        inst.device_add("data", {"type": "disk", "source": src, "path": "/mnt/data"})
        assert inst.devices["data"]["path"] == "/mnt/data"
        with pytest.raises(libinstance.AlreadyExists):
            inst.device_add("data", {"type": "disk", "source": src, "path": "/mnt/data"})
        inst.device_set("data", {"type": "disk", "source": src, "path": "/mnt/ro", "readonly": "true"})
        assert inst.devices["data"] == {"type": "disk", "source": src, "path": "/mnt/ro", "readonly": "true"}
        inst.device_remove("data")
        assert "data" not in inst.devices
        with pytest.raises(libinstance.NotFound):
            inst.device_remove("data")
    finally:
        os.rmdir(src)


def test_running_container_and_async_save(make_instance) -> None:
    inst = make_instance("live", start=True)
    inst.config["environment.PY_GREETING"] = "hello-python"
    inst.config["user.live"] = "1"
    op = inst.save(wait=False)
    assert isinstance(op, libinstance.Operation)
    op.wait()
    code, out, _ = inst.execute(["sh", "-c", "echo $PY_GREETING"])
    assert (code, out) == (0, "hello-python\n")
    assert inst.state().status == "Running"

    # A failing async save fails its operation with the same error, changing nothing.
    inst.sync()
    before = writable(inst)
    inst.config["limits.memory"] = "lots"
    op = inst.save(wait=False)
    with pytest.raises(libinstance.InvalidConfig) as info:
        op.wait()
    assert info.value.key == "config.limits.memory"
    assert writable(inst) == before


def test_native_calls(make_instance) -> None:
    # The extension's own surface: unset keys read as None, JSON documents in.
    inst = make_instance("native", start=False)
    handle = inst._handle()
    assert handle.config_get("user.none") is None
    handle.config_set_json(json.dumps({"user.n": "1"}))
    assert handle.config_get("user.n") == "1"
    tag = handle.etag()
    doc = json.loads(handle.get_json())
    put = {k: doc[k] for k in ("config", "devices", "profiles", "description", "ephemeral")}
    put["description"] = "native"
    handle.update_json(json.dumps(put), tag)
    with pytest.raises(libinstance.Conflict):
        handle.update_json(json.dumps(put), tag)
    with pytest.raises(libinstance.InvalidConfig) as info:
        handle.config_set_json("[1]")
    assert info.value.key == "config"
