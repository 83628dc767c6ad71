"""Storage pools: ``client.storage_pools`` (pylxd's shape)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from ._model import Model
from .errors import NotFound
from .storage_volumes import StorageVolumeManager

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

    def __init__(self, client: "Client", data: Mapping[str, Any], etag: str = "") -> None:
        self.client = client
        self.etag = etag
        super().__init__(data)

    def sync(self) -> None:
        """Reloads the pool (and its ETag) from the state directory."""
        manager = self.client._manager()
        self.etag = manager.storage_pool_etag(self.name)
        self._load(json.loads(manager.storage_pool_get(self.name)))

    def save(self, wait: bool = True) -> None:
        """Stores ``description`` and ``config`` (LXD's PUT), as pylxd. dir: only the description
        can change; btrfs: ``size`` of a loop-backed pool may grow, ``btrfs.mount_options``
        remounts. Raises InvalidArgument naming the key (a shrink, an unknown key: nothing
        changed), Conflict when the pool changed since it was read. ``wait`` is accepted for
        pylxd compatibility."""
        self.put({"description": self.description, "config": dict(self.config)}, wait)

    def put(self, put_object: Mapping[str, Any], wait: bool = True) -> None:
        """Replaces description and config with those of ``put_object`` (pylxd's ``put``)."""
        doc = {"description": put_object.get("description", ""), "config": dict(put_object.get("config", {}))}
        self.client._manager().storage_pool_update(self.name, json.dumps(doc), self.etag or None)
        self.sync()

    def patch(self, patch_object: Mapping[str, Any], wait: bool = True) -> None:
        """Changes only the given description and config keys (pylxd's ``patch``)."""
        config = dict(self.config)
        config.update(patch_object.get("config", {}))
        self.put({"description": patch_object.get("description", self.description), "config": config}, wait)

    @property
    def resources(self) -> "StorageResourcesManager":
        """pylxd's ``pool.resources.get()``."""
        return StorageResourcesManager(self)

    def get_resources(self) -> "StorageResources":
        """The pool's space and inodes (LXD's api.ResourcesStoragePool)."""
        return self.resources.get()

    @property
    def volumes(self) -> "StorageVolumeManager":
        """The pool's volumes in the client's project (pylxd's ``pool.volumes``)."""
        return StorageVolumeManager(self)

    def delete(self) -> None:
        """Deletes the pool; raises Busy naming its users while instances or profiles use it."""
        self.client._manager().storage_pool_delete(self.name)

    def __repr__(self) -> str:
        return f"StoragePool(name={self.name!r}, driver={self.driver!r})"


class StorageResources(Model):
    """LXD's api.ResourcesStoragePool: ``space`` and ``inodes``, each ``{"used": n, "total": n}``
    (bytes; inodes 0 where the file system does not count them, e.g. btrfs)."""

    space: Dict[str, int]
    inodes: Dict[str, int]

    _fields = (
        ("space", {}),
        ("inodes", {}),
    )


class StorageResourcesManager:
    """``pool.resources``: ``get()`` the pool's usage."""

    def __init__(self, pool: StoragePool) -> None:
        self._pool = pool

    def get(self) -> StorageResources:
        return StorageResources(json.loads(self._pool.client._manager().storage_pool_resources(self._pool.name)))


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
        manager = self._client._manager()
        return StoragePool(self._client, json.loads(manager.storage_pool_get(name)), manager.storage_pool_etag(name))

    def exists(self, name: str) -> bool:
        try:
            self.get(name)
            return True
        except NotFound:
            return False
