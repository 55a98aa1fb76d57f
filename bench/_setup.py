"""Shared start-up for the benchmarks: a fresh PostgreSQL database of their own, Redis db 15, the
`--smoke` flag, free ports and the processes a bench starts (server, worker)."""

import argparse
import contextlib
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
