"""The base of objects built from an LXD JSON document (instances, images, states)."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Mapping, Tuple


class Model:
    """Exposes the fields of an LXD document as attributes.

    ``_fields`` lists the documented fields with their defaults, so they exist (typed) even when
    the document omits them; ``raw`` keeps the whole document, including fields added later.
    """

    _fields: ClassVar[Tuple[Tuple[str, Any], ...]] = ()

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self.raw: Dict[str, Any] = {}
        self._load(data or {})

    def _load(self, data: Mapping[str, Any]) -> None:
        self.raw = dict(data)
        for field, default in self._fields:
            value = data.get(field, default)
            # Fresh containers per object: a shared mutable default would leak between objects.
            if isinstance(value, (dict, list)) and value is default:
                value = type(default)()
            object.__setattr__(self, field, value)

    def to_dict(self) -> Dict[str, Any]:
        """The LXD document this object was built from."""
        return dict(self.raw)

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]
