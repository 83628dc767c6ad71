"""Instances: ``client.instances`` and the :class:`Instance` objects it returns."""

from __future__ import annotations

import json
from typing import (TYPE_CHECKING, IO, Any, Dict, List, Literal, Mapping, Optional, Sequence, Union,
                    overload)

from ._model import Model
from .backups import PathArg, backup_path, export_options, import_options
from .console import Console
from .errors import NotFound
from .exec_control import ExecControl
from .execute import ExecuteResult
from .files import FilesManager
from .instance_snapshots import InstanceSnapshotManager
from .operations import Operation, ProgressCallback, run
from .state import InstanceState

if TYPE_CHECKING:
    from . import _libinstance
    from .client import Client
    from .images import Image

StdinPayload = Union[str, bytes, IO[str], IO[bytes], None]


class Instance(Model):
    """An instance, with the fields of the LXD ``Instance`` document as attributes.

    Lifecycle calls wait for the work to finish and refresh the attributes afterwards (see
    :meth:`sync`); with ``wait=False`` they return the running :class:`Operation` instead, and
    the attributes are refreshed only by :meth:`sync`.
    """

    name: str
    status: str
    status_code: int
    type: str
    architecture: str
    config: Dict[str, str]
    devices: Dict[str, Dict[str, str]]
    expanded_config: Dict[str, str]
    expanded_devices: Dict[str, Dict[str, str]]
    profiles: List[str]
    ephemeral: bool
    stateful: bool
    description: str
    created_at: str
    last_used_at: str
    location: str
    project: str

    _fields = (
        ("name", ""),
        ("status", ""),
        ("status_code", 0),
        ("type", "container"),
        ("architecture", ""),
        ("config", {}),
        ("devices", {}),
        ("expanded_config", {}),
        ("expanded_devices", {}),
        ("profiles", []),
        ("ephemeral", False),
        ("stateful", False),
        ("description", ""),
        ("created_at", ""),
        ("last_used_at", ""),
        ("location", "none"),
        ("project", "default"),
    )

    def __init__(self, client: "Client", data: Mapping[str, Any],
                 handle: Optional["_libinstance.Instance"] = None) -> None:
        self.client = client
        self._native: Optional["_libinstance.Instance"] = handle
        # The ETag of the configuration the attributes were loaded with (None until sync()).
        self._etag: Optional[str] = None
        super().__init__(data)

    def _handle(self) -> "_libinstance.Instance":
        # Objects from all() start without a handle; take one on first use.
        if self._native is None or self._native.closed:
            self._native = self.client._instance_handle(self.name)
        return self._native

    def sync(self) -> None:
        """Reloads the attributes (and the ETag that :meth:`save` sends) from the library."""
        handle = self._handle()
        # The ETag is read on both sides of the document: when they agree, it is the document's.
        etag = handle.etag()
        while True:
            doc = json.loads(handle.get_json())
            after = handle.etag()
            if after == etag:
                break
            etag = after
        self._load(doc)
        self._etag = etag

    @property
    def etag(self) -> Optional[str]:
        """The ETag of the configuration as last loaded by :meth:`sync` (None before)."""
        return self._etag

    def _put_document(self) -> Dict[str, Any]:
        return {
            "architecture": self.architecture,
            "config": dict(self.config),
            "devices": {name: dict(device) for name, device in self.devices.items()},
            "profiles": list(self.profiles),
            "description": self.description,
            "ephemeral": bool(self.ephemeral),
        }

    @overload
    def save(self, wait: Literal[True] = ...) -> None: ...
    @overload
    def save(self, wait: Literal[False]) -> Operation: ...
    @overload
    def save(self, wait: bool = ...) -> Optional[Operation]: ...

    def save(self, wait: bool = True) -> Optional[Operation]:
        """Writes ``config``, ``devices``, ``profiles``, ``description`` and ``ephemeral`` back
        as they are now (LXD's PUT, like pylxd's ``save``), then reloads the attributes.

        Values must be strings (``"2"``, not ``2``). The change is refused as a whole, changing
        nothing: :class:`InvalidConfig` whose ``key`` names ``"config.<key>"`` or
        ``"devices.<name>.<key>"`` for a bad key or value, :class:`Conflict` when the instance
        was changed by someone else since the attributes were loaded (its ETag moved; call
        :meth:`sync` and apply the change again). Objects from ``instances.all()`` carry no
        ETag until :meth:`sync` and are saved unconditionally. ``volatile.*`` keys may stay as
        loaded but not change. With ``wait=False``, returns the running :class:`Operation`.
        """
        document = json.dumps(self._put_document())
        handle = self._handle()
        if not wait:
            return self._operation(handle.update_json_async(document, self._etag))
        handle.update_json(document, self._etag)
        self.sync()
        return None

    def config_get(self, key: str, expanded: bool = False) -> Optional[str]:
        """A configuration key's current value (None when unset), read from the library; with
        ``expanded``, the value in effect (profiles applied)."""
        if expanded:
            self.sync()
            return self.expanded_config.get(key)
        return self._handle().config_get(key)

    def config_set(self, key: Union[str, Mapping[str, str]], value: Optional[str] = None) -> None:
        """Sets one key (``config_set("limits.memory", "256MiB")``) or several at once
        (``config_set({"a": "1", "b": ""})``) like ``lxc config set``; ``""`` unsets. All or
        nothing; refreshes the attributes."""
        handle = self._handle()
        if isinstance(key, Mapping):
            if value is not None:
                raise TypeError("config_set takes a mapping or a key and a value, not both")
            handle.config_set_json(json.dumps(dict(key)))
        else:
            if value is None:
                raise TypeError("config_set needs a value for a single key")
            handle.config_set(key, value)
        self.sync()

    def config_unset(self, key: str) -> None:
        """Unsets a key; NotFound when it is not set. Refreshes the attributes."""
        self._handle().config_unset(key)
        self.sync()

    def device_add(self, name: str, device: Mapping[str, str]) -> None:
        """Adds a device, e.g. ``device_add("data", {"type": "disk", "source": "/srv",
        "path": "/mnt"})``; AlreadyExists when the instance has one of that name."""
        self._handle().device_add_json(name, json.dumps(dict(device)))
        self.sync()

    def device_set(self, name: str, device: Mapping[str, str]) -> None:
        """Adds the device or replaces the instance's device of that name as a whole."""
        self._handle().device_set_json(name, json.dumps(dict(device)))
        self.sync()

    def device_remove(self, name: str) -> None:
        """Removes one of the instance's own devices; NotFound otherwise (a profile's device is
        masked with ``{"type": "none"}`` instead)."""
        self._handle().device_remove(name)
        self.sync()

    def state(self) -> InstanceState:
        """The current runtime state: status, pid, processes, memory, ..."""
        return InstanceState(json.loads(self._handle().state_json()))

    @overload
    def start(self, wait: Literal[True] = ..., stateful: bool = ...) -> None: ...
    @overload
    def start(self, wait: Literal[False], stateful: bool = ...) -> Operation: ...
    @overload
    def start(self, wait: bool = ..., stateful: bool = ...) -> Optional[Operation]: ...

    def start(self, wait: bool = True, stateful: bool = False) -> Optional[Operation]:
        """Starts the instance; raises Conflict if it is running."""
        handle = self._handle()
        if not wait:
            return self._operation(handle.start_async(stateful))
        handle.start(stateful)
        self.sync()
        return None

    def publish(self, public: bool = False, wait: bool = False, alias: Optional[str] = None,
                properties: Optional[Mapping[str, str]] = None, compression: str = "gzip",
                expires_at: Optional[str] = None,
                progress: Optional[ProgressCallback] = None) -> Union["Image", Operation]:
        """Publishes this (stopped) instance as an image, as pylxd's ``publish``: with
        ``wait=True`` returns the new :class:`Image`, else the :class:`Operation`. The other
        arguments as for ``client.images.create_from_instance``."""
        return self.client.images.create_from_instance(
            self.name, alias=alias, properties=properties, compression=compression, public=public,
            expires_at=expires_at, wait=wait, progress=progress)

    @overload
    def stop(self, force: bool = ..., timeout: int = ..., wait: Literal[True] = ...) -> None: ...
    @overload
    def stop(self, force: bool = ..., timeout: int = ..., *, wait: Literal[False]) -> Operation: ...
    @overload
    def stop(self, force: bool = ..., timeout: int = ..., wait: bool = ...) -> Optional[Operation]: ...

    def stop(self, force: bool = False, timeout: int = 30, wait: bool = True) -> Optional[Operation]:
        """Stops the instance: asks its init to halt, killing it after ``timeout`` seconds
        (at once with ``force``)."""
        handle = self._handle()
        if not wait:
            return self._operation(handle.stop_async(force, timeout))
        handle.stop(force, timeout)
        self.sync()
        return None

    @overload
    def restart(self, force: bool = ..., timeout: int = ..., wait: Literal[True] = ...) -> None: ...
    @overload
    def restart(self, force: bool = ..., timeout: int = ..., *, wait: Literal[False]) -> Operation: ...
    @overload
    def restart(self, force: bool = ..., timeout: int = ..., wait: bool = ...) -> Optional[Operation]: ...

    def restart(self, force: bool = False, timeout: int = 30, wait: bool = True) -> Optional[Operation]:
        """Stops (as :meth:`stop`) and starts the instance again."""
        handle = self._handle()
        if not wait:
            return self._operation(handle.restart_async(force, timeout))
        handle.restart(force, timeout)
        self.sync()
        return None

    @overload
    def delete(self, force: bool = ..., wait: Literal[True] = ...) -> None: ...
    @overload
    def delete(self, force: bool = ..., *, wait: Literal[False]) -> Operation: ...
    @overload
    def delete(self, force: bool = ..., wait: bool = ...) -> Optional[Operation]: ...

    def delete(self, force: bool = False, wait: bool = True) -> Optional[Operation]:
        """Deletes the instance and its storage; raises Conflict if it is running and not
        ``force``."""
        handle = self._handle()
        if not wait:
            op = self._operation(handle.delete_async(force))
            # The handle goes with the operation: this object no longer names an instance.
            op._keep = handle
            self._native = None
            return op
        handle.delete(force)
        handle.close()
        self._native = None
        return None

    def rename(self, name: str, wait: bool = True) -> None:
        """Renames the stopped instance (``lxc move c1 c2``, pylxd's ``rename``); this object
        follows it. Busy while it runs, AlreadyExists when ``name`` is taken, InvalidArgument
        for a bad name. Renaming is immediate: ``wait`` is accepted for pylxd's signature."""
        del wait
        handle = self._handle()
        handle.rename(name)
        self.sync()

    @overload
    def move_to_pool(self, pool: str, wait: Literal[True] = ...,
                     progress: Optional[ProgressCallback] = ...) -> None: ...
    @overload
    def move_to_pool(self, pool: str, wait: Literal[False],
                     progress: Optional[ProgressCallback] = ...) -> Operation: ...
    @overload
    def move_to_pool(self, pool: str, wait: bool = ...,
                     progress: Optional[ProgressCallback] = ...) -> Optional[Operation]: ...

    def move_to_pool(self, pool: str, wait: bool = True,
                     progress: Optional[ProgressCallback] = None) -> Optional[Operation]:
        """Moves the stopped instance's root volume to the storage pool ``pool`` (``lxc move c1
        --storage P``); its own root disk device then names ``pool``. Busy while it runs,
        NotFound for an unknown pool, InvalidArgument for the pool it is on; nothing changes
        when it fails. With ``wait=False``, returns the running (cancellable) Operation."""
        handle = self._handle()
        op = self.client.operations._start(lambda: handle.move_pool_async(pool), progress)
        if not wait:
            return op
        run(op)
        self.sync()
        return None

    @overload
    def copy(self, name: str, pool: Optional[str] = ..., instance_only: bool = ...,
             wait: Literal[True] = ..., progress: Optional[ProgressCallback] = ...) -> "Instance": ...
    @overload
    def copy(self, name: str, pool: Optional[str] = ..., instance_only: bool = ..., *,
             wait: Literal[False], progress: Optional[ProgressCallback] = ...) -> Operation: ...
    @overload
    def copy(self, name: str, pool: Optional[str] = ..., instance_only: bool = ...,
             wait: bool = ..., progress: Optional[ProgressCallback] = ...) -> Union["Instance", Operation]: ...

    def copy(self, name: str, pool: Optional[str] = None, instance_only: bool = False,
             wait: bool = True, progress: Optional[ProgressCallback] = None) -> Union["Instance", Operation]:
        """Copies this instance to a new (stopped) one called ``name`` (``lxc copy``), on
        ``pool`` when given (the copy's root disk then names it; a running instance is only
        copied within its own pool). Shorthand for ``client.instances.create`` with an LXD
        ``{"type": "copy"}`` source; returns the new :class:`Instance`, or with
        ``wait=False`` the Operation."""
        source: Dict[str, Any] = {"type": "copy", "source": self.name}
        if instance_only:
            source["instance_only"] = True
        document: Dict[str, Any] = {"name": name, "source": source}
        if pool is not None:
            self.sync()
            root_name, root = _root_disk(self.expanded_devices)
            root["pool"] = pool
            document["devices"] = {root_name: root}
        return self.client.instances.create(document, wait=wait, progress=progress)

    @property
    def snapshots(self) -> InstanceSnapshotManager:
        """The instance's snapshots (pylxd's ``instance.snapshots``: ``all()``, ``get(name)``,
        ``exists(name)``, ``create(name=None, stateful=False, wait=True, expires_at=None)``);
        ``instance.snapshots()`` lists them oldest first."""
        return InstanceSnapshotManager(self)

    @overload
    def restore_snapshot(self, snapshot_name: str, wait: Literal[True] = ...) -> None: ...
    @overload
    def restore_snapshot(self, snapshot_name: str, wait: Literal[False]) -> Operation: ...
    @overload
    def restore_snapshot(self, snapshot_name: str, wait: bool = ...) -> Optional[Operation]: ...

    def restore_snapshot(self, snapshot_name: str, wait: bool = True) -> Optional[Operation]:
        """Makes the instance what the snapshot holds again (``lxc restore``, pylxd's
        ``restore_snapshot``): files, config (its ``volatile.*`` keys stay the instance's),
        devices and profiles; a running instance is stopped, restored and started again. The
        snapshot stays. NotFound (key ``snapshot``) for an unknown snapshot, (key ``profiles``)
        when a profile it names is gone; nothing changes when it fails. Refreshes the
        attributes; with ``wait=False``, returns the running (cancellable) Operation."""
        handle = self._handle()
        if not wait:
            return self._operation(handle.restore_async(snapshot_name))
        handle.restore(snapshot_name)
        self.sync()
        return None

    def export_backup(self, path: PathArg, instance_only: bool = False, optimized_storage: bool = False,
                      compression_algorithm: str = "gzip", wait: bool = True) -> Optional[Operation]:
        """Writes the instance (and its snapshots unless ``instance_only``) to a backup file at
        ``path`` (``lxc export``): LXD's layout, or btrfs send streams when
        ``optimized_storage`` (btrfs pools only; NotSupported, key ``optimized_storage``,
        elsewhere). ``compression_algorithm`` is "gzip", "bzip2", "xz", "zstd", "lz4", "lzma"
        or "none" (InvalidArgument, key ``compression_algorithm``, otherwise). The file appears
        only when complete. With ``wait=False``, returns the running (cancellable) Operation."""
        target = backup_path(path)
        options = export_options(instance_only, optimized_storage, compression_algorithm)
        handle = self._handle()
        if not wait:
            return self._operation(handle.backup_export_async(target, options))
        handle.backup_export(target, options)
        return None

    def copy_to(self, target: "Client", name: Optional[str] = None, *, project: Optional[str] = None,
                pool: Optional[str] = None, instance_only: bool = False,
                profiles: Optional[Sequence[str]] = None, config: Optional[Mapping[str, str]] = None,
                devices: Optional[Mapping[str, Mapping[str, str]]] = None, ephemeral: bool = False,
                wait: bool = True) -> Union["Instance", Operation]:
        """Copies this instance to another client (``lxc copy r1:c1 r2:c2``): embedded or
        connected, in any mix, as ``name`` (``None``: its own name) in ``project`` (``None``: the
        target client's project, else the source's) on ``pool``. The instance travels as a backup
        (exported into a private temporary file, imported by ``target``); ``profiles`` replaces the
        source's (``[]``: none), ``config`` and ``devices`` are set over its own. The copy has
        none of the source's identifying ``volatile.*`` keys, in its snapshots either (left out
        with ``instance_only``). A running instance is copied as its files are. AlreadyExists (key
        ``name``), NotFound (key ``pool`` or ``profiles``); nothing is left on ``target`` when it
        fails. Returns the copy (an :class:`Instance` of ``target``), or with ``wait=False`` the
        running (cancellable) Operation (progress in ``metadata["copy_progress"]``)."""
        new_name = name if name is not None else self.name
        options = self._cross_copy_options(target, project, pool, instance_only, profiles, config, devices,
                                           ephemeral, stateless=False)
        handle = self._handle()
        op = self.client.operations._start(lambda: handle.copy_to_async(target._manager(), new_name, options))
        if not wait:
            return op
        run(op)
        copied = json.loads(options)["project"] or self.client.project
        copy = Instance(target, {"name": new_name}, target._track(target._manager().instance_get(new_name, copied)))
        copy.sync()
        return copy

    def move_to(self, target: "Client", name: Optional[str] = None, *, project: Optional[str] = None,
                pool: Optional[str] = None, instance_only: bool = False,
                profiles: Optional[Sequence[str]] = None, config: Optional[Mapping[str, str]] = None,
                devices: Optional[Mapping[str, Mapping[str, str]]] = None, stateless: bool = False,
                wait: bool = True) -> Optional[Operation]:
        """Moves this instance to another client (``lxc move r1:c1 r2:``): :meth:`copy_to` with its
        snapshots, then this instance is deleted once the copy exists. A running instance raises
        Busy (key ``status``: moving it live would need CRIU) unless ``stateless``, which stops
        it, moves it and starts the copy. Any failure leaves this instance as it was and no copy.
        With ``wait=False``, returns the running (cancellable) Operation."""
        new_name = name if name is not None else self.name
        options = self._cross_copy_options(target, project, pool, instance_only, profiles, config, devices,
                                           ephemeral=False, stateless=stateless)
        handle = self._handle()
        op = self.client.operations._start(lambda: handle.move_to_async(target._manager(), new_name, options))
        if not wait:
            return op
        run(op)
        return None

    def _cross_copy_options(self, target: "Client", project: Optional[str], pool: Optional[str],
                            instance_only: bool, profiles: Optional[Sequence[str]],
                            config: Optional[Mapping[str, str]],
                            devices: Optional[Mapping[str, Mapping[str, str]]], ephemeral: bool,
                            stateless: bool) -> str:
        document: Dict[str, Any] = {
            "project": project or target.project or "",
            "pool": pool or "",
            "instance_only": instance_only,
            "config": dict(config or {}),
            "devices": {k: dict(v) for k, v in (devices or {}).items()},
            "ephemeral": ephemeral,
            "stateless": stateless,
        }
        if profiles is not None:
            document["profiles"] = list(profiles)
        return json.dumps(document)

    def _operation(self, native_op: "_libinstance.Operation") -> Operation:
        return self.client.operations._start(lambda: native_op)

    def execute(self, commands: Sequence[str], environment: Optional[Mapping[str, str]] = None,
                cwd: Optional[str] = None, stdin_payload: StdinPayload = None,
                encoding: str = "utf-8", user: int = 0, group: int = 0, terminal: bool = False,
                width: int = 0, height: int = 0,
                control: Optional[ExecControl] = None) -> ExecuteResult:
        """Runs a command in the running instance and waits for it.

        ``commands`` is the argument vector (a list, never a shell string); ``environment`` adds
        variables; ``stdin_payload`` (str, bytes or a readable file) is fed to stdin. Returns
        ``(exit_code, stdout, stderr)`` decoded with ``encoding``; the raw bytes are in
        ``stdout_bytes`` and ``stderr_bytes``. Raises Conflict if the instance is not running
        and NotFound if the command does not exist.

        With ``terminal=True`` the command runs on a terminal allocated inside the instance
        (``lxc exec -t``), ``width`` x ``height`` when given: ``stdin_payload`` is typed on it,
        ``stdout`` is everything the terminal showed (the command's stdout and stderr, the echo
        of the typed input, CR LF line ends) and ``stderr`` is empty.

        ``control`` (an :class:`ExecControl`) lets another thread signal the command while this
        call waits.
        """
        if isinstance(commands, (str, bytes)):
            raise TypeError("commands must be a list of arguments, not a string")
        argv = [str(c) for c in commands]
        env = None
        if environment is not None:
            env = []
            for key, value in environment.items():
                if "=" in key or not key:
                    raise ValueError(f"invalid environment variable name {key!r}")
                env.append(f"{key}={value}")
        stdin = _stdin_bytes(stdin_payload, encoding)
        native_control = control._native if control is not None else None
        if terminal:
            code, shown = self._handle().exec_terminal(argv, env, cwd, stdin, uid=user, gid=group,
                                                       width=width, height=height,
                                                       control=native_control)
            return ExecuteResult(code, shown, b"", encoding)
        if width or height:
            raise ValueError("width and height need terminal=True")
        code, out, err = self._handle().exec(argv, env, cwd, stdin, uid=user, gid=group,
                                             control=native_control)
        return ExecuteResult(code, out, err, encoding)

    @property
    def files(self) -> FilesManager:
        """The instance's files (push, pull, delete, mkdir, symlink, recursive), as in pylxd."""
        return FilesManager(self)

    def console(self, width: int = 0, height: int = 0) -> Console:
        """Attaches to the running instance's console (``lxc console``); see :class:`Console`.

        Raises Conflict if the instance is not running and Busy if another client holds it.
        """
        return Console(self._handle().console(width, height))

    def console_log(self) -> str:
        """The console output logged so far (LXD's GET .../console), running or stopped."""
        return self._handle().console_log().decode("utf-8", errors="replace")

    def clear_console_log(self) -> None:
        """Empties the console log (LXD's DELETE .../console)."""
        self._handle().console_log_clear()

    def log_files(self) -> List[str]:
        """The names of the instance's log files, e.g. ``["console.log", "lxc.log"]``."""
        return list(json.loads(self._handle().log_files_json()))

    def log_file(self, name: str) -> str:
        """One log file's content; InvalidArgument for a name with a path, NotFound if absent."""
        return self._handle().log_file(name).decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"Instance(name={self.name!r}, status={self.status!r})"


