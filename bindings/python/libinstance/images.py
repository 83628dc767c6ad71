"""Images: ``client.images`` and the :class:`Image` objects it returns."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Dict, List, Literal, Mapping, Optional, Union, overload

from ._model import Model
from .errors import NotFound
from .operations import Operation, ProgressCallback, run

if TYPE_CHECKING:
    from .client import Client

StrPath = Union[str, "os.PathLike[str]"]


class Image(Model):
    """An image in the store, with the fields of the LXD ``Image`` document."""

    fingerprint: str
    aliases: List[Dict[str, str]]
    architecture: str
    auto_update: bool
    cached: bool
    created_at: str
    expires_at: str
    filename: str
    last_used_at: str
    profiles: List[str]
    properties: Dict[str, str]
    public: bool
    size: int
    type: str
    update_source: Optional[Dict[str, Any]]
    uploaded_at: str
    project: str

    _fields = (
        ("fingerprint", ""),
        ("aliases", []),
        ("architecture", ""),
        ("auto_update", False),
        ("cached", False),
        ("created_at", ""),
        ("expires_at", ""),
        ("filename", ""),
        ("last_used_at", ""),
        ("profiles", []),
        ("properties", {}),
        ("public", False),
        ("size", 0),
        ("type", "container"),
        ("update_source", None),
        ("uploaded_at", ""),
        ("project", "default"),
    )

    def __init__(self, client: "Client", data: Mapping[str, Any]) -> None:
        self.client = client
        super().__init__(data)

    @property
    def alias_names(self) -> List[str]:
        """The names of the image's aliases."""
        return [a.get("name", "") for a in self.aliases]

    def sync(self) -> None:
        """Reloads the image from the store."""
        self._load(json.loads(self.client._manager().image_get(self.fingerprint, self.client.project)))

    def delete(self, wait: bool = True) -> None:
        """Deletes the image and its aliases (at once: ``wait`` is accepted for pylxd
        compatibility)."""
        self.client._manager().image_delete(self.fingerprint, self.client.project)

    def save(self, wait: bool = True) -> None:
        """Writes ``properties``, ``public``, ``auto_update`` and ``expires_at`` back (LXD's
        PUT; emits ``image-updated``)."""
        doc = {"properties": dict(self.properties), "public": bool(self.public),
               "auto_update": bool(self.auto_update), "expires_at": self.expires_at or ""}
        text = self.client._manager().image_update(self.fingerprint, json.dumps(doc), self.client.project)
        self._load(json.loads(text))

    def export(self, target: Optional[StrPath] = None, wait: bool = True,
               progress: Optional[ProgressCallback] = None) -> Any:
        """Exports the image's stored files unchanged (the fingerprint still holds).

        Without ``target`` returns the (unified or metadata) file's bytes in a
        :class:`io.BytesIO`, like pylxd. With ``target`` writes as ``lxc image export`` does
        (a directory: ``<fp>.tar.gz`` or ``meta-<fp>.tar.xz`` + ``<fp>.squashfs``; a file
        name: ``<target>.tar.gz``, or ``<target>`` + ``<target>.root`` when split) and returns
        ``{"metadata_path": ..., "rootfs_path": ...}`` (or the :class:`Operation` with
        ``wait=False``)."""
        import io
        import tempfile
        mgr = self.client._manager()
        project = self.client.project
        fingerprint = self.fingerprint
        if target is None:
            with tempfile.TemporaryDirectory() as tmp:
                paths = json.loads(mgr.image_export(fingerprint, tmp, project))
                with open(paths["metadata_path"], "rb") as f:
                    return io.BytesIO(f.read())
        out = os.fspath(target)
        op = self.client.operations._start(lambda: mgr.image_export_async(fingerprint, out, project), progress)
        if not wait:
            return op
        done = run(op)
        return {"metadata_path": str(done.metadata["metadata_path"]), "rootfs_path": str(done.metadata.get("rootfs_path", ""))}

    def add_alias(self, name: str, description: str = "") -> None:
        """Points a new alias at this image."""
        self.client.images.create_alias(name, self.fingerprint, description)
        self.sync()

    def delete_alias(self, name: str) -> None:
        """Removes one of this image's aliases."""
        self.client.images.delete_alias(name)
        self.sync()

    def refresh(self, wait: bool = True,
                progress: Optional[ProgressCallback] = None) -> Union["Image", Operation]:
        """Checks the server this image was copied from for a newer version; when there is one
        it replaces this image (its aliases move over). Returns the current :class:`Image`
        (this one when up to date) or, with ``wait=False``, the :class:`Operation` (metadata
        ``fingerprint`` and ``refreshed``). Raises InvalidArgument for an image not copied
        from a server."""
        mgr = self.client._manager()
        project = self.client.project
        fingerprint = self.fingerprint
        op = self.client.operations._start(lambda: mgr.image_refresh_async(fingerprint, project), progress)
        return op if not wait else self.client.images._built(run(op))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Image) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"Image(fingerprint={self.fingerprint[:12]!r}, aliases={self.alias_names!r})"


