"""The database queue_at_scale.py measures, built with SQL: departments for `districts` districts,
their caseworkers, and `n` cases with what a real case has around it (deadline, complaint, and
the viewflow process with its tasks: the current one for an open case, the end for a closed one).

Every choice is pseudo-random but repeatable: hashint8 of the case's row number.
"""

from _setup import bulk_load, in_batches

WORKERS_PER_DEPARTMENT = 10

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

# The task an open case waits on, as workflows.flows routes a case in that state (the rows
# workflows.engine.start writes for it): (kind, state, task, task type, permission, whose).
# "applicant": assigned to the applicant or complainant; "department": the department's, taken by
# the case's assignee when it has one; "pool": nobody's until taken from a queue.
WAITING_TASKS = [
    ("repair", "draft", "fill_in", "HUMAN", None, "applicant"),
    ("repair", "submitted", "acceptance", "HUMAN", "cases.work_department_cases", "department"),
    ("repair", "resubmitted", "acceptance", "HUMAN", "cases.work_department_cases", "department"),
    ("repair", "incomplete", "correction", "HUMAN", None, "applicant"),
    ("repair", "accepted", "review", "HUMAN", "cases.work_department_cases", "department"),
    ("repair", "under_review", "approval", "HUMAN", "cases.approve_department_decisions", "pool"),
    ("repair", "record_repaired", "sync", "FUNCTION", None, "pool"),
    ("complaint", "received", "registration", "HUMAN", "cases.register_complaints", "pool"),
    ("complaint", "registered", "routing", "HUMAN", "cases.register_complaints", "pool"),
    ("complaint", "assigned", "handling", "HUMAN", "cases.work_department_cases", "department"),
    ("complaint", "in_progress", "handling", "HUMAN", "cases.work_department_cases", "department"),
    ("complaint", "extension_requested", "extension_decision", "HUMAN", "cases.supervise_all_cases", "pool"),
    ("complaint", "answered", "confirmation", "HUMAN", None, "applicant"),
    ("complaint", "reopened", "review", "HUMAN", "cases.supervise_all_cases", "pool"),
]
STARTED_STATES = ["in_progress"]  # the caseworker has begun the work (the task is STARTED)
FLOW_CLASSES = {"repair": "workflows/flows.RepairFlow", "complaint": "workflows/flows.ComplaintFlow"}
TABLES = ["cases_case", "cases_deadline", "cases_complaint", "viewflow_process", "workflows_caseprocess",
          "viewflow_task"]  # fmt: skip


def build_departments(districts: int) -> None:
    """The district's departments once per district beyond the first, their names suffixed (the
    province hosts every district on one deployment, with one supervising unit)."""
    from cases.core.models import Department

    originals = list(Department.objects.filter(is_supervising_unit=False).order_by("pk"))
    Department.objects.bulk_create(
        Department(code=f"{d.code}-{k:02d}", name_zh=f"{d.name_zh}（{k:02d}）", name_en=f"{d.name_en} ({k:02d})")
        for k in range(2, districts + 1)
        for d in originals
    )


def build_people(districts: int) -> dict:
    from django.contrib.auth.models import Group

    from cases.complaints.models import Channel
    from cases.core.models import Department, User

    build_departments(districts)
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
    applicant = User.objects.create(username="bench-applicant", full_name="申请人")
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
        "applicant": applicant.pk,
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


