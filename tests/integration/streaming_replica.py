"""A streaming standby of the shared PostgreSQL server, of this test's own: taken with pg_basebackup
over the server's socket, started on a free port, removed afterwards.

The server must accept a replication connection on its socket. When its pg_hba.conf has no such
line, `replication_allowed` adds one for the test and puts the file back as it was afterwards.
"""

import os
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.integration.private_services import PostgresCluster, _postgres_bin

REPLICATION_LINE = "local replication all trust"
# Settings a hot standby must have at least as high as its primary.
AT_LEAST_THE_PRIMARYS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def _primary(conninfo: str, sql: str, *params):
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


@contextmanager
def replication_allowed(conninfo: str):
    """The server's pg_hba.conf lets a local replication connection in while the block runs."""
    rules = _primary(conninfo, "SELECT type, database FROM pg_hba_file_rules WHERE error IS NULL")
    if any(kind == "local" and "replication" in databases for kind, databases in rules):
        yield
        return
    hba = Path(_primary(conninfo, "SHOW hba_file")[0][0])
    try:
        original = hba.read_text()
        hba.write_text(original.rstrip("\n") + f"\n{REPLICATION_LINE}\n")
    except OSError as exc:
        raise RuntimeError(f"{hba} lets no local replication connection in: add `{REPLICATION_LINE}`") from exc
    _primary(conninfo, "SELECT pg_reload_conf()")
    try:
        yield
    finally:
        hba.write_text(original)
        _primary(conninfo, "SELECT pg_reload_conf()")


class StreamingReplica(PostgresCluster):
    """A hot standby streaming from the server at `primary` (a libpq conninfo)."""

    def __init__(self, primary: str):
        super().__init__()
        self.primary = primary

    def init(self) -> "StreamingReplica":
        socket_dir = _primary(self.primary, "SHOW unix_socket_directories")[0][0].split(",")[0].strip()
        port = _primary(self.primary, "SHOW port")[0][0]
        backup = (_postgres_bin("pg_basebackup"), "-h", socket_dir, "-p", port, "-U", "postgres", "-D", self.data,
                  "-R", "-X", "stream", "-c", "fast", "--no-sync")  # fmt: skip
        for attempt in range(20):  # the server reads its pg_hba.conf again shortly after the reload
            try:
                self._run(*backup)
                break
            except RuntimeError as exc:
                if "pg_hba.conf" not in str(exc) or attempt == 19:
                    raise
                time.sleep(0.25)
        # A Debian cluster keeps its configuration outside the data folder: the standby gets its own.
        floors = "".join(f"{name} = {_primary(self.primary, f'SHOW {name}')[0][0]}\n" for name in AT_LEAST_THE_PRIMARYS)
        self._write("postgresql.conf", f"hot_standby = on\nshared_buffers = 16MB\n{floors}")
        self._write("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n")
        self._write("pg_ident.conf", "")
        return self

    def _write(self, name: str, text: str) -> None:
        path = os.path.join(self.data, name)
        with open(path, "w") as file:
            file.write(text)
        if self.as_postgres:
            os.chown(path, *_postgres_ids())

    def sql(self, statement: str):
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres") as conn:
            return conn.execute(statement).fetchall()


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid
