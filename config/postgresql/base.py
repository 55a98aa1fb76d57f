"""Django's PostgreSQL backend, with a better check of pooled connections.

psycopg's pool tries each idle connection in turn before handing one out and waits longer after
each failure (0 s, 1 s, 2 s, 4 s, ...). After a database restart every idle connection is dead,
so a request would wait out the whole pool: seconds with a few connections, past the pool timeout
with ten. The first dead connection says the server went away, so here all idle ones are tried
at once and the dead ones replaced; the request then gets a new connection without waiting.

Django passes the pool its own check (or none) and no option to name another, hence this backend.
"""

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        if pool is not None and pool._check is ConnectionPool.check_connection:  # Django's, once
            pool._check = _checker_purging(pool)
        return pool


def _checker_purging(pool: ConnectionPool):
    def check(conn) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            pool.check()
            raise

    return check