def _created_name(op: Operation, config: Mapping[str, Any]) -> str:
    # "/1.0/instances/NAME", with "?project=..." outside the default project.
    for url in op.resources.get("instances", []):
        return str(url).split("?", 1)[0].rsplit("/", 1)[-1]
    return str(config.get("name", ""))


def _root_disk(devices: Mapping[str, Mapping[str, str]]) -> "tuple[str, Dict[str, str]]":
    # The expanded root disk (a profile's, usually "root"): a copy elsewhere overrides it whole.
    for dev_name, device in devices.items():
        if device.get("type") == "disk" and device.get("path") == "/":
            return dev_name, dict(device)
    return "root", {"type": "disk", "path": "/"}


def _stdin_bytes(payload: StdinPayload, encoding: str) -> Optional[bytes]:
    if payload is None:
        return None
    if hasattr(payload, "read"):
        payload = payload.read()
    if isinstance(payload, str):
        return payload.encode(encoding)
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise TypeError(f"stdin_payload must be str, bytes or a readable file, not {type(payload).__name__}")


class InstanceManager:
    """``client.instances``: create, look up and list instances."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    @overload
    def create(self, config: Mapping[str, Any], wait: Literal[True] = ...,
               progress: Optional[ProgressCallback] = ...) -> Instance: ...
    @overload
    def create(self, config: Mapping[str, Any], wait: Literal[False],
               progress: Optional[ProgressCallback] = ...) -> Operation: ...
    @overload
    def create(self, config: Mapping[str, Any], wait: bool = ...,
               progress: Optional[ProgressCallback] = ...) -> Union[Instance, Operation]: ...

    def create(self, config: Mapping[str, Any], wait: bool = True,
               progress: Optional[ProgressCallback] = None) -> Union[Instance, Operation]:
        """Creates an instance from an LXD ``InstancesPost`` document, e.g.
        ``{"name": "c1", "source": {"type": "image", "alias": "busybox"}}``.

        Returns the (stopped) :class:`Instance` once created; with ``wait=False``, the running
        :class:`Operation` at once (errors in the document itself still raise here). Creating
        can be cancelled while the image is unpacked; nothing is left behind when it fails or is
        cancelled (an interrupted ``wait=True`` call cancels it). ``progress`` is called with
        each new :class:`Progress` string (``"Unpack: 42%"``), from a library thread.
        """
        if not isinstance(config, Mapping):
            raise TypeError(f"config must be a dict (an LXD InstancesPost), not {type(config).__name__}")
        document = json.dumps(config)
        mgr = self._client._manager()
        project = self._client.project
        op = self._client.operations._start(lambda: mgr.instance_create_async(document, project),
                                            progress)
        if not wait:
            return op
        run(op)
        return self.get(_created_name(op, config))

    def import_backup(self, path: PathArg, name: Optional[str] = None, pool: Optional[str] = None,
                      wait: bool = True) -> Union[Instance, Operation]:
        """Creates an instance from a backup file (``lxc import``; libinstance's or LXD's,
        portable or optimized) with its files, owners, modes, config, devices, profiles and
        snapshots; ``name`` and ``pool`` override the backup's. Hostile archives are refused
        (InvalidArgument naming the entry) and nothing is left behind on failure;
        AlreadyExists (key ``name``), NotFound (key ``pool`` or ``profiles``). Returns the new
        (stopped) :class:`Instance`, or with ``wait=False`` the running Operation."""
        source = backup_path(path)
        options = import_options(name, pool)
        mgr = self._client._manager()
        project = self._client.project
        if not wait:
            return self._client.operations._start(
                lambda: mgr.instance_import_backup_async(source, options, project))
        handle = mgr.instance_import_backup(source, options, project)
        inst = Instance(self._client, {"name": handle.name}, handle)
        inst.sync()
        return inst

    def create_from_backup(self, path: PathArg, pool: Optional[str] = None, wait: bool = True,
                           name: Optional[str] = None) -> Union[Instance, Operation]:
        """pylxd's name for :meth:`import_backup` (a file path here, not the backup's bytes)."""
        return self.import_backup(path, name=name, pool=pool, wait=wait)

    def get(self, name: str) -> Instance:
        """The instance called ``name``; raises NotFound."""
        handle = self._client._instance_handle(name)
        inst = Instance(self._client, {"name": handle.name}, handle)
        inst.sync()
        return inst

    def all(self) -> List[Instance]:
        """Every instance of the client's project, attributes filled in."""
        docs = json.loads(self._client._manager().instance_list(False, self._client.project))
        return [Instance(self._client, d) for d in docs]

    def exists(self, name: str) -> bool:
        """Whether an instance called ``name`` exists."""
        try:
            self._client._instance_handle(name).close()
        except NotFound:
            return False
        return True