class ImageManager:
    """``client.images``: build, import, look up and delete images and aliases."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def _image(self, text: str) -> Image:
        return Image(self._client, json.loads(text))

    @overload
    def build(self, builder: str = ..., alias: Optional[str] = ...,
              output_path: Optional[StrPath] = ..., wait: Literal[True] = ...,
              progress: Optional[ProgressCallback] = ..., **options: Any) -> Image: ...
    @overload
    def build(self, builder: str = ..., alias: Optional[str] = ...,
              output_path: Optional[StrPath] = ..., *, wait: Literal[False],
              progress: Optional[ProgressCallback] = ..., **options: Any) -> Operation: ...
    @overload
    def build(self, builder: str = ..., alias: Optional[str] = ...,
              output_path: Optional[StrPath] = ..., wait: bool = ...,
              progress: Optional[ProgressCallback] = ..., **options: Any) -> Union[Image, Operation]: ...

    def build(self, builder: str = "busybox", alias: Optional[str] = None,
              output_path: Optional[StrPath] = None, wait: bool = True,
              progress: Optional[ProgressCallback] = None, **options: Any) -> Union[Image, Operation]:
        """Builds an image locally with the named builder (``"busybox"``, ``"debian"`` or
        ``"debian-vm"``, a virtual-machine image) and stores it.

        ``output_path`` also writes the image as an LXD unified tarball there. With
        ``wait=False`` returns the running :class:`Operation` (its metadata has ``fingerprint``
        once it succeeded). ``progress`` is called with each new :class:`Progress` string
        (``"Build: 40%"``), from a library thread.

        The debian builder (debootstrap; minutes the first time, then instant from its cache)
        takes the keyword options ``release`` (``"bookworm"``), ``variant`` (``"minbase"``),
        ``mirror``, ``packages`` (a list), ``init`` (``"systemd-sysv"``) and ``cache_dir``.
        The debian-vm builder (the host's Debian kernel, busybox and the VM agent; an image of
        type ``"virtual-machine"``, cached too) takes ``release`` (the host's only) and
        ``cache_dir``; ``output_path`` gets its metadata tarball, and ``output_path + ".qcow2"``
        its disk.
        """
        known = {"release", "variant", "mirror", "packages", "init", "cache_dir"}
        unknown = set(options) - known
        if unknown:
            raise TypeError(f"build() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        out = os.fspath(output_path) if output_path is not None else None
        cache_dir = os.fspath(options["cache_dir"]) if options.get("cache_dir") is not None else None
        packages = list(options.get("packages") or [])
        mgr = self._client._manager()
        project = self._client.project
        op = self._client.operations._start(
            lambda: mgr.image_build_full_async(builder, alias, out, options.get("release"), options.get("variant"),
                                               options.get("mirror"), packages, options.get("init"), cache_dir,
                                               project), progress)
        return op if not wait else self._built(run(op))

    def create_from_instance(self, instance: str, alias: Optional[str] = None,
                             properties: Optional[Mapping[str, str]] = None,
                             compression: str = "gzip", public: bool = False,
                             expires_at: Optional[str] = None, wait: bool = True,
                             progress: Optional[ProgressCallback] = None) -> Union[Image, Operation]:
        """Publishes a stopped instance (raises Conflict while it runs), or one of its snapshots
        named ``"c1/snap0"``, as a new image.

        ``properties`` are set over the source image's; ``compression`` is ``"gzip"``,
        ``"xz"``, ``"zstd"``, ``"bzip2"`` or ``"none"``; ``expires_at`` an RFC 3339 time.
        ``progress`` gets ``"Image pack: 40%"`` strings. With ``wait=False`` returns the
        :class:`Operation` (metadata ``fingerprint`` once it succeeded)."""
        kind = "snapshot" if "/" in instance else "instance"
        doc: Dict[str, Any] = {"source": {"type": kind, "name": instance},
                               "properties": dict(properties or {}),
                               "compression_algorithm": compression, "public": public}
        if alias:
            doc["aliases"] = [{"name": alias}]
        if expires_at:
            doc["expires_at"] = expires_at
        text = json.dumps(doc)
        mgr = self._client._manager()
        project = self._client.project
        op = self._client.operations._start(lambda: mgr.image_publish_async(text, project), progress)
        return op if not wait else self._built(run(op))

    @overload
    def import_file(self, path: StrPath, alias: Optional[str] = ..., wait: Literal[True] = ...,
                    progress: Optional[ProgressCallback] = ...) -> Image: ...
    @overload
    def import_file(self, path: StrPath, alias: Optional[str] = ..., *, wait: Literal[False],
                    progress: Optional[ProgressCallback] = ...) -> Operation: ...
    @overload
    def import_file(self, path: StrPath, alias: Optional[str] = ..., wait: bool = ...,
                    progress: Optional[ProgressCallback] = ...) -> Union[Image, Operation]: ...

    def import_file(self, path: StrPath, alias: Optional[str] = None, wait: bool = True,
                    progress: Optional[ProgressCallback] = None, *, rootfs_path: Optional[StrPath] = None,
                    expected_fingerprint: Optional[str] = None, properties: Optional[Mapping[str, str]] = None,
                    public: bool = False, auto_update: bool = False, cached: bool = False,
                    max_unpack_ratio: int = 0, max_unpack_bytes: int = 0) -> Union[Image, Operation]:
        """Imports an LXD image: a unified tarball, or a split image (``path`` the metadata
        tarball, ``rootfs_path`` the rootfs tarball or squashfs); raises AlreadyExists if it is
        stored already, InvalidArgument (``key`` naming the entry or field) for a hostile or
        broken image, or when ``expected_fingerprint`` does not match.

        ``properties`` are set over metadata.yaml's. ``max_unpack_ratio``/``max_unpack_bytes``
        override the manager's decompression-bomb limits. ``wait`` and ``progress``
        (``"Import: 40%"``) as for :meth:`build`.
        """
        file = os.fspath(path)
        rootfs = os.fspath(rootfs_path) if rootfs_path is not None else None
        props = json.dumps(dict(properties)) if properties else None
        mgr = self._client._manager()
        project = self._client.project
        op = self._client.operations._start(
            lambda: mgr.image_import_full_async(file, alias, rootfs, expected_fingerprint, props, public,
                                                auto_update, cached, max_unpack_ratio, max_unpack_bytes, project),
            progress)
        return op if not wait else self._built(run(op))

    def create(self, image_data: Union[bytes, StrPath], metadata: Union[bytes, StrPath, None] = None,
               public: bool = False, wait: bool = True, fingerprint: Optional[str] = None,
               progress: Optional[ProgressCallback] = None, alias: Optional[str] = None,
               properties: Optional[Mapping[str, str]] = None) -> Union[Image, Operation]:
        """pylxd's upload: ``image_data`` is a unified tarball, or with ``metadata`` the rootfs
        of a split image (``metadata`` then being its metadata tarball); each may be bytes or
        a path. ``fingerprint`` is checked when given."""
        import tempfile

        def as_path(data: Union[bytes, StrPath], name: str, tmp: str) -> str:
            if isinstance(data, (bytes, bytearray)):
                p = os.path.join(tmp, name)
                with open(p, "wb") as f:
                    f.write(data)
                return p
            return os.fspath(data)

        with tempfile.TemporaryDirectory() as tmp:
            data_path = as_path(image_data, "image", tmp)
            if metadata is None:
                return self.import_file(data_path, alias, wait=True if isinstance(image_data, (bytes, bytearray)) else wait,
                                        progress=progress, expected_fingerprint=fingerprint, properties=properties,
                                        public=public)
            meta_path = as_path(metadata, "meta", tmp)
            return self.import_file(meta_path, alias, wait=True if isinstance(metadata, (bytes, bytearray)) else wait,
                                    progress=progress, rootfs_path=data_path, expected_fingerprint=fingerprint,
                                    properties=properties, public=public)

    def create_from_simplestreams(self, server: str, alias: str, public: bool = False,
                                  auto_update: bool = False, wait: bool = True,
                                  progress: Optional[ProgressCallback] = None,
                                  aliases: Optional[List[str]] = None, copy_aliases: bool = False,
                                  certificate: Optional[str] = None) -> Union[Image, Operation]:
        """Copies an image from a simplestreams server (pylxd's call): ``server`` is a URL or
        the name of a remote (``client.remotes``), ``alias`` an alias or fingerprint there.
        Every file is checked against the server's sha256 before anything is stored.
        ``progress`` gets ``"rootfs: 45% (1.20MB/s)"`` strings; ``aliases`` are created
        locally; ``copy_aliases`` takes the server's own. ``certificate``: PEM to trust."""
        source: Dict[str, Any] = {"type": "image", "mode": "pull", "server": server,
                                  "protocol": "simplestreams", "alias": alias}
        if certificate:
            source["certificate"] = certificate
        doc = {"source": source, "public": public, "auto_update": auto_update,
               "copy_aliases": copy_aliases, "aliases": [{"name": a} for a in (aliases or [])]}
        text = json.dumps(doc)
        mgr = self._client._manager()
        project = self._client.project
        op = self._client.operations._start(lambda: mgr.image_copy_from_remote_async(text, project), progress)
        return op if not wait else self._built(run(op))

    def refresh(self, ref: str, wait: bool = True,
                progress: Optional[ProgressCallback] = None) -> Union[Image, Operation]:
        """:meth:`Image.refresh` by alias or fingerprint."""
        return self.get(ref).refresh(wait=wait, progress=progress)

    def _built(self, op: Operation) -> Image:
        return self.get(str(op.metadata["fingerprint"]))

    def all(self) -> List[Image]:
        """Every image of the client's project."""
        docs = json.loads(self._client._manager().image_list(self._client.project))
        return [Image(self._client, d) for d in docs]

    def get(self, ref: str) -> Image:
        """One image by alias, fingerprint or unique fingerprint prefix; raises NotFound."""
        return self._image(self._client._manager().image_get(ref, self._client.project))

    def get_by_alias(self, alias: str) -> Image:
        """One image by alias (pylxd's name for :meth:`get` with an alias)."""
        return self.get(alias)

    def exists(self, ref: str) -> bool:
        """Whether :meth:`get` would find an image."""
        try:
            self.get(ref)
        except NotFound:
            return False
        return True

    def create_alias(self, alias: str, image: Union[str, Image], description: str = "") -> None:
        """Points ``alias`` at an image given as an :class:`Image` or a reference string."""
        ref = image.fingerprint if isinstance(image, Image) else image
        self._client._manager().image_alias_create(alias, ref, description, self._client.project)

    def delete_alias(self, alias: str) -> None:
        """Removes an alias; the image stays."""
        self._client._manager().image_alias_delete(alias, self._client.project)

    def rename_alias(self, alias: str, new_name: str) -> None:
        """Renames an alias (``image-alias-renamed``)."""
        self._client._manager().image_alias_rename(alias, new_name, self._client.project)

    def update_alias(self, alias: str, image: Union[str, Image], description: str = "") -> None:
        """Points an alias at another image and sets its description."""
        ref = image.fingerprint if isinstance(image, Image) else image
        self._client._manager().image_alias_update(alias, ref, description, self._client.project)

    @property
    def aliases(self) -> List[Dict[str, str]]:
        """Every alias of the project: ``{"name", "description", "target", "type"}`` dicts."""
        return list(json.loads(self._client._manager().image_alias_list(self._client.project)))

    def get_alias(self, alias: str) -> Dict[str, str]:
        """One alias as a dict; raises NotFound."""
        return dict(json.loads(self._client._manager().image_alias_get(alias, self._client.project)))

    def prune_expired(self) -> List[str]:
        """Removes cached images unused for ``images.remote_cache_expiry`` days (every project);
        returns their fingerprints."""
        return list(json.loads(self._client._manager().images_prune()))
