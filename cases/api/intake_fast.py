"""The intake POST's quick way: a new, correctly signed, valid work order is kept without leaving
the server's event loop.

Why by hand: even through intake_route, each POST took a worker thread (and back), a connection
from Django's pool with its check, a Redis read for the signature throttle and an ORM save: about
3 ms of CPU on the server, all under one process's GIL, which made the server the intake's
bottleneck (bench/intake.py). Here the same checks run on the event loop (the signature, the
replay window, the host, the DRF serializer's validation: the very functions the full way calls,
complaint_intake.verify and read_json), the version-2 nonce is spent with the same Redis key the
full way sets (channel_nonces), and the row is written with one INSERT ... ON CONFLICT DO NOTHING
on an asyncio connection of its own.

Only the common case is taken here. Anything else returns None and the request goes the full way
(answer_work_order), which gives every other answer in its own words: a channel this process has
not seen for CHANNEL_CACHE_SECONDS, a bad or stale signature (counted by the throttle there), an
invalid body (400 with the field errors), a work order sent before (200 with its status), a
database that does not answer. So the quick way can only ever say 202, and says it only for an
order it has just written.

Used with PostgreSQL and Redis (production, the integration suite); on the embedded SQLite stack
every POST goes the full way.
"""

import asyncio
import logging
import threading

import redis.asyncio
from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import DEFAULT_DB_ALIAS, connections
from django.http.request import split_domain_port, validate_host
from django.utils import timezone, translation
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from rest_framework.renderers import JSONRenderer

from cases.api.complaints import ComplaintIntakeSerializer, ComplaintStatusSerializer
from cases.complaints import building as complaint_building
from cases.complaints import channel_nonces
from cases.complaints import intake as complaint_intake
from cases.complaints.models import WorkOrder
from cases.core.exceptions import DomainError

logger = logging.getLogger(__name__)

POOL_SIZE = 8  # INSERTs in flight at once; each holds its connection for one round trip


def enabled() -> bool:
    engine = settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"]
    return settings.INTAKE_QUICK_WAY and bool(settings.REDIS_URL) and engine.endswith("postgresql")


async def answer(scope, body: bytes) -> tuple[int, bytes] | None:
    """(202, body) for a new work order kept here; None: take the full way."""
    headers = {name.decode("latin1").lower(): value.decode("latin1") for name, value in scope.get("headers", [])}
    signed = complaint_intake.SignedRequest.of_scope(scope, headers, body)
    channel = complaint_intake.kept_channel(signed.channel)
    if channel is None or not _host_allowed(headers.get("host", "")):
        return None
    try:
        nonce = complaint_intake.verify(channel, signed)
        data = complaint_intake.read_json(body)
        if isinstance(data, dict) and data.get("evidence"):  # files to decode and store: the full way
            return None
        incoming = _QuickIntakeSerializer(data=data) if isinstance(data, dict) else None
        if incoming is None or not incoming.is_valid():
            return None
    except DomainError:  # a bad signature or body: answered (and counted) the full way
        return None
    except SynchronousOnlyOperation:  # validation would read a policy this process no longer keeps
        return None
    order = WorkOrder(channel=channel, reference=incoming.validated_data["reference"], received_at=timezone.now(),
                      payload=complaint_intake.payload_of(incoming.validated_data))  # fmt: skip
    resources = await _resources()
    if nonce is not None:
        try:
            seconds = complaint_intake.nonce_lifetime(signed)
            if not await channel_nonces.claim_async(resources.redis, channel, nonce, seconds=seconds):
                return None  # used before: refused (and counted) the full way
        except Exception:
            logger.warning("intake: the quick way could not spend a nonce; taking the full way", exc_info=True)
            return None
    try:
        order.pk = await _insert(order)
    except Exception:
        logger.warning("intake: the quick way could not write a work order; taking the full way", exc_info=True)
    if order.pk is None:  # sent before or at this very moment by another request, or not written
        if nonce is not None:  # the full way spends it again
            await channel_nonces.release_async(resources.redis, channel, nonce)
        return None
    await _schedule_worker()
    with translation.override(settings.LANGUAGE_CODE):
        return 202, JSONRenderer().render(_QuickStatusSerializer(order).data)


