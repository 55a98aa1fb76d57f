"""What /healthz reports: can we reach the database and Redis, is the schema current, and (in
production) are the Celery worker and beat alive (cases/infra/liveness.py)."""

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from cases.infra import liveness

# How long the probe waits for a pooled connection. Pages wait longer (DATABASE_POOL_TIMEOUT) so
# that a burst queues instead of failing; a probe must answer quickly when the database is down.
PROBE_WAIT_SECONDS = 3


def check_database() -> dict:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        pool = getattr(connection, "pool", None)  # PostgreSQL with DATABASE_POOL
        if pool is not None:
            pool.open()
            with pool.connection(timeout=PROBE_WAIT_SECONDS) as conn:
                conn.execute("SELECT 1")
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        return {"ok": True, "engine": connection.vendor}
    except Exception as exc:  # any failure to reach it is the answer, not an error of ours
        return {"ok": False, "error": exc.__class__.__name__}


def check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"ok": True, "configured": True}
    except redis.RedisError as exc:
        return {"ok": False, "configured": True, "error": exc.__class__.__name__}


def check_migrations() -> dict:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    return {"ok": not pending, "pending": pending}


def report() -> dict:
    database = check_database()
    checks = {
        "database": database,
        "redis": check_redis(),
        "migrations": check_migrations() if database["ok"] else {"ok": False, "error": "database unreachable"},
    }
    if settings.HEALTH_CHECK_WORKERS:
        checks["worker"] = liveness.check_worker()
        checks["beat"] = liveness.check_beat()
    return {"status": "ok" if all(check["ok"] for check in checks.values()) else "unavailable", "checks": checks}
