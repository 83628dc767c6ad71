"""An attached instance console: the terminal's file descriptor and a way to detach."""

from __future__ import annotations

import os
import select
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from . import _libinstance


class Console:
    """The console of a running instance (``Instance.console()``).

    :meth:`fileno` is the master side of a terminal bridged to the container's ``/dev/console``:
    read the console's output from it and write keystrokes to it (it works with ``select``).
    :meth:`detach` (or leaving a ``with`` block) frees the console for the next client.
    """

    def __init__(self, native: "_libinstance.Console") -> None:
        self._native = native

    def fileno(self) -> int:
        """The terminal's descriptor (-1 once detached)."""
        return self._native.fileno()

    @property
    def attached(self) -> bool:
        return self._native.attached

    def write(self, data: bytes) -> int:
        """Sends bytes to the console (keystrokes; a newline is Enter)."""
        return os.write(self.fileno(), data)

    def read(self, timeout: Optional[float] = None, size: int = 65536) -> bytes:
        """Reads what the console printed; b"" when nothing came within ``timeout`` seconds."""
        ready, _, _ = select.select([self.fileno()], [], [], timeout)
        return os.read(self.fileno(), size) if ready else b""

    def resize(self, width: int, height: int) -> None:
        """Sets the terminal's size as the console's programs see it."""
        self._native.resize(width, height)

    def detach(self) -> None:
        """Releases the console (idempotent); the instance keeps running."""
        self._native.detach()

    def __enter__(self) -> "Console":
        return self

    def __exit__(self, *exc: object) -> None:
        self.detach()

    def __repr__(self) -> str:
        return f"Console(fd={self.fileno()})"
