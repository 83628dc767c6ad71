"""Storage volumes: ``pool.volumes`` of a :class:`~libinstance.StoragePool` (pylxd's shape).

Custom volumes are created, changed, renamed, copied, moved between pools, snapshotted and
deleted here; container and image volumes are listed and shown, and follow their instance or image. A custom volume is attached to an instance
as a ``disk`` device: ``{"type": "disk", "pool": pool.name, "source": volume.name, "path": "/mnt/x"}``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Union

from ._model import Model
from .backups import PathArg, backup_path, export_options, import_options
from .errors import NotFound
from .operations import Operation, ProgressCallback, run
from .storage_volume_snapshots import StorageVolumeSnapshot, StorageVolumeSnapshotManager

if TYPE_CHECKING:
    from .client import Client
    from .storage_pools import StoragePool


class StorageVolume(Model):
    """A volume of a storage pool (LXD's api.StorageVolume). Change ``description`` or ``config``
    of a custom volume and call :meth:`save`."""

    name: str
    type: str
    content_type: str
    description: str
    config: Dict[str, str]
    used_by: List[str]
    location: str
    project: str
    created_at: str

    _fields = (
        ("name", ""),
        ("type", ""),
        ("content_type", "filesystem"),
        ("description", ""),
        ("config", {}),
        ("used_by", []),
        ("location", "none"),
        ("project", "default"),
        ("created_at", ""),
    )

    def __init__(self, storage_pool: "StoragePool", data: Mapping[str, Any]) -> None:
        self.storage_pool = storage_pool
        self.client: "Client" = storage_pool.client
        super().__init__(data)

    def _load(self, data: Mapping[str, Any]) -> None:
        super()._load(data)
        # LXD sends null for empty maps and lists; callers index them.
        if self.config is None:
            self.config = {}
        if self.used_by is None:
            self.used_by = []

    def _project(self) -> Optional[str]:
        return self.client.project

    def sync(self) -> None:
        """Reloads the volume from the state directory."""
        doc = self.client._manager().storage_volume_get(self.storage_pool.name, self.type, self.name, self._project())
        self._load(json.loads(doc))

    def save(self, wait: bool = False) -> None:
        """Stores description and config (LXD's PUT); a new ``size`` applies at once. Raises
        InvalidArgument naming the bad key (``config.<key>``), nothing changed. ``wait`` is
        accepted for pylxd compatibility; the change is done when save() returns."""
        put = {"description": self.description, "config": dict(self.config)}
        self.client._manager().storage_volume_update(self.storage_pool.name, self.name, json.dumps(put), self._project())
        self.sync()

    def put(self, put_object: Mapping[str, Any], wait: bool = False) -> None:
        """Replaces description and config with ``put_object`` (a StorageVolumePut mapping)."""
        self.client._manager().storage_volume_update(self.storage_pool.name, self.name, json.dumps(dict(put_object)),
                                                     self._project())
        self.sync()

    def rename(self, new_name: Union[str, Mapping[str, Any]], wait: bool = False) -> "StorageVolume":
        """Renames the custom volume: ``rename("new")`` or pylxd's ``rename({"name": "new"})``
        (``{"name": ..., "pool": "other"}`` moves it, as :meth:`move`). Raises Busy naming the
        users while instances or profiles use it, AlreadyExists. Returns self, renamed."""
        if isinstance(new_name, Mapping):
            target = str(new_name.get("name", "") or self.name)
            pool = new_name.get("pool")
            if pool not in (None, "", self.storage_pool.name):
                return self.move(str(pool), target)
        else:
            target = new_name
        self.client._manager().storage_volume_rename(self.storage_pool.name, self.name, target, self._project())
        self.name = target
        self.sync()
        return self

    def delete(self, wait: bool = False) -> None:
        """Deletes the custom volume; raises Busy naming the users while instances or profiles use it."""
        self.client._manager().storage_volume_delete(self.storage_pool.name, self.name, self._project())

    def move(self, pool: Union[str, "StoragePool"], name: Optional[str] = None, wait: bool = True,
             progress: Optional[ProgressCallback] = None) -> Union["StorageVolume", Operation]:
        """Moves the custom volume with its snapshots to ``pool`` (``lxc storage volume move``),
        under ``name`` when given; on its own pool this is a rename. This object follows it.
        Busy (key ``name``) while instances or profiles use it, NotFound (key ``pool``) for an
        unknown pool, AlreadyExists (key ``name``); a failed or cancelled move changes nothing.
        With ``wait=False``, returns the running (cancellable) :class:`Operation` and this object
        stays as it was; ``progress`` gets each new :class:`Progress` ("Move: 50%")."""
        pool_name = pool if isinstance(pool, str) else pool.name
        target = name or self.name
        post = json.dumps({"name": target, "pool": pool_name})
        mgr, source_pool, source, project = self.client._manager(), self.storage_pool.name, self.name, self._project()
        op = self.client.operations._start(lambda: mgr.storage_volume_move_async(source_pool, source, post, project),
                                           progress)
        if not wait:
            return op
        run(op)
        if pool_name != self.storage_pool.name:
            self.storage_pool = pool if not isinstance(pool, str) else self.client.storage_pools.get(pool_name)
        self.name = target
        self.sync()
        return self

    def copy(self, name: str, pool: Union[None, str, "StoragePool"] = None, volume_only: bool = False,
             wait: bool = True, progress: Optional[ProgressCallback] = None) -> Union["StorageVolume", Operation]:
        """Copies the custom volume to a new one called ``name`` (``lxc storage volume copy``), on
        ``pool`` when given (default: its own pool), with its snapshots unless ``volume_only``.
        Shorthand for ``pool.volumes.create`` with an LXD ``{"type": "copy"}`` source; returns the
        new :class:`StorageVolume`, or with ``wait=False`` the running (cancellable)
        :class:`Operation` (a cancelled copy leaves no volume). ``progress`` as :meth:`move`."""
        target_pool = self.storage_pool if pool is None else (
            self.client.storage_pools.get(pool) if isinstance(pool, str) else pool)
        source: Dict[str, Any] = {"type": "copy", "pool": self.storage_pool.name, "name": self.name}
        if volume_only:
            source["volume_only"] = True
        return target_pool.volumes.create({"name": name, "type": "custom", "source": source}, wait=wait, progress=progress)

    @property
    def snapshots(self) -> StorageVolumeSnapshotManager:
        """The custom volume's snapshots (pylxd's ``volume.snapshots``: ``all()``, ``get(name)``,
        ``create(name=None, expires_at=None)``); ``volume.snapshots()`` lists them oldest first."""
        return StorageVolumeSnapshotManager(self)

    def snapshot(self, name: Optional[str] = None, expires_at: Optional[str] = None) -> StorageVolumeSnapshot:
        """Takes a snapshot (``lxc storage volume snapshot``); without ``name`` the next free
        "snapN". Same as ``snapshots.create``."""
        return self.snapshots.create(name, expires_at)

    def restore(self, snapshot: str, wait: bool = False) -> None:
        """Makes the volume's content the snapshot's again (``lxc storage volume restore``); the
        snapshot stays. NotFound (key ``snapshot``); Busy while a running instance has it attached."""
        del wait
        self.client._manager().storage_volume_snapshot_restore(self.storage_pool.name, self.name, snapshot,
                                                               self._project())

    def restore_from(self, snapshot_name: str, wait: bool = False) -> None:
        """pylxd's name for :meth:`restore`."""
        self.restore(snapshot_name, wait)

    def export_backup(self, path: PathArg, volume_only: bool = False, optimized_storage: bool = False,
                      compression_algorithm: str = "gzip", wait: bool = True,
                      progress: Optional[ProgressCallback] = None) -> Optional[Operation]:
        """Writes the custom volume (and its snapshots unless ``volume_only``) to a backup file
        at ``path`` (``lxc storage volume export``); options as ``Instance.export_backup``. With
        ``wait=False``, returns the running (cancellable) :class:`Operation`: a cancelled export
        leaves no file. ``progress`` gets each new :class:`Progress` ("Backup: 42%")."""
        target = backup_path(path)
        options = export_options(volume_only, optimized_storage, compression_algorithm)
        mgr, pool, volume, project = self.client._manager(), self.storage_pool.name, self.name, self._project()
        op = self.client.operations._start(
            lambda: mgr.storage_volume_export_backup_async(pool, volume, target, options, project), progress)
        if not wait:
            return op
        run(op)
        return None

    def __repr__(self) -> str:
        return f"StorageVolume(pool={self.storage_pool.name!r}, type={self.type!r}, name={self.name!r})"


class StorageVolumeManager:
    """``pool.volumes``: list, get and create the volumes of one pool in the client's project."""

    def __init__(self, storage_pool: "StoragePool") -> None:
        self._pool = storage_pool

    def _call(self) -> Any:
        return self._pool.client._manager()

    def all(self) -> List[StorageVolume]:
        """Every volume of the pool: custom, container and image volumes."""
        docs = json.loads(self._call().storage_volume_list(self._pool.name, self._pool.client.project))
        return [StorageVolume(self._pool, d) for d in docs or []]

    def get(self, type: str, name: str) -> StorageVolume:
        """One volume, as pylxd's ``get(type, name)`` (type "custom", "container",
        "virtual-machine" or "image"); raises NotFound."""
        doc = self._call().storage_volume_get(self._pool.name, type, name, self._pool.client.project)
        return StorageVolume(self._pool, json.loads(doc))

    def exists(self, type: str, name: str) -> bool:
        try:
            self.get(type, name)
            return True
        except NotFound:
            return False

    def import_backup(self, path: PathArg, name: Optional[str] = None, wait: bool = True,
                      progress: Optional[ProgressCallback] = None) -> Union[StorageVolume, Operation]:
        """Creates a custom volume on this pool from a backup file (``lxc storage volume
        import``), with its snapshots; ``name`` overrides the backup's. AlreadyExists (key
        ``name``); hostile archives are refused naming the entry. With ``wait=False``, returns
        the running (cancellable) :class:`Operation` (metadata ``name``: the new volume's, once
        done); ``progress`` gets each new :class:`Progress` ("Unpack: 42%")."""
        source = backup_path(path)
        options = import_options(name, None)
        mgr, pool, project = self._call(), self._pool.name, self._pool.client.project
        op = self._pool.client.operations._start(
            lambda: mgr.storage_volume_import_backup_async(pool, source, options, project), progress)
        if not wait:
            return op
        run(op)
        return self.get("custom", str(op.metadata["name"]))

    def create(self, definition: Optional[Mapping[str, Any]] = None, /, wait: bool = True,
               progress: Optional[ProgressCallback] = None, **kwargs: Any) -> Union[StorageVolume, Operation]:
        """Creates an empty custom filesystem volume from a StorageVolumesPost mapping, as pylxd:
        ``create({"name": "data", "type": "custom", "config": {"size": "1GiB"}}, wait=True)``
        (keyword arguments work too), or a copy with an LXD ``{"type": "copy"}`` source. Raises
        InvalidArgument naming the bad key (``name``, ``type``, ``config.<key>``), AlreadyExists,
        NotFound for an unknown pool. Returns the volume; with ``wait=False``, the running
        :class:`Operation` (a copy's is cancellable and leaves no volume when cancelled);
        ``progress`` gets each new :class:`Progress` of a copy ("Copy: 50%")."""
        doc: Dict[str, Any] = dict(definition or {})
        doc.update(kwargs)
        doc.setdefault("type", "custom")
        # A copy runs as an operation even when waited on, so that Ctrl-C cancels it.
        if not wait or progress is not None or (doc.get("source") or {}).get("type") == "copy":
            mgr, pool, post, project = self._call(), self._pool.name, json.dumps(doc), self._pool.client.project
            op = self._pool.client.operations._start(lambda: mgr.storage_volume_create_async(pool, post, project), progress)
            if not wait:
                return op
            run(op)
            return self.get(doc["type"], str(doc.get("name", "")))
        out = self._call().storage_volume_create(self._pool.name, json.dumps(doc), self._pool.client.project)
        if out:
            return StorageVolume(self._pool, json.loads(out))
        return self.get(doc["type"], str(doc.get("name", "")))
