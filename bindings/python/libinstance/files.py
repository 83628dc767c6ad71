"""``instance.files``: files inside an instance, shaped like pylxd's ``Instance.files``.

Paths are absolute inside the instance and resolved as if its root were ``/``: a symlink in the
instance never leads out of it. Content streams through file descriptors, so large files are not
held in memory (except by :meth:`FilesManager.get`, which returns bytes).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import IO, TYPE_CHECKING, Any, Dict, List, Optional, Union

if TYPE_CHECKING:
    from .instances import Instance

FileData = Union[str, bytes, bytearray, memoryview, IO[bytes], IO[str]]


def _id(value: Optional[int]) -> int:
    return -1 if value is None else int(value)


class FilesManager:
    """The files of one instance (running or stopped)."""

    def __init__(self, instance: "Instance") -> None:
        self._instance = instance

    def put(self, filepath: str, data: FileData, mode: Optional[int] = None,
            uid: Optional[int] = None, gid: Optional[int] = None, make_parents: bool = False) -> None:
        """Writes ``filepath`` from bytes, a str (UTF-8) or a file object (streamed when it has a
        fileno). The file replaces any old one atomically; owner and mode default to the old
        file's, else root and 0644."""
        handle = self._instance._handle()
        args = dict(uid=_id(uid), gid=_id(gid), mode=_id(mode), parents=make_parents)
        if hasattr(data, "read"):
            fileno = getattr(data, "fileno", None)
            try:
                fd = fileno() if fileno is not None else -1
            except (OSError, ValueError):
                fd = -1
            if fd >= 0 and "b" in getattr(data, "mode", "b"):
                data.flush() if hasattr(data, "flush") else None
                handle.file_push(filepath, fd, **args)
                return
            data = data.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data must be bytes, str or a file object, not {type(data).__name__}")
        handle.file_push_data(filepath, bytes(data), **args)

    def get(self, filepath: str) -> bytes:
        """The content of a regular file (spooled through a temporary file)."""
        with tempfile.TemporaryFile() as spool:
            self.get_to(filepath, spool)
            spool.seek(0)
            return spool.read()

    def get_to(self, filepath: str, fileobj: IO[bytes]) -> Dict[str, Any]:
        """Streams a regular file into ``fileobj`` (which needs a fileno); returns :meth:`stat`'s
        description of it."""
        fileobj.flush()
        return dict(json.loads(self._instance._handle().file_pull(filepath, fileobj.fileno())))

    def stat(self, filepath: str) -> Dict[str, Any]:
        """``{"type", "uid", "gid", "mode", "size"}`` (LXD's X-LXD-* headers), plus ``entries``
        for a directory and ``target`` for a symlink (which is not followed)."""
        return dict(json.loads(self._instance._handle().file_stat_json(filepath)))

    def listdir(self, filepath: str) -> List[str]:
        """The sorted entry names of a directory."""
        info = self.stat(filepath)
        if info.get("type") != "directory":
            raise NotADirectoryError(filepath)
        return list(info.get("entries", []))

    def exists(self, filepath: str) -> bool:
        from .errors import NotFound
        try:
            self.stat(filepath)
            return True
        except NotFound:
            return False

    def delete(self, filepath: str) -> None:
        """Removes a file, a symlink or an empty directory."""
        self._instance._handle().file_delete(filepath)

    def mk_dir(self, path: str, mode: Optional[int] = None, uid: Optional[int] = None,
               gid: Optional[int] = None, make_parents: bool = False) -> None:
        """Creates a directory (0755 and root unless given)."""
        self._instance._handle().file_mkdir(path, uid=_id(uid), gid=_id(gid), mode=_id(mode),
                                            parents=make_parents)

    def symlink(self, path: str, target: str, uid: Optional[int] = None,
                gid: Optional[int] = None) -> None:
        """Creates a symlink at ``path`` pointing to ``target``."""
        self._instance._handle().file_symlink(path, target, uid=_id(uid), gid=_id(gid))

    def recursive_put(self, src: str, dst: str, mode: Optional[int] = None,
                      uid: Optional[int] = None, gid: Optional[int] = None) -> None:
        """Copies the content of the local directory ``src`` into ``dst`` (created), keeping
        modes and owners unless given."""
        if not os.path.isdir(src):
            raise NotADirectoryError(src)
        self._instance._handle().file_push_tree(os.fspath(src), dst, uid=_id(uid), gid=_id(gid),
                                                mode=_id(mode))

    def recursive_get(self, remote_path: str, local_path: str) -> None:
        """Copies ``remote_path`` (a directory's content, or a file) to ``local_path``."""
        self._instance._handle().file_pull_tree(remote_path, os.fspath(local_path))
