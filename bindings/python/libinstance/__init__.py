"""libinstance: embedded LXD-style system containers, with a pylxd-like API.

    import libinstance

    with libinstance.Client("/tmp/state") as client:
        client.images.build("busybox", alias="busybox")
        c = client.instances.create({"name": "c1", "source": {"type": "image", "alias": "busybox"}})
        c.start()
        print(c.execute(["uname", "-a"]).stdout)
        c.delete(force=True)

Long calls take ``wait=False`` and return an :class:`Operation` (``op.wait()``, ``op.cancel()``);
``client.events(...)`` iterates LXD events and ``client.events.subscribe(callback)`` delivers them
to a callback.
"""

from __future__ import annotations

from . import _native
from .client import Client
from .console import Console
from .errors import (AlreadyExists, BackendError, Busy, Cancelled, Conflict, Error, InternalError,
                     InvalidArgument, InvalidConfig, NotFound, NotSupported, PermissionDenied,
                     SystemCallError, Timeout)
from .events import EventManager, EventStream, Subscription
from .exec_control import ExecControl
from .execute import ExecuteResult
from .images import Image, ImageManager
from .instance_snapshots import InstanceSnapshot, InstanceSnapshotManager
from .init_result import InitResult
from .instances import Instance, InstanceManager
from .networks import Network, NetworkManager
from .network_state import NetworkAddress, NetworkBridgeState, NetworkCounters, NetworkLease, NetworkState
from .operations import Operation, OperationManager, Progress
from .remotes import Remote, RemoteManager
from .profiles import Profile, ProfileManager
from .projects import Project, ProjectManager
from .project_state import ProjectResource, ProjectState
from .storage_pools import StoragePool, StoragePoolManager
from .storage_volume_snapshots import StorageVolumeSnapshot, StorageVolumeSnapshotManager
from .storage_volumes import StorageVolume, StorageVolumeManager
from .image_auto_update import ImageAutoUpdateRefresh, ImageAutoUpdateRun
from .snapshot_schedule import SnapshotScheduleRun
from .recover import RecoverResult, RecoverVolume
from .state import InstanceState

__version__: str = _native.native.version()

__all__ = [
    "Client",
    "Console",
    "ExecControl",
    "Image",
    "ImageManager",
    "Instance",
    "InstanceManager",
    "InstanceSnapshot",
    "InstanceSnapshotManager",
    "InstanceState",
    "ImageAutoUpdateRefresh",
    "ImageAutoUpdateRun",
    "SnapshotScheduleRun",
    "Operation",
    "OperationManager",
    "Progress",
    "Remote",
    "RemoteManager",
    "Profile",
    "ProfileManager",
    "Project",
    "ProjectManager",
    "ProjectState",
    "ProjectResource",
    "Network",
    "NetworkManager",
    "NetworkState",
    "NetworkAddress",
    "NetworkCounters",
    "NetworkBridgeState",
    "NetworkLease",
    "InitResult",
    "StoragePool",
    "StoragePoolManager",
    "StorageVolume",
    "StorageVolumeManager",
    "StorageVolumeSnapshot",
    "StorageVolumeSnapshotManager",
    "EventManager",
    "EventStream",
    "Subscription",
    "ExecuteResult",
    "Error",
    "NotFound",
    "AlreadyExists",
    "InvalidConfig",
    "InvalidArgument",
    "NotSupported",
    "Busy",
    "Conflict",
    "PermissionDenied",
    "Timeout",
    "Cancelled",
    "SystemCallError",
    "BackendError",
    "InternalError",
    "__version__",
    "RecoverResult",
    "RecoverVolume",
]
