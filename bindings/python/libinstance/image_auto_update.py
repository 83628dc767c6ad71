"""What one look of the image auto-update did (:meth:`Client.run_image_auto_update`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import List


@dataclass(frozen=True)
class ImageAutoUpdateRefresh:
    """An image replaced by its server's newer version; ``aliases`` now name the new one."""

    project: str
    old_fingerprint: str
    new_fingerprint: str
    aliases: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImageAutoUpdateRun:
    """``ran`` is False when no pass was due (interval not passed, interval 0, or the state
    directory's first look, which only starts the clock); ``failed`` holds
    ``"project/fingerprint: why"``."""

    ran: bool = False
    refreshed: List[ImageAutoUpdateRefresh] = field(default_factory=list)
    failed: List[str] = field(default_factory=list)

    @classmethod
    def _from_json(cls, text: str) -> "ImageAutoUpdateRun":
        doc = json.loads(text)
        return cls(ran=bool(doc["ran"]),
                   refreshed=[ImageAutoUpdateRefresh(project=r["project"], old_fingerprint=r["old_fingerprint"],
                                                     new_fingerprint=r["new_fingerprint"], aliases=list(r["aliases"]))
                              for r in doc["refreshed"]],
                   failed=list(doc["failed"]))
