"""The operations metrics: what Prometheus scrapes from /metrics, and who may read it.

Request rates and latencies per view come from django-prometheus's two middlewares (first and last
in MIDDLEWARE). The figures below are computed when Prometheus asks, each with one cheap, indexed
query or Redis command, so a scrape costs a few milliseconds and no process keeps them up to date:

- the outbox backlog and the age of its oldest pending row, per kind (the partial `*_due` indexes);
- the Celery queue depth (Redis list lengths; the embedded filesystem broker is not measured);
- the Celery task failures, counted by the worker that saw them (`task_failure` signal) in a Redis
  hash, so that the web process can read what separate worker processes, on any host, counted
  (without Redis, in the process that ran the task: the embedded default and eager tests);
- the replica's replay lag, when a `replica` database is configured;
- the live websocket connections of this process (all processes' with PROMETHEUS_MULTIPROC_DIR);
- whatever the case apps register (`register`): the sweep's lag, the work orders waiting.

A figure whose source cannot be read is left out of that scrape, and
`chengxin_metrics_source_up{source}` says 0 for it, so that an alarm can tell "none waiting"
from "could not look".

The endpoint answers 404 unless METRICS_TOKEN or METRICS_ALLOWED_IPS is set; then a request needs
the bearer token (compared in constant time) and/or an address in the allow-list. The thresholds
and what to do for each are in docs/operations.md, "Metrics and alarms".
"""

import ipaddress
import logging
import os
import threading
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass

import prometheus_client
import redis
from celery import current_app
from django.conf import settings
from django.db import connections
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from cases.infra import outbox
from cases.infra.client_address import client_ip

logger = logging.getLogger(__name__)

PREFIX = "chengxin_"
FAILURES_KEY = "chengxin:metrics:celery_task_failures"
REPLICA_ALIAS = "replica"

# Live sockets of this process; with PROMETHEUS_MULTIPROC_DIR the sum over the live processes.
WEBSOCKETS = prometheus_client.Gauge(
    f"{PREFIX}websocket_connections", "Open websocket connections.", multiprocess_mode="livesum"
)


@dataclass(frozen=True)
class Figure:
    """A gauge a case app computes at scrape time: `read()` returns its value (seconds, a count)."""

    name: str
    documentation: str
    read: Callable[[], float]


_FIGURES: dict[str, Figure] = {}


def register(figure: Figure) -> None:
    _FIGURES[figure.name] = figure


def age_seconds(moment, now=None) -> float:
    """How long ago `moment` was (0 for none, or one still to come)."""
    if moment is None:
        return 0.0
    return max(((now or timezone.now()) - moment).total_seconds(), 0.0)


# --- task failures ---------------------------------------------------------------------------------

_local_failures: Tally = Tally()
_local_lock = threading.Lock()


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def record_task_failure(sender=None, **kwargs) -> None:
    """Celery's task_failure signal: one more failure of the task that `sender` names."""
    name = getattr(sender, "name", None) or "unknown"
    if settings.REDIS_URL:
        try:
            _redis().hincrby(FAILURES_KEY, name, 1)
            return
        except redis.RedisError:
            logger.warning("task failure of %s not counted: Redis unreachable", name)
            return
    with _local_lock:
        _local_failures[name] += 1


def task_failures() -> dict[str, int]:
    if settings.REDIS_URL:
        return {key.decode(): int(value) for key, value in _redis().hgetall(FAILURES_KEY).items()}
    with _local_lock:
        return dict(_local_failures)


# --- the collector ---------------------------------------------------------------------------------


def queue_names() -> list[str]:
    conf = current_app.conf
    names = [conf.task_default_queue]
    for queue in conf.task_queues or ():
        names.append(getattr(queue, "name", queue))
    return sorted(set(names))


def queue_depths() -> dict[str, int]:
    """Messages waiting in each named queue: Redis only (the filesystem broker is not measured)."""
    if not settings.REDIS_URL:
        return {}
    client = _redis()
    return {name: int(client.llen(name)) for name in queue_names()}


def outbox_figures(now) -> dict[str, tuple[int, float]]:
    """Per outbox kind: (pending rows, seconds since the oldest pending row was written)."""
    figures = {}
    for kind in outbox.kinds():
        pending = kind.model.objects.filter(state=outbox.OutboxState.PENDING)
        oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
        figures[kind.name] = (pending.count(), age_seconds(oldest, now))
    return figures


