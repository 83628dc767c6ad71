"""Instances: ``client.instances`` and the :class:`Instance` objects it returns."""

from __future__ import annotations

import json
from typing import (TYPE_CHECKING, IO, Any, Dict, List, Mapping, Optional, Sequence, Union)

from ._model import Model
from .errors import NotFound
from .execute import ExecuteResult
from .state import InstanceState

if TYPE_CHECKING:
    from . import _libinstance
    from .client import Client

StdinPayload = Union[str, bytes, IO[str], IO[bytes], None]


class Instance(Model):
    """An instance, with the fields of the LXD ``Instance`` document as attributes.

    Every operation finishes before returning: ``wait`` parameters are accepted for pylxd
    compatibility. Lifecycle calls refresh the attributes afterwards (see :meth:`sync`).
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

    def start(self, wait: bool = True, stateful: bool = False) -> None:
        """Starts the instance; raises Conflict if it is running."""
        self._handle().start(stateful)
        self.sync()

    def stop(self, force: bool = False, timeout: int = 30, wait: bool = True) -> None:
        """Stops the instance: asks its init to halt, killing it after ``timeout`` seconds
        (at once with ``force``)."""
        self._handle().stop(force, timeout)
        self.sync()

    def restart(self, force: bool = False, timeout: int = 30, wait: bool = True) -> None:
        """Stops (as :meth:`stop`) and starts the instance again."""
        self._handle().restart(force, timeout)
        self.sync()

    def delete(self, force: bool = False, wait: bool = True) -> None:
        """Deletes the instance and its storage; raises Conflict if it is running and not
        ``force``."""
        handle = self._handle()
        handle.delete(force)
        handle.close()
        self._native = None

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

    def __repr__(self) -> str:
        return f"Instance(name={self.name!r}, status={self.status!r})"


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

    def create(self, config: Mapping[str, Any], wait: bool = True) -> Instance:
        """Creates an instance from an LXD ``InstancesPost`` document, e.g.
        ``{"name": "c1", "source": {"type": "image", "alias": "busybox"}}``.

        Nothing is left behind when it fails. The instance is created stopped.
        """
        if not isinstance(config, Mapping):
            raise TypeError(f"config must be a dict (an LXD InstancesPost), not {type(config).__name__}")
        handle = self._client._track(
            self._client._manager().instance_create(json.dumps(config), self._client.project))
        inst = Instance(self._client, {"name": handle.name}, handle)
        inst.sync()
        return inst

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
