"""Work orders per second through the balancer with two web nodes, then one, then two again.

    python deploy/stack/bench.py [--orders 1500] [--threads 8] [--port 8220]

Starts the stack (deploy/stack/stack.py), posts signed work orders through HAProxy from several
client threads over keep-alive connections, and prints for each round the rate of 202 answers
(accepted) and of complaint cases opened (until the intake worker has opened the last one). The
one-node round is the same balancer after web-b was killed (its health check marks it down).
The two-node round runs twice, before and after, so that a drift (tables growing, the machine
busy with something else) shows. The load average is printed beside the figures: on a machine
with few cores the web nodes share them with PostgreSQL, Redis and the workers.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deploy.stack.stack import Stack  # noqa: E402

SECRET = "bench-secret"
CHANNEL = (
    "from cases.complaints.models import Channel; "
    f"Channel.objects.create(code='12345', name='12345', secret={SECRET!r})"
)


def uscc() -> str:
    from cases.core.identifiers import uscc_check_character

    return "91620702MA71ABCD0" + uscc_check_character("91620702MA71ABCD0")


def post_all(port: int, run: str, count: int, threads: int) -> tuple[float, int]:
    """(202 answers per second, answers that were not 202)."""
    from cases.complaints.intake import signed_headers

    code, errors, lock = uscc(), [0], threading.Lock()

    def client(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(count // threads):
            body = json.dumps({
                "reference": f"12345-{run}-{index}-{i}", "complainant_name": "张经理", "enterprise_name": "示范公司",
                "enterprise_uscc": code, "respondent": "区某街道办事处", "subject": "arrears",
                "facts": "工程款至今未付。" * 5, "amount_claimed": "860000.00",
            }, ensure_ascii=False).encode()  # fmt: skip
            headers = signed_headers(SECRET, code="12345", method="POST", path="/api/v1/complaints/", body=body)
            conn.request("POST", "/api/v1/complaints/", body, {"Content-Type": "application/json", **headers})
            response = conn.getresponse()
            response.read()
            if response.status != 202:
                with lock:
                    errors[0] += 1

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return count // threads * threads / (time.perf_counter() - start), errors[0]


def opened(stack: Stack, run: str) -> int:
    import psycopg

    with psycopg.connect(stack.database_url) as conn:
        return conn.execute("SELECT count(*) FROM cases_workorder WHERE reference LIKE %s AND complaint_id IS NOT NULL",
                            (f"12345-{run}-%",)).fetchone()[0]  # fmt: skip


def one_round(stack: Stack, run: str, count: int, threads: int) -> dict:
    start = time.perf_counter()
    accepted, errors = post_all(stack.ports["balancer"], run, count, threads)
    load = os.getloadavg()[0]
    sent = count // threads * threads
    while opened(stack, run) < sent - errors:
        if time.perf_counter() - start > 600:
            sys.exit(f"{run}: cases not opened within 10 minutes")
        time.sleep(0.1)
    return {"accepted": accepted, "opened": sent / (time.perf_counter() - start), "errors": errors, "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8220)
    args = parser.parse_args()
    # This process only signs the requests (cases.complaints.intake): Django without a database.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    stack = Stack(args.port, ROOT / "var" / "stack-bench")
    try:
        stack.start()
        stack.python(CHANNEL)
        one_round(stack, "warm", 200, args.threads)
        rounds = {"two nodes": one_round(stack, "two", args.orders, args.threads)}
        stack.kill("web-b")
        time.sleep(3)  # the health check marks it down (fall 2, inter 1 s)
        rounds["one node"] = one_round(stack, "one", args.orders, args.threads)
        stack.restart("web-b")
        time.sleep(12)  # daphne starts and the health check marks it up again
        rounds["two nodes, again"] = one_round(stack, "again", args.orders, args.threads)
    finally:
        stack.stop()
    print(f"intake through HAProxy, {args.orders} work orders a round, {args.threads} client threads, "
          f"{os.cpu_count()} cores (one intake worker opens the cases):")  # fmt: skip
    for name, r in rounds.items():
        print(f"  {name:<17} accepted {r['accepted']:7,.0f}/s   opened {r['opened']:7,.0f}/s   "
              f"not 202: {r['errors']}   load average (1 min) {r['load']:.2f}")  # fmt: skip
    two = (rounds["two nodes"]["accepted"] + rounds["two nodes, again"]["accepted"]) / 2
    print(f"  ratio accepted, two nodes (mean of both rounds) / one node: {two / rounds['one node']['accepted']:.2f}")
    if any(r["errors"] for r in rounds.values()):
        sys.exit("some work orders were not answered 202")


if __name__ == "__main__":
    main()
