"""Projects: ``client.projects`` (pylxd's shape). A project is not inside a project, so these
documents are the same for every client whatever its ``project``."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional

from ._named_documents import NamedDocument, NamedDocumentManager
from .project_state import ProjectState


class Project(NamedDocument):
    """A project (LXD's api.Project): its own instances, and (per ``features.*`` in ``config``)
    its own images, profiles, volumes and networks, else the default project's. Change
    ``description`` or ``config`` and call :meth:`save`. rename() and delete() raise Conflict
    (key ``"name"``) while it holds anything; ``default`` can be neither (InvalidArgument)."""

    _kind = "project"
    _in_project = False

    name: str
    description: str
    config: Dict[str, str]
    used_by: List[str]

    _fields = (
        ("name", ""),
        ("description", ""),
        ("config", {}),
        ("used_by", []),
    )

    def _put(self) -> Dict[str, Any]:
        return {"description": self.description, "config": dict(self.config)}

    def state(self) -> ProjectState:
        """Its use against its limits, now: ``state().resources["instances"].usage``."""
        return ProjectState(json.loads(self._native("state")(self.name)))

    def __repr__(self) -> str:
        return f"Project(name={self.name!r})"


class ProjectManager(NamedDocumentManager[Project]):
    """``client.projects``: create, list, get and test projects. To work inside one, open a
    client on it: ``Client(state_dir, project="p1")``."""

    _model = Project

    def create(self, name: Optional[str] = None, description: Optional[str] = None,
               config: Optional[Mapping[str, str]] = None, **kwargs: Any) -> Project:
        """Creates a project, as pylxd's ``create(name, description=None, config=None)``; a
        ProjectsPost mapping works too: ``create({"name": "p1", "config": {...}})``. Unset
        features get LXD's defaults (images, profiles, storage.volumes ``"true"``; networks
        ``"false"``). Raises InvalidArgument naming the bad field (``"name"``,
        ``"config.<key>"``), AlreadyExists (key ``"name"``)."""
        if isinstance(name, Mapping):
            doc: Dict[str, Any] = dict(name)
        else:
            doc = {"name": name, "description": description or "", "config": dict(config or {})}
        doc.update(kwargs)
        return self._create(doc)
