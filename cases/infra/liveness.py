"""Is the Celery worker alive, is beat alive: what /healthz reports beside the database and Redis.

Both note the time in the shared cache (Redis in production): beat at every tick of its scheduler
(at least every 5 seconds), the worker whenever it finishes a task (beat sends several a minute).
A worker with no recent task is asked to answer a ping instead, within WORKER_PING_SECONDS, so the
probe stays fast while everything runs and still tells an idle worker from a dead one.
"""

import contextlib
import time

from django.conf import settings
from django.core.cache import cache
from django_celery_beat.schedulers import DatabaseScheduler

BEAT_KEY = "chengxin:liveness:beat"
WORKER_KEY = "chengxin:liveness:worker"


def note_beat() -> None:
    cache.set(BEAT_KEY, time.time(), timeout=None)


def note_worker(**_signal) -> None:
    cache.set(WORKER_KEY, time.time(), timeout=None)


def _age(key: str) -> float | None:
    seen = cache.get(key)
    return None if seen is None else round(time.time() - seen, 1)


def ping_workers(timeout: float) -> int:
    """How many workers answered a ping (the first answer ends the wait)."""
    from config.celery import app

    return len(app.control.ping(timeout=timeout, limit=1) or [])


def check_beat() -> dict:
    try:
        age = _age(BEAT_KEY)
    except Exception as exc:  # the cache unreachable: Redis's own check says so too
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": age is not None and age <= settings.BEAT_STALE_SECONDS, "seconds_since_tick": age}


def check_worker() -> dict:
    try:
        age = _age(WORKER_KEY)
        if age is not None and age <= settings.WORKER_STALE_SECONDS:
            return {"ok": True, "seconds_since_task": age}
        answered = ping_workers(settings.WORKER_PING_SECONDS)
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": answered > 0, "seconds_since_task": age, "answered_ping": answered > 0}


class LivenessScheduler(DatabaseScheduler):
    """django-celery-beat's database scheduler, noting each tick for /healthz, and sending
    periodic tasks only while it holds the beat lease (cases/infra/beat_lock.py)."""

    STANDBY_SECONDS = 1.0
    lease = None  # set in __init__ (none without Redis)

    def __init__(self, *args, **kwargs):
        from cases.infra.beat_lock import lease_from_settings

        self.lease = lease_from_settings()
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if self.lease is not None:
            was_active = self.lease.held
            if not self.lease.hold():
                return self.STANDBY_SECONDS
            if not was_active:
                # Taking over: read the schedule (and the last runs the previous beat saved) anew.
                self._initial_read, self._heap = True, None
        interval = super().tick(*args, **kwargs)
        with contextlib.suppress(Exception):  # a cache outage must not stop the schedule
            note_beat()
        if self.lease is not None:  # renewed well before it runs out
            interval = min(interval, settings.BEAT_LOCK_SECONDS / 3)
        return interval
