"""How fast the deadline sweep finds due steps among 1,000,000 cases (or 10,000,000), and how fast
it escalates.

    python bench/sweep.py [--cases 1000000[,10000000]] [--due 10000] [--batch 1000] [--parallel 1]
                          [--reuse] [--smoke]

Builds a PostgreSQL database of its own per size (chengxin_bench_sweep_<cases>), fills it with
SQL in batches of a million cases (indexes built after the rows), then measures:
  - detect: the sweep's batch query (FOR UPDATE SKIP LOCKED, a batch of `--batch` rows, the
    sweep's 1,000 by default) — goal ≤ 150 ms
  - escalate: deadlines escalated per second by the real sweep, and all rows it writes per
    second (deadline update, audit event, supervision order, notifications) — goal ≥ 30,000 rows/s;
    `--parallel 2` runs two sweeps of one moment at once, each in a process of its own, as a worker
    with two processes runs them with SWEEP_PARALLEL=2 (the smoke run does)

Several sizes (`--cases 1000000,10000000`) are measured one after the other and printed side by
side. The databases are kept: `--reuse` measures the one an earlier run built for the same size
and due count, its due deadlines put back where the build left them.

Exits 1 if the sweep does not escalate every due deadline. `--smoke` runs the same at a small size
(chengxin_bench_sweep_600_smoke; several batches, as at full size).
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from datetime import timedelta

os.environ.setdefault("BENCH_DB", "chengxin_bench_sweep")

import _setup
from _setup import REDIS_URL, bulk_load, in_batches, parse_args, percentile

# Case g is row g: the due ones are the first `due`, found again by id when a kept database is reused.
CASES = """
INSERT INTO cases_case (id, number, kind, title, state, department_id, assignee_id, verification_code, created_at)
SELECT g, 'TS' || lpad(g::text, 10, '0'),
       CASE WHEN g %% 2 = 0 THEN 'complaint' ELSE 'repair' END,
       '投诉事项 ' || g, 'in_progress',
       (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])],
       %(assignee)s, 'ABCDEFGH', now() - (g %% 60) * interval '1 day'
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
"""
# Every case has one open step. `due` of them are 10+ working days overdue with their supervision
# order issued, so escalation is what the sweep does next; the rest are due later.
DEADLINES = """
INSERT INTO cases_deadline (case_id, step, label, department_id, assignee_id, working_days,
                            started_on, due_on, due_at, stage, next_action_at)
SELECT c.id, 'complaint.answer', '部门答复', c.department_id, c.assignee_id, 15,
       d.due_on - 21, d.due_on, (d.due_on + 1)::timestamptz, d.stage, d.next_action_at
FROM cases_case c
CROSS JOIN LATERAL (
    SELECT CASE WHEN c.id <= %(due)s THEN current_date - 30
                ELSE current_date + (5 + c.id %% 40)::int END AS due_on,
           CASE WHEN c.id <= %(due)s THEN 2 ELSE 0 END AS stage,
           CASE WHEN c.id <= %(due)s THEN now() - interval '1 hour'
                ELSE now() + (1 + c.id %% 40) * interval '1 day' END AS next_action_at
) AS d
WHERE c.id BETWEEN %(lo)s AND %(hi)s
"""


def build(cases: int, due: int) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection

    from cases.core.models import Department, User

    departments = list(Department.objects.values_list("pk", flat=True))
    assignee = User.objects.create(username="bench-worker", department_id=departments[3])
    head = User.objects.create(username="bench-head", department_id=departments[3])
    supervisor = User.objects.create(username="bench-supervisor", department_id=departments[0])
    head.groups.add(Group.objects.get(name="department_head"))
    supervisor.groups.add(Group.objects.get(name="supervisor"))
    params = {"departments": departments, "assignee": assignee.pk, "due": due}
    with connection.cursor() as cursor:
        with bulk_load(cursor, ["cases_case", "cases_deadline"]):
            for sql in (CASES, DEADLINES):
                in_batches(cursor, sql, params, 1, cases)
        cursor.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [cases])


def put_back(due: int) -> None:
    """The due deadlines as the build left them (an earlier run escalated them). What that run
    wrote (audit events, orders, notifications) stays: the run counts what it adds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_deadline SET stage = 2, next_action_at = now() - interval '1 hour' WHERE case_id <= %s",
            [due],
        )
        cursor.execute("UPDATE cases_case SET supervision_stage = 0 WHERE id <= %s", [due])


