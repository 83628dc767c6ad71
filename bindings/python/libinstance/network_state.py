"""A network's runtime view: LXD's ``NetworkState`` (:meth:`Network.state`) and
``NetworkLease`` (:meth:`Network.leases`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from ._model import Model


@dataclass(frozen=True)
class NetworkAddress:
    """One address on the interface: ``family`` ``"inet"``/``"inet6"``, ``address`` without the
    prefix, ``netmask`` the prefix length (``"24"``), ``scope`` ``"global"``/``"link"``/``"local"``."""

    family: str
    address: str
    netmask: str
    scope: str = ""

    @property
    def cidr(self) -> str:
        """``address/netmask``, e.g. ``"10.0.0.1/24"``."""
        return f"{self.address}/{self.netmask}"


@dataclass(frozen=True)
class NetworkCounters:
    bytes_received: int = 0
    bytes_sent: int = 0
    packets_received: int = 0
    packets_sent: int = 0


@dataclass(frozen=True)
class NetworkBridgeState:
    """The bridge part of a bridge's state; ``upper_devices`` are the interfaces attached to it."""

    id: str = ""
    stp: bool = False
    forward_delay: int = 0
    vlan_default: int = 0
    vlan_filtering: bool = False
    upper_devices: List[str] = field(default_factory=list)


class NetworkState(Model):
    """A network interface at one moment (LXD's api.NetworkState)."""

    addresses: List[NetworkAddress]
    counters: NetworkCounters
    hwaddr: str
    mtu: int
    state: str
    type: str
    bridge: Optional[NetworkBridgeState]

    _fields = (
        ("addresses", []),
        ("counters", {}),
        ("hwaddr", ""),
        ("mtu", 0),
        ("state", ""),
        ("type", ""),
        ("bridge", None),
    )

    def _load(self, data: Mapping[str, Any]) -> None:
        super()._load(data)
        # Typed views of the nested documents; ``raw`` keeps them as they came.
        self.addresses = [NetworkAddress(family=a.get("family", ""), address=a.get("address", ""),
                                         netmask=str(a.get("netmask", "")), scope=a.get("scope", ""))
                          for a in data.get("addresses") or []]
        counters: Dict[str, Any] = data.get("counters") or {}
        self.counters = NetworkCounters(**{k: int(counters.get(k, 0) or 0) for k in
                                           ("bytes_received", "bytes_sent", "packets_received", "packets_sent")})
        bridge = data.get("bridge")
        self.bridge = None if bridge is None else NetworkBridgeState(
            id=bridge.get("id", ""), stp=bool(bridge.get("stp", False)),
            forward_delay=int(bridge.get("forward_delay", 0) or 0), vlan_default=int(bridge.get("vlan_default", 0) or 0),
            vlan_filtering=bool(bridge.get("vlan_filtering", False)),
            upper_devices=list(bridge.get("upper_devices") or []))

    def __repr__(self) -> str:
        return f"NetworkState(state={self.state!r}, addresses={[a.cidr for a in self.addresses]!r})"


@dataclass(frozen=True)
class NetworkLease:
    """A DHCP lease or static reservation on a managed bridge (LXD's api.NetworkLease);
    ``hostname`` is the instance's name, ``type`` ``"static"`` or ``"dynamic"``."""

    hostname: str
    hwaddr: str
    address: str
    type: str
    location: str = "none"

    @classmethod
    def _from_doc(cls, doc: Mapping[str, Any]) -> "NetworkLease":
        return cls(hostname=doc.get("hostname", ""), hwaddr=doc.get("hwaddr", ""), address=doc.get("address", ""),
                   type=doc.get("type", ""), location=doc.get("location", "none"))
