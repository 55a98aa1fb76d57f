"""Complaints per second through the real intake API, beside a raw single-row INSERT rate.

    python bench/intake.py [--complaints 4000] [--threads 8] [--server daphne|uvicorn] [--raw-rows 3000]
                           [--smoke]

daphne is the project's server; `--server uvicorn` compares another ASGI server and needs
`pip install "uvicorn[standard]"` in the venv first (it is not a dependency of the project).

Starts the ASGI server and a Celery worker on a fresh PostgreSQL database (chengxin_bench_intake)
with Redis db 15 and the connection pool on, as in production. Several client threads post signed
12345 work orders over keep-alive connections. Two rates come out:

- accepted: work orders answered 202 per second (the channel's side);
- opened: complaint cases opened per second, from the first request until the intake worker has
  opened the last case (number, deadline, audit events, process and tasks, clerks' notifications).
  This is the figure the goal is about.

It also prints the CPU time the server, the intake worker, PostgreSQL and this client each spent
per work order over the run: where the time goes, whatever the machine's disk does to the rates.

In the same run it measures how many single-row INSERTs (one transaction each) PostgreSQL takes
per second from one client: into an ordinary table, which is durable like a complaint, and into a
temporary table, which skips the write-ahead log. Goal: opened complaints/s ≥ 10% of the raw rate.

The server listens on a free port the OS gives. Exits 1 if a work order was not answered 202 or a
case was not opened. `--smoke` runs the same at a small size (chengxin_bench_intake_smoke).
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time

os.environ.setdefault("BENCH_DB", "chengxin_bench_intake")

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
STALL_SECONDS = 30  # no case opened for this long: the intake worker is not opening them


def raw_insert_rate(url: str, durable: bool, rows: int) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_row")
        kind = "" if durable else "TEMP"
        conn.execute(f"CREATE {kind} TABLE bench_row (id bigserial primary key, reference text, body text)")
        start = time.perf_counter()
        for i in range(rows):
            conn.execute("INSERT INTO bench_row (reference, body) VALUES (%s, %s)", (f"r{i}", "x" * 200))
        rate = rows / (time.perf_counter() - start)
        conn.execute("DROP TABLE bench_row")
        return rate


def post_all(count: int, threads: int, secret: str, uscc: str, run: str) -> tuple[float, list[float], int]:
    from cases.complaints.intake import signed_headers

    latencies, errors, lock = [], [0], threading.Lock()
    failures: list[BaseException] = []  # raised in a client thread: re-raised here
    per_thread = count // threads

    def worker(index: int):
        try:
            post(index)
        except BaseException as error:
            failures.append(error)

    def post(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        for i in range(per_thread):
            body = json.dumps({
                "reference": f"12345-{run}-{index}-{i}", "complainant_name": "张经理", "enterprise_name": "示范公司",
                "enterprise_uscc": uscc, "respondent": "区某街道办事处", "subject": "arrears",
                "facts": "工程款至今未付。" * 5, "amount_claimed": "860000.00",
            }, ensure_ascii=False).encode()  # fmt: skip
            started = time.perf_counter()
            conn.request("POST", "/api/v1/complaints/", body, {"Content-Type": "application/json", **signed_headers(
                secret, code="12345", method="POST", path="/api/v1/complaints/", body=body)})  # fmt: skip
            response = conn.getresponse()
            payload = response.read()
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status != 202:
                    errors[0] += 1
                    if errors[0] <= 3:
                        print("error", response.status, payload[:300], file=sys.stderr)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if failures:
        raise failures[0]
    return per_thread * threads / (time.perf_counter() - start), latencies, errors[0]


def wait_until_opened(expected: int, stack: dict[str, subprocess.Popen]) -> float:
    """Seconds until every work order has its case (polled every 50 ms). Fails when the server or
    the worker has exited, or when no case was opened for STALL_SECONDS."""
    from django.db import close_old_connections

    from cases.complaints.models import WorkOrder

    start = progress_at = time.perf_counter()
    opened = -1
    while True:
        now_opened = WorkOrder.objects.filter(complaint__isnull=False).count()
        if now_opened >= expected:
            return time.perf_counter() - start
        if now_opened > opened:
            opened, progress_at = now_opened, time.perf_counter()
        elif time.perf_counter() - progress_at > STALL_SECONDS:
            sys.exit(f"the intake worker opened {opened} of {expected} cases, then none for {STALL_SECONDS} s")
        check_alive(stack)
        close_old_connections()
        time.sleep(0.05)


def cpu_seconds(stack: dict[str, subprocess.Popen]) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by the server, the intake worker, PostgreSQL and this client, per
    process (cpu_used takes the difference process by process)."""
    import psutil

    def used(processes) -> dict[int, float]:
        seconds = {}
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            seconds[process.pid] = times.user + times.system
        return seconds

    server, worker = (psutil.Process(stack[name].pid) for name in ("server", "worker"))
    postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] and p.info["name"].startswith("postgres")]
    return {
        "server": used([server, *server.children(recursive=True)]),
        "worker": used([worker, *worker.children(recursive=True)]),
        "PostgreSQL": used(postgres),
        "client": used([psutil.Process()]),
    }


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each part spent between the two readings. Counted per process: a PostgreSQL
    backend that ended meanwhile (a connection closed) drops out of both readings instead of
    making the sum negative; one that started meanwhile counts from zero."""
    return {name: sum(seconds - before[name].get(pid, 0.0) for pid, seconds in after[name].items()) for name in after}


def stack_commands(url: str, server: str) -> tuple[dict[str, list[str]], dict]:
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=REDIS_URL, DJANGO_SETTINGS_MODULE="config.settings.local",
               DJANGO_DEBUG="false", DATABASE_POOL="true", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))  # fmt: skip
    bin_ = os.path.dirname(sys.executable)
    web = {
        "daphne": [os.path.join(bin_, "daphne"), "-b", "127.0.0.1", "-p", str(PORT), "config.asgi:application"],
        "uvicorn": [os.path.join(bin_, "uvicorn"), "--host", "127.0.0.1", "--port", str(PORT), "--no-access-log",
                    "--log-level", "warning", "config.asgi:application"],
    }[server]  # fmt: skip
    worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"]
    return {"server": web, "worker": worker}, env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--raw-rows", type=int, default=3000, help="single-row INSERTs timed into each table")
    args = parse_args(parser, complaints=240, raw_rows=500)
    url = django_on_bench_database()
    import redis

    from cases.complaints.models import Channel, Complaint, WorkOrder
    from cases.core.identifiers import uscc_check_character

    redis.Redis.from_url(REDIS_URL).flushdb()
    Channel.objects.create(code="12345", name="12345", secret="bench-secret")
    uscc = "91620702MA71ABCD0" + uscc_check_character("91620702MA71ABCD0")
    commands, env = stack_commands(url, args.server)
    with services(commands, env) as stack:
        wait_for_port(PORT, stack)
        post_all(80, 4, "bench-secret", uscc, "warm")
        wait_until_opened(80, stack)
        cpu_before, start = cpu_seconds(stack), time.perf_counter()
        accepted, latencies, errors = post_all(args.complaints, args.threads, "bench-secret", uscc, "run")
        sent = args.complaints // args.threads * args.threads
        wait_until_opened(80 + sent - errors, stack)
        opened = sent / (time.perf_counter() - start)
        cpu_after = cpu_seconds(stack)
    cases, orders = Complaint.objects.count(), WorkOrder.objects.count()
    assert cases == orders == 80 + sent - errors, (cases, orders, 80 + sent - errors)
    durable = raw_insert_rate(url, durable=True, rows=args.raw_rows)
    temporary = raw_insert_rate(url, durable=False, rows=args.raw_rows)
    print(f"intake API ({args.server}, one process; a Celery worker; PostgreSQL; {args.threads} client threads), "
          f"{sent} work orders:")  # fmt: skip
    print(f"  accepted: {accepted:,.0f} work orders/s, p50 {percentile(latencies, 50):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms, {errors} not 202")  # fmt: skip
    print(f"  opened:   {opened:,.0f} complaint cases/s (first request to the last case opened)")
    cpu = {name: seconds * 1000 / sent for name, seconds in cpu_used(cpu_before, cpu_after).items()}
    print("  CPU per work order: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu.items())
          + f" (sum {sum(cpu.values()):.2f} ms on {os.cpu_count()} cores)")  # fmt: skip
    print(f"raw single-row INSERT, one transaction each, one client: {durable:,.0f} rows/s into an ordinary table, "
          f"{temporary:,.0f} rows/s into a temporary one")  # fmt: skip
    print(f"ratio (opened / raw): {opened / durable:.1%} of the ordinary table, {opened / temporary:.1%} of the "
          f"temporary one   (goal ≥ 10%)")  # fmt: skip
    redis.Redis.from_url(REDIS_URL).flushdb()
    if errors:
        sys.exit(f"{errors} work orders were not answered 202")


if __name__ == "__main__":
    main()
