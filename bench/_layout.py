"""A database made by the flat layout (commit 0403a86, the last before cases/ became sub-apps),
migrated by this tree: the proof that no row, process, task or audit event is lost on the way.
Shared by tests/integration/test_layout_migration.py and bench/layout_migration.py.

Only what both layouts hold is compared: the tables the old tree made and their columns. A column
or a table this tree adds is not looked at, so later migrations do not break the comparison; a row
of an old table that changes, or goes, does. Each row is hashed whole (its old columns, as
PostgreSQL prints them); a table's checksum is the hash of its sorted row hashes, so it does not
depend on the order the rows come back in.
"""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
FLAT_LAYOUT_COMMIT = "0403a86"
# Migrate may add rows to these (every old row must still be there): the migrations applied, and
# the content types and permissions of models added since, with the staff roles granted them.
GROWS_ON_MIGRATE = {
    "django_migrations": "one row per migration applied",
    "django_content_type": "models added since the flat layout",
    "auth_permission": "the permissions of those models",
    "auth_group_permissions": "the staff roles granted those permissions",
    "cases_policy": "policy rows added since (rectification period, call-backs, assignment)",
    "cases_respondentbody": "the registry of respondent bodies, seeded with the district's units",
}
# Columns a data migration since recomputes by the rules it brings (they are compared without
# them): the complainant's confirmation window stops being supervised (0032), so its stage and
# next action are reset, and the cases' next due time and stage are worked out again without it.
RECOMPUTED_ON_MIGRATE = {
    "cases_case": {"next_due_at", "supervision_stage"},
    "cases_deadline": {"next_action_at", "stage"},
}


class OldTreeMissing(RuntimeError):
    """No git, or a clone without the flat layout's commit: nothing to migrate from."""


def old_tree(dest: Path, commit: str = FLAT_LAYOUT_COMMIT) -> Path:
    """The flat layout's files (git archive of `commit`) in `dest`."""
    if shutil.which("git") is None:
        raise OldTreeMissing("git is not installed")
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True, check=False
    )
    if found.returncode != 0:
        raise OldTreeMissing(f"commit {commit} is not in this clone (a shallow clone?): git fetch --unshallow")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True)
    with tempfile.TemporaryFile() as tar_file:
        tar_file.write(archive.stdout)
        tar_file.seek(0)
        with tarfile.open(fileobj=tar_file) as tar:
            tar.extractall(dest, filter="data")
    # `make run`'s filesystem broker: tasks the demo data queues wait there (no Redis is touched).
    (dest / "var" / "broker").mkdir(parents=True, exist_ok=True)
    (dest / "var" / "broker-control").mkdir(parents=True, exist_ok=True)
    return dest


