"""Server time of the supervisor board and the caseworker queues with 1,000,000 cases.

    python bench/queue_at_scale.py [--cases 1000000] [--requests 200] [--warmup 20] [--explain] [--reuse]
                                   [--smoke]

Builds a fresh PostgreSQL database (chengxin_bench_queues) with SQL: a million cases of both
kinds in every state over the 29 departments, a fifth of them open (about a sixth of those
overdue, some escalated, some with the clock stopped), a deadline for each case (open ones
running, closed ones done), a complaint row for each complaint (channel, subject). Then asks
each page through Django's test client (the whole request: middleware, session, view,
template) `--requests` times after `--warmup` requests and prints p50/p95/max server time, the
median CPU time of this process per request (on a busy machine the wall clock also counts the wait
for a CPU: the load average is printed at the end) and the SQL queries one request makes.
Goal: p95 ≤ 50 ms for every page.

`--smoke` runs the same at a small size (chengxin_bench_queues_smoke); a page that does not answer
200 fails the run.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("BENCH_DB", "chengxin_bench_queues")
os.environ["DJANGO_DEBUG"] = "false"  # timings without DEBUG's query log
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"

from _setup import REDIS_URL, django_on_bench_database, parse_args, percentile

WORKERS_PER_DEPARTMENT = 10
GOAL_MS = 50

OPEN_REPAIR = ["draft", "submitted", "incomplete", "accepted", "under_review", "under_review", "accepted",
               "submitted", "resubmitted", "record_repaired"]  # fmt: skip
CLOSED_REPAIR = ["synced", "synced", "synced", "not_accepted", "rejected", "withdrawn"]
OPEN_COMPLAINT = ["received", "registered", "assigned", "in_progress", "in_progress", "in_progress",
                  "extension_requested", "answered", "reopened", "in_progress"]  # fmt: skip
CLOSED_COMPLAINT = ["closed", "closed", "closed", "rejected"]
NO_DEPARTMENT_YET = ["received", "registered"]  # at the intake clerks (the supervising unit)
UNASSIGNED = ["draft", "submitted", "resubmitted", "received", "registered", "assigned"]
SUBJECTS = ["procurement", "tendering", "investment", "government_debt", "arrears", "policy_not_honoured",
            "old_debts", "other_breach"]  # fmt: skip


def build_people() -> dict:
    from django.contrib.auth.models import Group

    from cases.complaints.models import Channel
    from cases.core.models import Department, User

    departments = list(Department.objects.filter(is_supervising_unit=False).order_by("pk").values_list("pk", flat=True))
    supervising = Department.objects.get(is_supervising_unit=True)
    workers = User.objects.bulk_create(
        User(username=f"bench-w{department}-{i}", full_name=f"办理员{department}-{i}", department_id=department)
        for department in departments
        for i in range(WORKERS_PER_DEPARTMENT)
    )
    caseworker = Group.objects.get(name="caseworker")
    User.groups.through.objects.bulk_create(User.groups.through(user_id=w.pk, group_id=caseworker.pk) for w in workers)
    head = User.objects.create(username="bench-head", full_name="科长", department_id=departments[0])
    head.groups.add(Group.objects.get(name="department_head"), caseworker)
    supervisor = User.objects.create(username="bench-supervisor", full_name="督办员", department=supervising)
    supervisor.groups.add(Group.objects.get(name="supervisor"))
    clerk = User.objects.create(username="bench-clerk", full_name="登记员", department=supervising)
    clerk.groups.add(Group.objects.get(name="intake_clerk"))
    channels = [
        Channel.objects.create(code=code, name=name, secret="bench")
        for code, name in [("12345", "12345热线"), ("zqf", "张企服"), ("ztc", "直通车"), ("website", "网站")]
    ]
    return {
        "departments": departments,
        "supervising": supervising.pk,
        "workers": [w.pk for w in workers],
        "worker": workers[0],
        "head": head,
        "supervisor": supervisor,
        "clerk": clerk,
        "channels": [c.pk for c in channels],
    }


def existing_people() -> dict:
    from cases.complaints.models import Channel
    from cases.core.models import Department, User

    return {
        "departments": list(
            Department.objects.filter(is_supervising_unit=False).order_by("pk").values_list("pk", flat=True)
        ),
        "worker": User.objects.filter(username__startswith="bench-w").order_by("pk").first(),
        "head": User.objects.get(username="bench-head"),
        "supervisor": User.objects.get(username="bench-supervisor"),
        "clerk": User.objects.get(username="bench-clerk"),
        "channels": list(Channel.objects.order_by("pk").values_list("pk", flat=True)),
    }


def build_cases(n: int, people: dict) -> None:
    """All in SQL; pseudo-random but repeatable choices from hashint8 of the row number."""
    from django.db import connection

    params = {
        "n": n,
        "departments": people["departments"],
        "supervising": people["supervising"],
        "workers": people["workers"],
        "per_department": WORKERS_PER_DEPARTMENT,
        "open_repair": OPEN_REPAIR,
        "closed_repair": CLOSED_REPAIR,
        "open_complaint": OPEN_COMPLAINT,
        "closed_complaint": CLOSED_COMPLAINT,
        "no_department": NO_DEPARTMENT_YET,
        "unassigned": UNASSIGNED,
        "channels": people["channels"],
        "subjects": SUBJECTS,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE bench_rows AS
            SELECT g,
                   CASE WHEN g %% 2 = 0 THEN 'complaint' ELSE 'repair' END AS kind,
                   h[1] %% 100 < 20 AS open,
                   h[2] %% 60 - 10 AS offset_days,
                   1 + h[3] %% cardinality(%(departments)s::bigint[]) AS d,
                   h[4] %% 1000 AS pick,
                   now() - (h[5] %% 730) * interval '1 day' AS created_at,
                   h[6] %% 1000 AS holder,
                   1 + h[7] %% cardinality(%(subjects)s::text[]) AS subject,
                   1 + h[8] %% cardinality(%(channels)s::bigint[]) AS channel
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (
                SELECT array_agg((abs(hashint8(g::bigint * 7 + salt)::bigint) %% 1000000)::int ORDER BY salt) AS h
                FROM generate_series(1, 8) AS salt
            ) AS hashes
            """,
            params,
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_cases AS
            SELECT r.*, s.state
            FROM bench_rows r CROSS JOIN LATERAL (
                SELECT CASE
                    WHEN r.kind = 'repair' AND r.open
                        THEN (%(open_repair)s::text[])[1 + r.pick %% cardinality(%(open_repair)s::text[])]
                    WHEN r.kind = 'repair'
                        THEN (%(closed_repair)s::text[])[1 + r.pick %% cardinality(%(closed_repair)s::text[])]
                    WHEN r.open
                        THEN (%(open_complaint)s::text[])[1 + r.pick %% cardinality(%(open_complaint)s::text[])]
                    ELSE (%(closed_complaint)s::text[])[1 + r.pick %% cardinality(%(closed_complaint)s::text[])]
                END AS state
            ) s
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO cases_case (number, kind, title, state, department_id, assignee_id, verification_code,
                                    created_at, closed_at, next_due_at, supervision_stage, complaint_subject,
                                    complaint_channel_id)
            SELECT CASE WHEN kind = 'repair' THEN 'XF' ELSE 'TS' END || lpad(g::text, 10, '0'),
                   kind,
                   CASE WHEN kind = 'repair' THEN '行政处罚信息修复 ' ELSE '拖欠工程款投诉 ' END || g,
                   state,
                   CASE WHEN state = ANY(%(no_department)s::text[]) THEN %(supervising)s
                        ELSE (%(departments)s::bigint[])[d] END,
                   CASE WHEN state = ANY(%(unassigned)s::text[]) OR holder %% 7 = 0 THEN NULL
                        ELSE (%(workers)s::bigint[])[(d - 1) * %(per_department)s + 1 + holder %% %(per_department)s]
                   END,
                   'ABCDEFGH', created_at,
                   CASE WHEN open THEN NULL ELSE created_at + interval '20 days' END,
                   CASE WHEN open AND state NOT IN ('draft', 'incomplete')
                        THEN (current_date + offset_days + 1)::timestamptz END,
                   CASE WHEN NOT open OR state IN ('draft', 'incomplete') THEN 0
                        WHEN offset_days <= -7 THEN 3 WHEN offset_days < 0 THEN 2
                        WHEN offset_days <= 2 THEN 1 ELSE 0 END,
                   CASE WHEN kind = 'complaint' THEN (%(subjects)s::text[])[subject] ELSE '' END,
                   CASE WHEN kind = 'complaint' THEN (%(channels)s::bigint[])[channel] END
            FROM bench_cases ORDER BY g;
            """,
            params,
        )
        # One deadline per case: running for open cases (stopped while materials are awaited),
        # done for closed ones.
        cursor.execute(
            """
            INSERT INTO cases_deadline (case_id, step, label, department_id, assignee_id, working_days, started_on,
                                        due_on, due_at, stage, next_action_at, paused_at, remaining_working_days,
                                        closed_at)
            SELECT c.id, 'case.step', '办理时限', c.department_id, c.assignee_id, 15, d.due_on - 21, d.due_on,
                   (d.due_on + 1)::timestamptz, c.supervision_stage,
                   CASE WHEN c.next_due_at IS NULL OR c.supervision_stage = 3 THEN NULL
                        WHEN c.supervision_stage = 2 THEN c.next_due_at + interval '7 days'
                        WHEN c.supervision_stage = 1 THEN c.next_due_at
                        ELSE c.next_due_at - interval '3 days' END,
                   CASE WHEN c.state = 'incomplete' THEN now() - interval '1 day' END,
                   CASE WHEN c.state = 'incomplete' THEN 5 END,
                   c.closed_at
            FROM cases_case c
            CROSS JOIN LATERAL (
                SELECT CASE WHEN c.next_due_at IS NOT NULL THEN (c.next_due_at - interval '1 day')::date
                            WHEN c.closed_at IS NULL THEN current_date + 5
                            ELSE c.created_at::date + 15 END AS due_on
            ) d
            WHERE c.state <> 'draft'
            """
        )
        cursor.execute(
            """
            INSERT INTO cases_complaint (case_id, channel_id, channel_reference, complainant_name, complainant_phone,
                                         enterprise_name, enterprise_uscc, respondent, subject, facts, received_at,
                                         reopen_count, extension_reason, extensions_granted, finding, answer,
                                         rejection_reason, confirmed_by_default, typical)
            SELECT c.id, c.complaint_channel_id, 'REF-' || c.id, '张经理', '', '示范企业' || c.id,
                   '91620702MA71ABCD0X', '区某局', c.complaint_subject, '拖欠工程款', c.created_at,
                   0, '', 0, '', '', '', false, false
            FROM cases_case c WHERE c.kind = 'complaint'
            """,
            params,
        )
        cursor.execute("DROP TABLE bench_rows")
        cursor.execute("DROP TABLE bench_cases")
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_deadline", "cases_complaint"):  # as autovacuum would
            cursor.execute(f"VACUUM ANALYZE {table}")


def facts() -> dict:
    from django.utils import timezone

    from cases.core.models import Case

    open_cases = Case.objects.filter(closed_at__isnull=True)
    return {
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page, after the warm-up")
    parser.add_argument("--warmup", type=int, default=20, help="requests per page before the timed ones")
    parser.add_argument("--explain", action="store_true", help="print the plan of each page's slowest query")
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier run built")
    args = parse_args(parser, cases=600, requests=5, warmup=2)
    django_on_bench_database(fresh=not args.reuse)
    start = time.perf_counter()
    if args.reuse:
        people = existing_people()
    else:
        people = build_people()
        build_cases(args.cases, people)
    counts = facts()
    print(
        f"{'reused' if args.reuse else 'built'} {counts['cases']:,} cases ({counts['open']:,} open, "
        f"{counts['overdue']:,} overdue, {counts['escalated']:,} escalated) with their deadlines and complaints "
        f"in {time.perf_counter() - start:.1f} s"
    )
    print(f"{'page':<40} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'cpu p50':>8} {'queries':>8} {'rows':>5}")
    worst = 0.0
    for name, user, path, params in scenarios(people):
        timings, cpu, queries, rows = measure(user, path, params, args.requests, args.warmup)
        p95 = percentile(timings, 95)
        worst = max(worst, p95)
        print(
            f"{name:<40} {statistics.median(timings):7.1f} {p95:7.1f} {max(timings):7.1f} "
            f"{statistics.median(cpu):8.1f} {queries:8d} {rows:5d}" + ("   over the goal" if p95 > GOAL_MS else "")
        )
        if args.explain:
            print(explain(user, path, params))
    print(f"worst p95 {worst:.1f} ms   (goal ≤ {GOAL_MS} ms, server time in-process, {args.requests} requests a page)")
    print(f"load average now {' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


if __name__ == "__main__":
    main()
