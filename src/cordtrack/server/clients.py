"""The address of the client a request comes from, behind trusted proxies or not.

Per-client limits (the public inquiry form's posts an hour, django-axes' sign-in lock-outs) key
on the client's address. Behind the TLS proxy of docs/deploy.md every request's ``REMOTE_ADDR``
is the proxy's, so every inquirer shared one limit: five people's inquiries in an hour locked
out the sixth. The proxy says who its client was in ``X-Forwarded-For``; but anyone can send that
header, so it is believed only from the proxies named in ``CORDTRACK_TRUSTED_PROXIES``
(addresses or networks, ``settings.TRUSTED_PROXIES``), and read from the right: each trusted
proxy appends the address it received from, so the first address from the right that is not a
trusted proxy is the client, and anything a client wrote further left is ignored (ADR 0061).
With no trusted proxy (the default), or a header that does not parse, the address is
``REMOTE_ADDR``.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"CORDTRACK_TRUSTED_PROXIES: {entry!r} is not an address or a network"
            ) from None
    return tuple(networks)


def trusted(entries: Sequence[str]) -> tuple[Network, ...]:
    """The trusted proxies as networks (an address is a network of one); refused if invalid
    (settings checks ``CORDTRACK_TRUSTED_PROXIES`` with it at start-up)."""
    return _networks(tuple(entries))


def _parsed(address: str) -> Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _is_proxy(ip: Address | None, proxies: tuple[Network, ...]) -> bool:
    return ip is not None and any(ip in net for net in proxies)


def address(request: HttpRequest) -> str:
    """The client's address (see the module)."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    proxies = trusted(getattr(settings, "TRUSTED_PROXIES", ()))
    if not proxies or not _is_proxy(_parsed(peer), proxies):
        return peer
    chain = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for hop in reversed(chain):
        ip = _parsed(hop)
        if ip is None:
            return peer  # not an address: the header is not the proxies' own
        if not _is_proxy(ip, proxies):
            return hop
    return peer
