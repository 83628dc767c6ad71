"""Instances: ``client.instances`` and the :class:`Instance` objects it returns."""

from __future__ import annotations

import json
from typing import (TYPE_CHECKING, IO, Any, Dict, List, Literal, Mapping, Optional, Sequence, Union,
                    overload)

from ._model import Model
from .errors import NotFound
from .execute import ExecuteResult
from .files import FilesManager
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
        super().__init__(data)

    def _handle(self) -> "_libinstance.Instance":
        # Objects from all() start without a handle; take one on first use.
        if self._native is None or self._native.closed:
            self._native = self.client._instance_handle(self.name)
        return self._native

    def sync(self) -> None:
        """Reloads the attributes from the library."""
        self._load(json.loads(self._handle().get_json()))

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

    def _operation(self, native_op: "_libinstance.Operation") -> Operation:
        return self.client.operations._start(lambda: native_op)

    def execute(self, commands: Sequence[str], environment: Optional[Mapping[str, str]] = None,
                cwd: Optional[str] = None, stdin_payload: StdinPayload = None,
                encoding: str = "utf-8", user: int = 0, group: int = 0) -> ExecuteResult:
        """Runs a command in the running instance and waits for it.

        ``commands`` is the argument vector (a list, never a shell string); ``environment`` adds
        variables; ``stdin_payload`` (str, bytes or a readable file) is fed to stdin. Returns
        ``(exit_code, stdout, stderr)`` decoded with ``encoding``; the raw bytes are in
        ``stdout_bytes`` and ``stderr_bytes``. Raises Conflict if the instance is not running
        and NotFound if the command does not exist.
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
        code, out, err = self._handle().exec(argv, env, cwd, stdin, uid=user, gid=group)
        return ExecuteResult(code, out, err, encoding)

    @property
    def files(self) -> FilesManager:
        """The instance's files (push, pull, delete, mkdir, symlink, recursive), as in pylxd."""
        return FilesManager(self)

    def __repr__(self) -> str:
        return f"Instance(name={self.name!r}, status={self.status!r})"


def _created_name(op: Operation, config: Mapping[str, Any]) -> str:
    # "/1.0/instances/NAME", with "?project=..." outside the default project.
    for url in op.resources.get("instances", []):
        return str(url).split("?", 1)[0].rsplit("/", 1)[-1]
    return str(config.get("name", ""))


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
