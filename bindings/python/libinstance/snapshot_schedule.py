"""What one pass of the snapshot scheduler did (:meth:`Client.run_snapshot_schedule`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import List, Optional


@dataclass(frozen=True)
class SnapshotScheduleRun:
    """Entries are ``"project/instance/snapshot"``; ``failed`` holds ``"project/instance: why"``."""

    taken: List[str] = field(default_factory=list)
    pruned: List[str] = field(default_factory=list)
    failed: List[str] = field(default_factory=list)

    @classmethod
    def _from_json(cls, text: str) -> "SnapshotScheduleRun":
        doc = json.loads(text)
        return cls(taken=list(doc["taken"]), pruned=list(doc["pruned"]), failed=list(doc["failed"]))


def _now_unix(now: Optional[datetime]) -> int:
    if now is None:
        return 0
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime or None, not {type(now).__name__}")
    # timestamp() reads a naive datetime as local time, as the schedules are.
    return int(now.timestamp())
