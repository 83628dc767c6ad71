"""The snapshot scheduler through Python (Client.run_snapshot_schedule) on real containers: a pass
at a given time takes a due slot once, names snapshots by snapshots.pattern, deletes them once
snapshots.expiry has passed, and bad schedules are refused naming the key."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, List

import pytest

import libinstance

# Naive: local time, as schedules are read. A date the manager's own scheduler (running on the
# real clock in this session) does not reach during the tests.
TEN = datetime(2031, 1, 6, 10, 0)


def mine(entries: List[str], name: str) -> List[str]:
    return [e for e in entries if e.startswith(f"default/{name}/")]


def test_a_due_slot_is_taken_once_and_expires(client: libinstance.Client,
                                              make_instance: Callable[..., libinstance.Instance]) -> None:
    inst = make_instance("sched", start=False)
    inst.config_set({"snapshots.schedule": "0,2 10 6 1 *", "snapshots.schedule.stopped": "true",
                     "snapshots.pattern": "py%d", "snapshots.expiry": "1M"})

    first = client.run_snapshot_schedule(TEN)
    assert isinstance(first, libinstance.SnapshotScheduleRun)
    assert mine(first.taken, inst.name) == [f"default/{inst.name}/py0"]
    assert mine(first.pruned, inst.name) == []
    assert [f for f in first.failed if inst.name in f] == []

    again = client.run_snapshot_schedule(TEN + timedelta(seconds=20))
    assert mine(again.taken, inst.name) == []

    # 10:01: not scheduled; py0 (expiring at 10:01) goes.
    later = client.run_snapshot_schedule(TEN + timedelta(minutes=1))
    assert mine(later.taken, inst.name) == []
    assert mine(later.pruned, inst.name) == [f"default/{inst.name}/py0"]

    # An aware datetime names the same instant: 10:02 local is scheduled, py0 is gone.
    aware = (TEN + timedelta(minutes=2)).astimezone(timezone.utc)
    assert mine(client.run_snapshot_schedule(aware).taken, inst.name) == [f"default/{inst.name}/py0"]


def test_a_running_instance_needs_no_stopped_flag_and_a_stopped_one_does(
        client: libinstance.Client, make_instance: Callable[..., libinstance.Instance]) -> None:
    running = make_instance("schedrun")
    stopped = make_instance("schedstop", start=False)
    for inst in (running, stopped):
        inst.config_set("snapshots.schedule", "@yearly")
    run = client.run_snapshot_schedule(datetime(2032, 1, 1, 0, 0))
    assert mine(run.taken, running.name) == [f"default/{running.name}/snap0"]
    assert mine(run.taken, stopped.name) == []


def test_now_and_bad_arguments(client: libinstance.Client, make_instance: Callable[..., libinstance.Instance]) -> None:
    run = client.run_snapshot_schedule()
    assert isinstance(run.taken, list) and isinstance(run.pruned, list) and isinstance(run.failed, list)
    with pytest.raises(TypeError):
        client.run_snapshot_schedule("10:00")  # type: ignore[arg-type]
    with pytest.raises(libinstance.InvalidArgument) as bad_time:
        client.run_snapshot_schedule(datetime(1960, 1, 1, tzinfo=timezone.utc))
    assert bad_time.value.key == "now_unix"

    inst = make_instance("schedbad", start=False)
    for key, value in (("snapshots.schedule", "0 25 * * *"), ("snapshots.schedule", "@fortnightly"),
                       ("snapshots.schedule.stopped", "sometimes")):
        with pytest.raises(libinstance.InvalidConfig) as err:
            inst.config_set(key, value)
        assert err.value.key == f"config.{key}"
        assert value in str(err.value)
    assert inst.config_get("snapshots.schedule") is None
