"""`inst profile ...` as lxc 5.0.2 has it: profiles created, shown, listed, edited from YAML,
renamed and deleted; devices of profiles; profile lists of instances (add/remove/assign,
launch -p) with the effect checked in the instance's expanded config and inside it."""

import json

import yaml

from conftest import assert_error


def expanded(inst, name):
    return inst.instance(name)


def test_profile_create_show_list_delete(inst):
    assert inst.ok("profile", "create", "pa").stdout == "Profile pa created\n"
    inst.ok("profile", "set", "pa", "user.a=1", "environment.FOO=bar")
    inst.ok("profile", "set", "pa", "user.b", "two")
    assert inst.ok("profile", "get", "pa", "user.b").stdout == "two\n"
    assert inst.ok("profile", "get", "pa", "user.none").stdout == "\n"
    shown = yaml.safe_load(inst.ok("profile", "show", "pa").stdout)
    assert shown["name"] == "pa"
    assert shown["config"] == {"user.a": "1", "user.b": "two", "environment.FOO": "bar"}
    assert shown["used_by"] == []
    inst.ok("profile", "unset", "pa", "user.a")
    assert_error(inst.run("profile", "unset", "pa", "user.a"), "user.a")
    listed = json.loads(inst.ok("profile", "list", "--format", "json").stdout)
    assert [p["name"] for p in listed] == ["default", "pa"]
    csv = inst.ok("profile", "list", "--format", "csv").stdout
    assert "pa,,0\n" in csv
    table = inst.ok("profile", "list").stdout
    assert "USED BY" in table and "| pa" in table
    assert inst.ok("profile", "delete", "pa").stdout == "Profile pa deleted\n"
    assert_error(inst.run("profile", "show", "pa"), "pa")


def test_profile_bad_values_are_refused_and_change_nothing(inst):
    inst.ok("profile", "create", "pbad")
    inst.ok("profile", "set", "pbad", "user.keep=1")
    assert_error(inst.run("profile", "set", "pbad", "limits.memory=lots"), "limits.memory", "lots")
    assert_error(inst.run("profile", "set", "pbad", "no.such.key=1"), "no.such.key")
    assert_error(inst.run("profile", "device", "add", "pbad", "d", "disk", "readonly=maybe", "path=/mnt", "source=/tmp"),
                 "readonly", "maybe")
    shown = yaml.safe_load(inst.ok("profile", "show", "pbad").stdout)
    assert shown["config"] == {"user.keep": "1"} and shown["devices"] == {}
    assert_error(inst.run("profile", "create", "pbad"), "pbad")
    assert_error(inst.run("profile", "create", "bad/name"), "bad/name")
    inst.ok("profile", "delete", "pbad")


def test_default_profile_cannot_be_renamed_or_deleted(inst):
    assert_error(inst.run("profile", "delete", "default"), "default")
    assert_error(inst.run("profile", "rename", "default", "other"), "default")
    assert "root" in yaml.safe_load(inst.ok("profile", "show", "default").stdout)["devices"]


def test_profile_edit_from_yaml_and_copy(inst):
    inst.ok("profile", "create", "pe", "--description", "first")
    doc = {"description": "edited", "config": {"user.x": "y"},
           "devices": {"hide": {"type": "none"}}}
    inst.ok("profile", "edit", "pe", input=yaml.safe_dump(doc))
    shown = yaml.safe_load(inst.ok("profile", "show", "pe").stdout)
    assert shown["description"] == "edited" and shown["config"] == {"user.x": "y"}
    assert shown["devices"] == {"hide": {"type": "none"}}
    assert_error(inst.run("profile", "edit", "pe", input="config: [1, 2]\n"), "config")
    inst.ok("profile", "copy", "pe", "pe2")
    assert yaml.safe_load(inst.ok("profile", "show", "pe2").stdout)["config"] == {"user.x": "y"}
    inst.ok("profile", "create", "pc", input=yaml.safe_dump({"config": {"user.from": "stdin"}}))
    assert inst.ok("profile", "get", "pc", "user.from").stdout == "stdin\n"
    for p in ("pe", "pe2", "pc"):
        inst.ok("profile", "delete", p)


