"""The option documents of backups (``lxc export`` / ``lxc import``), as the C ABI takes them:
LXD's ``InstanceBackupsPost`` fields for export, ``{"name", "pool"}`` for import."""

from __future__ import annotations

import json
import os
from typing import Optional, Union

PathArg = Union[str, "os.PathLike[str]"]


def backup_path(path: PathArg) -> str:
    """A str or PathLike file path as the library takes it."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
    return os.fspath(path)


def export_options(instance_only: bool, optimized_storage: bool, compression_algorithm: str) -> str:
    """The export options JSON; the library checks the values and names a bad one's key."""
    return json.dumps({
        "instance_only": bool(instance_only),
        "optimized_storage": bool(optimized_storage),
        "compression_algorithm": compression_algorithm,
    })


def import_options(name: Optional[str], pool: Optional[str]) -> str:
    """The import options JSON; "" keeps the backup's name and pool."""
    return json.dumps({"name": name or "", "pool": pool or ""})