# Case g's id is g (and its process's), its tasks' ids 2g-1 (start) and 2g (current or end): the
# rows of one batch are found by range, and the sequences are moved past them at the end.
CASES = """
INSERT INTO cases_case (id, number, kind, title, state, department_id, assignee_id, applicant_id, verification_code,
                        created_at, closed_at, next_due_at, supervision_stage, complaint_subject, complaint_channel_id)
SELECT g, CASE WHEN kind = 'repair' THEN 'XF' ELSE 'TS' END || lpad(g::text, 10, '0'),
       kind,
       CASE WHEN kind = 'repair' THEN '行政处罚信息修复 ' ELSE '拖欠工程款投诉 ' END || g,
       state,
       CASE WHEN state = ANY(%(no_department)s::text[]) THEN %(supervising)s ELSE (%(departments)s::bigint[])[d] END,
       CASE WHEN state = ANY(%(unassigned)s::text[]) OR holder %% 7 = 0 THEN NULL
            ELSE (%(workers)s::bigint[])[(d - 1) * %(per_department)s + 1 + holder %% %(per_department)s]
       END,
       %(applicant)s, 'ABCDEFGH', created_at,
       CASE WHEN open THEN NULL ELSE created_at + interval '20 days' END,
       CASE WHEN open AND state NOT IN ('draft', 'incomplete') THEN (current_date + offset_days + 1)::timestamptz END,
       CASE WHEN NOT open OR state IN ('draft', 'incomplete') THEN 0
            WHEN offset_days <= -7 THEN 3 WHEN offset_days < 0 THEN 2
            WHEN offset_days <= 2 THEN 1 ELSE 0 END,
       CASE WHEN kind = 'complaint' THEN (%(subjects)s::text[])[subject] ELSE '' END,
       CASE WHEN kind = 'complaint' THEN (%(channels)s::bigint[])[channel] END
FROM (
    SELECT r.*, CASE
        WHEN r.kind = 'repair' AND r.open
            THEN (%(open_repair)s::text[])[1 + r.pick %% cardinality(%(open_repair)s::text[])]
        WHEN r.kind = 'repair' THEN (%(closed_repair)s::text[])[1 + r.pick %% cardinality(%(closed_repair)s::text[])]
        WHEN r.open THEN (%(open_complaint)s::text[])[1 + r.pick %% cardinality(%(open_complaint)s::text[])]
        ELSE (%(closed_complaint)s::text[])[1 + r.pick %% cardinality(%(closed_complaint)s::text[])]
    END AS state
    FROM (
        SELECT g,
               CASE WHEN g %% 2 = 0 THEN 'complaint' ELSE 'repair' END AS kind,
               pg_temp.h(g, 1) %% 100 < 20 AS open,
               pg_temp.h(g, 2) %% 60 - 10 AS offset_days,
               1 + pg_temp.h(g, 3) %% cardinality(%(departments)s::bigint[]) AS d,
               pg_temp.h(g, 4) %% 1000 AS pick,
               now() - (pg_temp.h(g, 5) %% 730) * interval '1 day' AS created_at,
               pg_temp.h(g, 6) %% 1000 AS holder,
               1 + pg_temp.h(g, 7) %% cardinality(%(subjects)s::text[]) AS subject,
               1 + pg_temp.h(g, 8) %% cardinality(%(channels)s::bigint[]) AS channel
        FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
    ) r
) c
"""

# One deadline per case: running for open cases (stopped while materials are awaited), done for
# closed ones.
DEADLINES = """
INSERT INTO cases_deadline (case_id, step, label, department_id, assignee_id, working_days, started_on, due_on, due_at,
                            stage, next_action_at, paused_at, remaining_working_days, closed_at)
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
WHERE c.id BETWEEN %(lo)s AND %(hi)s AND c.state <> 'draft'
"""

COMPLAINTS = """
INSERT INTO cases_complaint (case_id, channel_id, channel_reference, complainant_name, complainant_phone,
                             enterprise_name, enterprise_uscc, respondent, subject, facts, received_at, reopen_count,
                             extension_reason, extensions_granted, finding, answer, rejection_reason,
                             confirmed_by_default, typical)
SELECT c.id, c.complaint_channel_id, 'REF-' || c.id, '张经理', '', '示范企业' || c.id, '91620702MA71ABCD0X', '区某局',
       c.complaint_subject, '拖欠工程款', c.created_at, 0, '', 0, '', '', '', false, false
FROM cases_case c WHERE c.id BETWEEN %(lo)s AND %(hi)s AND c.kind = 'complaint'
"""

PROCESSES = """
INSERT INTO viewflow_process (id, flow_class, status, created, finished, data)
SELECT c.id, (%(flow_classes)s::jsonb) ->> c.kind, CASE WHEN c.closed_at IS NULL THEN 'NEW' ELSE 'DONE' END,
       c.created_at, c.closed_at, '{}'
FROM cases_case c WHERE c.id BETWEEN %(lo)s AND %(hi)s;
INSERT INTO workflows_caseprocess (process_ptr_id, case_id)
SELECT c.id, c.id FROM cases_case c WHERE c.id BETWEEN %(lo)s AND %(hi)s;
"""

