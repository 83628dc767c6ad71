"""Events: ``client.events``, LXD's lifecycle, operation and logging events as dicts.

Two ways to receive them::

    # An iterator (and context manager), read by the caller:
    with client.events(types=["lifecycle"]) as events:
        for event in events:                      # blocks; or events.next(timeout=5)
            print(event["metadata"]["action"])

    # A callback, called on a library thread:
    sub = client.events.subscribe(lambda event: print(event["type"]))
    ...
    sub.close()

Each event is the LXD event document: ``{"type": "lifecycle" | "operation" | "logging",
"timestamp": ..., "project": ..., "location": "none", "metadata": {...}}``.

Either way, events wait in a bounded queue (``queue_size``, default 1024) and, when the reader
falls behind that far, new ones are dropped and counted in ``.dropped``: a slow reader never slows
the library down.
"""

from __future__ import annotations

import atexit
import json
import threading
import weakref
from types import TracebackType
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, Optional, Type, Union)

from .errors import Timeout

if TYPE_CHECKING:
    from . import _libinstance
    from .client import Client

Event = Dict[str, Any]
EventTypes = Union[str, Iterable[str], None]

# Callback subscriptions run until closed, whether or not the caller keeps the object: this
# holds them. At interpreter exit every live subscription is closed, so no library thread calls
# into a finalizing interpreter.
_running: "set[_SubscriptionBase]" = set()
_streams: "weakref.WeakSet[EventStream]" = weakref.WeakSet()
_live_lock = threading.Lock()


@atexit.register
def _close_all() -> None:
    with _live_lock:
        subs: "list[_SubscriptionBase]" = [*_running, *_streams]
    for sub in subs:
        sub.close()


def _types_arg(types: EventTypes) -> Optional[str]:
    if types is None:
        return None
    if isinstance(types, str):
        return types
    return ",".join(types)


class _SubscriptionBase:
    def __init__(self, native: "_libinstance.Subscription") -> None:
        self._native = native

    @property
    def dropped(self) -> int:
        """Events dropped so far because the queue was full."""
        return self._native.dropped

    @property
    def closed(self) -> bool:
        return self._native.closed

    def close(self) -> None:
        """Ends the subscription. Idempotent; may be called from inside a callback."""
        self._native.close()
        with _live_lock:
            _running.discard(self)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()


class EventStream(_SubscriptionBase):
    """Events read by the caller: iterate (blocking until the next event, ending once closed)
    or call :meth:`next` with a timeout. Closing it (or leaving its ``with`` block, or dropping
    the last reference) ends the subscription."""

    def __init__(self, native: "_libinstance.Subscription") -> None:
        super().__init__(native)
        with _live_lock:
            _streams.add(self)

    def next(self, timeout: Optional[float] = None) -> Event:
        """The next event. Raises :class:`~libinstance.Timeout` when none came within
        ``timeout`` seconds (None: wait for ever) and StopIteration once closed."""
        text = self._native.next(timeout)
        if text is None:
            raise Timeout(f"no event within {timeout} s")
        event: Event = json.loads(text)
        return event

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        return self.next()

    def __enter__(self) -> "EventStream":
        return self

    def __repr__(self) -> str:
        return f"EventStream(closed={self.closed}, dropped={self.dropped})"


class Subscription(_SubscriptionBase):
    """A callback subscription. The callback gets each event (a dict) on a library thread, one
    at a time and in order, holding the GIL only while it runs; an exception it raises is
    reported through :func:`sys.unraisablehook` and delivery goes on. The subscription lasts
    until :meth:`close` (which may be called from the callback itself) or until the client
    closes; dropping the object does not end it."""

    def __init__(self, native: "_libinstance.Subscription", callback: Callable[[Event], Any]) -> None:
        super().__init__(native)
        self.callback = callback
        with _live_lock:
            _running.add(self)

    def __enter__(self) -> "Subscription":
        return self

    def __repr__(self) -> str:
        return f"Subscription({self.callback!r}, closed={self.closed}, dropped={self.dropped})"


def _dispatch(callback: Callable[[Event], Any]) -> Callable[[str], None]:
    # Module-level, so the library holds a reference to the user's callback only, not to the
    # Subscription object (which then stays collectable once closed).
    def call(text: str) -> None:
        callback(json.loads(text))
    return call


class EventManager:
    """``client.events``: call it for an :class:`EventStream`, or :meth:`subscribe` a callback.

    ``types``: ``"lifecycle"``, ``"operation"``, ``"logging"`` (a list, or one comma-separated
    string; None: all). ``project``: the events of that project (None: the client's project);
    ``all_projects``: of every project. ``log_level``: the lowest level of logging events
    (``debug``, ``info``, ``warn``, ``error``). ``queue_size``: events buffered before new ones
    are dropped.
    """

    def __init__(self, client: "Client") -> None:
        self._client = client

    def __call__(self, types: EventTypes = None, project: Optional[str] = None,
                 all_projects: bool = False, log_level: str = "info",
                 queue_size: int = 1024) -> EventStream:
        native = self._native_subscribe(None, types, project, all_projects, log_level, queue_size)
        return self._client._track(EventStream(native))

    def subscribe(self, callback: Callable[[Event], Any], types: EventTypes = None,
                  project: Optional[str] = None, all_projects: bool = False,
                  log_level: str = "info", queue_size: int = 1024) -> Subscription:
        """Calls ``callback(event)`` for each event, on a library thread, until the returned
        :class:`Subscription` is closed."""
        if not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        native = self._native_subscribe(_dispatch(callback), types, project, all_projects,
                                        log_level, queue_size)
        return self._client._track(Subscription(native, callback))

    def _native_subscribe(self, callback: Optional[Callable[[str], None]], types: EventTypes,
                          project: Optional[str], all_projects: bool, log_level: str,
                          queue_size: int) -> "_libinstance.Subscription":
        if queue_size < 1:
            raise ValueError(f"queue_size must be at least 1, not {queue_size}")
        return self._client._manager().subscribe(
            callback, _types_arg(types), project if project is not None else self._client.project,
            all_projects, log_level, queue_size)
