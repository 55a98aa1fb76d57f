"""Heavy reads on the read replica: the supervisor board, the figures and the half-year reports.

Off unless DATABASE_REPLICA_URL is set (settings.REPLICA_READS). Only a view wrapped in
`reads_from_replica` reads from the `replica` alias, and only when three things hold:

- the user is not pinned to the primary: a request that may have written (any method but GET,
  HEAD, OPTIONS, TRACE) pins its user to the primary for REPLICA_MAX_LAG_SECONDS plus the probe's
  cache time, so the user's next page shows what they just did (read-your-writes);
- the replica is no further behind than REPLICA_MAX_LAG_SECONDS (`replica_lag`, asked at most once
  a PROBE_SECONDS per process); a replica further behind, or not answering, is skipped;
- the read is not inside a transaction on the primary (a service function's reads stay with its
  writes).

Every write goes to the primary. The scope is a context variable: Django runs a sync view in a
worker thread under ASGI, and asgiref carries the context there.
"""

import contextvars
import functools
import logging
import math
import threading
import time
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
# How long one answer of the lag probe is trusted (seconds, per process).
PROBE_SECONDS = 1.0
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

_reading_from = contextvars.ContextVar("reading_from", default=None)
# Why heavy reads went to the primary instead, since the process started (counted per scope).
skipped = Counter()

# How far the replica is behind, in seconds: none when it streams from the primary and has replayed
# everything it received (an idle primary leaves the last replayed commit old, which is no lag),
# else the age of the last replayed commit. A server that is not in recovery is not behind. (Without
# pg_read_all_stats the receiver's status reads as null: its row then counts as streaming.)
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status IS NULL OR status = 'streaming')
        THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


def enabled() -> bool:
    return bool(getattr(settings, "REPLICA_READS", False)) and REPLICA in settings.DATABASES


def max_lag() -> float:
    return float(settings.REPLICA_MAX_LAG_SECONDS)


class _Probe:
    """The replica's last known lag, asked again once PROBE_SECONDS have passed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.asked_at = -math.inf
        self.lag = math.inf

    def reset(self):
        with self.lock:
            self.asked_at = -math.inf
            self.lag = math.inf

    def current(self) -> float:
        with self.lock:
            if time.monotonic() - self.asked_at >= PROBE_SECONDS:
                self.lag = replica_lag()
                self.asked_at = time.monotonic()
                if self.lag > max_lag():
                    log.warning(
                        "replica %.1f s behind (limit %.1f s): heavy reads go to the primary", self.lag, max_lag()
                    )
            return self.lag


_probe = _Probe()


def replica_lag() -> float:
    """Seconds the replica is behind the primary; infinite when it cannot tell or does not answer."""
    connection = connections[REPLICA]
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError:
        log.warning("replica not answering: heavy reads go to the primary", exc_info=True)
        connection.close()
        return math.inf
    return math.inf if lag is None else max(float(lag), 0.0)


def _pin_key(user_id) -> str:
    return f"replica:primary-for:{user_id}"


def pin_to_primary(user) -> None:
    """The user's heavy reads go to the primary until the replica has surely caught up."""
    if enabled() and getattr(user, "is_authenticated", False):
        cache.set(_pin_key(user.pk), True, timeout=math.ceil(max_lag() + PROBE_SECONDS))


def pinned_to_primary(user) -> bool:
    return getattr(user, "is_authenticated", False) and bool(cache.get(_pin_key(user.pk)))


def choose(user) -> str | None:
    """The alias this user's heavy reads use now: the replica, or None for the primary."""
    if not enabled():
        return None
    if pinned_to_primary(user):
        skipped["pinned"] += 1
        return None
    lag = _probe.current()
    if lag > max_lag():
        skipped["unavailable" if math.isinf(lag) else "lagging"] += 1
        return None
    return REPLICA


@contextmanager
def replica_scope(user):
    """Reads inside go to the replica when `choose` allows it."""
    token = _reading_from.set(choose(user))
    try:
        yield
    finally:
        _reading_from.reset(token)


def reads_from_replica(view=None, *, unless=None):
    """Decorates a heavy view (GET only): its reads go to the replica when allowed; a request for
    which `unless(request)` is true reads the primary."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if unless is not None and unless(request):
                return view(request, *args, **kwargs)
            with replica_scope(request.user):
                return view(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate


class ReplicaRouter:
    """Reads go to the replica only inside a replica scope; every write goes to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if alias and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema: nothing is migrated on it directly.
        return False if db == REPLICA else None


class PinAfterWriteMiddleware:
    """After a request that may have written, its user reads from the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and enabled():
            pin_to_primary(getattr(request, "user", None))
        return response