# The start task (done) and the task the case is at: the one it waits on, or the end.
TASKS = """
INSERT INTO viewflow_task (id, flow_task, flow_task_type, status, created, started, finished, token, owner_permission,
                           owner_id, process_id, assigned, data)
SELECT 2 * c.id - 1, (%(flow_classes)s::jsonb) ->> c.kind || '.start', 'START', 'DONE', c.created_at, c.created_at,
       c.created_at, 'start', NULL, NULL, c.id, NULL, '{}'::jsonb
FROM cases_case c WHERE c.id BETWEEN %(lo)s AND %(hi)s
UNION ALL
SELECT 2 * c.id, (%(flow_classes)s::jsonb) ->> c.kind || '.' || coalesce(w.task, 'end'),
       coalesce(w.task_type, 'END'), t.status, t.at, CASE WHEN t.status IN ('DONE', 'STARTED') THEN t.at END,
       CASE WHEN t.status = 'DONE' THEN t.at END, 'start', w.permission, t.owner, c.id,
       CASE WHEN t.owner IS NOT NULL THEN t.at END, '{}'::jsonb
FROM cases_case c
LEFT JOIN (SELECT * FROM unnest(%(w_kind)s::text[], %(w_state)s::text[], %(w_task)s::text[], %(w_type)s::text[],
                                %(w_permission)s::text[], %(w_whose)s::text[])
           AS w(kind, state, task, task_type, permission, whose)) w
       ON c.closed_at IS NULL AND w.kind = c.kind AND w.state = c.state
CROSS JOIN LATERAL (
    SELECT CASE WHEN w.task IS NULL THEN 'DONE'
                WHEN w.whose = 'applicant' THEN 'ASSIGNED'
                WHEN w.whose = 'department' AND c.assignee_id IS NOT NULL
                    THEN CASE WHEN c.state = ANY(%(started)s::text[]) THEN 'STARTED' ELSE 'ASSIGNED' END
                ELSE 'NEW' END AS status,
           CASE WHEN w.whose = 'applicant' THEN c.applicant_id
                WHEN w.whose = 'department' THEN c.assignee_id END AS owner,
           coalesce(c.closed_at, c.created_at + interval '1 hour') AS at
) t
WHERE c.id BETWEEN %(lo)s AND %(hi)s
"""

HASH = """
CREATE OR REPLACE FUNCTION pg_temp.h(g bigint, salt int) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT (abs(hashint8(g * 7 + salt)::bigint) % 1000000)::int $$
"""


def build_cases(n: int, people: dict, batch: int = 1_000_000) -> None:
    import json

    from django.db import connection

    params = {
        "departments": people["departments"],
        "supervising": people["supervising"],
        "workers": people["workers"],
        "applicant": people["applicant"],
        "per_department": WORKERS_PER_DEPARTMENT,
        "open_repair": OPEN_REPAIR,
        "closed_repair": CLOSED_REPAIR,
        "open_complaint": OPEN_COMPLAINT,
        "closed_complaint": CLOSED_COMPLAINT,
        "no_department": NO_DEPARTMENT_YET,
        "unassigned": UNASSIGNED,
        "channels": people["channels"],
        "subjects": SUBJECTS,
        "flow_classes": json.dumps(FLOW_CLASSES),
        "started": STARTED_STATES,
        **{f"w_{field}": [row[i] for row in WAITING_TASKS]
           for i, field in enumerate(["kind", "state", "task", "type", "permission", "whose"])},
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(HASH)
        with bulk_load(cursor, TABLES):
            for lo in range(1, n + 1, batch):
                # Case by case batch, every table: the batch's cases are still in the cache.
                for sql in (CASES, DEADLINES, COMPLAINTS, PROCESSES, TASKS):
                    in_batches(cursor, sql, params, lo, min(n, lo + batch - 1), batch)
        for table, last in (("cases_case", n), ("viewflow_process", n), ("viewflow_task", 2 * n)):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [last])
