"""Operations: long work running in the library (``client.operations`` and the
:class:`Operation` objects that ``wait=False`` calls return)."""

from __future__ import annotations

import json
import re
import threading
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional)

from ._model import Model

if TYPE_CHECKING:
    from . import _libinstance
    from .client import Client
    from .events import Subscription

#: LXD's operation status codes.
PENDING = 105
RUNNING = 103
CANCELLING = 104
SUCCESS = 200
FAILURE = 400
CANCELLED = 401
FINAL_STATUS_CODES = frozenset({SUCCESS, FAILURE, CANCELLED})

_PERCENT = re.compile(r"(\d+)\s*%")


class Progress(str):
    """One progress string of an operation, e.g. ``"Unpack: 42%"``, as a ``str`` with the
    metadata ``key`` it came from (``create_instance_from_image_unpack_progress``,
    ``image_build_progress``, ``image_import_progress``) and its ``percent`` (``42``, or None
    when the string has none)."""

    key: str
    percent: Optional[int]

    def __new__(cls, text: str, key: str = "") -> "Progress":
        self = super().__new__(cls, text)
        self.key = key
        match = _PERCENT.search(text)
        self.percent = int(match.group(1)) if match else None
        return self

    def __repr__(self) -> str:
        return f"Progress({str(self)!r}, key={self.key!r}, percent={self.percent!r})"


ProgressCallback = Callable[[Progress], Any]


class Operation(Model):
    """An operation, with the fields of the LXD ``Operation`` document as attributes
    (``class`` is ``class_``). The attributes are a snapshot: :meth:`refresh` reloads them,
    :meth:`wait` and :meth:`cancel` do so by themselves."""

    id: str
    description: str
    created_at: str
    updated_at: str
    status: str
    status_code: int
    resources: Dict[str, List[str]]
    metadata: Dict[str, Any]
    may_cancel: bool
    err: str
    location: str
    project: str

    _fields = (
        ("id", ""),
        ("description", ""),
        ("created_at", ""),
        ("updated_at", ""),
        ("status", ""),
        ("status_code", 0),
        ("resources", {}),
        ("metadata", {}),
        ("may_cancel", False),
        ("err", ""),
        ("location", "none"),
        ("project", "default"),
    )

    def __init__(self, client: "Client", data: Mapping[str, Any],
                 handle: Optional["_libinstance.Operation"] = None) -> None:
        self.client = client
        self._native = handle
        self._watcher: Optional[_ProgressWatcher] = None
        # Ends with the operation: e.g. the instance handle a delete(wait=False) runs on.
        self._keep: Optional[Any] = None
        super().__init__(data)

    @property
    def class_(self) -> str:
        """The operation class: ``"task"``."""
        return str(self.raw.get("class", "task"))

    @property
    def done(self) -> bool:
        """Whether the operation had ended (Success, Failure or Cancelled) at the last refresh."""
        return self.status_code in FINAL_STATUS_CODES

    def _handle(self) -> "_libinstance.Operation":
        # Objects from operations.all() start without a handle; take one on first use.
        if self._native is None or self._native.closed:
            self._native = self.client._track(self.client._manager().operation_get(self.id))
        return self._native

    def refresh(self) -> "Operation":
        """Reloads the attributes from the library; returns self."""
        self._load(json.loads(self._handle().get_json()))
        return self

    def wait(self, timeout: Optional[float] = None) -> "Operation":
        """Waits until the operation has ended and returns self (refreshed).

        Raises :class:`~libinstance.Timeout` when it is still running after ``timeout`` seconds
        (None: wait for ever; 0: just check), :class:`~libinstance.Cancelled` when it was
        cancelled, and the exception of its failure (e.g. NotFound) when it failed.
        """
        handle = self._handle()
        try:
            handle.wait(timeout)
        except BaseException:
            self._refresh_quietly()
            if self.done:
                self._ended()
            raise
        self.refresh()
        self._ended()
        return self

    def cancel(self) -> None:
        """Asks the operation to stop at its next check point; it then ends Cancelled, leaving
        nothing half-made. Raises :class:`~libinstance.NotSupported` when it cannot be cancelled
        (``may_cancel`` is false); does nothing when it has already ended."""
        self._handle().cancel()
        self._refresh_quietly()

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except Exception:  # the original error matters more than a failed refresh
            pass

    def _ended(self) -> None:
        # Progress callbacks come from a library thread: let it deliver what it has before the
        # caller goes on, so every update is seen before wait() returns.
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.finish()
        self._keep = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Operation) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"Operation(id={self.id!r}, description={self.description!r}, status={self.status!r})"


