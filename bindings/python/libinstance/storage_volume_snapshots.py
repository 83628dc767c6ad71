"""Snapshots of custom storage volumes: ``volume.snapshots`` of a
:class:`~libinstance.StorageVolume` (pylxd's shape).

A snapshot is a read-only point-in-time copy of the volume (copy-on-write on btrfs, a copy on
dir). ``restore()`` makes the volume's content the snapshot's again; the snapshot stays.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from ._model import Model
from .errors import NotFound

if TYPE_CHECKING:
    from .storage_volumes import StorageVolume


class StorageVolumeSnapshot(Model):
    """A snapshot of a custom volume (LXD's api.StorageVolumeSnapshot). ``expires_at`` is RFC
    3339; LXD's zero time "0001-01-01T00:00:00Z" means never. Change ``description`` or
    ``expires_at`` and call :meth:`save`, or use :meth:`update`."""

    name: str
    description: str
    config: Dict[str, str]
    content_type: str
    created_at: str
    expires_at: str

    _fields = (
        ("name", ""),
        ("description", ""),
        ("config", {}),
        ("content_type", "filesystem"),
        ("created_at", ""),
        ("expires_at", ""),
    )

    def __init__(self, volume: "StorageVolume", data: Mapping[str, Any]) -> None:
        self.volume = volume
        super().__init__(data)

    def _load(self, data: Mapping[str, Any]) -> None:
        super()._load(data)
        if self.config is None:
            self.config = {}

    def _call(self) -> Any:
        return self.volume.client._manager()

    def _where(self) -> tuple:
        return (self.volume.storage_pool.name, self.volume.name)

    def sync(self) -> None:
        """Reloads the snapshot from the state directory."""
        pool, volume = self._where()
        self._load(json.loads(self._call().storage_volume_snapshot_get(pool, volume, self.name, self.volume._project())))

    def save(self, wait: bool = False) -> None:
        """Stores ``description`` and ``expires_at`` (LXD's PUT). InvalidArgument naming
        ``expires_at`` for a time that is not RFC 3339, nothing changed."""
        del wait
        expires = "" if self.expires_at in (None, "0001-01-01T00:00:00Z") else self.expires_at
        self.update(description=self.description, expires_at=expires)

    def update(self, description: Optional[str] = None, expires_at: Optional[str] = None) -> None:
        """Changes the description and/or expiry (the other keeps its value; ``expires_at=""``
        removes the expiry)."""
        self.sync()
        current = "" if self.expires_at == "0001-01-01T00:00:00Z" else self.expires_at
        put = {"description": self.description if description is None else description,
               "expires_at": current if expires_at is None else expires_at}
        pool, volume = self._where()
        self._call().storage_volume_snapshot_update(pool, volume, self.name, json.dumps(put), self.volume._project())
        self.sync()

    def rename(self, new_name: str, wait: bool = False) -> "StorageVolumeSnapshot":
        """Renames the snapshot; this object follows. AlreadyExists or InvalidArgument (key
        ``new_name``). Returns self."""
        del wait
        pool, volume = self._where()
        self._call().storage_volume_snapshot_rename(pool, volume, self.name, new_name, self.volume._project())
        self.name = new_name
        self.sync()
        return self

    def delete(self, wait: bool = False) -> None:
        """Deletes the snapshot's files and record."""
        del wait
        pool, volume = self._where()
        self._call().storage_volume_snapshot_delete(pool, volume, self.name, self.volume._project())

    def restore(self, wait: bool = False) -> None:
        """Makes the volume's content this snapshot's again (the snapshot stays). Busy (key
        ``name``) while a running instance has the volume attached."""
        del wait
        pool, volume = self._where()
        self._call().storage_volume_snapshot_restore(pool, volume, self.name, self.volume._project())

    def __repr__(self) -> str:
        return (f"StorageVolumeSnapshot(pool={self.volume.storage_pool.name!r}, volume={self.volume.name!r}, "
                f"name={self.name!r})")


class StorageVolumeSnapshotManager:
    """``volume.snapshots``: list, get and take the snapshots of one custom volume. Calling it
    (``volume.snapshots()``) is the same as :meth:`all`."""

    def __init__(self, volume: "StorageVolume") -> None:
        self._volume = volume

    def _call(self) -> Any:
        return self._volume.client._manager()

    def all(self) -> List[StorageVolumeSnapshot]:
        """The snapshots, oldest first."""
        docs = json.loads(self._call().storage_volume_snapshot_list(self._volume.storage_pool.name, self._volume.name,
                                                                    self._volume._project()))
        return [StorageVolumeSnapshot(self._volume, d) for d in docs or []]

    __call__ = all

    def get(self, name: str) -> StorageVolumeSnapshot:
        """One snapshot; raises NotFound (key ``snapshot``)."""
        doc = self._call().storage_volume_snapshot_get(self._volume.storage_pool.name, self._volume.name, name,
                                                       self._volume._project())
        return StorageVolumeSnapshot(self._volume, json.loads(doc))

    def exists(self, name: str) -> bool:
        try:
            self.get(name)
            return True
        except NotFound:
            return False

    def create(self, name: Optional[str] = None, expires_at: Optional[str] = None,
               wait: bool = False) -> StorageVolumeSnapshot:
        """Takes a snapshot (``lxc storage volume snapshot``). Without ``name`` LXD's next free
        "snapN" is chosen. AlreadyExists (key ``name``); InvalidArgument naming ``name`` or
        ``expires_at``. ``wait`` is accepted for pylxd compatibility."""
        del wait
        post = {"name": name or "", "expires_at": expires_at or ""}
        out = self._call().storage_volume_snapshot_create(self._volume.storage_pool.name, self._volume.name,
                                                          json.dumps(post), self._volume._project())
        return StorageVolumeSnapshot(self._volume, json.loads(out))
