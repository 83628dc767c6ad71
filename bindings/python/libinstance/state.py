"""An instance's runtime state: the LXD ``InstanceState`` document."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ._model import Model


class InstanceState(Model):
    """Status, init pid, process count and resource usage of an instance at one moment."""

    status: str
    status_code: int
    pid: int
    processes: int
    memory: Dict[str, Any]
    cpu: Dict[str, Any]
    disk: Dict[str, Any]
    network: Optional[Dict[str, Any]]
    #: A running virtual machine's accelerator, "kvm" or "tcg" ("" for containers).
    accelerator: str

    _fields = (
        ("status", ""),
        ("status_code", 0),
        ("pid", 0),
        ("processes", 0),
        ("memory", {}),
        ("cpu", {}),
        ("disk", {}),
        ("network", None),
        ("accelerator", ""),
    )

    @property
    def memory_usage(self) -> int:
        """Current memory use in bytes (0 when stopped)."""
        return int(self.memory.get("usage", 0) or 0)

    def __repr__(self) -> str:
        return f"InstanceState(status={self.status!r}, pid={self.pid}, processes={self.processes})"
