"""Complaints per second through the real intake API, beside a raw single-row INSERT rate.

    python bench/intake.py [--complaints 4000] [--threads 8] [--server daphne|uvicorn]

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

from _setup import REDIS_URL, ROOT, django_on_bench_database, percentile

PORT = 8766


def raw_insert_rate(url: str, durable: bool, rows: int = 3000) -> float:
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
    from cases.complaint_intake import signed_headers

    latencies, errors, lock = [], [0], threading.Lock()
    per_thread = count // threads

    def worker(index: int):
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
    return per_thread * threads / (time.perf_counter() - start), latencies, errors[0]


def wait_until_opened(expected: int, timeout: float = 600) -> float:
    """Seconds until every work order has its case (polled every 50 ms)."""
    from django.db import close_old_connections

    from cases.models import WorkOrder

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if WorkOrder.objects.filter(complaint__isnull=False).count() >= expected:
            return time.perf_counter() - start
        close_old_connections()
        time.sleep(0.05)
    sys.exit(f"the intake worker did not open {expected} cases within {timeout:.0f} s")


def cpu_seconds(stack: list[subprocess.Popen]) -> dict[str, float]:
    """CPU seconds used so far by the server, the intake worker, PostgreSQL and this client."""
    import psutil

    def used(process) -> float:
        try:
            times = process.cpu_times()
            return times.user + times.system
        except psutil.NoSuchProcess:
            return 0.0

    server, worker = (psutil.Process(process.pid) for process in stack)
    postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] and p.info["name"].startswith("postgres")]
    return {
        "server": used(server) + sum(used(child) for child in server.children(recursive=True)),
        "worker": used(worker) + sum(used(child) for child in worker.children(recursive=True)),
        "PostgreSQL": sum(used(process) for process in postgres),
        "client": used(psutil.Process()),
    }


def start_stack(url: str, server: str) -> list[subprocess.Popen]:
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=REDIS_URL, DJANGO_SETTINGS_MODULE="config.settings.local",
               DJANGO_DEBUG="false", DATABASE_POOL="true", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))  # fmt: skip
    bin_ = os.path.dirname(sys.executable)
    web = {
        "daphne": [os.path.join(bin_, "daphne"), "-b", "127.0.0.1", "-p", str(PORT), "config.asgi:application"],
        "uvicorn": [os.path.join(bin_, "uvicorn"), "--host", "127.0.0.1", "--port", str(PORT), "--no-access-log",
                    "--log-level", "warning", "config.asgi:application"],
    }[server]  # fmt: skip
    worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"]
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for command in (web, worker)
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    args = parser.parse_args()
    url = django_on_bench_database()
    import redis

    from cases.identifiers import uscc_check_character
    from cases.models import Channel, Complaint, WorkOrder

    redis.Redis.from_url(REDIS_URL).flushdb()
    Channel.objects.create(code="12345", name="12345", secret="bench-secret")
    uscc = "91620702MA71ABCD0" + uscc_check_character("91620702MA71ABCD0")
    stack = start_stack(url, args.server)
    try:
        time.sleep(5)
        post_all(80, 4, "bench-secret", uscc, "warm")
        wait_until_opened(80)
        cpu_before, start = cpu_seconds(stack), time.perf_counter()
        accepted, latencies, errors = post_all(args.complaints, args.threads, "bench-secret", uscc, "run")
        wait_until_opened(80 + args.complaints - errors)
        opened = args.complaints / (time.perf_counter() - start)
        cpu_after = cpu_seconds(stack)
    finally:
        for process in stack:
            process.terminate()
        for process in stack:
            process.wait(timeout=30)
    assert Complaint.objects.count() == WorkOrder.objects.count() == 80 + args.complaints - errors
    durable, temporary = raw_insert_rate(url, durable=True), raw_insert_rate(url, durable=False)
    print(f"intake API ({args.server}, one process; a Celery worker; PostgreSQL; {args.threads} client threads), "
          f"{args.complaints} work orders:")  # fmt: skip
    print(f"  accepted: {accepted:,.0f} work orders/s, p50 {percentile(latencies, 50):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms, {errors} not 202")  # fmt: skip
    print(f"  opened:   {opened:,.0f} complaint cases/s (first request to the last case opened)")
    cpu = {name: (cpu_after[name] - cpu_before[name]) * 1000 / args.complaints for name in cpu_after}
    print("  CPU per work order: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu.items())
          + f" (sum {sum(cpu.values()):.2f} ms on {os.cpu_count()} cores)")  # fmt: skip
    print(f"raw single-row INSERT, one transaction each, one client: {durable:,.0f} rows/s into an ordinary table, "
          f"{temporary:,.0f} rows/s into a temporary one")  # fmt: skip
    print(f"ratio (opened / raw): {opened / durable:.1%} of the ordinary table, {opened / temporary:.1%} of the "
          f"temporary one   (goal ≥ 10%)")  # fmt: skip
    redis.Redis.from_url(REDIS_URL).flushdb()


if __name__ == "__main__":
    main()