def test_profile_devices(inst):
    inst.ok("profile", "create", "pd")
    assert inst.ok("profile", "device", "add", "pd", "m", "disk", "source=/tmp", "path=/mnt/t").stdout == "Device m added to pd\n"
    assert_error(inst.run("profile", "device", "add", "pd", "m", "disk", "source=/tmp", "path=/mnt/u"), "m")
    assert inst.ok("profile", "device", "list", "pd").stdout == "m\n"
    assert inst.ok("profile", "device", "get", "pd", "m", "path").stdout == "/mnt/t\n"
    inst.ok("profile", "device", "set", "pd", "m", "readonly=true")
    assert yaml.safe_load(inst.ok("profile", "device", "show", "pd").stdout) == {
        "m": {"type": "disk", "source": "/tmp", "path": "/mnt/t", "readonly": "true"}}
    inst.ok("profile", "device", "unset", "pd", "m", "readonly")
    assert inst.ok("profile", "device", "get", "pd", "m", "readonly").stdout == "\n"
    assert_error(inst.run("profile", "device", "remove", "pd", "nope"), "nope")
    assert inst.ok("profile", "device", "remove", "pd", "m").stdout == "Device m removed from pd\n"
    assert inst.ok("profile", "device", "show", "pd").stdout == "{}\n"
    inst.ok("profile", "delete", "pd")


def test_instance_profile_lists_and_live_changes(inst):
    inst.ok("profile", "create", "p1")
    inst.ok("profile", "create", "p2")
    inst.ok("profile", "set", "p1", "user.who=p1", "user.only1=yes", "environment.FROM_PROFILE=p1")
    inst.ok("profile", "set", "p2", "user.who=p2")
    inst.ok("launch", "busybox", "cp1", "-p", "default", "-p", "p1")
    try:
        i = expanded(inst, "cp1")
        assert i["profiles"] == ["default", "p1"]
        assert i["expanded_config"]["user.who"] == "p1"
        env = inst.ok("exec", "cp1", "--", "sh", "-c", "echo $FROM_PROFILE").stdout
        assert env == "p1\n"

        assert inst.ok("profile", "add", "cp1", "p2").stdout == "Profile p2 added to cp1\n"
        i = expanded(inst, "cp1")
        assert i["profiles"] == ["default", "p1", "p2"]
        assert i["expanded_config"]["user.who"] == "p2"  # later profiles win
        assert_error(inst.run("profile", "add", "cp1", "p2"), "p2")
        assert_error(inst.run("profile", "add", "cp1", "nosuch"), "nosuch")

        # a change of a profile reaches the running instance
        inst.ok("profile", "set", "p1", "environment.FROM_PROFILE=changed")
        assert inst.ok("exec", "cp1", "--", "sh", "-c", "echo $FROM_PROFILE").stdout == "changed\n"
        used = yaml.safe_load(inst.ok("profile", "show", "p1").stdout)["used_by"]
        assert used == ["/1.0/instances/cp1"]

        # in use: not deletable; renaming keeps the link
        assert_error(inst.run("profile", "delete", "p1"), "p1", "cp1")
        assert inst.ok("profile", "rename", "p1", "p1b").stdout == "Profile p1 renamed to p1b\n"
        assert expanded(inst, "cp1")["profiles"] == ["default", "p1b", "p2"]

        # removing the root disk from the profile the instance relies on is refused, nothing kept
        assert_error(inst.run("profile", "device", "remove", "default", "root"), "cp1")
        assert "root" in yaml.safe_load(inst.ok("profile", "show", "default").stdout)["devices"]

        assert inst.ok("profile", "remove", "cp1", "p2").stdout == "Profile p2 removed from cp1\n"
        assert_error(inst.run("profile", "remove", "cp1", "p2"), "p2")
        assert inst.ok("profile", "assign", "cp1", "default,p2,p1b").stdout == "Profiles default,p2,p1b applied to cp1\n"
        i = expanded(inst, "cp1")
        assert i["profiles"] == ["default", "p2", "p1b"]
        assert i["expanded_config"]["user.who"] == "p1"  # the renamed p1 applies last again
        # no profile left would leave no root disk
        assert_error(inst.run("profile", "assign", "cp1", ""), "root disk")
        assert expanded(inst, "cp1")["profiles"] == ["default", "p2", "p1b"]
    finally:
        inst.run("delete", "--force", "cp1")
    inst.ok("profile", "delete", "p1b")
    inst.ok("profile", "delete", "p2")


def test_live_apply_failure_keeps_the_profile_change_and_names_the_instance(inst):
    # As LXD: the profile is saved; the running instance that cannot take the change is named.
    inst.ok("profile", "create", "pf")
    inst.ok("launch", "busybox", "cpf", "-p", "default", "-p", "pf")
    try:
        r = inst.run("profile", "device", "add", "pf", "bad", "disk", "source=/nonexistent/x", "path=/mnt/bad")
        assert_error(r, "cpf", "/nonexistent/x", "profile \"pf\" was changed")
        assert inst.ok("profile", "device", "list", "pf").stdout == "bad\n"
        assert inst.instance("cpf")["status"] == "Running"
        inst.ok("profile", "device", "remove", "pf", "bad")
    finally:
        inst.run("delete", "--force", "cpf")
    inst.ok("profile", "delete", "pf")
