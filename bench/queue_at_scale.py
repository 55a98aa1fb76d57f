"""Server time of the supervisor board, the caseworker queues and the task inbox and queue
(我的待办 / 待认领) with 1,000,000 cases, or 10,000,000 over 86 districts' departments.

    python bench/queue_at_scale.py [--cases 1000000[,10000000]] [--districts N] [--requests 200]
                                   [--warmup 20] [--explain] [--reuse] [--smoke]

Builds a PostgreSQL database of its own per size (chengxin_bench_queues_<cases>) with SQL
(bench/_queues_build.py), in batches of a million cases: cases of both kinds in every state, a
fifth of them open (about a sixth of those overdue, some escalated, some with the clock stopped),
a deadline for each case, a complaint row for each complaint, and each case's viewflow process
with its tasks (the done start task; the task an open case waits on, nobody's, its caseworker's
or its applicant's; the end for a closed case). `--districts` copies the district's 29
departments that many times (10 caseworkers each); by default 1 up to a million cases and 86
(Gansu's counties and districts on one deployment) above. Then asks each page through Django's
test client (the whole request: middleware, session, view, template) `--requests` times after
`--warmup` requests and prints p50/p95/max server time, the median CPU time of this process per
request (on a busy machine the wall clock also counts the wait for a CPU: the load average is
printed at the end) and the SQL queries one request makes. Goal: p95 ≤ 50 ms for every page.

Several sizes (`--cases 1000000,10000000`) are measured one after the other and printed side by
side. The databases are kept: `--reuse` measures the one an earlier run built for the same size
and districts (and builds it when there is none).

`--smoke` runs the same at a small size (chengxin_bench_queues_600_smoke); a page that does not
answer 200 fails the run.
"""

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("BENCH_DB", "chengxin_bench_queues")
os.environ["DJANGO_DEBUG"] = "false"  # timings without DEBUG's query log
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

import _setup
from _queues_build import TABLES, build_cases, build_people, existing_people
from _setup import REDIS_URL, parse_args, percentile

GOAL_MS = 50
PROVINCE_DISTRICTS = 86


def default_districts(cases: int) -> int:
    """One district up to a million cases (the district's own decades), a province above."""
    return 1 if cases <= 1_000_000 else PROVINCE_DISTRICTS


def facts() -> dict:
    from django.utils import timezone
    from viewflow.workflow.models import Task

    from cases.core.models import Case
    from workflows.engine import ACTIVE

    open_cases = Case.objects.filter(closed_at__isnull=True)
    return {
        "tasks": Task.objects.filter(status__in=ACTIVE).count(),
        "cases": Case.objects.count(),
        "open": open_cases.count(),
        "overdue": open_cases.filter(next_due_at__lte=timezone.now()).count(),
        "escalated": open_cases.filter(supervision_stage=3).count(),
    }


