"""One use for each nonce a channel signs with (signature version 2), for as long as its request
could be replayed (the five-minute window either side of its timestamp).

With Redis (production, the integration suite) each nonce is a key set with NX and an expiry
through the project's cache client (cases.infra.cache): the first request to set it wins, every process
sees it, and Redis forgets it on its own. The quick intake way sets the very same key with its
asyncio client (claim_async). On the embedded stack, and whenever Redis cannot be reached, the
database keeps them instead (ChannelNonce, one unique row per channel and nonce); expired rows are
purged, at most once a minute per process.
"""

import datetime
import logging
import time

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.complaints.models import Channel, ChannelNonce
from cases.infra.cache import RedisCache

logger = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 60
_purged_at = 0.0


def _key(channel_id: int, nonce: str) -> str:
    return f"channel-nonce:{channel_id}:{nonce}"


def redis_key(channel_id: int, nonce: str) -> str:
    """The key in Redis, as the cache names it (prefix and version included)."""
    return caches["default"].make_key(_key(channel_id, nonce))


def _redis_cache() -> RedisCache | None:
    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


def claim(channel: Channel, nonce: str, *, seconds: int) -> bool:
    """True the first time `nonce` is presented for `channel` within `seconds`; False after."""
    cache = _redis_cache()
    if cache is not None:
        try:
            return bool(cache.add(_key(channel.pk, nonce), 1, timeout=seconds))
        except Exception:  # Redis down: the database keeps the nonce rather than no one
            logger.warning("nonce store: Redis unavailable, the database keeps this nonce", exc_info=True)
    return _claim_in_database(channel, nonce, seconds)


def _claim_in_database(channel: Channel, nonce: str, seconds: int) -> bool:
    now = timezone.now()
    _purge_expired(now)
    with transaction.atomic():
        # A row left from an earlier use whose window has passed does not count.
        ChannelNonce.objects.filter(channel=channel, nonce=nonce, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                ChannelNonce.objects.create(
                    channel=channel, nonce=nonce, expires_at=now + datetime.timedelta(seconds=seconds)
                )
        except IntegrityError:
            return False
    return True


def _purge_expired(now) -> None:
    global _purged_at
    if time.monotonic() - _purged_at < PURGE_EVERY_SECONDS:
        return
    _purged_at = time.monotonic()
    ChannelNonce.objects.filter(expires_at__lte=now).delete()


def purge_expired() -> int:
    """Remove every expired row now (tests, and whoever wants the table small at once)."""
    deleted, _ = ChannelNonce.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


async def claim_async(redis, channel: Channel, nonce: str, *, seconds: int) -> bool:
    """`claim` with an asyncio Redis client (the quick intake way); raises if Redis does not
    answer (the caller then takes the full way, which falls back on the database)."""
    return bool(await redis.set(redis_key(channel.pk, nonce), 1, nx=True, ex=seconds))


async def release_async(redis, channel: Channel, nonce: str) -> None:
    """Give back a nonce the quick way claimed but did not use (the request goes the full way,
    which claims it again)."""
    try:
        await redis.delete(redis_key(channel.pk, nonce))
    except Exception:
        logger.warning("nonce store: could not release a nonce", exc_info=True)
