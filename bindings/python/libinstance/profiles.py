"""Profiles: ``client.profiles`` (pylxd's shape)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from ._named_documents import NamedDocument, NamedDocumentManager


class Profile(NamedDocument):
    """A profile (LXD's api.Profile). Change ``description``, ``config`` or ``devices`` and call
    :meth:`save`; instances using the profile follow (live where they run). Deleting one that
    instances use raises Conflict naming them."""

    _kind = "profile"

    name: str
    description: str
    config: Dict[str, str]
    devices: Dict[str, Dict[str, str]]
    used_by: List[str]

    _fields = (
        ("name", ""),
        ("description", ""),
        ("config", {}),
        ("devices", {}),
        ("used_by", []),
    )

    def _put(self) -> Dict[str, Any]:
        return {"description": self.description, "config": dict(self.config),
                "devices": {k: dict(v) for k, v in self.devices.items()}}

    def __repr__(self) -> str:
        return f"Profile(name={self.name!r})"


class ProfileManager(NamedDocumentManager[Profile]):
    """``client.profiles``: create, list, get and test profiles of the client's project."""

    _model = Profile

    def create(self, name: Optional[str] = None, config: Optional[Mapping[str, str]] = None,
               devices: Optional[Mapping[str, Mapping[str, str]]] = None, description: str = "",
               **kwargs: Any) -> Profile:
        """Creates a profile, as pylxd's ``create(name, config=..., devices=...)``; a ProfilesPost
        mapping works too: ``create({"name": "p", "config": {...}})``. Raises InvalidArgument
        naming the bad key, AlreadyExists."""
        if isinstance(name, Mapping):
            doc: Dict[str, Any] = dict(name)
        else:
            doc = {"name": name, "description": description, "config": dict(config or {}),
                   "devices": {k: dict(v) for k, v in (devices or {}).items()}}
        doc.update(kwargs)
        return self._create(doc)
