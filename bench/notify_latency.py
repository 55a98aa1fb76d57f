"""Commit-to-browser latency of a notification, on the production path, beside a bare
Channels group_send baseline measured in the same run.

    python bench/notify_latency.py [--sockets 50] [--messages 200] [--smoke]

Starts daphne and a Celery worker on a fresh PostgreSQL database (chengxin_bench_notify) and
Redis db 15, connects 50 authenticated websockets, then:
  - baseline: group_send from this process straight to a user's group → the socket receives it;
  - measured: a transaction writes the notification to the outbox and commits → on_commit pushes
    it through the Redis pub/sub layer → daphne → the socket (the worker, also running, takes
    e-mail, SMS and whatever that push could not deliver).
Goal: measured p95 ≤ 3 × baseline p95 and ≤ 50 ms.

daphne listens on a free port the OS gives. `--smoke` runs the same at a small size
(chengxin_bench_notify_smoke); a notification that does not reach its socket fails the run.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

os.environ.setdefault("BENCH_DB", "chengxin_bench_notify")

from _setup import (
    REDIS_URL,
    ROOT,
    check_alive,
    django_on_bench_database,
    free_port,
    parse_args,
    percentile,
    services,
    wait_for_port,
)

PORT = free_port()


def make_users(count: int) -> list[tuple[int, str]]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cases.core.models import User

    users = []
    for i in range(count):
        user = User.objects.create_user(username=f"bench{i}", password="x-bench-password")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        users.append((user.pk, session.session_key))
    return users


def service_commands() -> dict[str, list[str]]:
    bin_dir = os.path.dirname(sys.executable)
    return {
        "daphne": [os.path.join(bin_dir, "daphne"), "-b", "127.0.0.1", "-p", str(PORT), "config.asgi:application"],
        "worker": [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=2",
                   "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
    }  # fmt: skip


class Sockets:
    def __init__(self):
        self.received: dict[str, float] = {}
        self.arrived = asyncio.Event()

    async def open(self, users):
        import websockets

        self.connections, self.listeners = [], []
        for _user_id, session_key in users:
            ws = await websockets.connect(
                f"ws://127.0.0.1:{PORT}/ws/notifications/",
                additional_headers={"Cookie": f"sessionid={session_key}", "Origin": f"http://127.0.0.1:{PORT}"},
            )
            hello = json.loads(await ws.recv())
            assert hello["type"] == "hello", hello
            self.connections.append(ws)
            self.listeners.append(asyncio.ensure_future(self._listen(ws)))

    async def _listen(self, ws):
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "notification":
                self.received[message["title"]] = time.perf_counter()
                self.arrived.set()

    async def wait_for(self, title: str, timeout: float = 5.0) -> float:
        deadline = time.perf_counter() + timeout
        while title not in self.received:
            for listener in self.listeners:  # a socket closed with an error: say which, at once
                if listener.done() and listener.exception():
                    raise listener.exception()
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), max(0.001, deadline - time.perf_counter()))
            except TimeoutError:
                raise TimeoutError(f"{title!r} did not reach its socket within {timeout:.0f} s") from None
        return self.received[title]


def commit_notification(user_id: int, title: str) -> float:
    from django.db import transaction

    from notifications import services

    with transaction.atomic():
        services.notify([user_id], kind="supervision.answered", title=title, body="bench")
        committed = time.perf_counter()
    return committed


async def measure(users, sockets: Sockets, messages: int) -> tuple[list[float], list[float]]:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    baseline, measured = [], []
    for i in range(messages):
        user_id = users[i % len(users)][0]
        title = f"baseline-{i}"
        sent = time.perf_counter()
        await layer.group_send(
            f"user.{user_id}", {"type": "notify", "message": {"type": "notification", "id": -1 - i, "title": title}}
        )
        baseline.append((await sockets.wait_for(title) - sent) * 1000)

        title = f"measured-{i}"
        committed = await asyncio.to_thread(commit_notification, user_id, title)
        measured.append((await sockets.wait_for(title) - committed) * 1000)
        await asyncio.sleep(0.01)
    return baseline, measured


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=50)
    parser.add_argument("--messages", type=int, default=200)
    args = parse_args(parser, sockets=10, messages=40)
    url = django_on_bench_database()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    users = make_users(args.sockets)
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=REDIS_URL, DJANGO_SETTINGS_MODULE="config.settings.local",
               DJANGO_DEBUG="false", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))  # fmt: skip
    with services(service_commands(), env) as processes:
        wait_for_port(PORT, processes)
        sockets = Sockets()

        async def run():
            await sockets.open(users)
            for i in range(20):  # warm up: worker pool, connections, caches
                await asyncio.to_thread(commit_notification, users[i % len(users)][0], f"warm-{i}")
                await sockets.wait_for(f"warm-{i}", timeout=30)
            return await measure(users, sockets, args.messages)

        baseline, measured = asyncio.run(run())
        check_alive(processes)
    base_p95, meas_p95 = percentile(baseline, 95), percentile(measured, 95)
    print(f"{args.sockets} sockets, {args.messages} notifications, Redis pub/sub layer, daphne, Celery prefork worker")
    print(f"baseline group_send → socket:  p50 {statistics.median(baseline):.1f} ms  p95 {base_p95:.1f} ms")
    print(f"commit → outbox → socket:      p50 {statistics.median(measured):.1f} ms  p95 {meas_p95:.1f} ms")
    print(f"ratio p95 {meas_p95 / base_p95:.1f}×   (goal ≤ 3× and ≤ 50 ms)")


if __name__ == "__main__":
    main()
