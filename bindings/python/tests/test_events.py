"""Events through real containers: lifecycle and operation events in both forms (iterator and
callback), logging events, bounded queues that drop instead of blocking the library, closing
from anywhere without deadlocks, and set_log."""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
import time
from typing import Any, Callable, Dict, List

import pytest

import libinstance

from conftest import make_state_dir, unique_name

Event = Dict[str, Any]
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
# Deleting an instance deletes (and announces) its snapshots first, as LXD does.
LIFECYCLE = ["instance-created", "instance-started", "instance-snapshot-created", "instance-stopped",
             "instance-snapshot-deleted", "instance-deleted"]


def busybox_post(name: str) -> dict:
    return {"name": name, "source": {"type": "image", "alias": "busybox"}}


def run_lifecycle(client: libinstance.Client, name: str) -> None:
    inst = client.instances.create(busybox_post(name))
    inst.start()
    inst.snapshots.create("snap0")
    inst.stop(force=True)
    inst.delete()


def read_until(stream: libinstance.EventStream, done: Callable[[Event], bool],
               timeout: float = 60) -> List[Event]:
    """Events from @stream up to and including the first that @done accepts."""
    events = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            event = stream.next(timeout=max(left, 0))
        except libinstance.Timeout:
            pytest.fail(f"no matching event within {timeout} s; got {events}")
        events.append(event)
        if done(event):
            return events


def check_envelope(event: Event, kind: str) -> None:
    assert event["type"] == kind
    assert RFC3339.fullmatch(event["timestamp"]), event
    assert event["project"] == "default"
    assert event["location"] == "none"
    assert isinstance(event["metadata"], dict)


def lifecycle_of(events: List[Event], name: str) -> List[str]:
    sources = {f"/1.0/instances/{name}", f"/1.0/instances/{name}/snapshots/snap0"}
    return [e["metadata"]["action"] for e in events
            if e["type"] == "lifecycle" and e["metadata"].get("source") in sources]


def test_lifecycle_events_in_order_iterator(client: libinstance.Client) -> None:
    name = unique_name("evit")
    with client.events(types=["lifecycle"]) as events:
        assert isinstance(events, libinstance.EventStream)
        run_lifecycle(client, name)
        got = read_until(events, lambda e: e["metadata"].get("action") == "instance-deleted"
                         and e["metadata"].get("source") == f"/1.0/instances/{name}")
        assert events.dropped == 0
    assert events.closed
    for event in got:
        check_envelope(event, "lifecycle")
    assert lifecycle_of(got, name) == LIFECYCLE
    created = got[[e["metadata"]["action"] for e in got].index("instance-created")]
    assert created["metadata"]["source"] == f"/1.0/instances/{name}"
    assert isinstance(created["metadata"].get("context"), dict)


def test_lifecycle_events_in_order_callback(client: libinstance.Client) -> None:
    name = unique_name("evcb")
    got: List[Event] = []
    threads = set()
    deleted = threading.Event()

    def on_event(event: Event) -> None:
        threads.add(threading.get_ident())
        got.append(event)
        if event["metadata"].get("action") == "instance-deleted" and \
                event["metadata"].get("source") == f"/1.0/instances/{name}":
            deleted.set()

    with client.events.subscribe(on_event, types="lifecycle") as sub:
        assert isinstance(sub, libinstance.Subscription)
        run_lifecycle(client, name)
        assert deleted.wait(60), f"no instance-deleted event; got {got}"
    assert sub.closed
    assert lifecycle_of(got, name) == LIFECYCLE
    for event in got:
        check_envelope(event, "lifecycle")
    assert threading.get_ident() not in threads  # delivered on a library thread
    assert len(threads) == 1  # one thread per subscription, in order


