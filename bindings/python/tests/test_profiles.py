"""Profiles through Python (pylxd's shape): create/all/get/exists, save with the ETag, rename,
delete; instances using them follow a change, live while they run."""

from __future__ import annotations

import uuid

import pytest

import libinstance


def pname(stem: str) -> str:
    return f"py{uuid.uuid4().hex[:6]}-{stem}"


def test_profile_crud_and_bad_input(client: libinstance.Client) -> None:
    name = pname("p")
    prof = client.profiles.create(name, config={"user.a": "1"}, devices={"hide": {"type": "none"}}, description="d")
    assert prof.name == name and prof.description == "d"
    assert prof.config == {"user.a": "1"} and prof.devices == {"hide": {"type": "none"}}
    assert prof.used_by == []
    assert client.profiles.exists(name) and not client.profiles.exists(name + "x")
    assert name in [p.name for p in client.profiles.all()]
    with pytest.raises(libinstance.AlreadyExists, match=name):
        client.profiles.create(name)
    with pytest.raises(libinstance.InvalidArgument, match="maybe") as bad:
        client.profiles.create({"name": pname("q"), "config": {"boot.autostart": "maybe"}})
    assert bad.value.key == "config.boot.autostart"

    prof.config["user.b"] = "2"
    prof.save()
    assert client.profiles.get(name).config == {"user.a": "1", "user.b": "2"}
    stale = client.profiles.get(name)
    prof.description = "newer"
    prof.save()
    stale.description = "stale"
    with pytest.raises(libinstance.Conflict):
        stale.save()
    prof.config["limits.processes"] = "lots"
    with pytest.raises(libinstance.InvalidArgument, match="lots") as bad:
        prof.save()
    assert bad.value.key == "config.limits.processes"
    assert client.profiles.get(name).config == {"user.a": "1", "user.b": "2"}
    assert client.profiles.get(name).description == "newer"

    prof = client.profiles.get(name).rename(name + "r")
    assert prof.name == name + "r" and not client.profiles.exists(name)
    prof.delete()
    assert not client.profiles.exists(name + "r")
    with pytest.raises(libinstance.NotFound):
        client.profiles.get(name + "r")


def test_default_profile_is_protected(client: libinstance.Client) -> None:
    default = client.profiles.get("default")
    assert default.devices["root"]["path"] == "/"
    with pytest.raises(libinstance.InvalidArgument, match="default"):
        default.delete()
    with pytest.raises(libinstance.InvalidArgument, match="default"):
        default.rename("other")


def test_instances_follow_their_profiles(client: libinstance.Client, make_instance) -> None:  # type: ignore[no-untyped-def]
    p1 = client.profiles.create(pname("p1"), config={"user.who": "p1", "environment.PY_PROF": "one"})
    p2 = client.profiles.create(pname("p2"), config={"user.who": "p2"})
    inst = make_instance("prof", profiles=["default", p1.name, p2.name])
    try:
        inst.sync()
        assert inst.expanded_config["user.who"] == "p2"  # later profiles win
        assert inst.execute(["sh", "-c", "echo $PY_PROF"]).stdout == "one\n"
        assert client.profiles.get(p1.name).used_by == [f"/1.0/instances/{inst.name}"]

        p1.config["environment.PY_PROF"] = "two"
        p1.save()
        assert inst.execute(["sh", "-c", "echo $PY_PROF"]).stdout == "two\n"

        with pytest.raises(libinstance.Conflict, match=inst.name):
            p1.delete()
        p1.rename(p1.name + "r")
        inst.sync()
        assert inst.profiles == ["default", p1.name, p2.name]

        default = client.profiles.get("default")
        root = default.devices.pop("root")
        with pytest.raises(libinstance.InvalidArgument, match=inst.name):
            default.save()
        assert client.profiles.get("default").devices["root"] == root
    finally:
        inst.delete(force=True)
    p1.delete()
    p2.delete()
