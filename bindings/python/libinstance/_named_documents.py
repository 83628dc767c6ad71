"""The shared shape of named documents with ETags (profiles, networks, projects): the model
reloads, saves, renames and deletes itself through the native calls ``<kind>_get``,
``<kind>_update``, ``<kind>_rename`` and ``<kind>_delete``; the manager creates, lists, gets and
tests them. Each kind only names itself and its writable fields, and whether it lives inside a
project (then every native call takes the client's project last)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar, Dict, Generic, List, Mapping, Optional, Tuple, Type, TypeVar

from ._model import Model
from .errors import NotFound

if TYPE_CHECKING:
    from .client import Client


class NamedDocument(Model):
    _kind = ""  # "profile", "network", "project": the prefix of the native calls
    # Projects themselves are not inside a project: their native calls take no project.
    _in_project: ClassVar[bool] = True

    name: str

    def __init__(self, client: "Client", data: Mapping[str, Any], etag: str = "") -> None:
        self.client = client
        self.etag = etag
        super().__init__(data)

    def _project(self) -> Optional[str]:
        return self.client.project

    def _scope(self) -> Tuple[Optional[str], ...]:
        """The trailing project argument of the native calls, if the kind takes one."""
        return (self.client.project,) if self._in_project else ()

    def _native(self, call: str) -> Any:
        return getattr(self.client._manager(), f"{self._kind}_{call}")

    def _put(self) -> Dict[str, Any]:
        """The writable fields, as LXD's PUT takes them."""
        raise NotImplementedError

    def sync(self) -> None:
        """Reloads it (and its ETag) from the state directory."""
        doc, self.etag = self._native("get")(self.name, *self._scope())
        self._load(json.loads(doc))

    def save(self, wait: bool = True) -> None:
        """Stores the writable fields (LXD's PUT). Raises Conflict (key ``"etag"``) when it changed
        since it was read, InvalidArgument naming the bad key (nothing changed). ``wait`` is
        accepted for pylxd compatibility; the change is done when save() returns."""
        self._native("update")(self.name, json.dumps(self._put()), self.etag or None, *self._scope())
        self.sync()

    def rename(self, new_name: str) -> Any:
        """Renames it; returns self, renamed."""
        self._native("rename")(self.name, new_name, *self._scope())
        self.name = new_name
        self.sync()
        return self

    def delete(self, wait: bool = True) -> None:
        """Deletes it; refused (naming them) while anything uses it."""
        self._native("delete")(self.name, *self._scope())


D = TypeVar("D", bound=NamedDocument)


class NamedDocumentManager(Generic[D]):
    _model: Type[D]

    def __init__(self, client: "Client") -> None:
        self._client = client

    def _call(self, call: str, *args: Any) -> Any:
        native = getattr(self._client._manager(), f"{self._model._kind}_{call}")
        return native(*args, self._client.project) if self._model._in_project else native(*args)

    def _create(self, doc: Dict[str, Any]) -> D:
        self._call("create", json.dumps(doc))
        return self.get(doc.get("name", ""))

    def all(self) -> List[D]:
        """Every one (of the client's project, for kinds inside one), by name."""
        docs = json.loads(self._call("list"))
        return [self._model(self._client, d) for d in docs]

    def get(self, name: str) -> D:
        """One by name; raises NotFound (key ``"name"``)."""
        doc, etag = self._call("get", name)
        return self._model(self._client, json.loads(doc), etag)

    def exists(self, name: str) -> bool:
        try:
            self.get(name)
            return True
        except NotFound:
            return False
