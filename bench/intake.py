"""Complaints per second through the real intake API, beside a raw single-row INSERT rate.

    python bench/intake.py [--complaints 1000] [--threads 8]

Starts daphne on a fresh PostgreSQL database (chengxin_bench_intake) with Redis db 15, posts
signed work orders from several threads over keep-alive connections, and measures in the same
run how many single-row INSERTs (one transaction each) PostgreSQL takes per second from one
client. Goal: complaints/s ≥ 10% of the raw rate.
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


def raw_insert_rate(url: str, rows: int = 2000) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE bench_row (id bigserial primary key, reference text, body text)")
        start = time.perf_counter()
        for i in range(rows):
            conn.execute("INSERT INTO bench_row (reference, body) VALUES (%s, %s)", (f"r{i}", "x" * 200))
        return rows / (time.perf_counter() - start)


def post_all(count: int, threads: int, secret: str, uscc: str, run: str) -> tuple[float, list[float], int]:
    from cases.complaint_intake import signature

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
            timestamp = str(int(time.time()))
            started = time.perf_counter()
            conn.request("POST", "/api/v1/complaints/", body, {
                "Content-Type": "application/json", "X-Channel": "12345", "X-Timestamp": timestamp,
                "X-Signature": signature(secret, timestamp, body)})  # fmt: skip
            response = conn.getresponse()
            payload = response.read()
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status != 201:
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    url = django_on_bench_database()
    import redis

    from cases.identifiers import uscc_check_character
    from cases.models import Channel

    redis.Redis.from_url(REDIS_URL).flushdb()
    Channel.objects.create(code="12345", name="12345", secret="bench-secret")
    uscc = "91620702MA71ABCD0" + uscc_check_character("91620702MA71ABCD0")
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=REDIS_URL, DJANGO_SETTINGS_MODULE="config.settings.local",
               DJANGO_DEBUG="false", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))  # fmt: skip
    daphne = os.path.join(os.path.dirname(sys.executable), "daphne")
    server = subprocess.Popen([daphne, "-b", "127.0.0.1", "-p", str(PORT), "config.asgi:application"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        time.sleep(4)
        post_all(40, 4, "bench-secret", uscc, "warm")
        rate, latencies, errors = post_all(args.complaints, args.threads, "bench-secret", uscc, "run")
    finally:
        server.terminate()
        server.wait(timeout=20)
    raw = raw_insert_rate(url)
    print(f"intake API (daphne, one process; PostgreSQL; {args.threads} client threads): {rate:,.0f} complaints/s, "
          f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
          f"{errors} not 201")  # fmt: skip
    print(f"raw single-row INSERT, one transaction each, one client: {raw:,.0f} rows/s")
    print(f"ratio {rate / raw:.1%}   (goal ≥ 10%)")
    redis.Redis.from_url(REDIS_URL).flushdb()


if __name__ == "__main__":
    main()
