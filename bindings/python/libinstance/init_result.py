"""What the first-use set-up did (:meth:`Client.init`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class InitResult:
    """``network_created`` is False when the managed network existed already (or none was
    asked for), ``profile_nic_added`` False when the default profile had an ``eth0`` already;
    ``network_name`` is the network the default profile's eth0 uses (``""`` for none)."""

    network_created: bool = False
    profile_nic_added: bool = False
    network_name: str = ""

    @classmethod
    def _from_json(cls, text: str) -> "InitResult":
        doc = json.loads(text)
        return cls(network_created=bool(doc["network_created"]), profile_nic_added=bool(doc["profile_nic_added"]),
                   network_name=str(doc["network_name"]))


def _options_json(network_name: Optional[str], ipv4_address: str, ipv6_address: str) -> str:
    # None asks for no network, as "" does in the C ABI.
    return json.dumps({"network_name": network_name or "", "ipv4_address": ipv4_address,
                       "ipv6_address": ipv6_address})
