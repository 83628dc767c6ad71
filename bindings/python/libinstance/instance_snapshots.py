"""Snapshots of instances: ``instance.snapshots`` of an :class:`~libinstance.Instance` (pylxd's
shape), and what :meth:`Instance.restore_snapshot` brings back.

A snapshot is stateless: the instance's files (a read-only btrfs snapshot, a copy on dir), config,
devices and profiles as they were. Restoring makes the instance that again; a running instance is
stopped, restored and started again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Mapping, Optional, Union, overload

from ._model import Model
from .errors import NotFound
from .operations import Operation, ProgressCallback

if TYPE_CHECKING:
    from . import _libinstance
    from .images import Image
    from .instances import Instance

# LXD writes "never expires" as Go's zero time.
_NEVER = "0001-01-01T00:00:00Z"


class InstanceSnapshot(Model):
    """A snapshot of an instance (LXD's api.InstanceSnapshot): the instance's definition when it
    was taken. ``expires_at`` is RFC 3339, "0001-01-01T00:00:00Z" meaning never; change it and
    call :meth:`save`, or use :meth:`update`."""

    name: str
    description: str
    architecture: str
    config: Dict[str, str]
    devices: Dict[str, Dict[str, str]]
    expanded_config: Dict[str, str]
    expanded_devices: Dict[str, Dict[str, str]]
    profiles: List[str]
    ephemeral: bool
    stateful: bool
    created_at: str
    expires_at: str
    last_used_at: str
    size: int

    _fields = (
        ("name", ""),
        ("description", ""),
        ("architecture", ""),
        ("config", {}),
        ("devices", {}),
        ("expanded_config", {}),
        ("expanded_devices", {}),
        ("profiles", []),
        ("ephemeral", False),
        ("stateful", False),
        ("created_at", ""),
        ("expires_at", ""),
        ("last_used_at", ""),
        ("size", -1),
    )

    def __init__(self, instance: "Instance", data: Mapping[str, Any]) -> None:
        self.instance = instance
        super().__init__(data)

    def _load(self, data: Mapping[str, Any]) -> None:
        super()._load(data)
        # LXD sends null for empty maps and lists; callers index them.
        for field in ("config", "devices", "expanded_config", "expanded_devices"):
            if getattr(self, field) is None:
                object.__setattr__(self, field, {})
        if self.profiles is None:
            self.profiles = []

    def _handle(self) -> "_libinstance.Instance":
        return self.instance._handle()

    def sync(self) -> None:
        """Reloads the snapshot from the state directory."""
        self._load(json.loads(self._handle().snapshot_get(self.name)))

    def never_expires(self) -> bool:
        """True unless the snapshot has an expiry."""
        return self.expires_at in ("", None, _NEVER)

    def save(self, wait: bool = True) -> None:
        """Stores ``expires_at`` (LXD's PUT; the only writable field). InvalidArgument naming
        ``expires_at`` for a time that is not RFC 3339, nothing changed. The change is immediate:
        ``wait`` is accepted for pylxd's signature."""
        del wait
        self.update(expires_at="" if self.never_expires() else self.expires_at)

    def update(self, expires_at: str) -> None:
        """Changes the expiry; ``""`` removes it."""
        self._handle().snapshot_update(self.name, json.dumps({"expires_at": expires_at}))
        self.sync()

    def rename(self, new_name: str, wait: bool = True) -> "InstanceSnapshot":
        """Renames the snapshot; this object follows. AlreadyExists or InvalidArgument (key
        ``new_name``). Renaming is immediate: ``wait`` is accepted for pylxd's signature.
        Returns self."""
        del wait
        self._handle().snapshot_rename(self.name, new_name)
        self.name = new_name
        self.sync()
        return self

    @overload
    def delete(self, wait: Literal[True] = ...) -> None: ...
    @overload
    def delete(self, wait: Literal[False]) -> Operation: ...
    @overload
    def delete(self, wait: bool = ...) -> Optional[Operation]: ...

    def delete(self, wait: bool = True) -> Optional[Operation]:
        """Deletes the snapshot's files and record; with ``wait=False``, returns the running
        :class:`Operation`."""
        handle = self._handle()
        if not wait:
            return self.instance._operation(handle.snapshot_delete_async(self.name))
        handle.snapshot_delete(self.name)
        return None

    @overload
    def restore(self, wait: Literal[True] = ...) -> None: ...
    @overload
    def restore(self, wait: Literal[False]) -> Operation: ...
    @overload
    def restore(self, wait: bool = ...) -> Optional[Operation]: ...

    def restore(self, wait: bool = True) -> Optional[Operation]:
        """Makes the instance this snapshot again (pylxd's ``snapshot.restore``); see
        :meth:`Instance.restore_snapshot`."""
        return self.instance.restore_snapshot(self.name, wait=wait)

    def publish(self, public: bool = False, wait: bool = False, alias: Optional[str] = None,
                properties: Optional[Mapping[str, str]] = None, compression: str = "gzip",
                expires_at: Optional[str] = None,
                progress: Optional[ProgressCallback] = None) -> Union["Image", Operation]:
        """Publishes this snapshot as an image, as pylxd's ``snapshot.publish`` (the instance
        may be running): with ``wait=True`` returns the new :class:`Image`, else the
        :class:`Operation`. The other arguments as for ``client.images.create_from_instance``."""
        return self.instance.client.images.create_from_instance(
            f"{self.instance.name}/{self.name}", alias=alias, properties=properties,
            compression=compression, public=public, expires_at=expires_at, wait=wait,
            progress=progress)

    def __repr__(self) -> str:
        return f"InstanceSnapshot(instance={self.instance.name!r}, name={self.name!r})"


class InstanceSnapshotManager:
    """``instance.snapshots``: list, get and take the snapshots of one instance. Calling it
    (``instance.snapshots()``) is the same as :meth:`all`."""

    def __init__(self, instance: "Instance") -> None:
        self._instance = instance

    def _handle(self) -> "_libinstance.Instance":
        return self._instance._handle()

    def all(self) -> List[InstanceSnapshot]:
        """The snapshots, oldest first."""
        docs = json.loads(self._handle().snapshot_list())
        return [InstanceSnapshot(self._instance, d) for d in docs or []]

    __call__ = all

    def get(self, name: str) -> InstanceSnapshot:
        """One snapshot; raises NotFound (key ``snapshot``)."""
        return InstanceSnapshot(self._instance, json.loads(self._handle().snapshot_get(name)))

    def exists(self, name: str) -> bool:
        """Whether the instance has a snapshot called ``name``."""
        try:
            self.get(name)
            return True
        except NotFound:
            return False

    @overload
    def create(self, name: Optional[str] = ..., stateful: bool = ..., wait: Literal[True] = ...,
               expires_at: Optional[str] = ...) -> InstanceSnapshot: ...
    @overload
    def create(self, name: Optional[str] = ..., stateful: bool = ..., *, wait: Literal[False],
               expires_at: Optional[str] = ...) -> Operation: ...
    @overload
    def create(self, name: Optional[str] = ..., stateful: bool = ..., wait: bool = ...,
               expires_at: Optional[str] = ...) -> Union[InstanceSnapshot, Operation]: ...

    def create(self, name: Optional[str] = None, stateful: bool = False, wait: bool = True,
               expires_at: Optional[str] = None) -> Union[InstanceSnapshot, Operation]:
        """Takes a snapshot of the running or stopped instance (``lxc snapshot``; pylxd's
        argument order). Without ``name`` the next name of ``snapshots.pattern`` ("snap0",
        "snap1", ...); without ``expires_at``, ``snapshots.expiry`` decides. AlreadyExists (key
        ``name``); InvalidArgument naming ``name`` or ``expires_at``; NotSupported (key
        ``stateful``) for a stateful snapshot. Returns the new :class:`InstanceSnapshot`, or with
        ``wait=False`` the running (cancellable) :class:`Operation`."""
        post = json.dumps({"name": name or "", "stateful": bool(stateful), "expires_at": expires_at or ""})
        handle = self._handle()
        if not wait:
            return self._instance._operation(handle.snapshot_create_async(post))
        return InstanceSnapshot(self._instance, json.loads(handle.snapshot_create(post)))