def detect_figures(batch_size: int, due: int, runs: int = 30) -> list[float]:
    from django.db import transaction
    from django.utils import timezone

    from cases.supervision.sweep import due_batch

    timings = []
    for _ in range(runs):
        now = timezone.now()
        start = time.perf_counter()
        with transaction.atomic():
            batch = due_batch(now, batch_size)
            timings.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
    assert len(batch) == min(batch_size, due), (len(batch), batch_size, due)
    return timings


def explain(batch_size: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM cases_deadline WHERE next_action_at <= now() "
            "ORDER BY next_action_at LIMIT %s FOR UPDATE SKIP LOCKED",
            [batch_size],
        )
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def warm_up_worker() -> None:
    """The worker that runs the sweep has its broker connection and its URL map long before; here
    the first publish would import the transport and connect, and the first link to an order
    would build the URL resolver, inside the timed sweep."""
    from celery import current_app

    from cases.infra.navigation import url_for_each

    with current_app.producer_or_acquire() as producer:
        producer.connection.ensure_connection()
    url_for_each("supervision-order")


def _sweep_in_a_process(now, batch_size: int, ready, results) -> None:
    """One of `--parallel` sweeps, as a worker process runs it: ready (connected, URLs built), then
    swept at the common start."""
    from django.db import connections

    from cases.supervision import sweep as supervision

    warm_up_worker()
    ready.wait()
    cpu = time.process_time()
    report = supervision.sweep(now=now, batch_size=batch_size)
    results.put((report.fired["deadline.escalated"], time.process_time() - cpu))
    connections.close_all()


def run_sweeps(now, batch_size: int, parallel: int) -> tuple[int, float, list[float]]:
    """Deadlines escalated, seconds, and each sweep's CPU: one sweep here, or `parallel` sweeps of the
    same moment in processes of their own started together (as SWEEP_PARALLEL has workers run them)."""
    from cases.supervision import sweep as supervision

    if parallel == 1:
        warm_up_worker()
        start, cpu = time.perf_counter(), time.process_time()
        report = supervision.sweep(now=now, batch_size=batch_size)
        return report.fired["deadline.escalated"], time.perf_counter() - start, [time.process_time() - cpu]
    from django.db import connections

    connections.close_all()  # each process opens its own
    processes = multiprocessing.get_context("fork")
    ready, results = processes.Barrier(parallel + 1), processes.Queue()
    sweeps = [
        processes.Process(target=_sweep_in_a_process, args=(now, batch_size, ready, results)) for _ in range(parallel)
    ]
    for process in sweeps:
        process.start()
    ready.wait()
    start = time.perf_counter()
    done = [results.get(timeout=600) for _ in sweeps]
    elapsed = time.perf_counter() - start
    for process in sweeps:
        process.join()
    return sum(escalated for escalated, _ in done), elapsed, [cpu for _, cpu in done]


def escalate(batch_size: int, parallel: int) -> tuple[int, float, dict]:
    from django.utils import timezone

    from cases.core.models import AuditEvent
    from cases.supervision.models import SupervisionOrder
    from notifications.models import Notification

    before = (AuditEvent.objects.count(), SupervisionOrder.objects.count(), Notification.objects.count())
    escalated, elapsed, cpus = run_sweeps(timezone.now() + timedelta(seconds=1), batch_size, parallel)
    print(
        f"  the sweeps' own CPU: {' + '.join(f'{cpu:.2f}' for cpu in cpus)} s in {elapsed:.2f} s "
        f"({parallel} at once; the rest: PostgreSQL and the wait for it)"
    )
    written = {
        "deadlines updated": escalated,
        "audit events": AuditEvent.objects.count() - before[0],
        "supervision orders": SupervisionOrder.objects.count() - before[1],
        "notifications": Notification.objects.count() - before[2],
    }
    return escalated, elapsed, written