def test_operation_events_reach_success(client: libinstance.Client) -> None:
    name = unique_name("evop")
    with client.events(types="operation") as events:
        op = client.instances.create(busybox_post(name), wait=False)
        try:
            got = read_until(events, lambda e: e["metadata"]["id"] == op.id
                             and e["metadata"]["status_code"] in (200, 400, 401))
        finally:
            op.wait()
            client.instances.get(name).delete()
    mine = [e for e in got if e["metadata"]["id"] == op.id]
    for event in mine:
        check_envelope(event, "operation")
        assert event["metadata"]["description"] == "Creating instance"
        assert event["metadata"]["resources"] == {"instances": [f"/1.0/instances/{name}"]}
    statuses = [e["metadata"]["status"] for e in mine]
    assert statuses[0] in ("Pending", "Running")
    assert statuses[-1] == "Success"
    assert "Running" in statuses
    assert statuses.index("Running") < len(statuses) - 1
    assert mine[-1]["metadata"]["status_code"] == 200
    assert mine[-1]["metadata"]["err"] == ""


def test_logging_events(client: libinstance.Client) -> None:
    name = unique_name("evlog")
    with client.events(types=["logging"], log_level="info") as events:
        client.instances.create(busybox_post(name)).delete()
        got = read_until(events, lambda e: e["metadata"].get("context", {}).get("instance") == name)
    event = got[-1]
    check_envelope(event, "logging")
    assert event["metadata"]["level"] in ("info", "warn", "error")
    assert event["metadata"]["message"]
    assert event["metadata"]["context"]["project"] == "default"


def test_blocking_callback_does_not_block_the_library(client: libinstance.Client) -> None:
    release = threading.Event()
    entered = threading.Event()
    calls = []

    def stuck(event: Event) -> None:
        calls.append(event)
        entered.set()
        release.wait(120)

    sub = client.events.subscribe(stuck, queue_size=2)
    try:
        started = time.monotonic()
        for n in range(3):
            run_lifecycle(client, unique_name(f"evblock{n}"))
        elapsed = time.monotonic() - started
        assert entered.wait(10)
        # Only the first event reached the callback, which is still stuck: the library went on,
        # queued two events and dropped the rest.
        assert len(calls) == 1
        assert sub.dropped > 0
        assert elapsed < 100
        dropped = sub.dropped
    finally:
        release.set()
        sub.close()
    assert sub.dropped >= dropped  # still readable after close
    assert len(calls) <= 3


def test_unread_stream_drops_beyond_its_queue(client: libinstance.Client) -> None:
    with client.events(queue_size=2) as events:
        run_lifecycle(client, unique_name("evunread"))
        assert events.dropped > 0
        first = events.next(timeout=10)
        assert first["type"] in ("lifecycle", "operation", "logging")


def test_close_from_inside_the_callback(client: libinstance.Client) -> None:
    calls: List[Event] = []
    closed_inside = threading.Event()
    holder: Dict[str, libinstance.Subscription] = {}
    ready = threading.Event()

    def once(event: Event) -> None:
        ready.wait(10)
        calls.append(event)
        holder["sub"].close()  # must not wait for itself
        closed_inside.set()

    holder["sub"] = client.events.subscribe(once)
    ready.set()
    run_lifecycle(client, unique_name("evself"))
    assert closed_inside.wait(30)
    assert holder["sub"].closed
    time.sleep(0.2)
    assert len(calls) == 1


def test_close_while_a_callback_runs_python(client: libinstance.Client) -> None:
    running = threading.Event()
    finished = threading.Event()

    def busy(event: Event) -> None:
        running.set()
        # Python work for a while: needs the GIL, which close() must not hold while it waits.
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            sum(range(1000))
        finished.set()

    sub = client.events.subscribe(busy)
    run_lifecycle(client, unique_name("evbusy"))
    assert running.wait(30)
    closer = threading.Thread(target=sub.close)
    closer.start()
    closer.join(30)
    assert not closer.is_alive(), "close() deadlocked with a running callback"
    assert finished.is_set()  # close() waited for the callback in progress
    assert sub.closed


