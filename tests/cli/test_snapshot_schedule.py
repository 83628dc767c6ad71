"""`inst admin snapshot-schedule [--at RFC3339]`: the snapshot scheduler's pass as of a given
time on a real container, its table/json/yaml output, and refusals naming the flag or key."""

import json

import yaml

from conftest import assert_error

# 12:00 UTC on 2031-01-06: January 6th and a quarter hour in every time zone from UTC-12 to
# UTC+11 (schedules are read in local time), and never reached by the real clock of a test run.
NOON = "2031-01-06T12:00:00Z"
SCHEDULE = "0,15,30,45 * 6 1 *"


def test_snapshot_schedule_takes_a_slot_once_and_prunes(inst):
    inst.ok("init", "busybox", "sched1")
    try:
        inst.ok("config", "set", "sched1", f"snapshots.schedule={SCHEDULE}", "snapshots.schedule.stopped=true",
                "snapshots.pattern=cli%d", "snapshots.expiry=1M")
        first = json.loads(inst.ok("admin", "snapshot-schedule", "--at", NOON, "--format", "json").stdout)
        assert [t for t in first["taken"] if "/sched1/" in t] == ["default/sched1/cli0"]
        assert first["failed"] == []

        # The same minute again: nothing taken; the table says so by listing nothing of sched1.
        table = inst.ok("admin", "snapshot-schedule", "--at", "2031-01-06T12:00:30Z").stdout
        assert "ACTION" in table and "sched1" not in table

        # A minute later: not scheduled, and cli0 (expiring then) is deleted.
        later = yaml.safe_load(inst.ok("admin", "snapshot-schedule", "--at", "2031-01-06T12:01:00Z",
                                       "--format", "yaml").stdout)
        assert [t for t in later["taken"] if "/sched1/" in t] == []
        assert [p for p in later["pruned"] if "/sched1/" in p] == ["default/sched1/cli0"]

        table = inst.ok("admin", "snapshot-schedule", "--at", "2031-01-06T12:15:00Z").stdout
        assert "TAKEN" in table and "default/sched1/cli0" in table
    finally:
        inst.run("delete", "--force", "sched1")


def test_snapshot_schedule_now_and_refusals(inst):
    assert json.loads(inst.ok("admin", "snapshot-schedule", "-f", "json").stdout).keys() == {"taken", "pruned", "failed"}
    assert_error(inst.run("admin", "snapshot-schedule", "--at", "yesterday"), "yesterday", "--at")
    assert_error(inst.run("admin", "snapshot-schedule", "extra"))
    inst.ok("init", "busybox", "sched2")
    try:
        assert_error(inst.run("config", "set", "sched2", "snapshots.schedule=0 0 * *"), "snapshots.schedule", "0 0 * *")
        assert_error(inst.run("config", "set", "sched2", "snapshots.schedule.stopped=perhaps"),
                     "snapshots.schedule.stopped", "perhaps")
    finally:
        inst.run("delete", "--force", "sched2")