def measure_size(args) -> dict:
    cases = args.cases[0]
    _setup.use_database(f"chengxin_bench_sweep_{cases}")
    _, built, build_seconds = _setup.build_or_reuse(
        {"cases": cases, "due": args.due}, args.reuse, lambda: build(cases, args.due), lambda: put_back(args.due)
    )
    print(
        f"{'built' if built else 'reused'} {_setup.DB_NAME}: {cases:,} cases with one open deadline each, "
        f"build {build_seconds:.0f} s, {_setup.database_size() / 2**30:.1f} GiB"
    )
    timings = detect_figures(args.batch, args.due)
    print(
        f"detect (batch of {min(args.batch, args.due):,} due among {cases:,}): "
        f"p50 {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms   (goal ≤ 150 ms)"
    )
    print("  plan:\n" + explain(args.batch))

    escalated, elapsed, written = escalate(args.batch, args.parallel)
    rows = sum(written.values())
    print(
        f"escalate ({args.parallel} at once, batches of {args.batch:,}): {escalated:,} deadlines in {elapsed:.2f} s "
        f"= {escalated / elapsed:,.0f} deadlines/s; "
        f"{rows:,} rows written = {rows / elapsed:,.0f} rows/s   (goal ≥ 30,000 rows/s)"
    )
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in written.items()))
    load = os.getloadavg()
    print(f"load average now {' '.join(f'{value:.1f}' for value in load)} on {os.cpu_count()} CPUs")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    if escalated != args.due:
        sys.exit(f"the sweep escalated {escalated:,} deadlines of the {args.due:,} due")
    return {
        "cases": cases,
        "database": _setup.DB_NAME,
        "built": built,
        "build_seconds": build_seconds,
        "size_bytes": _setup.database_size(),
        "detect_p50": statistics.median(timings),
        "detect_p95": percentile(timings, 95),
        "parallel": args.parallel,
        "escalated": escalated,
        "seconds": elapsed,
        "deadlines_per_s": escalated / elapsed,
        "rows": rows,
        "rows_per_s": rows / elapsed,
        "load": load,
    }


def side_by_side(results: list[dict]) -> None:
    print("\n" + f"{'':<32}" + "".join(f" | {r['cases']:>14,} cases" for r in results))
    lines = [
        ("detect p50 ms (goal ≤ 150)", lambda r: f"{r['detect_p50']:.1f}"),
        ("detect p95 ms", lambda r: f"{r['detect_p95']:.1f}"),
        ("sweeps at once", lambda r: f"{r['parallel']}"),
        ("escalated deadlines/s", lambda r: f"{r['deadlines_per_s']:,.0f}"),
        ("rows written/s (goal ≥ 30,000)", lambda r: f"{r['rows_per_s']:,.0f}"),
        ("build s", lambda r: f"{r['build_seconds']:.0f}"),
        ("database GiB", lambda r: f"{r['size_bytes'] / 2**30:.1f}"),
        ("load average after", lambda r: " ".join(f"{v:.1f}" for v in r["load"])),
    ]
    for label, cell in lines:
        print(f"{label:<32}" + "".join(f" | {cell(r):>20}" for r in results))
    print("databases kept: " + ", ".join(r["database"] for r in results))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=_setup.sizes, default=[1_000_000], help="one size or several: 1000000,10000000")
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000, help="the sweep's batch size (its default is 1,000)")
    parser.add_argument(
        "--parallel", type=int, default=1, help="sweeps at once, each in a process of its own (SWEEP_PARALLEL)"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier run built")
    parser.add_argument("--results", help=argparse.SUPPRESS)  # where a run of one size writes its figures
    args = parse_args(parser, cases=[600], due=300, batch=100, parallel=2)
    if args.parallel < 1:
        parser.error("--parallel must be 1 or more")
    if args.due > min(args.cases):
        parser.error("--due cannot exceed --cases")
    if len(args.cases) > 1:
        side_by_side(_setup.run_per_size("sweep.py", args.cases, _setup.strip_option(sys.argv[1:], "--cases")))
        return
    result = measure_size(args)
    if args.results:
        with open(args.results, "w") as out:
            json.dump(result, out)


if __name__ == "__main__":
    main()
