"""Disaster recovery (``lxd recover``): what :meth:`Client.recover_validate` found and
:meth:`Client.recover_import` brought back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional


@dataclass(frozen=True)
class RecoverVolume:
    """A volume on a pool that the database does not know."""

    pool: str
    project: str
    type: str  # "container", "virtual-machine" or "custom"
    name: str
    snapshot_count: int = 0


@dataclass(frozen=True)
class RecoverResult:
    unknown_pools: List[str] = field(default_factory=list)
    unknown_volumes: List[RecoverVolume] = field(default_factory=list)
    # Why some volumes cannot be imported yet (a missing profile, pool or volume).
    dependency_errors: List[str] = field(default_factory=list)

    @classmethod
    def _from_json(cls, text: str) -> "RecoverResult":
        doc = json.loads(text)
        volumes = [RecoverVolume(pool=v["pool"], project=v["project"], type=v["type"], name=v["name"],
                                 snapshot_count=int(v["snapshot_count"])) for v in doc["unknown_volumes"]]
        return cls(unknown_pools=list(doc["unknown_pools"]), unknown_volumes=volumes,
                   dependency_errors=list(doc["dependency_errors"]))


def _options_json(pools: Optional[Iterable[Mapping[str, Any]]]) -> Optional[str]:
    if pools is None:
        return None
    if isinstance(pools, (str, bytes)) or isinstance(pools, Mapping):
        raise TypeError("pools must be a list of storage pool definitions ({'name', 'driver', 'config'})")
    return json.dumps({"pools": [dict(p) for p in pools]})
