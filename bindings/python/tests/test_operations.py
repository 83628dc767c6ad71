"""Operations through real containers: wait=False calls, Operation fields, listing and lookup,
timeouts, cancellation (refused and granted) and progress callbacks."""

from __future__ import annotations

import re
import shutil
import threading
import time
from typing import List, Tuple

import pytest

import libinstance

from conftest import make_state_dir, tree, unique_name

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def busybox_post(name: str) -> dict:
    return {"name": name, "source": {"type": "image", "alias": "busybox"}}


def assert_monotonic(updates: List[libinstance.Progress], key: str, label: str) -> None:
    assert updates, "no progress reported"
    assert {u.key for u in updates} == {key}
    percents = [u.percent for u in updates]
    assert all(p is not None for p in percents), updates
    assert percents == sorted(percents), f"progress went backwards: {updates}"
    assert len(set(percents)) == len(percents), f"an update was repeated: {updates}"
    assert all(str(u) == f"{label}: {u.percent}%" for u in updates), updates


def test_create_async_returns_a_running_operation(client: libinstance.Client) -> None:
    name = unique_name("async")
    op = client.instances.create(busybox_post(name), wait=False)
    try:
        assert isinstance(op, libinstance.Operation)
        assert UUID.fullmatch(op.id), op.id
        assert op.class_ == "task"
        assert op.description == "Creating instance"
        assert op.resources == {"instances": [f"/1.0/instances/{name}"]}
        assert op.status_code in (105, 103, 200), op
        assert RFC3339.fullmatch(op.created_at), op.created_at
        assert op.err == ""

        assert op.wait() is op
        assert (op.status, op.status_code) == ("Success", 200)
        assert op.done
        assert op.err == ""
        assert op.may_cancel is False  # ended: nothing left to cancel
        assert RFC3339.fullmatch(op.updated_at)
        assert op.updated_at >= op.created_at
        assert op.metadata.get("create_instance_from_image_unpack_progress", "Unpack: 100%") == "Unpack: 100%"
        assert op.to_dict()["id"] == op.id

        inst = client.instances.get(name)
        assert inst.status == "Stopped"
        # Waiting again reports the same success; cancelling an ended operation does nothing.
        op.wait(timeout=0)
        op.cancel()
        assert op.status == "Success"
    finally:
        client.instances.get(name).delete(force=True)


def test_operations_are_listed_and_found_by_id(client: libinstance.Client) -> None:
    name = unique_name("listed")
    op = client.instances.create(busybox_post(name), wait=False)
    try:
        op.wait()
        listed = client.operations.all()
        assert op in listed
        mine = listed[listed.index(op)]
        assert (mine.description, mine.status, mine.resources) == (
            "Creating instance", "Success", {"instances": [f"/1.0/instances/{name}"]})
        # Oldest first.
        created = [o.created_at for o in listed]
        assert created == sorted(created)

        found = client.operations.get(op.id)
        assert found == op
        assert found.raw == op.raw
        # A listed operation takes a handle on first use.
        mine.wait(timeout=0)
        assert mine.refresh().status_code == 200
    finally:
        client.instances.get(name).delete(force=True)


def test_unknown_operation_is_not_found(client: libinstance.Client) -> None:
    bogus = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(libinstance.NotFound) as exc:
        client.operations.get(bogus)
    assert bogus in str(exc.value)
    assert exc.value.code == 1


def test_lifecycle_calls_with_wait_false(client: libinstance.Client, make_instance) -> None:
    inst = make_instance("lifeasync", start=False)
    ops: List[Tuple[str, libinstance.Operation]] = []

    op = inst.start(wait=False)
    ops.append(("Starting instance", op))
    op.wait()
    inst.sync()
    assert inst.status == "Running"

    op = inst.restart(force=True, wait=False)
    ops.append(("Restarting instance", op))
    op.wait()
    assert client.instances.get(inst.name).status == "Running"

    op = inst.stop(force=True, wait=False)
    ops.append(("Stopping instance", op))
    op.wait()
    inst.sync()
    assert inst.status == "Stopped"

    op = inst.delete(wait=False)
    ops.append(("Deleting instance", op))
    op.wait()
    assert not client.instances.exists(inst.name)

    for description, op in ops:
        assert isinstance(op, libinstance.Operation)
        assert (op.description, op.status_code) == (description, 200)
        assert op.resources == {"instances": [f"/1.0/instances/{inst.name}"]}


def test_failed_operation_raises_its_error(client: libinstance.Client) -> None:
    name = unique_name("opfail")
    op = client.instances.create(
        {"name": name, "source": {"type": "image", "alias": "no-such-image"}}, wait=False)
    with pytest.raises(libinstance.NotFound) as exc:
        op.wait()
    assert "no-such-image" in str(exc.value)
    assert (op.status, op.status_code) == ("Failure", 400)
    assert "no-such-image" in op.err
    assert not client.instances.exists(name)
    # The same error again on a second wait.
    with pytest.raises(libinstance.NotFound):
        op.wait()


def test_bad_document_fails_the_call_itself(client: libinstance.Client) -> None:
    with pytest.raises(libinstance.InvalidConfig) as exc:
        client.instances.create(busybox_post("bad name"), wait=False)
    assert exc.value.key == "name"
    assert "bad name" in str(exc.value)