def scenarios(people: dict) -> list[tuple[str, object, str, dict]]:
    from cases.core.models import Case

    supervisor, worker, head, clerk = people["supervisor"], people["worker"], people["head"], people["clerk"]
    department = people["departments"][5]
    open_complaints = Case.objects.filter(closed_at__isnull=True, kind="complaint").order_by("id")
    some_case = open_complaints.values_list("number", flat=True)[open_complaints.count() // 2]
    return [
        ("board · supervisor", supervisor, "/supervision/", {}),
        ("board · supervisor, page 5", supervisor, "/supervision/", {"page": 5}),
        ("board · live fragment", supervisor, "/supervision/", {"fragment": 1}),
        ("board · department", supervisor, "/supervision/", {"department": department}),
        ("board · department, overdue", supervisor, "/supervision/", {"department": department, "overdue": 1}),
        ("board · overdue only", supervisor, "/supervision/", {"overdue": 1}),
        ("board · escalated", supervisor, "/supervision/", {"stage": 3}),
        ("board · not yet reminded", supervisor, "/supervision/", {"stage": 0}),
        ("board · credit repair", supervisor, "/supervision/", {"kind": "repair"}),
        ("board · subject 拖欠账款", supervisor, "/supervision/", {"subject": "arrears"}),
        ("board · channel 12345", supervisor, "/supervision/", {"channel": people["channels"][0]}),
        ("board · subject + channel + stage", supervisor, "/supervision/",
         {"subject": "arrears", "channel": people["channels"][0], "stage": 2}),
        ("board · case number", supervisor, "/supervision/", {"q": some_case}),
        ("board · words few cases have", supervisor, "/supervision/", {"q": f"投诉 {some_case[-6:-1]}"}),
        ("board · words many cases have", supervisor, "/supervision/", {"q": "工程款"}),
        ("board · department head's own", head, "/supervision/", {}),
        ("repair queue · open", worker, "/repair/queue/", {}),
        ("repair queue · mine", worker, "/repair/queue/", {"holder": "mine"}),
        ("repair queue · unclaimed", worker, "/repair/queue/", {"holder": "unclaimed"}),
        ("repair queue · synced (closed)", worker, "/repair/queue/", {"state": "synced"}),
        ("complaint queue · department", worker, "/complaints/", {}),
        ("complaint queue · intake clerk (all)", clerk, "/complaints/", {}),
        ("complaint queue · clerk, registered", clerk, "/complaints/", {"state": "registered"}),
        ("complaint queue · case number", clerk, "/complaints/", {"q": some_case}),
        ("tasks · 我的待办 · caseworker", worker, "/tasks/", {}),
        ("tasks · 待认领 · caseworker", worker, "/tasks/", {"tab": "queue"}),
        ("tasks · 待认领 · caseworker, page 5", worker, "/tasks/", {"tab": "queue", "page": 5}),
        ("tasks · 我的待办 · head (approvals)", head, "/tasks/", {}),
        ("tasks · 待认领 · intake clerk", clerk, "/tasks/", {"tab": "queue"}),
        ("tasks · 待认领 · supervisor", supervisor, "/tasks/", {"tab": "queue"}),
    ]  # fmt: skip


def signed_in(user):
    """A test client signed in as `user` as the sign-in pages leave it: staff have also passed the
    second factor (an authenticator app of theirs, as the verification step records it)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.accounts import second_factor

    client = Client()
    client.force_login(user)
    if second_factor.required_for(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="bench authenticator app", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def measure(user, path: str, params: dict, requests: int, warmup: int) -> tuple[list[float], list[float], int, int]:
    """Server time of each request (wall clock), this process's CPU time for it, the queries one
    request makes and the rows it shows."""
    from django.db import connection

    client = signed_in(user)
    for _ in range(warmup):
        response = client.get(path, params)
        assert response.status_code == 200, (path, params, response.status_code)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.get(path, params)
    rows = response.content.split(b"<tbody", 1)[-1].count(b"<tr")
    timings, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, params)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (path, params, response.status_code)
    return timings, cpu, len(queries), rows


def explain(user, path: str, params: dict) -> str:
    """The plan of the slowest query one request makes."""
    from django.db import connection

    client = signed_in(user)
    timed = []

    def timing(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - start, sql, params))

    with connection.execute_wrapper(timing):
        client.get(path, params)
    _elapsed, slowest, slowest_params = max(timed, key=lambda item: item[0])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest, slowest_params)
        return "\n".join("      " + row[0] for row in cursor.fetchall())


def measure_size(args) -> dict:
    cases = args.cases[0]
    districts = args.districts or default_districts(cases)
    _setup.use_database(f"chengxin_bench_queues_{cases}" + ("" if args.districts in (None, default_districts(cases))
                                                                else f"_d{districts}"))  # fmt: skip
    shape = {"cases": cases, "districts": districts, "tables": TABLES}

    def build() -> dict:
        people = build_people(districts)
        build_cases(cases, people)
        return people

    people, built, build_seconds = _setup.build_or_reuse(shape, args.reuse, build, existing_people)
    counts = facts()
    print(
        f"{'built' if built else 'reused'} {_setup.DB_NAME}: {counts['cases']:,} cases ({counts['open']:,} open, "
        f"{counts['overdue']:,} overdue, {counts['escalated']:,} escalated, {counts['tasks']:,} tasks, "
        f"{len(people['departments']):,} departments), build {build_seconds:.0f} s, "
        f"{_setup.database_size() / 2**30:.1f} GiB"
    )
    print(f"{'page':<40} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'cpu p50':>8} {'queries':>8} {'rows':>5}")
    pages = []
    for name, user, path, params in scenarios(people):
        timings, cpu, queries, rows = measure(user, path, params, args.requests, args.warmup)
        page = {"page": name, "p50": statistics.median(timings), "p95": percentile(timings, 95),
                "max": max(timings), "cpu": statistics.median(cpu), "queries": queries, "rows": rows}  # fmt: skip
        pages.append(page)
        print(
            f"{name:<40} {page['p50']:7.1f} {page['p95']:7.1f} {page['max']:7.1f} {page['cpu']:8.1f} "
            f"{queries:8d} {rows:5d}" + ("   over the goal" if page["p95"] > GOAL_MS else "")
        )
        if args.explain:
            print(explain(user, path, params))
    worst = max(page["p95"] for page in pages)
    print(f"worst p95 {worst:.1f} ms   (goal ≤ {GOAL_MS} ms, server time in-process, {args.requests} requests a page)")
    load = os.getloadavg()
    print(f"load average now {' '.join(f'{value:.1f}' for value in load)} on {os.cpu_count()} CPUs")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    return {"cases": cases, "districts": districts, "database": _setup.DB_NAME, "built": built,
            "build_seconds": build_seconds, "size_bytes": _setup.database_size(), "facts": counts,
            "pages": pages, "load": load}  # fmt: skip


def side_by_side(results: list[dict]) -> None:
    """One table, a column group per size: p50, p95 and CPU ms of each page."""
    heads = [f"{r['cases']:,} cases, {r['districts']} district(s)" for r in results]
    print("\n" + " " * 40 + "".join(f" | {head:^23}" for head in heads))
    print(f"{'page':<40}" + " | p50 ms  p95 ms  cpu ms" * len(results))
    for i, page in enumerate(results[0]["pages"]):
        cells = []
        for r in results:
            p = r["pages"][i]
            cells.append(f" | {p['p50']:6.1f}  {p['p95']:6.1f}  {p['cpu']:6.1f}")
        print(f"{page['page']:<40}" + "".join(cells))
    print(f"{'worst p95 (goal ≤ 50 ms)':<40}" + "".join(f" | {max(p['p95'] for p in r['pages']):14.1f}" + " " * 8
                                                      for r in results))  # fmt: skip
    print(f"{'build (s)':<40}" + "".join(f" | {r['build_seconds']:14.0f}" + " " * 8 for r in results))
    print(f"{'database (GiB)':<40}" + "".join(f" | {r['size_bytes'] / 2**30:14.1f}" + " " * 8 for r in results))
    print(f"{'load average after':<40}" + "".join(f" | {' '.join(f'{v:.1f}' for v in r['load']):>14}" + " " * 8
                                                 for r in results))  # fmt: skip
    print("databases kept: " + ", ".join(r["database"] for r in results))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=_setup.sizes, default=[1_000_000], help="one size or several: 1000000,10000000")
    parser.add_argument("--districts", type=int, help="copies of the district's departments (default: by size)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page, after the warm-up")
    parser.add_argument("--warmup", type=int, default=20, help="requests per page before the timed ones")
    parser.add_argument("--explain", action="store_true", help="print the plan of each page's slowest query")
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier run built")
    parser.add_argument("--results", help=argparse.SUPPRESS)  # where a run of one size writes its figures
    args = parse_args(parser, cases=[600], districts=2, requests=5, warmup=2)
    if len(args.cases) > 1:
        argv = _setup.strip_option(sys.argv[1:], "--cases")
        side_by_side(_setup.run_per_size("queue_at_scale.py", args.cases, argv))
        return
    result = measure_size(args)
    if args.results:
        with open(args.results, "w") as out:
            json.dump(result, out)


if __name__ == "__main__":
    main()
