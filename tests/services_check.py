"""Whether the real PostgreSQL and Redis that the integration and browser tests need answer; what
is missing is said with the command that starts it (the run stops there instead of skipping)."""

from django.conf import settings

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'


def missing_services(*, tests: str, make: str, redis_url: str) -> list[str]:
    """`tests` names the suite ("Integration tests"), `make` the target that sets the services up,
    `redis_url` the Redis database that target uses."""
    import psycopg
    import redis

    problems = []
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        problems.append(
            f"{tests} need PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (`{make}` does)."
        )
    else:
        try:
            psycopg.connect(
                host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db.get("PASSWORD") or None,
                dbname=db["NAME"], connect_timeout=3,
            ).close()  # fmt: skip
        except psycopg.OperationalError as exc:
            problems.append(
                f"PostgreSQL is not reachable at {db['HOST']}:{db['PORT'] or 5432} ({exc.__class__.__name__}). "
                f"Start it with: {START_POSTGRES}"
            )
    if not settings.REDIS_URL:
        problems.append(f"{tests} need Redis: set REDIS_URL={redis_url} (`{make}` does).")
    else:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            problems.append(
                f"Redis is not reachable at {settings.REDIS_URL} ({exc.__class__.__name__}). "
                f"Start it with: {START_REDIS}"
            )
    return problems
