"""The client's address, the one every per-address limit counts and every record names.

Behind a reverse proxy the TCP peer (REMOTE_ADDR) is the proxy; the client is in
X-Forwarded-For, to which each proxy appends the address it received the request from. Only the
entries our own proxies appended can be believed: whatever is left of them the client wrote
itself (a forged "X-Forwarded-For: 1.2.3.4" arrives as the leftmost entry). So the address is
read from the right:

- TRUSTED_PROXIES (addresses or networks, e.g. "10.0.0.5,192.168.0.0/24"): going from
  REMOTE_ADDR leftwards through X-Forwarded-For, the first address that is not one of them;
- else TRUSTED_PROXY_COUNT = n: the n-th entry from the right of X-Forwarded-For (with one
  proxy, the address that proxy saw); fewer entries than n: the leftmost there is;
- else (both unset, the default): REMOTE_ADDR, and X-Forwarded-For is not read at all.

An entry that is not an IP address (a misconfigured proxy) is not taken: the last trusted peer
is counted instead, which can only make the limits stricter, never let a client choose its name.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

UNKNOWN = "0.0.0.0"  # no address at all (a Unix socket without a proxy header)


def client_ip(request) -> str:
    """The address of the client that sent `request` (an HttpRequest), as text."""
    meta = request.META
    remote = _address(meta.get("REMOTE_ADDR", ""))
    proxies = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    count = settings.TRUSTED_PROXY_COUNT
    if not proxies and count <= 0:
        return remote or UNKNOWN
    forwarded = [entry.strip() for entry in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if proxies:
        return _first_untrusted(remote, forwarded, proxies)
    if not forwarded:
        return remote or UNKNOWN
    # REMOTE_ADDR is the last proxy; the entry it appended (rightmost) is what the one before it
    # saw, and so on: with n proxies the client is the n-th entry from the right.
    chosen = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return _address(chosen) or remote or UNKNOWN


def _first_untrusted(remote: str, forwarded: list[str], proxies: tuple) -> str:
    peer = remote
    if not _trusted(peer, proxies):
        return peer or UNKNOWN
    for entry in reversed(forwarded):
        address = _address(entry)
        if not address:  # not an address: keep the last trusted peer
            return peer or UNKNOWN
        if not _trusted(address, proxies):
            return address
        peer = address
    return peer or UNKNOWN


def _trusted(address: str, proxies: tuple) -> bool:
    if not address:
        return True  # a Unix socket: the proxy on this machine
    ip = ipaddress.ip_address(address)
    return any(ip.version == network.version and ip in network for network in proxies)


def _address(value: str) -> str:
    """`value` as a normalised IP address ("" if it is none), a port or brackets taken off."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())
