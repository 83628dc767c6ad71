"""Signals to the command of a running :meth:`libinstance.Instance.execute`."""

from __future__ import annotations

from ._native import native


class ExecControl:
    """Sends signals to the command of an :meth:`Instance.execute` running in another thread.

    Pass it as ``control=`` and call :meth:`signal` from another thread while ``execute`` waits
    (it releases the GIL); locally that is ``kill()`` of the command's host process, on a
    connected Manager LXD's exec control message. One control serves one ``execute`` at a time
    and may be reused for the next.
    """

    def __init__(self) -> None:
        self._native = native.ExecControl()

    def signal(self, sig: int) -> None:
        """Sends signal ``sig`` (e.g. ``signal.SIGTERM``) to the command. Raises Conflict before
        the command started or after it ended, InvalidArgument for a bad signal number."""
        self._native.signal(int(sig))
