"""Shared start-up for the benchmarks: a fresh PostgreSQL database of their own, Redis db 15, the
`--smoke` flag, free ports and the processes a bench starts (server, worker)."""

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "chengxin_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SMOKE = False  # set by parse_args


def parse_args(parser: argparse.ArgumentParser, **smoke_sizes) -> argparse.Namespace:
    """The command line, with `--smoke`: the same run, every code path of it (COPY, the worker,
    the server), at the sizes given here instead of the defaults, on databases of its own (their
    names end in `_smoke`, so a smoke run never drops a full-size bench's database). `make test`
    runs every bench this way; any failure exits non-zero."""
    sizes = ", ".join(
        f"--{name.replace('_', '-')} " + (" ".join(map(str, value)) if isinstance(value, list) else str(value))
        for name, value in smoke_sizes.items()
    )
    parser.add_argument(
        "--smoke", action="store_true", help=f"the same run at a small size, in seconds ({sizes}); as make test runs it"
    )
    args = parser.parse_args()
    unknown = sorted(set(smoke_sizes) - set(vars(args)))
    if unknown:
        raise ValueError(f"smoke sizes for options the bench does not have: {unknown}")
    if args.smoke:
        global SMOKE, DB_NAME
        SMOKE = True
        DB_NAME = database_name(DB_NAME)
        vars(args).update(smoke_sizes)
    return args


def database_name(name: str) -> str:
    """A bench's database name: with `_smoke` appended in a smoke run."""
    return f"{name}_smoke" if SMOKE and not name.endswith("_smoke") else name


def fresh_database() -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return f"{PG}/{DB_NAME}"


def django_on_bench_database(fresh: bool = True) -> str:
    url = fresh_database() if fresh else f"{PG}/{DB_NAME}"
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    # As in production: DEBUG's query log would be timed too.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def free_port() -> int:
    """A TCP port on loopback that nothing listens on, from the OS: a bench never talks to
    another server on the machine (and two benches never share one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServiceDied(RuntimeError):
    """A process the bench started (server, worker) has exited."""


def check_alive(processes: dict[str, subprocess.Popen]) -> None:
    for name, process in processes.items():
        if process.poll() is not None:
            raise ServiceDied(f"{name} exited with status {process.returncode}")


def wait_for_port(port: int, processes: dict[str, subprocess.Popen], timeout: float = 60) -> None:
    """Until the server the bench started accepts connections on `port` (and fail at once if one
    of its processes has exited meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check_alive(processes)
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing accepted connections on 127.0.0.1:{port} within {timeout:.0f} s")


@contextlib.contextmanager
def services(commands: dict[str, list[str]], env: dict) -> Iterator[dict[str, subprocess.Popen]]:
    """Start the processes a bench times (their output is not read: stdout discarded as before,
    stderr kept in a file), stop them at the end, and when the bench fails show the end of each
    one's stderr: what the server or the worker said about it."""
    with tempfile.TemporaryDirectory(prefix="chengxin-bench-") as logs:
        processes: dict[str, subprocess.Popen] = {}
        try:
            for name, command in commands.items():
                with open(os.path.join(logs, f"{name}.log"), "wb") as log:
                    processes[name] = subprocess.Popen(
                        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
                    )
            yield processes
        except BaseException:
            for name in processes:
                tail = Path(logs, f"{name}.log").read_text(errors="replace")[-3000:].strip()
                if tail:
                    print(f"--- {name}, the end of its stderr:\n{tail}", file=sys.stderr)
            raise
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def sizes(text: str) -> list[int]:
    """`--cases 1000000,10000000`: one or more sizes, measured one after the other."""
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"sizes are whole numbers separated by commas: {text}") from error
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"at least one size, each above zero: {text}")
    return values


def use_database(name: str) -> None:
    """The database this bench's build and measures use (one per size, so several sizes are kept)."""
    global DB_NAME
    DB_NAME = database_name(name)


def database_exists() -> bool:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is not None


def database_size() -> int:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT pg_database_size(%s)", [DB_NAME]).fetchone()[0]


def recorded_build(cursor) -> dict | None:
    """What an earlier run built into this database (None when it was not built to the end)."""
    cursor.execute("SELECT to_regclass('bench_build') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute("SELECT shape, seconds FROM bench_build")
    row = cursor.fetchone()
    return None if row is None else {"shape": row[0], "seconds": row[1]}


def record_build(cursor, shape: dict, seconds: float) -> None:
    """Written last, so `--reuse` never measures a database whose build was interrupted."""
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_build (shape jsonb NOT NULL, seconds float NOT NULL)")
    cursor.execute("DELETE FROM bench_build")
    cursor.execute("INSERT INTO bench_build VALUES (%s::jsonb, %s)", [json.dumps(shape), seconds])


@contextlib.contextmanager
def bulk_load(cursor, tables: list[str]) -> Iterator[None]:
    """Load `tables` as pg_restore does: their secondary indexes dropped and created again after
    the rows are in (one sort per index instead of millions of inserts into each), foreign keys
    and triggers not fired row by row (the rows are built consistent), then ANALYZE. The primary
    keys and unique constraints stay: the build relies on them being checked."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("SET session_replication_role = replica")
    cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")  # as autovacuum would, before anything is timed


def in_batches(cursor, sql: str, params: dict, first: int, last: int, batch: int = 1_000_000) -> None:
    """Run an INSERT … SELECT over row numbers first..last, `batch` at a time (%(lo)s ≤ g ≤ %(hi)s):
    each batch its own transaction, so a ten-million-row build neither holds one huge transaction
    nor keeps every row's undo in memory."""
    for lo in range(first, last + 1, batch):
        cursor.execute(sql, {**params, "lo": lo, "hi": min(last, lo + batch - 1)})


def run_per_size(script: str, sizes_: list[int], argv: list[str]) -> list[dict]:
    """Run the bench once per size in its own process (Django binds one database per process) and
    collect what each measured; each run's own output goes through as it comes."""
    results = []
    for size in sizes_:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [sys.executable, str(ROOT / "bench" / script), *argv, "--cases", str(size), "--results", out.name]
            print(f"== {script} --cases {size:,}", flush=True)
            subprocess.run(command, cwd=ROOT, check=True)
            results.append(json.loads(Path(out.name).read_text()))
    return results


def strip_option(argv: list[str], option: str) -> list[str]:
    """argv without `option` and its value (either `--x v` or `--x=v`)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == option:
            skip = True
        elif not arg.startswith(option + "="):
            kept.append(arg)
    return kept


def build_or_reuse(shape: dict, reuse: bool, build, reused):
    """With `reuse`, the kept database when an earlier run built it to the end with the same
    `shape` (`reused()` then says what the run needs of it); else a fresh one, `build()` into it.
    Returns what build or reused gave, whether it was built now, and how long its build took."""
    if reuse and database_exists():
        with psycopg.connect(f"{PG}/{DB_NAME}") as conn, conn.cursor() as cursor:
            recorded = recorded_build(cursor)
        if recorded is not None and recorded["shape"] == shape:
            django_on_bench_database(fresh=False)
            return reused(), False, recorded["seconds"]
    django_on_bench_database(fresh=True)
    start = time.perf_counter()
    value = build()
    seconds = time.perf_counter() - start
    from django.db import connection

    with connection.cursor() as cursor:
        record_build(cursor, shape, seconds)
    return value, True, seconds
