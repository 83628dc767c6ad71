"""The result of :meth:`libinstance.Instance.execute`."""

from __future__ import annotations

from typing import NamedTuple, Tuple


class _ExecuteResultFields(NamedTuple):
    exit_code: int
    stdout: str
    stderr: str


class ExecuteResult(_ExecuteResultFields):
    """``(exit_code, stdout, stderr)`` like pylxd's, with the undecoded output kept as
    ``stdout_bytes`` and ``stderr_bytes`` for binary output."""

    # No __slots__ here on purpose: the instance dict holds the raw bytes next to the tuple.
    stdout_bytes: bytes
    stderr_bytes: bytes

    def __new__(cls, exit_code: int, stdout_bytes: bytes, stderr_bytes: bytes,
                encoding: str = "utf-8") -> "ExecuteResult":
        self = super().__new__(cls, exit_code, stdout_bytes.decode(encoding, "replace"),
                               stderr_bytes.decode(encoding, "replace"))
        self.stdout_bytes = stdout_bytes
        self.stderr_bytes = stderr_bytes
        return self

    def __getnewargs__(self) -> Tuple[int, bytes, bytes]:  # for pickle and copy
        return (self.exit_code, self.stdout_bytes, self.stderr_bytes)
