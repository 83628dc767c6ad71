"""A project's use against its limits: LXD's ``ProjectState`` (:meth:`Project.state`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping

from ._model import Model


@dataclass(frozen=True)
class ProjectResource:
    """One resource of a project: ``usage`` against ``limit`` (-1: no limit). Memory and disk
    are in bytes."""

    limit: int = -1
    usage: int = 0

    @property
    def limited(self) -> bool:
        return self.limit >= 0


class ProjectState(Model):
    """What a project uses (LXD's api.ProjectState): ``resources`` maps ``"instances"``,
    ``"containers"``, ``"virtual-machines"``, ``"cpu"``, ``"memory"``, ``"processes"``,
    ``"disk"`` and ``"networks"`` to a :class:`ProjectResource`."""

    resources: Dict[str, ProjectResource]

    def _load(self, data: Mapping[str, Any]) -> None:
        self.raw = dict(data)
        # LXD spells the resource fields "Limit" and "Usage"; lower case is accepted too.
        self.resources = {
            name: ProjectResource(limit=int(r.get("Limit", r.get("limit", -1))),
                                  usage=int(r.get("Usage", r.get("usage", 0))))
            for name, r in (data.get("resources") or {}).items()
        }

    def __repr__(self) -> str:
        used = ", ".join(f"{n}={r.usage}/{r.limit}" for n, r in sorted(self.resources.items()))
        return f"ProjectState({used})"
