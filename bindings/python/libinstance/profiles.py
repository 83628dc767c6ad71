"""Profiles: ``client.profiles`` (pylxd's shape)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from ._model import Model
from .errors import NotFound

if TYPE_CHECKING:
    from .client import Client


class Profile(Model):
    """A profile (LXD's api.Profile). Change ``description``, ``config`` or ``devices`` and call
    :meth:`save`; instances using the profile follow (live where they run)."""

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

    def __init__(self, client: "Client", data: Mapping[str, Any], etag: str = "") -> None:
        self.client = client
        self.etag = etag
        super().__init__(data)

    def _project(self) -> Optional[str]:
        return self.client.project

    def sync(self) -> None:
        """Reloads the profile (and its ETag) from the state directory."""
        doc, self.etag = self.client._manager().profile_get(self.name, self._project())
        self._load(json.loads(doc))

    def save(self, wait: bool = True) -> None:
        """Stores description, config and devices (LXD's PUT). Raises Conflict when the profile
        changed since it was read, InvalidArgument naming the bad key (nothing changed). ``wait``
        is accepted for pylxd compatibility; the change is done when save() returns."""
        put = {"description": self.description, "config": dict(self.config),
               "devices": {k: dict(v) for k, v in self.devices.items()}}
        self.client._manager().profile_update(self.name, json.dumps(put), self.etag or None, self._project())
        self.sync()

    def rename(self, new_name: str) -> "Profile":
        """Renames the profile; instances keep using it. Returns self, renamed."""
        self.client._manager().profile_rename(self.name, new_name, self._project())
        self.name = new_name
        self.sync()
        return self

    def delete(self, wait: bool = True) -> None:
        """Deletes the profile; Conflict naming the instances while any uses it."""
        self.client._manager().profile_delete(self.name, self._project())

    def __repr__(self) -> str:
        return f"Profile(name={self.name!r})"


class ProfileManager:
    """``client.profiles``: create, list, get and test profiles of the client's project."""

    def __init__(self, client: "Client") -> None:
        self._client = client

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
        self._client._manager().profile_create(json.dumps(doc), self._client.project)
        return self.get(doc.get("name", ""))

    def all(self) -> List[Profile]:
        docs = json.loads(self._client._manager().profile_list(self._client.project))
        return [Profile(self._client, d) for d in docs]

    def get(self, name: str) -> Profile:
        """One profile; raises NotFound."""
        doc, etag = self._client._manager().profile_get(name, self._client.project)
        return Profile(self._client, json.loads(doc), etag)

    def exists(self, name: str) -> bool:
        try:
            self.get(name)
            return True
        except NotFound:
            return False