# DRF deep-copies a serializer's declared fields for every instance: a fifth of this way's CPU.
# Validating and rendering are synchronous, so on an event loop one serializer uses its fields at
# a time, and each thread builds them once and lends them to every instance it makes.
_kept = threading.local()


def _kept_fields(serializer_class):
    template = getattr(_kept, serializer_class.__name__, None)
    if template is None:
        template = serializer_class()
        template.fields  # built and bound once  # noqa: B018
        setattr(_kept, serializer_class.__name__, template)
    return template.fields


class _QuickIntakeSerializer(ComplaintIntakeSerializer):
    @property
    def fields(self):
        return _kept_fields(ComplaintIntakeSerializer)


class _QuickStatusSerializer(ComplaintStatusSerializer):
    @property
    def fields(self):
        return _kept_fields(ComplaintStatusSerializer)


def _host_allowed(host: str) -> bool:
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # as HttpRequest.get_host allows
    return bool(domain) and validate_host(domain, allowed)


# The columns the INSERT names; every other NOT NULL column needs a database default (db_default),
# which tests/integration/test_bulk_writers.py checks on PostgreSQL.
INSERT_FIELDS = ("channel", "reference", "payload", "received_at", "failure")


def _insert_statement() -> str:
    meta = WorkOrder._meta
    columns = [meta.get_field(name).column for name in INSERT_FIELDS]
    unique = [meta.get_field(name).column for name in ("channel", "reference")]
    return (
        f"INSERT INTO {meta.db_table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(unique)}) DO NOTHING RETURNING {meta.pk.column}"
    )


def _insert_value(order: WorkOrder, name: str):
    value = getattr(order, WorkOrder._meta.get_field(name).attname)
    return Jsonb(value) if name == "payload" else value


async def _insert(order: WorkOrder) -> int | None:
    """The new row's id, or None if the channel's reference is taken."""
    resources = await _resources()
    async with resources.pool.connection() as conn:
        cursor = await conn.execute(resources.statement, [_insert_value(order, name) for name in INSERT_FIELDS])
        row = await cursor.fetchone()
    return row[0] if row else None


async def _schedule_worker() -> None:
    """complaint_building.schedule_worker, on the event loop: a task is queued only by the order
    that finds no intake run under way (the Redis flag)."""
    resources = await _resources()
    try:
        if not await resources.redis.set(resources.flag, 1, nx=True, ex=complaint_building.WORKER_SCHEDULED_SECONDS):
            return
    except Exception:
        logger.warning("cache unavailable: queuing an intake run anyway", exc_info=True)
    await asyncio.to_thread(complaint_building.queue_worker)


class _Resources:
    """A connection pool and a Redis client of this event loop's (asyncio clients belong to the
    loop they were made in)."""

    def __init__(self):
        params = connections[DEFAULT_DB_ALIAS].get_connection_params()
        params.pop("cursor_factory", None)  # Django's cursors are the synchronous ones
        self.pool = AsyncConnectionPool(kwargs={**params, "autocommit": True}, min_size=1, max_size=POOL_SIZE,
                                        open=False, name="intake")  # fmt: skip
        self.redis = redis.asyncio.Redis.from_url(settings.REDIS_URL)
        self.flag = complaint_building.worker_flag_key()
        self.statement = _insert_statement()

    async def close(self) -> None:
        await self.pool.close()
        await self.redis.aclose()


_by_loop: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


async def _resources() -> _Resources:
    """This loop's resources; the first request opens them and the others arriving meanwhile wait."""
    loop = asyncio.get_running_loop()
    opening = _by_loop.get(loop)
    if opening is None:
        opening = _by_loop[loop] = loop.create_task(_open())
    return await opening


async def _open() -> _Resources:
    resources = _Resources()
    await resources.pool.open()
    return resources


async def close() -> None:
    """Close this event loop's pool and Redis client (tests, each on a loop of its own)."""
    opening = _by_loop.pop(asyncio.get_running_loop(), None)
    if opening is not None:
        await (await opening).close()
