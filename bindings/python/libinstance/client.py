"""The entry point: :class:`Client`, one open state directory."""

from __future__ import annotations

import json
import os
import threading
import weakref
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, Iterable, Mapping, Optional, Protocol, Type, TypeVar, Union

from ._native import native
from .events import EventManager, _SubscriptionBase
from .images import ImageManager
from .init_result import InitResult, _options_json as _init_options_json
from .instances import InstanceManager
from .networks import NetworkManager
from .operations import OperationManager
from .remotes import RemoteManager
from .profiles import ProfileManager
from .projects import ProjectManager
from .recover import RecoverResult, _options_json
from .image_auto_update import ImageAutoUpdateRun
from .snapshot_schedule import SnapshotScheduleRun, _now_unix
from .storage_pools import StoragePoolManager

if TYPE_CHECKING:
    from . import _libinstance
    from .operations import Operation


class _Closable(Protocol):
    def close(self) -> None: ...


ClosableT = TypeVar("ClosableT", bound=_Closable)


class Client:
    """An embedded libinstance: opens ``state_dir`` (created on first use) and holds its
    exclusive lock until :meth:`close`. A second client on the same directory raises Busy.

    ``state_dir=None`` means ``$LIBINSTANCE_DIR``, else ``/var/lib/libinstance``. ``project``
    selects the project for every call (``None``: ``default``; :attr:`projects` lists and
    manages them). Use as a context manager.
    """

    def __init__(self, state_dir: Union[str, "os.PathLike[str]", None] = None,
                 project: Optional[str] = None) -> None:
        self._init(native.Manager(os.fspath(state_dir) if state_dir is not None else None), project)

    def _init(self, manager: "_libinstance.Manager", project: Optional[str]) -> None:
        self.project = project
        self._native: Optional[_libinstance.Manager] = manager
        # Open instance handles keep the directory locked in the C library, so close() must
        # close them too, with operation handles and event subscriptions; weak so that dropped
        # handles do not pile up here.
        self._handles: "weakref.WeakSet[_Closable]" = weakref.WeakSet()
        self._lock = threading.Lock()
        self.images = ImageManager(self)
        self.instances = InstanceManager(self)
        self.operations = OperationManager(self)
        self.events = EventManager(self)
        self.remotes = RemoteManager(self)
        self.storage_pools = StoragePoolManager(self)
        self.profiles = ProfileManager(self)
        self.networks = NetworkManager(self)
        self.projects = ProjectManager(self)

    @classmethod
    def _from_native(cls, manager: "_libinstance.Manager", project: Optional[str] = None) -> "Client":
        """A client over an already open native manager (e.g. one connected to a remote)."""
        client = cls.__new__(cls)
        client._init(manager, project)
        return client

    @property
    def state_dir(self) -> str:
        """The absolute state directory."""
        return self._manager().state_dir

    @property
    def closed(self) -> bool:
        return self._native is None

    def _manager(self) -> "_libinstance.Manager":
        mgr = self._native
        if mgr is None:
            raise ValueError("the libinstance client is closed")
        return mgr

    def _track(self, handle: ClosableT) -> ClosableT:
        with self._lock:
            closing = self._native is None
            if not closing:
                self._handles.add(handle)
        if closing:
            # Obtained while close() ran (e.g. from an event callback): it must not outlive it.
            handle.close()
        return handle

    def _instance_handle(self, name: str) -> "_libinstance.Instance":
        return self._track(self._manager().instance_get(name, self.project))

    @property
    def config(self) -> Dict[str, str]:
        """The manager's settings that are set (LXD's server config), e.g.
        ``{"images.remote_cache_expiry": "5"}``."""
        return dict(json.loads(self._manager().config_json()))

    def get_config(self, key: str) -> str:
        """One setting, or its default when unset; raises InvalidArgument for an unknown key."""
        return str(self._manager().config_get(key))

    def set_config(self, key: str, value: Optional[str]) -> None:
        """Sets a setting (``None`` or ``""`` unsets it): ``images.remote_cache_expiry`` (days),
        ``images.unpack_max_ratio``, ``images.unpack_max_size`` (e.g. ``"64GiB"``),
        ``images.auto_update_interval`` (hours between refreshes of auto-update images, ``"0"``:
        never) and ``images.auto_update_cached`` (``"true"``/``"false"``)."""
        self._manager().config_set(key, value or "")

    def set_log(self, level: str = "warn", file: Union[str, "os.PathLike[str]", None] = None) -> None:
        """Where the library's own log records go (besides ``logging`` events): records of
        ``level`` (``debug``, ``info``, ``warn``, ``error``) and above, to ``file`` (None:
        stderr; ``"none"``: nowhere; else a file appended to). The setting is process-wide: it
        applies to every client in the process. Raises InvalidConfig (key ``level``) for an
        unknown level."""
        self._manager().set_log(level, os.fspath(file) if file is not None else None)

    @property
    def exec_agent_policy(self) -> str:
        """How execs reach running containers: ``"on-demand"`` (the default: the first exec into a
        container starts its exec agent, a small process kept inside it that later execs fork
        from, much faster than liblxc's attach), ``"at-start"`` (also started right after each
        container start) or ``"off"`` (always attach). The agent shows as ``li-exec-agent`` in
        the container's process list. Setting ``"off"`` stops the agents running; another word
        raises InvalidArgument (key ``policy``)."""
        return str(self._manager().exec_agent_policy())

    @exec_agent_policy.setter
    def exec_agent_policy(self, policy: str) -> None:
        self._manager().set_exec_agent_policy(policy)

    def shutdown_instances(self, wait: bool = True) -> Optional["Operation"]:
        """Stops every running instance as a host shutdown does (LXD's ``lxd shutdown``): higher
        ``boot.stop.priority`` first, each given ``boot.host_shutdown_timeout`` seconds (default
        30) to halt before it is killed. They stay marked as running, so the first open after the
        next host boot starts them again (with those set ``boot.autostart=true``). With
        ``wait=False`` returns the operation."""
        if wait:
            self._manager().shutdown_instances()
            return None
        native_op = self._manager().shutdown_instances_async()
        return self.operations._start(lambda: native_op)

    def run_snapshot_schedule(self, now: Optional[datetime] = None) -> SnapshotScheduleRun:
        """One pass of the snapshot scheduler as of ``now`` (None: now; a naive datetime is
        local time): instances whose ``snapshots.schedule`` falls on that minute get a snapshot
        (stopped ones only with ``snapshots.schedule.stopped``), once per slot whoever runs it;
        then expired snapshots are deleted. The library also runs this itself every minute."""
        return SnapshotScheduleRun._from_json(self._manager().run_snapshot_schedule(_now_unix(now)))

    def run_image_auto_update(self, now: Optional[datetime] = None) -> ImageAutoUpdateRun:
        """One look of the image auto-update as of ``now`` (None: now; a naive datetime is local
        time): once ``images.auto_update_interval`` hours (default 6; 0: never) have passed since
        the last pass on this state directory, whoever ran it, every image with ``auto_update``
        that came from an image server, in every project, is refreshed as
        :meth:`ImageManager.refresh` does (cached ones only while ``images.auto_update_cached``).
        The first look at a state directory only starts the clock; ``ran`` says whether a pass
        ran. A failing image is listed in ``failed`` and the others go on. The library also runs
        this itself every minute. Raises InvalidArgument (key ``"now_unix"``) for a time before 1970."""
        return ImageAutoUpdateRun._from_json(self._manager().run_image_auto_update(_now_unix(now)))

    def init(self, network_name: Optional[str] = "instbr0", ipv4_address: str = "auto",
             ipv6_address: str = "auto") -> InitResult:
        """The first-use set-up, as ``lxd init --auto``: a managed bridge ``network_name`` with NAT
        (``ipv4_address``/``ipv6_address``: a CIDR, ``"auto"`` or ``"none"``) and an ``eth0`` nic
        on it in the default profile. Idempotent: an existing managed network of that name is used
        as it is, and a default profile that has an eth0 keeps it. ``network_name=None`` (or
        ``""``) creates no network. Raises InvalidArgument naming ``"network_name"``,
        ``"ipv4_address"`` or ``"ipv6_address"``; AlreadyExists (key ``"network_name"``) for a
        host interface of that name that libinstance does not manage."""
        options = _init_options_json(network_name, ipv4_address, ipv6_address)
        return InitResult._from_json(self._manager().init(options))

    def recover_validate(self, pools: Optional[Iterable[Mapping[str, Any]]] = None) -> RecoverResult:
        """Disaster recovery's scan (``lxd recover``): the storage pools the database knows, those
        found under the state directory, and ``pools`` (LXD ``StoragePoolsPost`` dicts:
        ``{"name", "driver", "config"}``) are searched for instances and custom volumes the
        database lacks. Changes nothing; raises InvalidConfig naming a bad field of ``pools``
        (e.g. ``"pools[0].driver"``)."""
        return RecoverResult._from_json(self._manager().recover_validate(_options_json(pools)))

    def recover_import(self, pools: Optional[Iterable[Mapping[str, Any]]] = None) -> RecoverResult:
        """Scans as :meth:`recover_validate` does, then recreates the records of the unknown pools,
        instances (with their snapshots) and custom volumes (with theirs) from the backup.yaml
        each keeps. Raises InvalidConfig (key ``"dependencies"``) while dependency errors remain;
        returns what it imported."""
        return RecoverResult._from_json(self._manager().recover_import(_options_json(pools)))

    def close(self) -> None:
        """Closes the state directory, releasing its lock, after ending this client's event
        subscriptions and closing its handles (running operations go on until the library
        closes). Idempotent."""
        with self._lock:
            mgr, self._native = self._native, None
            handles = list(self._handles)
            self._handles.clear()
        # Subscriptions first: their threads must not outlive the manager.
        handles.sort(key=lambda h: not isinstance(h, _SubscriptionBase))
        for handle in handles:
            handle.close()
        if mgr is not None:
            mgr.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "closed" if self._native is None else repr(self._native.state_dir)
        return f"Client({where})"
