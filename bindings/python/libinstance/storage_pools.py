"""Storage pools: ``client.storage_pools`` (pylxd's shape)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from ._model import Model
from .errors import NotFound

if TYPE_CHECKING:
    from .client import Client


class StoragePool(Model):
    """A storage pool (LXD's api.StoragePool): ``dir`` or ``btrfs``."""

    name: str
    driver: str
    description: str
    config: Dict[str, str]
    status: str
    used_by: List[str]
    locations: List[str]

    _fields = (
        ("name", ""),
        ("driver", ""),
        ("description", ""),
        ("config", {}),
        ("status", ""),
        ("used_by", []),
        ("locations", []),
    )

    def __init__(self, client: "Client", data: Mapping[str, Any]) -> None:
        self.client = client
        super().__init__(data)

    def delete(self) -> None:
        """Deletes the pool; raises Busy naming its users while instances or profiles use it."""
        self.client._manager().storage_pool_delete(self.name)

    def __repr__(self) -> str:
        return f"StoragePool(name={self.name!r}, driver={self.driver!r})"


class StoragePoolManager:
    """``client.storage_pools``: create, list, get and delete storage pools."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def create(self, definition: Optional[Mapping[str, Any]] = None, /, **kwargs: Any) -> StoragePool:
        """Creates a pool from a StoragePoolsPost mapping, as pylxd:
        ``create({"name": "fast", "driver": "btrfs", "config": {"size": "5GiB"}})`` (keyword
        arguments work too). Raises InvalidArgument naming the bad key, NotSupported for an
        unknown driver, AlreadyExists."""
        doc = dict(definition or {})
        doc.update(kwargs)
        return StoragePool(self._client, json.loads(self._client._manager().storage_pool_create(json.dumps(doc))))

    def all(self) -> List[StoragePool]:
        return [StoragePool(self._client, d) for d in json.loads(self._client._manager().storage_pool_list())]

    def get(self, name: str) -> StoragePool:
        """One pool; raises NotFound."""
        return StoragePool(self._client, json.loads(self._client._manager().storage_pool_get(name)))

    def exists(self, name: str) -> bool:
        try:
            self.get(name)
            return True
        except NotFound:
            return False
