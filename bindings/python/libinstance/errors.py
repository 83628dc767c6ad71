"""Exceptions raised by libinstance, one class per ``li_status`` code of the C library."""

from __future__ import annotations

from typing import Dict, Type

__all__ = [
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
]


class Error(Exception):
    """Base of every libinstance failure.

    ``code`` is the numeric ``li_status``, ``status`` its stable name (e.g. ``"NotFound"``),
    ``key`` what is at fault: the offending config key or field for :class:`InvalidConfig`, the
    argument naming the missing, existing, busy or unsupported thing (``"pool"``, ``"name"``,
    ``"snapshot"``, ``"config.size"``) for the others where the call knows one, else ``""``; and
    ``errno`` the system error number (for :class:`SystemCallError`, else 0).
    """

    code: int = 12
    status: str = "Internal"

    def __init__(self, message: str, *, key: str = "", errno: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.key = key
        self.errno = errno

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        extra = f", key={self.key!r}" if self.key else ""
        if self.errno:
            extra += f", errno={self.errno}"
        return f"{type(self).__name__}({self.message!r}{extra})"


class NotFound(Error):
    """The named object does not exist."""

    code = 1
    status = "NotFound"


class AlreadyExists(Error):
    """An object of that name exists already."""

    code = 2
    status = "AlreadyExists"


class InvalidConfig(Error):
    """Bad input; ``key`` names the offending config key or field (e.g. ``"name"``)."""

    code = 3
    status = "InvalidArgument"


#: The C library's name for :class:`InvalidConfig`.
InvalidArgument = InvalidConfig


class NotSupported(Error):
    """The driver or this machine cannot do it."""

    code = 4
    status = "NotSupported"


class Busy(Error):
    """The object, or the state directory, is in use (e.g. opened by another client)."""

    code = 5
    status = "Busy"


class Conflict(Error):
    """The object is in the wrong state for the request (e.g. it is running)."""

    code = 6
    status = "Conflict"


class PermissionDenied(Error):
    code = 7
    status = "PermissionDenied"


class Timeout(Error):
    code = 8
    status = "Timeout"


class Cancelled(Error):
    code = 9
    status = "Cancelled"


class SystemCallError(Error):
    """A system call failed; ``errno`` holds its error number."""

    code = 10
    status = "System"


class BackendError(Error):
    """liblxc or another backend failed; the message carries the backend's own words."""

    code = 11
    status = "Backend"


class InternalError(Error):
    """A bug in libinstance."""

    code = 12
    status = "Internal"


_BY_CODE: Dict[int, Type[Error]] = {
    cls.code: cls
    for cls in (
        NotFound,
        AlreadyExists,
        InvalidConfig,
        NotSupported,
        Busy,
        Conflict,
        PermissionDenied,
        Timeout,
        Cancelled,
        SystemCallError,
        BackendError,
        InternalError,
    )
}


def _from_native(code: int, status: str, message: str, key: str, errno: int) -> Error:
    """Builds the exception for a failed C call (called by the ``_libinstance`` module)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        # A code newer than this package: keep the library's own words.
        err = Error(message, key=key, errno=errno)
        err.code = code
        err.status = status
        return err
    return cls(message, key=key, errno=errno)
