"""Networks: ``client.networks`` (pylxd's shape)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional

from ._named_documents import NamedDocument, NamedDocumentManager
from .network_state import NetworkLease, NetworkState



class Network(NamedDocument):
    """A network (LXD's api.Network). Managed ones (``managed`` True: bridges libinstance made)
    can change: set ``description`` or ``config`` and call :meth:`save`. The host's other
    interfaces are listed too, read-only, with ``managed`` False. save() applies the change to
    the running network; rename() and delete() raise Busy (key ``"name"``) naming the instances
    and profiles while any uses it; delete() removes its interface, NAT table and dnsmasq."""

    _kind = "network"

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

    def _put(self) -> Dict[str, Any]:
        return {"description": self.description, "config": dict(self.config)}

    def state(self) -> NetworkState:
        """The interface now: addresses, counters, MTU, up or down, bridge members."""
        return NetworkState(json.loads(self._native("state")(self.name, self._project())))

    def leases(self) -> List[NetworkLease]:
        """A managed bridge's DHCP leases and static reservations."""
        docs = json.loads(self._native("leases")(self.name, self._project()))
        return [NetworkLease._from_doc(d) for d in docs]

    def __repr__(self) -> str:
        return f"Network(name={self.name!r}, type={self.type!r}, managed={self.managed!r})"


class NetworkManager(NamedDocumentManager[Network]):
    """``client.networks``: create, list, get and test networks of the client's project (and the
    host's other interfaces, unmanaged)."""

    _model = Network

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
        return self._create(doc)
