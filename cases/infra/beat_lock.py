"""One active beat among several candidates: a lease in Redis.

Every beat process may run (one per host, so that losing a host does not stop the schedule); only
the holder of the lease sends periodic tasks, the others wait as standbys. The holder renews the
lease at each tick of its scheduler (at least every 5 seconds); when it dies, the lease runs out
after BEAT_LOCK_SECONDS and a standby takes it. redis-py's Lock gives the atomic take and the
owner-checked renewal, so nothing of it is written here.

Without REDIS_URL (the embedded stack, one beat) there is nothing to share and the beat is active;
BEAT_LOCK_SECONDS=0 turns the lease off too (a deployment that runs exactly one beat).
"""

import logging
import os
import socket

from django.conf import settings

logger = logging.getLogger(__name__)

KEY = "chengxin:beat:leader"


class BeatLease:
    def __init__(self, url: str, seconds: float, token: str = ""):
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.lock = self.client.lock(KEY, timeout=seconds, blocking=False, thread_local=False)
        # The value names the holder for an operator (`redis-cli GET chengxin:beat:leader`).
        self.token = token or f"{socket.gethostname()}:{os.getpid()}"
        self.held = False

    def hold(self) -> bool:
        """Take or renew the lease; whether this process is the active beat now."""
        import redis

        was_held = self.held
        try:
            if self.held:
                self.lock.reacquire()
            else:
                self.held = self.lock.acquire(token=self.token)
        except redis.exceptions.LockError:
            self.held = False  # it ran out and another beat has it
        except redis.exceptions.RedisError:
            # Redis is the broker too: a beat that cannot reach it could send nothing anyway.
            self.held = False
        if self.held != was_held:
            logger.warning("beat %s", "active: holds the lease" if self.held else "standby: another beat is active")
        return self.held


def lease_from_settings() -> BeatLease | None:
    if not settings.REDIS_URL or settings.BEAT_LOCK_SECONDS <= 0:
        return None
    return BeatLease(settings.REDIS_URL, settings.BEAT_LOCK_SECONDS)
