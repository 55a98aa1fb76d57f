"""Failure counters that stop guessing: failed sign-ins, badly signed channel requests.

The counts live in the cache (django-ratelimit's fixed windows), keyed by what is being guessed
at (a user name, an address: the client's, as cases.infra.client_address.client_ip reads it behind the
proxies, which django-ratelimit's "ip" key uses through RATELIMIT_IP_META_KEY). Only failures
are counted, so people who get it right are never slowed down. If the cache cannot be reached
the check is skipped: the password or the signature is still checked, and the office can still
sign in.
"""

import logging
import math

from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


def _usage(request, *, group: str, key, limit: int, minutes: int, increment: bool) -> dict | None:
    try:
        return get_usage(request, group=group, key=key, rate=f"{limit}/{minutes}m", increment=increment)
    except Exception:  # a cache that is down must not lock everybody out
        logger.warning("throttle counter unavailable", extra={"group": group}, exc_info=True)
        return None


def blocked_for(request, *, group: str, key, limit: int, minutes: int) -> int:
    """Minutes until attempts are taken again, or 0 if they are taken now."""
    usage = _usage(request, group=group, key=key, limit=limit, minutes=minutes, increment=False)
    if usage is None or usage["limit"] <= 0 or usage["count"] < usage["limit"]:
        return 0
    return max(1, math.ceil(usage["time_left"] / 60))


def count_failure(request, *, group: str, key, limit: int, minutes: int) -> None:
    _usage(request, group=group, key=key, limit=limit, minutes=minutes, increment=True)
