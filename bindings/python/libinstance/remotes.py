"""Remotes: image servers (simplestreams over HTTPS) and daemons (``lxd``: instanced or LXD,
added with a trust token and reached with :meth:`RemoteManager.connect`): ``client.remotes``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, List, Mapping, Optional, Union

from ._model import Model
from .images import Image

if TYPE_CHECKING:
    from .client import Client


class Remote(Model):
    """An image server known to the state directory (lxc's remotes)."""

    name: str
    url: str
    protocol: str
    public: bool
    certificate: str

    _fields = (
        ("name", ""),
        ("url", ""),
        ("protocol", "simplestreams"),
        ("public", False),
        ("certificate", ""),
    )

    def __init__(self, client: "Client", data: Mapping[str, Any]) -> None:
        self.client = client
        super().__init__(data)

    def images(self) -> List[Image]:
        """The images the server offers for this host's architecture (newest of each product)."""
        return self.client.remotes.images(self.name)

    def connect(self, project: Optional[str] = None) -> "Client":
        """A client connected to this ``lxd`` remote; see :meth:`RemoteManager.connect`."""
        return self.client.remotes.connect(self.name, project)

    def rename(self, new_name: str) -> None:
        self.client._manager().remote_rename(self.name, new_name)
        self.name = new_name

    def delete(self) -> None:
        self.client._manager().remote_remove(self.name)

    def __repr__(self) -> str:
        return f"Remote(name={self.name!r}, url={self.url!r})"


class RemoteManager:
    """``client.remotes``: add, list, rename and remove image servers; list their images."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def add(self, name: str, url: str, protocol: str = "simplestreams", public: bool = True,
            certificate: Optional[str] = None, token: Optional[str] = None) -> Remote:
        """Adds a remote. ``certificate`` is a PEM certificate to trust for this server instead
        of the system CAs (a self-signed server); TLS verification is always on. Raises
        InvalidArgument naming ``name``, ``url``, ``protocol`` or ``certificate``.

        With ``token`` (made on a daemon by ``lxc config trust add``) it is
        :meth:`add_with_token`: ``protocol`` and ``public`` are then ignored."""
        if token is not None:
            return self.add_with_token(name, token, url=url)
        doc = {"name": name, "url": url, "protocol": protocol, "public": public,
               "certificate": certificate or ""}
        self._client._manager().remote_add(json.dumps(doc))
        return self.get(name)

    def add_with_token(self, name: str, token: str, url: Optional[str] = None) -> Remote:
        """Adds an ``lxd`` remote (instanced or LXD) as ``lxc remote add NAME TOKEN`` does: the
        server must present the token's certificate fingerprint, then it trusts this state
        directory's client certificate and its own certificate is pinned in the remote.
        ``url`` defaults to the token's first address. Raises InvalidArgument naming ``token``
        for a token that does not decode, PermissionDenied naming ``token`` when the fingerprint
        differs or the server refuses it (used, cancelled, forged)."""
        doc = {"name": name, "url": url or "", "protocol": "lxd", "public": False}
        self._client._manager().remote_add_with_token(json.dumps(doc), token)
        return self.get(name)

    def connect(self, remote: Union[str, Remote], project: Optional[str] = None) -> "Client":
        """A :class:`Client` whose calls go to an ``lxd`` remote over the LXD REST API
        (instances, their config and snapshots, projects, operations, server config; the rest
        raises NotSupported). Close it like a local one. Raises InvalidArgument naming ``name``
        for an image server, PermissionDenied when the daemon does not trust this client."""
        from .client import Client

        name = remote.name if isinstance(remote, Remote) else remote
        return Client._from_native(self._client._manager().remote_connect(name), project)

    def create(self, name: str, url: str, **kwargs: Any) -> Remote:
        """The same as :meth:`add` (pylxd's verb)."""
        return self.add(name, url, **kwargs)

    def all(self) -> List[Remote]:
        return [Remote(self._client, d) for d in json.loads(self._client._manager().remote_list())]

    def get(self, name: str) -> Remote:
        """One remote; raises NotFound."""
        return Remote(self._client, json.loads(self._client._manager().remote_get(name)))

    def exists(self, name: str) -> bool:
        return any(r.name == name for r in self.all())

    def delete(self, name: str) -> None:
        self._client._manager().remote_remove(name)

    def rename(self, name: str, new_name: str) -> None:
        self._client._manager().remote_rename(name, new_name)

    def images(self, remote: Union[str, Remote]) -> List[Image]:
        """The images a remote offers, as :class:`Image` objects (not in the local store)."""
        name = remote.name if isinstance(remote, Remote) else remote
        docs = json.loads(self._client._manager().remote_image_list(name))
        return [Image(self._client, d) for d in docs]