def manage_env(database_url: str) -> dict:
    """`make run`'s settings (config.settings.local) on the given database, without Redis: a
    queued task goes to the tree's filesystem broker, the cache is in memory. No .env is read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "REDIS", "TEST_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    env.pop("PYTHONPATH", None)
    return env


def manage(tree: Path, database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`python manage.py <args>` of `tree` (the shared virtualenv's python)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=manage_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} in {tree} exited with {done.returncode}:\n{done.stdout[-3000:]}"
            f"\n{done.stderr[-3000:]}"
        )
    return done


def create_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


AUDIT_CHECKSUM = """SELECT coalesce(md5(string_agg(concat_ws(':', id, event_type, hash, prev_hash), ','
ORDER BY id)), '') FROM cases_auditevent"""
# Named in the figures: the processes and tasks of the workflows, beside the audit trail.
PROCESS_TABLES = ("viewflow_process", "workflows_caseprocess", "viewflow_task", "viewflow_task_previous")


@dataclass
class Table:
    columns: list[str]
    rows: int
    checksum: str
    # Kept for the tables migrate may add rows to: each old row is looked for afterwards.
    row_hashes: list[str] | None = None


@dataclass
class Snapshot:
    tables: dict[str, Table] = field(default_factory=dict)
    # The audit trail in id order: id, event type, its hash and the hash it links to.
    audit_checksum: str = ""

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables.values())

    def count(self, table: str) -> int:
        return self.tables[table].rows if table in self.tables else 0


def _row_hash(columns: list[str]) -> sql.Composable:
    fields = sql.SQL(", ").join(sql.Identifier("t", column) for column in columns)
    return sql.SQL("md5(ROW({})::text)").format(fields)


def _public_tables(conn) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for table, column in conn.execute(
        """SELECT c.table_name, c.column_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name, c.ordinal_position"""
    ):
        tables.setdefault(table, []).append(column)
    return tables


def _table_figures(conn, table: str, columns: list[str]) -> tuple[int, str]:
    query = sql.SQL(
        "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') FROM (SELECT {} AS h FROM {} AS t) AS r"
    ).format(_row_hash(columns), sql.Identifier(table))
    return conn.execute(query).fetchone()


def _row_hashes(conn, table: str, columns: list[str]) -> list[str]:
    query = sql.SQL("SELECT {} FROM {} AS t").format(_row_hash(columns), sql.Identifier(table))
    return [h for (h,) in conn.execute(query)]


def _connect(database_url: str):
    conn = psycopg.connect(database_url)
    # Timestamps print in one zone, whatever the server's default.
    conn.execute("SET TIME ZONE 'UTC'")
    return conn


def snapshot(database_url: str) -> Snapshot:
    """Every table's columns, row count and checksum, and the audit trail's checksum."""
    shot = Snapshot()
    with _connect(database_url) as conn:
        for table, columns in _public_tables(conn).items():
            columns = [column for column in columns if column not in RECOMPUTED_ON_MIGRATE.get(table, ())]
            rows, checksum = _table_figures(conn, table, columns)
            hashes = _row_hashes(conn, table, columns) if table in GROWS_ON_MIGRATE else None
            shot.tables[table] = Table(columns, rows, checksum, hashes)
        (shot.audit_checksum,) = conn.execute(AUDIT_CHECKSUM).fetchone()
    return shot


def compare(before: Snapshot, database_url: str) -> list[str]:
    """What of `before` the database no longer holds as it was: [] when every table, column and
    row of it is intact (the tables in GROWS_ON_MIGRATE may have new rows besides)."""
    problems = []
    with _connect(database_url) as conn:
        now = _public_tables(conn)
        for table, old in sorted(before.tables.items()):
            if table not in now:
                problems.append(f"{table}: the table is gone ({old.rows} rows)")
                continue
            gone = [column for column in old.columns if column not in now[table]]
            if gone:
                problems.append(f"{table}: columns gone: {', '.join(gone)}")
                continue
            rows, checksum = _table_figures(conn, table, old.columns)
            if (rows, checksum) == (old.rows, old.checksum):
                continue
            if old.row_hashes is not None:
                remaining = set(_row_hashes(conn, table, old.columns))
                lost = sum(1 for h in old.row_hashes if h not in remaining)
                if not lost:
                    continue
                problems.append(f"{table}: {lost} of its {old.rows} rows changed or gone")
            elif rows != old.rows:
                problems.append(f"{table}: {old.rows} rows before, {rows} after")
            else:
                problems.append(f"{table}: {rows} rows as before, but their content changed")
        (audit,) = conn.execute(AUDIT_CHECKSUM).fetchone()
        if audit != before.audit_checksum:
            problems.append("cases_auditevent: the trail's ids, event types or hashes changed")
    return problems


def unapplied(tree: Path, database_url: str) -> list[str]:
    """The migrations of `tree` not applied to the database (showmigrations), and what
    `migrate --check` says when it finds any."""
    plan = manage(tree, database_url, "showmigrations", "--plan").stdout
    left = [line.strip() for line in plan.splitlines() if line.lstrip().startswith("[ ]")]
    check = manage(tree, database_url, "migrate", "--check", check=False)
    if check.returncode != 0:
        left.append(f"migrate --check exited with {check.returncode}: {check.stdout.strip()[-500:]}")
    return left


@dataclass
class Timings:
    figures: dict[str, float] = field(default_factory=dict)

    def time(self, name: str, call, *args, **kwargs):
        start = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            self.figures[name] = time.perf_counter() - start