# Caught up (all it received is replayed): no lag, however long the primary has written nothing.
REPLICA_LAG_SQL = """
    SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""


def replica_lag() -> float | None:
    """Seconds the replica's replay is behind; None without a replica (or when the `replica`
    database is not in recovery, i.e. is a primary)."""
    if REPLICA_ALIAS not in settings.DATABASES:
        return None
    connection = connections[REPLICA_ALIAS]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(REPLICA_LAG_SQL)
        (lag,) = cursor.fetchone()
    return None if lag is None else max(float(lag), 0.0)


class OperationsCollector(Collector):
    def collect(self):
        now = timezone.now()
        up = GaugeMetricFamily(
            f"{PREFIX}metrics_source_up", "1 if the source was read at this scrape.", labels=["source"]
        )

        def attempt(source, read):
            try:
                value = read()
            except Exception:  # one unreadable source must not take the others down
                logger.warning("metrics source %s could not be read", source, exc_info=True)
                up.add_metric([source], 0)
                return None
            up.add_metric([source], 1)
            return value

        figures = attempt("outbox", lambda: outbox_figures(now))
        if figures is not None:
            backlog = GaugeMetricFamily(f"{PREFIX}outbox_backlog", "Pending outbox rows.", labels=["kind"])
            oldest = GaugeMetricFamily(
                f"{PREFIX}outbox_oldest_pending_age_seconds",
                "Seconds since the oldest pending outbox row was written (0: none pending).",
                labels=["kind"],
            )
            for kind, (count, age) in sorted(figures.items()):
                backlog.add_metric([kind], count)
                oldest.add_metric([kind], age)
            yield backlog
            yield oldest

        for figure in _FIGURES.values():
            value = attempt(figure.name, figure.read)
            if value is not None:
                yield GaugeMetricFamily(PREFIX + figure.name, figure.documentation, value=value)

        depths = attempt("celery_queues", queue_depths)
        if depths:
            depth = GaugeMetricFamily(f"{PREFIX}celery_queue_depth", "Messages waiting in the queue.", labels=["queue"])
            for name, length in sorted(depths.items()):
                depth.add_metric([name], length)
            yield depth

        failures = attempt("celery_task_failures", task_failures)
        if failures is not None:
            counter = CounterMetricFamily(
                f"{PREFIX}celery_task_failures", "Celery tasks that ended in an exception.", labels=["task"]
            )
            for name, count in sorted(failures.items()):
                counter.add_metric([name], count)
            yield counter

        lag = attempt("replica", replica_lag) if REPLICA_ALIAS in settings.DATABASES else None
        if lag is not None:
            yield GaugeMetricFamily(
                f"{PREFIX}replica_lag_seconds", "Seconds since the replica last replayed a transaction.", value=lag
            )
        yield up


COLLECTOR = OperationsCollector()
prometheus_client.REGISTRY.register(COLLECTOR)


def registry():
    """The default registry; with PROMETHEUS_MULTIPROC_DIR, every process's files plus ours."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return prometheus_client.REGISTRY
    combined = prometheus_client.CollectorRegistry()
    MultiProcessCollector(combined)
    combined.register(COLLECTOR)
    return combined


# --- the endpoint ----------------------------------------------------------------------------------


def _allowed_networks() -> list:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_IPS]


def _bearer(request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def may_read(request) -> bool:
    token, networks = settings.METRICS_TOKEN, _allowed_networks()
    if token and not constant_time_compare(_bearer(request), token):
        return False
    if networks:
        try:
            address = ipaddress.ip_address(client_ip(request))
        except ValueError:
            return False
        return any(address in network for network in networks)
    return True


@require_GET
def endpoint(request):
    """The Prometheus text format, for the monitoring system only."""
    if not settings.METRICS_TOKEN and not settings.METRICS_ALLOWED_IPS:
        raise Http404  # not switched on: nothing here
    if not may_read(request):
        return HttpResponseForbidden()
    return HttpResponse(
        prometheus_client.generate_latest(registry()), content_type=prometheus_client.CONTENT_TYPE_LATEST
    )
