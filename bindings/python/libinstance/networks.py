"""Networks: ``client.networks`` (pylxd's shape)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from ._model import Model
from .errors import NotFound
from .network_state import NetworkLease, NetworkState

if TYPE_CHECKING:
    from .client import Client


class Network(Model):
    """A network (LXD's api.Network). Managed ones (``managed`` True: bridges libinstance made)
    can change: set ``description`` or ``config`` and call :meth:`save`. The host's other
    interfaces are listed too, read-only, with ``managed`` False."""

    name: str
    description: str
    type: str
    managed: bool
    status: str
    config: Dict[str, str]
    used_by: List[str]
    locations: List[str]

    _fields = (
        ("name", ""),
        ("description", ""),
        ("type", ""),
        ("managed", False),
        ("status", ""),
        ("config", {}),
        ("used_by", []),
        ("locations", []),
    )

    def __init__(self, client: "Client", data: Mapping[str, Any], etag: str = "") -> None:
        self.client = client
        self.etag = etag
        super().__init__(data)

    def _project(self) -> Optional[str]:
        return self.client.project

    def sync(self) -> None:
        """Reloads the network (and its ETag) from the state directory."""
        doc, self.etag = self.client._manager().network_get(self.name, self._project())
        self._load(json.loads(doc))

    def save(self, wait: bool = True) -> None:
        """Stores description and config (LXD's PUT) and applies them to the running network.
        Raises Conflict (key ``"etag"``) when the network changed since it was read,
        InvalidArgument naming the bad key (``"config.<key>"``; nothing changed). ``wait`` is
        accepted for pylxd compatibility; the change is done when save() returns."""
        put = {"description": self.description, "config": dict(self.config)}
        self.client._manager().network_update(self.name, json.dumps(put), self.etag or None, self._project())
        self.sync()

    def rename(self, new_name: str) -> "Network":
        """Renames the network; Busy (key ``"name"``) while anything uses it. Returns self, renamed."""
        self.client._manager().network_rename(self.name, new_name, self._project())
        self.name = new_name
        self.sync()
        return self

    def delete(self, wait: bool = True) -> None:
        """Deletes the network with its interface, NAT and dnsmasq; Busy (key ``"name"``) naming
        the instances and profiles while any uses it."""
        self.client._manager().network_delete(self.name, self._project())

    def state(self) -> NetworkState:
        """The interface now: addresses, counters, MTU, up or down, bridge members."""
        return NetworkState(json.loads(self.client._manager().network_state(self.name, self._project())))

    def leases(self) -> List[NetworkLease]:
        """A managed bridge's DHCP leases and static reservations."""
        docs = json.loads(self.client._manager().network_leases(self.name, self._project()))
        return [NetworkLease._from_doc(d) for d in docs]

    def __repr__(self) -> str:
        return f"Network(name={self.name!r}, type={self.type!r}, managed={self.managed!r})"


class NetworkManager:
    """``client.networks``: create, list, get and test networks of the client's project."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def create(self, name: Optional[str] = None, description: str = "", type: str = "bridge",
               config: Optional[Mapping[str, str]] = None, **kwargs: Any) -> Network:
        """Creates and starts a managed network, as pylxd's ``create(name, description=...,
        type=..., config=...)``; a NetworksPost mapping works too: ``create({"name": "br0",
        "config": {"ipv4.address": "auto"}})``. Generated values (an ``auto`` address) come back
        in ``config``. Raises InvalidArgument naming the key (``"name"``, ``"config.<key>"``),
        NotSupported (key ``"type"``), AlreadyExists (key ``"name"``)."""
        if isinstance(name, Mapping):
            doc: Dict[str, Any] = dict(name)
        else:
            doc = {"name": name, "description": description, "type": type, "config": dict(config or {})}
        doc.update(kwargs)
        self._client._manager().network_create(json.dumps(doc), self._client.project)
        return self.get(doc.get("name", ""))

    def all(self) -> List[Network]:
        """Managed networks and the host's other interfaces, by name."""
        docs = json.loads(self._client._manager().network_list(self._client.project))
        return [Network(self._client, d) for d in docs]

    def get(self, name: str) -> Network:
        """One network; raises NotFound (key ``"name"``)."""
        doc, etag = self._client._manager().network_get(name, self._client.project)
        return Network(self._client, json.loads(doc), etag)

    def exists(self, name: str) -> bool:
        try:
            self.get(name)
            return True
        except NotFound:
            return False
