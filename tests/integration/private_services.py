"""Services of a test's own — a Redis, a PostgreSQL cluster, the ASGI server — that the test may
stop, kill and start again. The shared PostgreSQL and Redis that the rest of the suite (and other
people's runs) use are never touched: each of these listens on a free port of its own."""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, *, timeout: float, what: str, interval: float = 0.05):
    """Call `check` until it returns something true; that value, or RuntimeError after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"{what}: not within {timeout} s")


class RedisServer:
    """A redis-server of this test's own (no persistence: a restart loses what it held, as a
    crashed Redis without AOF would)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._pong, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def _pong(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _postgres_bin(name: str) -> str:
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for folder in reversed(versions):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} (PostgreSQL server binaries) not found")
    return found


class PostgresCluster:
    """A PostgreSQL cluster of this test's own in a temporary folder. initdb refuses to run as
    root, so as root the cluster belongs to the `postgres` OS user."""

    def __init__(self):
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="chengxin-pg-")
        self.data = os.path.join(self.folder, "data")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.folder, user="postgres", group="postgres")

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr or done.stdout}")

    def init(self) -> "PostgresCluster":
        self._run(_postgres_bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        return self

    def start(self) -> "PostgresCluster":
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(_postgres_bin("pg_ctl"), "-D", self.data, "-o", options, "-l", os.path.join(self.folder, "log"),
                  "-w", "-t", "30", "start")  # fmt: skip
        return self

    def stop(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run(_postgres_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop")

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def project_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING", **extra)
    return env


def production_env(*, database_url: str, redis_url: str, **extra: str) -> dict:
    """The production settings on loopback: no HTTPS redirect (no TLS proxy in front here), and
    /healthz not asking for a Celery beat (none runs here)."""
    return project_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        HEALTH_CHECK_WORKERS="false",
        DJANGO_SECRET_KEY="a-private-test-stack-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        **extra,
    )


def migrate(env: dict) -> None:
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"migrate failed: {done.stderr}")


class Daphne:
    """The ASGI server (as in the Procfile) in a process of its own."""

    def __init__(self, env: dict, port: int | None = None):
        self.env = env
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> "Daphne":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: self.get("/healthz", timeout=2)[0] or self._died(), timeout=60, what="daphne")
        return self

    def _died(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"daphne exited: {self.process.stderr.read().decode()[-2000:]}")
        return False

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        """(status, body); (0, b"") when nothing answers."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, OSError):
            return 0, b""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
