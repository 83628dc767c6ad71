"""Loads the ``_libinstance`` extension and connects its errors to :mod:`libinstance.errors`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import errors

if TYPE_CHECKING:
    from . import _libinstance as native
else:
    try:
        native = importlib.import_module(f"{__package__}._libinstance")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}._libinstance":
            raise
        # In a meson build tree the extension is built at the top of its build directory while
        # the package is imported from the source tree; the tests put both on PYTHONPATH.
        native = importlib.import_module("_libinstance")

native._set_error_factory(errors._from_native)

__all__ = ["native"]