def test_wait_timeout_and_refused_cancel_on_a_stop(client: libinstance.Client, make_instance) -> None:
    inst = make_instance("slowstop")
    # busybox's init ignores the halt signal: a graceful stop runs until its timeout.
    started = time.monotonic()
    op = inst.stop(timeout=5, wait=False)
    with pytest.raises(libinstance.Timeout) as exc:
        op.wait(timeout=0)
    assert op.id in str(exc.value)
    assert exc.value.code == 8
    with pytest.raises(libinstance.Timeout) as exc:
        op.wait(timeout=0.3)
    assert op.id in str(exc.value)
    assert "300 ms" in str(exc.value)
    assert op.status_code == 103, op
    assert op.may_cancel is False

    with pytest.raises(libinstance.NotSupported) as exc:
        op.cancel()
    assert op.id in str(exc.value)
    assert exc.value.code == 4
    assert op.status == "Running"

    op.wait()
    assert time.monotonic() - started >= 1.5
    assert (op.status, op.status_code) == ("Success", 200)
    assert client.instances.get(inst.name).status == "Stopped"


def test_wait_releases_the_gil(make_instance) -> None:
    inst = make_instance("waitgil")
    op = inst.stop(timeout=5, wait=False)
    done = threading.Event()

    def waiter() -> None:
        op.wait()
        done.set()

    worker = threading.Thread(target=waiter)
    start = last = time.monotonic()
    max_gap = 0.0
    worker.start()
    while not done.is_set() and last - start < 60:
        now = time.monotonic()
        max_gap = max(max_gap, now - last)
        last = now
    worker.join()
    assert op.status == "Success"
    assert max_gap < 0.5, f"the main thread stalled {max_gap:.2f}s during wait()"


def test_cancel_create_from_a_large_image(client: libinstance.Client, large_image) -> None:
    image, _ = large_image
    name = unique_name("cancel")
    before = tree(client.state_dir)
    unpacking = threading.Event()
    seen: List[libinstance.Progress] = []

    def progress(update: libinstance.Progress) -> None:
        seen.append(update)
        unpacking.set()

    op = client.instances.create(
        {"name": name, "source": {"type": "image", "fingerprint": image.fingerprint}},
        wait=False, progress=progress)
    assert unpacking.wait(60), "no progress from the create"
    op.refresh()
    if op.done:
        pytest.fail(f"the create ended before it could be cancelled: {op.raw}")
    assert op.may_cancel is True
    op.cancel()
    with pytest.raises(libinstance.Cancelled) as exc:
        op.wait(timeout=60)
    assert exc.value.code == 9
    assert (op.status, op.status_code) == ("Cancelled", 401)
    assert seen[0].key == "create_instance_from_image_unpack_progress"
    op.cancel()  # ended: nothing to do

    assert not client.instances.exists(name)
    assert name not in [i.name for i in client.instances.all()]
    left = tree(client.state_dir) - before
    assert left == set(), f"the cancelled create left {sorted(left)} behind"


def test_progress_of_a_create_is_monotonic(client: libinstance.Client, large_image) -> None:
    image, import_updates = large_image
    assert_monotonic(import_updates, "image_import_progress", "Import")
    assert import_updates[-1].percent == 100

    name = unique_name("progress")
    updates: List[libinstance.Progress] = []
    threads = set()

    def progress(update: libinstance.Progress) -> None:
        threads.add(threading.get_ident())
        updates.append(update)

    inst = client.instances.create(
        {"name": name, "source": {"type": "image", "fingerprint": image.fingerprint}},
        progress=progress)
    try:
        assert isinstance(inst, libinstance.Instance)
        assert inst.name == name
        # Every update has arrived by the time create() returns.
        assert_monotonic(updates, "create_instance_from_image_unpack_progress", "Unpack")
        assert len(updates) >= 3, updates
        assert updates[-1].percent == 100
        assert threading.get_ident() not in threads  # from a library thread
    finally:
        inst.delete(force=True)


def test_build_and_import_as_operations(tmp_path) -> None:
    path = make_state_dir("opbuild")
    tarball = tmp_path / "busybox.tar.xz"
    try:
        with libinstance.Client(path) as c:
            updates: List[libinstance.Progress] = []
            op = c.images.build("busybox", alias="bb", output_path=tarball, wait=False,
                                progress=updates.append)
            assert isinstance(op, libinstance.Operation)
            assert op.description == "Building image"
            op.wait()
            fingerprint = op.metadata["fingerprint"]
            assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
            assert c.images.get("bb").fingerprint == fingerprint
            assert_monotonic(updates, "image_build_progress", "Build")
            assert updates[-1].percent == 100

            c.images.get("bb").delete()
            op = c.images.import_file(tarball, alias="again", wait=False)
            assert op.description == "Importing image"
            assert op.wait().metadata["fingerprint"] == fingerprint
            assert c.images.get("again").fingerprint == fingerprint

            with pytest.raises(libinstance.NotSupported) as exc:
                c.images.build("no-such-builder")
            assert "no-such-builder" in str(exc.value)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_operation_handles_close_with_the_client(tmp_path) -> None:
    path = make_state_dir("opclose")
    try:
        c = libinstance.Client(path)
        op = c.images.build("busybox", wait=False)
        op.wait()
        c.close()
        with pytest.raises(ValueError, match="closed"):
            op.refresh()
        # The directory is free again: this client holds nothing. (The library's worker thread
        # lets go of the manager a moment after the operation ends, hence the grace period.)
        deadline = time.monotonic() + 5
        while True:
            try:
                again = libinstance.Client(path)
                break
            except libinstance.Busy:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        with again:
            assert len(again.images.all()) == 1
    finally:
        shutil.rmtree(path, ignore_errors=True)
