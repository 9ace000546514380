"""Who is asking: the client's address, trusting forwarding headers only from our own proxies.

`X-Forwarded-For` is whatever the client chose to send unless a proxy of ours wrote it, so it
is read only when the peer (REMOTE_ADDR) is one of DIRECTORY_TRUSTED_PROXIES (addresses or CIDR
networks). Each proxy appends the address it received the request from, so the chain is read
from the right, skipping our own proxies: the first address that is not one of them is the
client, and whatever it wrote further left is ignored. With no trusted proxies (the default)
the peer is the client. python-ipware parses the header (ports, brackets, IPv6, IPv4-mapped
addresses).

The API throttle, the page throttle and the admin's lockout (django-axes) all count by
`client_key`, the address with IPv6 clients taken by their /64 network, which one household or
one server is usually given whole.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from python_ipware.modern.parsers import parse_ip, split_proxy_chain, unwrap_ipv4_network

# An IPv6 client usually holds a whole /64; counting by address would let it rotate through it.
IPV6_CLIENT_PREFIX = 64


@lru_cache(maxsize=8)
def parse_trusted_proxies(entries: tuple[str, ...]) -> tuple:
    """The networks of DJANGO_TRUSTED_PROXIES; a clear error for an entry that is not one."""
    networks = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {entry!r} is not an IP address or a CIDR network "
                "(e.g. 127.0.0.1 or 10.0.0.0/8)."
            ) from None
        networks.append(unwrap_ipv4_network(network))
    return tuple(networks)


def trusted_proxies():
    return parse_trusted_proxies(tuple(settings.DIRECTORY_TRUSTED_PROXIES))


def _is_trusted(address, networks) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_address(request):
    """The client's address as an ipaddress object, or None when the peer gave none."""
    peer = parse_ip(request.META.get("REMOTE_ADDR"))
    networks = trusted_proxies()
    if peer is None or not _is_trusted(peer, networks):
        return peer
    chain = split_proxy_chain(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed(chain):
        if not _is_trusted(hop, networks):
            return hop
    # Every hop is one of ours (a health check from the proxy itself, say): the furthest one.
    return chain[0] if chain else peer


def client_ip(request) -> str | None:
    """The client's address as text (django-axes' AXES_CLIENT_IP_CALLABLE takes this shape)."""
    address = client_address(request)
    return str(address) if address is not None else None


def client_key(request) -> str | None:
    """What limits count by: the client's IPv4 address, or its IPv6 /64 network's address."""
    address = client_address(request)
    if address is None:
        return None
    if address.version == 6:
        network = ipaddress.IPv6Network((int(address), IPV6_CLIENT_PREFIX), strict=False)
        return str(network.network_address)
    return str(address)
