"""The production topology on one machine's loopback: `make stack` (or `python deploy/stack/stack.py`).

    HAProxy ─┬─ web-a (daphne) ─┐
             └─ web-b (daphne) ─┼─ Redis (broker, channel layer, cache, beat lease)
    worker-front  -Q intake,delivery ─┤
    worker-back   -Q sweep,celery,delivery ─┤
    beat-1, beat-2 (one active: the lease) ─┤
                                   └─ PostgreSQL primary ── streaming replica (board reads)

Every process is the production one (config.settings.production, the Procfile's commands). The
clusters and Redis are private ones on ports of their own; each start is fresh (new clusters, the
demo data loaded again) and a stop removes them. Logs: var/stack/logs/<component>.log.

Also a library: tests/integration/test_stack.py starts a Stack, kills and restarts its parts.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The private Redis and PostgreSQL of the integration suite, started the same way here.
from tests.integration.private_services import PostgresCluster, RedisServer, production_env, wait_for  # noqa: E402
from tests.integration.streaming_replica import StreamingReplica  # noqa: E402

# Which queues each of the stack's two workers consumes: the front one what a user waits for (a case
# opened, a notification live), the back one the sweeps and the rest; both deliver. A worker that
# dies is started again (here by the launcher, in production by systemd's Restart=on-failure); what
# it had under way is taken again by beat's next run of the intake and of the sweep.
WORKERS = {"worker-front": "intake,delivery", "worker-back": "sweep,celery,delivery"}
WEB_NODES = ("web-a", "web-b")
BEATS = ("beat-1", "beat-2")
RETRIES = """    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response response-timeout
    http-request disable-l7-retry unless METH_GET || METH_HEAD"""
CELERY = [sys.executable, "-m", "celery", "-A", "config", "--quiet"]


class Stack:
    """All the components, on the ports base_port … base_port + 9."""

    def __init__(self, base_port: int = 8200, folder: Path = ROOT / "var" / "stack", *, retries: str = RETRIES,
                 web_nodes: tuple[str, ...] = WEB_NODES, beat_lock: bool = True, **extra_env: str):  # fmt: skip
        self.folder = Path(folder)
        self.logs = self.folder / "logs"
        self.ports = {"balancer": base_port, "web-a": base_port + 1, "web-b": base_port + 2,
                      "redis": base_port + 3, "primary": base_port + 4, "replica": base_port + 5}  # fmt: skip
        self.url = f"http://127.0.0.1:{base_port}"
        self.retries = retries
        self.web_nodes = web_nodes
        self.beat_lock = beat_lock
        self.extra_env = extra_env
        self.redis = RedisServer(self.ports["redis"])
        self.primary = self.replica = None
        self.processes: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}

    # The parts ------------------------------------------------------------------------------
    def node_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def database_url(self) -> str:
        return self.primary.url("chengxin")

    def env(self, **extra: str) -> dict:
        return production_env(
            database_url=self.database_url, redis_url=self.redis.url,
            DATABASE_REPLICA_URL=self.replica.url("chengxin"), MEDIA_ROOT=str(self.folder / "media"),
            PRIVATE_ROOT=str(self.folder / "private"), LOG_FORMAT="text", **{**self.extra_env, **extra},
        )  # fmt: skip

    def manage(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True,
                              text=True, timeout=timeout)  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed: {done.stderr[-3000:]}")
        return done.stdout

    def python(self, code: str, timeout: float = 300) -> str:
        """Run `code` in a Django process on the stack's database and Redis; its output."""
        return self.manage("shell", "-c", code, timeout=timeout)

    def start(self, *, demo: bool = False, say=lambda text: None) -> "Stack":
        shutil.rmtree(self.folder, ignore_errors=True)
        self.logs.mkdir(parents=True)
        try:
            self._start(demo, say)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, demo: bool, say) -> None:
        say(f"redis-server on {self.ports['redis']}")
        self.redis.start()
        say(f"PostgreSQL primary on {self.ports['primary']}")
        self.primary = PostgresCluster()
        self.primary.port = self.ports["primary"]
        self.primary.init().start()
        self.primary.create_database("chengxin")
        say(f"PostgreSQL streaming replica on {self.ports['replica']} (pg_basebackup)")
        self.replica = StreamingReplica(f"host={self.primary.folder} port={self.primary.port} user=postgres")
        self.replica.port = self.ports["replica"]
        self.replica.init().start()
        say("migrate")
        self.manage("migrate", "--noinput", "-v", "0")
        if demo:
            say("demo data (seed_demo), static files")
            self.manage("seed_demo")
            self.manage("collectstatic", "--noinput", "-v", "0")
        for name in self.web_nodes:
            self.spawn(name, [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(self.ports[name]),
                              "config.asgi:application"])  # fmt: skip
        for name, queues in WORKERS.items():
            self.spawn(name, [*CELERY, "worker", "--pool=solo", "-Q", queues, "-n", f"{name}@%h", "--loglevel=INFO"])
        for name in BEATS:
            self.spawn(name, [*CELERY, "beat", "--pidfile=", "--loglevel=INFO"])
        for name in self.web_nodes:
            wait_for(lambda n=name: self._answers(n), timeout=90, what=name)
        self._balancer()
        wait_for(lambda: self._answers("balancer"), timeout=30, what="balancer")

    def spawn(self, name: str, command: list[str]) -> None:
        self.commands[name] = command
        env = self.env() if self.beat_lock or not name.startswith("beat") else self.env(BEAT_LOCK_SECONDS="0")
        with open(self.logs / f"{name}.log", "ab") as log:  # the child keeps its own descriptor
            self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                    start_new_session=True)  # fmt: skip

    def _balancer(self) -> None:
        servers = "\n".join(f"    server {name} 127.0.0.1:{self.ports[name]} check" for name in self.web_nodes)
        template = (Path(__file__).parent / "haproxy.cfg.template").read_text()
        config = self.folder / "haproxy.cfg"
        config.write_text(template.format(balancer_port=self.ports["balancer"], retries=self.retries,
                                          servers=servers))  # fmt: skip
        self.spawn("balancer", [haproxy(), "-db", "-f", str(config)])

    def _answers(self, name: str) -> bool:
        import urllib.request

        process = self.processes[name]
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {self.log_tail(name)}")
        try:
            with urllib.request.urlopen(self.node_url(name) + "/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def log_tail(self, name: str, size: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    # Faults ---------------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL, as a crashed host or the OOM killer would."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def pause(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGCONT)

    def restart(self, name: str) -> None:
        """Start a dead component again, as systemd's Restart=on-failure does."""
        self.spawn(name, self.commands[name])

    def dead(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for cluster in (self.replica, self.primary):
            if cluster is not None:
                cluster.remove()
        self.redis.stop()


def haproxy() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if not found:
        raise RuntimeError("haproxy not found: `make stack` installs it (Debian package haproxy)")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("STACK_PORT", 8200)),
                        help="the balancer's port; the other parts take the next nine")  # fmt: skip
    args = parser.parse_args()
    stack = Stack(args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        stack.start(demo=True, say=lambda text: print(f"  starting {text}", flush=True))
        print(f"\n  Chengxin stack at {stack.url}/  (ctrl-C stops everything and removes the clusters)\n")
        for name in stack.processes:
            port = stack.ports.get(name)
            print(f"    {name:<13} {'127.0.0.1:' + str(port) if port else ''}  log: {stack.logs / (name + '.log')}")
        print(f"    {'redis':<13} {stack.redis.url}\n    {'primary':<13} {stack.database_url}\n"
              f"    {'replica':<13} {stack.replica.url('chengxin')}\n", flush=True)  # fmt: skip
        while True:  # as systemd's Restart=on-failure: a component that died is started again
            time.sleep(2)
            for name in stack.dead():
                print(f"  {name} exited; starting it again. Its log:\n{stack.log_tail(name, 800)}", flush=True)
                stack.restart(name)
    except KeyboardInterrupt:
        pass
    finally:
        print("  stopping the stack", flush=True)
        stack.stop()


if __name__ == "__main__":
    main()
