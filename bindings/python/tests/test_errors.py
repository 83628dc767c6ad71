"""Bad inputs map to the documented exception types, with messages naming the offending value."""

from __future__ import annotations

import os
from typing import Set

import pytest

import libinstance

from conftest import tree, unique_name


def busybox_post(name: str, **extra: object) -> dict:
    post = {"name": name, "source": {"type": "image", "alias": "busybox"}}
    post.update(extra)
    return post


def assert_nothing_left(client: libinstance.Client, name: str, before: Set[str]) -> None:
    assert not client.instances.exists(name)
    assert name not in [i.name for i in client.instances.all()]
    after = tree(client.state_dir)
    assert after - before == set(), f"failed create left {sorted(after - before)} behind"


def test_error_hierarchy() -> None:
    for cls in (libinstance.NotFound, libinstance.AlreadyExists, libinstance.InvalidConfig,
                libinstance.NotSupported, libinstance.Busy, libinstance.Conflict,
                libinstance.PermissionDenied, libinstance.Timeout, libinstance.Cancelled,
                libinstance.SystemCallError, libinstance.BackendError, libinstance.InternalError):
        assert issubclass(cls, libinstance.Error)
    assert libinstance.InvalidArgument is libinstance.InvalidConfig
    assert [c.code for c in (libinstance.NotFound, libinstance.InvalidConfig,
                             libinstance.Conflict)] == [1, 3, 6]


def test_unknown_image_is_not_found_and_leaves_nothing(client: libinstance.Client) -> None:
    name = unique_name("noimg")
    before = tree(client.state_dir)
    post = {"name": name, "source": {"type": "image", "alias": "no-such-image"}}
    with pytest.raises(libinstance.NotFound) as exc:
        client.instances.create(post)
    assert "no-such-image" in str(exc.value)
    assert exc.value.code == 1
    assert exc.value.status == "NotFound"
    assert_nothing_left(client, name, before)


def test_unknown_config_key_is_invalid_and_leaves_nothing(client: libinstance.Client) -> None:
    name = unique_name("badkey")
    before = tree(client.state_dir)
    with pytest.raises(libinstance.InvalidConfig) as exc:
        client.instances.create(busybox_post(name, config={"bogus.key": "1"}))
    # The key is named as a path in the InstancesPost document.
    assert exc.value.key in ("bogus.key", "config.bogus.key")
    assert "bogus.key" in str(exc.value)
    assert_nothing_left(client, name, before)


def test_failed_create_frees_the_name(client: libinstance.Client, make_instance) -> None:
    name = unique_name("retry")
    with pytest.raises(libinstance.InvalidConfig):
        client.instances.create(busybox_post(name, config={"bogus.key": "1"}))
    inst = client.instances.create(busybox_post(name))
    try:
        assert inst.name == name
    finally:
        inst.delete(force=True)


def test_duplicate_name_already_exists(client: libinstance.Client, make_instance) -> None:
    first = make_instance("dup", start=False)
    with pytest.raises(libinstance.AlreadyExists) as exc:
        client.instances.create(busybox_post(first.name))
    assert first.name in str(exc.value)
    assert exc.value.code == 2
    # The original is untouched.
    assert client.instances.get(first.name).status == "Stopped"


@pytest.mark.parametrize("bad", ["../x", "a b", "", "-lead", "x" * 64, "a/b"])
def test_invalid_names(client: libinstance.Client, bad: str) -> None:
    before = tree(client.state_dir)
    with pytest.raises(libinstance.InvalidConfig) as exc:
        client.instances.create(busybox_post(bad))
    assert exc.value.key == "name"
    if bad:
        assert bad in str(exc.value)
    assert tree(client.state_dir) - before == set()
    assert bad not in [i.name for i in client.instances.all()]


def test_exec_in_stopped_instance_conflicts(make_instance) -> None:
    inst = make_instance("stopped", start=False)
    with pytest.raises(libinstance.Conflict) as exc:
        inst.execute(["true"])
    assert inst.name in str(exc.value)
    assert exc.value.code == 6


def test_delete_running_without_force_conflicts(client: libinstance.Client, make_instance) -> None:
    inst = make_instance("running")
    with pytest.raises(libinstance.Conflict) as exc:
        inst.delete()
    assert inst.name in str(exc.value)
    # Still there and still running.
    assert client.instances.get(inst.name).status == "Running"
    inst.delete(force=True)
    assert not client.instances.exists(inst.name)


def test_start_running_conflicts(make_instance) -> None:
    inst = make_instance("twice")
    with pytest.raises(libinstance.Conflict) as exc:
        inst.start()
    assert inst.name in str(exc.value)


def test_exec_unknown_command_not_found(make_instance) -> None:
    inst = make_instance("nocmd")
    with pytest.raises(libinstance.NotFound) as exc:
        inst.execute(["no-such-command-xyz"])
    assert "no-such-command-xyz" in str(exc.value)


def test_get_unknown_instance(client: libinstance.Client) -> None:
    with pytest.raises(libinstance.NotFound) as exc:
        client.instances.get("never-created")
    assert "never-created" in str(exc.value)
    assert not client.instances.exists("never-created")


def test_second_client_on_same_state_dir_is_busy(client: libinstance.Client) -> None:
    with pytest.raises(libinstance.Busy) as exc:
        libinstance.Client(client.state_dir)
    assert client.state_dir in str(exc.value)
    assert exc.value.code == 5
    # The first client still works.
    assert client.images.exists("busybox")


def test_lock_released_on_close() -> None:
    from conftest import make_state_dir
    import shutil

    path = make_state_dir("lock")
    try:
        first = libinstance.Client(path)
        with pytest.raises(libinstance.Busy):
            libinstance.Client(path)
        first.close()
        first.close()  # idempotent
        with libinstance.Client(path) as second:
            assert second.state_dir == os.path.realpath(path)
        assert second.closed
        with pytest.raises(ValueError, match="closed"):
            second.images.all()
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_bad_python_arguments(client: libinstance.Client, make_instance) -> None:
    with pytest.raises(TypeError):
        client.instances.create('{"name": "x"}')  # type: ignore[arg-type]
    inst = make_instance("args")
    with pytest.raises(TypeError):
        inst.execute("uname -a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="argv is empty"):
        inst.execute([])
    with pytest.raises(ValueError, match="A=B"):
        inst.execute(["true"], environment={"A=B": "c"})