class OperationManager:
    """``client.operations``: the running and recently ended operations (kept 5 minutes after
    they end, as in LXD)."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def all(self) -> List[Operation]:
        """Running and recently ended operations, oldest first."""
        docs = json.loads(self._client._manager().operation_list())
        return [Operation(self._client, d) for d in docs]

    def get(self, operation_id: str) -> Operation:
        """One operation by id; raises NotFound when unknown or expired."""
        handle = self._client._track(self._client._manager().operation_get(operation_id))
        return Operation(self._client, json.loads(handle.get_json()), handle)

    def _start(self, start: Callable[[], "_libinstance.Operation"],
               progress: Optional[ProgressCallback] = None) -> Operation:
        """Runs an ``_async`` native call and wraps its operation; with ``progress``, an event
        subscription taken before the call feeds the callback from the very first update."""
        watcher = _ProgressWatcher(self._client, progress) if progress is not None else None
        try:
            handle = self._client._track(start())
        except BaseException:
            if watcher is not None:
                watcher.abandon()
            raise
        op = Operation(self._client, {"id": handle.id}, handle)
        if watcher is not None:
            watcher.bind(handle.id)
            op._watcher = watcher
        op._refresh_quietly()
        return op


def run(op: Operation) -> Operation:
    """Waits for an operation started on the caller's behalf (``wait=True``): an interrupt
    (Ctrl-C) cancels it where it can be, so a blocking call does not leave work running."""
    try:
        return op.wait()
    except KeyboardInterrupt:
        try:
            op.cancel()
        except Exception:
            pass
        raise


class _ProgressWatcher:
    """Delivers an operation's progress strings to a callback, from operation events.

    The subscription exists before the operation starts, so no update is missed; until the
    operation's id is known the delivery thread waits (events queue meanwhile). Updates are
    passed on only when they change and never go backwards, per metadata key.
    """

    _BIND_TIMEOUT = 30.0  # the _async call returns at once; this only bounds a lost bind()
    _FINISH_TIMEOUT = 5.0

    def __init__(self, client: "Client", callback: ProgressCallback) -> None:
        if not callable(callback):
            raise TypeError("progress must be callable")
        self._callback = callback
        self._op_id: Optional[str] = None
        self._bound = threading.Event()
        self._ended = threading.Event()
        self._last: Dict[str, Progress] = {}
        self._subscription: "Subscription" = client.events.subscribe(
            self._on_event, types=["operation"])

    def bind(self, op_id: str) -> None:
        self._op_id = op_id
        self._bound.set()

    def abandon(self) -> None:
        """The operation never started."""
        self._bound.set()
        self._subscription.close()

    def finish(self) -> None:
        """The operation has ended: waits (briefly) for its last event to be delivered."""
        self._ended.wait(self._FINISH_TIMEOUT)
        self._subscription.close()

    def _on_event(self, event: Dict[str, Any]) -> None:
        if not self._bound.wait(self._BIND_TIMEOUT):
            return
        doc = event.get("metadata") or {}
        if self._op_id is None or doc.get("id") != self._op_id:
            return
        try:
            for key, text in sorted((doc.get("metadata") or {}).items()):
                if key.endswith("_progress") and isinstance(text, str):
                    self._offer(Progress(text, key))
        finally:
            if doc.get("status_code") in FINAL_STATUS_CODES:
                self._ended.set()
                self._subscription.close()  # from its own callback: does not wait for itself

    def _offer(self, update: Progress) -> None:
        last = self._last.get(update.key)
        if last is not None:
            if str(update) == str(last):
                return
            if update.percent is not None and last.percent is not None and update.percent < last.percent:
                return
        self._last[update.key] = update
        self._callback(update)