def test_callback_errors_are_reported_and_delivery_goes_on(client: libinstance.Client,
                                                           monkeypatch) -> None:
    reported: List[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))
    seen: List[str] = []
    name = unique_name("everr")

    def flaky(event: Event) -> None:
        seen.append(event["metadata"]["action"])
        if event["metadata"]["action"] == "instance-created":
            raise RuntimeError("callback failed on purpose")

    with client.events.subscribe(flaky, types=["lifecycle"]):
        run_lifecycle(client, name)
        deadline = time.monotonic() + 30
        while "instance-deleted" not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
    assert seen[:len(LIFECYCLE)] == LIFECYCLE
    assert any(isinstance(e, RuntimeError) and "on purpose" in str(e) for e in reported), reported


def test_stream_next_timeout_and_end(client: libinstance.Client) -> None:
    events = client.events(types=["lifecycle"])
    with pytest.raises(libinstance.Timeout):
        events.next(timeout=0.2)
    started = time.monotonic()
    closer = threading.Timer(0.3, events.close)
    closer.start()
    assert list(events) == []  # iteration blocks until closed, then ends
    assert time.monotonic() - started >= 0.25
    with pytest.raises(StopIteration):
        events.next(timeout=1)
    events.close()  # idempotent


def test_bad_subscription_arguments(client: libinstance.Client) -> None:
    with pytest.raises(libinstance.InvalidConfig) as exc:
        client.events(types=["lifecycle", "bogus"])
    assert exc.value.key == "opts.types"
    assert "bogus" in str(exc.value)
    with pytest.raises(libinstance.InvalidConfig) as exc:
        client.events.subscribe(print, log_level="loud")
    assert exc.value.key == "opts.log_level"
    assert "loud" in str(exc.value)
    with pytest.raises(ValueError, match="queue_size"):
        client.events(queue_size=0)
    with pytest.raises(TypeError, match="callable"):
        client.events.subscribe("not a function")  # type: ignore[arg-type]
    with client.events.subscribe(lambda e: None) as sub:
        with pytest.raises(TypeError, match="callback"):
            sub._native.next(0)  # a callback subscription has no queue to read


def test_client_close_ends_subscriptions() -> None:
    path = make_state_dir("evclose")
    try:
        c = libinstance.Client(path)
        sub = c.events.subscribe(lambda e: None)
        stream = c.events()
        c.close()
        assert sub.closed
        assert stream.closed
        with pytest.raises(StopIteration):
            stream.next(timeout=1)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_client_close_from_inside_a_callback() -> None:
    path = make_state_dir("evcloseinside")
    try:
        c = libinstance.Client(path)
        closed = threading.Event()
        # Another subscription busy in its own callback: close() must wait for it without
        # holding the GIL that callback needs.
        slow = c.events.subscribe(lambda e: time.sleep(0.2))

        def close_client(event: Event) -> None:
            c.close()
            closed.set()

        sub = c.events.subscribe(close_client, types=["operation"])
        op = c.images.build("busybox", wait=False)
        assert closed.wait(30), "client.close() from a callback did not return"
        assert c.closed and sub.closed and slow.closed
        with pytest.raises(ValueError, match="closed"):
            op.refresh()
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_set_log(client: libinstance.Client, tmp_path) -> None:
    log = tmp_path / "libinstance.log"
    name = unique_name("log")
    try:
        client.set_log("debug", log)
        client.instances.create(busybox_post(name)).delete()
        text = log.read_text()
        assert name in text
        size = log.stat().st_size
        client.set_log("warn", "none")
        client.instances.create(busybox_post(name)).delete()
        assert log.stat().st_size == size  # "none": nothing more written there

        with pytest.raises(libinstance.InvalidConfig) as exc:
            client.set_log("chatty")
        assert exc.value.key == "level"
        assert "chatty" in str(exc.value)
        missing = os.path.join(str(tmp_path), "no-such-dir", "x.log")
        with pytest.raises(libinstance.Error) as exc2:
            client.set_log("info", missing)
        assert missing in str(exc2.value)
    finally:
        client.set_log()  # the default: warnings to stderr
