"""The figures a supervisor watches and the half-year report is made of. Read-only: every figure
is a GROUP BY in the database (the same SQL on SQLite and PostgreSQL); only the median duration
of repairs is taken in Python, over the decided applications' two timestamps.

Which cases count: the complaints **received** in the period (the case's creation time) and the
credit-repair applications **submitted** in it, each as it stands now. A figure for a past period
therefore keeps moving while its cases are still open.

The rates (docs/domain.md, "Figures and reports"), over the complaints received. Only the
office's own deadlines count (Deadline.supervised): the complainant's confirmation window is never
late against a department.

- 响应率 response rate: complaints registered (or rejected as out of scope) within the
  registration time limit, out of those whose registration is done or overdue. From the
  registration deadline: on time when it closed before it fell due.
- 按时答复率 answered on time: complaints the department answered with no answer deadline missed
  (extensions the supervisor approved count, a reopened complaint's new answer counts), out of the
  complaints answered or whose answer is overdue. The rest of those are the overdue ones.
- 按时办结率 closed on time: complaints closed cured (the rectification reported by its deadline,
  verified, and the loop closed) or closed as unsubstantiated, none of whose supervised deadlines
  (registration, answer, rectification, instalments...) closed after it fell due or is still open
  past it; out of the complaints concluded (closed other than withdrawn, rejected or merged: cured,
  unsubstantiated, breach confirmed, closed after review) and those still open with a supervised
  deadline missed (they can no longer close on time).
- 解决率 resolution rate: complaints closed cured, or closed as unsubstantiated and accepted (the
  complainant satisfied, or deemed satisfied), out of the complaints concluded (as above: withdrawn,
  rejected and merged complaints are left out). A confirmed breach, a closing by the supervisors'
  review and a call-back with no opinion on an unsubstantiated answer are not resolved.
- 满意率（回访及投诉人确认） satisfaction rate: complainants satisfied out of those who gave their
  verdict themselves (on the portal, through their channel, or on a staff call-back). Those deemed
  satisfied (no answer within the confirmation window) are counted apart (视为满意), with their
  share of all the verdicts recorded; a call-back with no opinion counts in neither.

Rectification (整改): complaints in rectification now (rectifying, or the rectification reported
and awaiting verification), closed cured, closed with a breach confirmed, their breach entries
marked repaired, and the call-backs made to their complainants.

A rate with nothing to count is None (shown as "—"), never 0 or 100%.

Repairs count by outcome; an application is decided on time when neither its acceptance nor its
decision deadline was missed (time the applicant spends completing materials stops the clock);
durations are working days from submission to the department head's decision.

Arrears are those of the arrears complaints received in the period: amounts claimed,
confirmed by the respondent, paid, and still owed (the confirmed amount, else the claimed one,
less payments).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cases.complaints.models import ArrearsPayment, CallBack, Complaint, EntryKind, Outcome, SatisfactionSource
from cases.core import policies, workdays
from cases.core.deadlines import start_of_day
from cases.core.event_types import DeadlineStep
from cases.core.exceptions import InvalidInput
from cases.core.models import Deadline, Department
from cases.core.states import ComplaintStatus, RepairStatus
from cases.repair.models import RepairApplication

# The deadlines a repair application is late on.
REPAIR_STEPS = [DeadlineStep.REPAIR_ACCEPT, DeadlineStep.REPAIR_DECIDE]
# The longest period the figures cover at once (a custom range).
MAX_MONTHS = 60
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


# --- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A span of whole days, `start` to `end` inclusive, in the office's time zone."""

    start: date
    end: date
    code: str

    @classmethod
    def half_year(cls, year: int, half: int) -> "Period":
        """H1 is January to June, H2 July to December."""
        if half == 1:
            return cls(date(year, 1, 1), date(year, 6, 30), f"{year}-H1")
        return cls(date(year, 7, 1), date(year, 12, 31), f"{year}-H2")

    @classmethod
    def containing(cls, day: date) -> "Period":
        return cls.half_year(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def from_code(cls, code: str) -> "Period":
        """ "2026-H2"."""
        year, _dash, half = (code or "").strip().upper().partition("-H")
        if not (year.isdigit() and len(year) == 4 and half in ("1", "2")):
            raise InvalidInput(details={"period": [_("Give a half-year like 2026-H2.")]})
        return cls.half_year(int(year), int(half))

    @classmethod
    def months(cls, first: str, last: str) -> "Period":
        """From the first day of month `first` to the last day of month `last` ("2026-07")."""
        try:
            start = datetime.strptime(first, "%Y-%m").date()
            end = datetime.strptime(last, "%Y-%m").date() + relativedelta(months=1, days=-1)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(details={"period": [_("Give the months like 2026-07.")]}) from exc
        return cls._checked(start, end, f"{first}..{last}")

    @classmethod
    def days(cls, first: str, last: str) -> "Period":
        try:
            start, end = date.fromisoformat(first), date.fromisoformat(last)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(details={"period": [_("Give the dates like 2026-07-01.")]}) from exc
        return cls._checked(start, end, f"{start.isoformat()}..{end.isoformat()}")

    @classmethod
    def _checked(cls, start: date, end: date, code: str) -> "Period":
        if end < start or start + relativedelta(months=MAX_MONTHS) <= end:
            message = _("The end must follow the start, at most %(months)d months later.") % {"months": MAX_MONTHS}
            raise InvalidInput(details={"period": [message]})
        return cls(start, end, code)

    @classmethod
    def from_params(cls, params, today: date | None = None) -> "Period":
        """The period a page or a download asks for: `period=2026-H2`, `from=2026-07&to=2026-09`
        (months) or `start=2026-07-01&end=2026-08-15` (days); the current half-year otherwise."""
        if params.get("start") or params.get("end"):
            return cls.days(params.get("start", ""), params.get("end", ""))
        if params.get("from") or params.get("to"):
            return cls.months(params.get("from", ""), params.get("to", ""))
        if params.get("period"):
            return cls.from_code(params["period"])
        return cls.containing(today or timezone.localdate())

    def query(self) -> str:
        """The query string that asks for this period again."""
        if self.is_half_year:
            return f"period={self.code}"
        first, _dots, last = self.code.partition("..")
        return f"from={first}&to={last}" if len(first) == 7 else f"start={first}&end={last}"

    @property
    def is_half_year(self) -> bool:
        return "-H" in self.code

    @property
    def title_zh(self) -> str:
        """How the formal report names the period: 2026年下半年, or the dates."""
        if self.is_half_year:
            return f"{self.start.year}年{'上' if self.start.month == 1 else '下'}半年"
        return f"{self.start:%Y年%-m月%-d日}至{self.end:%Y年%-m月%-d日}"

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end): local midnight of the first day, and of the day after the last."""
        return start_of_day(self.start), start_of_day(self.end + timedelta(days=1))

    def month_starts(self) -> list[date]:
        month, last = self.start.replace(day=1), self.end.replace(day=1)
        months = []
        while month <= last:
            months.append(month)
            month += relativedelta(months=1)
        return months


# --- what the figures mean (the figures page and the half-year report) --------------------------

DEFINITIONS = [
    _lazy(
        "Complaints received in the period and credit-repair applications submitted in it, each as it stands "
        "now: a past period's figures still move while its cases are open."
    ),
    _lazy(
        "Response rate: complaints registered, or rejected as out of scope, within the registration "
        "time limit, out of those whose registration is done or overdue."
    ),
    _lazy(
        "Answered-on-time rate: complaints the department answered without missing an answer deadline "
        "(approved extensions and answers after a reopening count), out of those answered or whose answer is "
        "overdue; the rest are overdue."
    ),
    _lazy(
        "Closed-on-time rate: complaints closed cured (the rectification reported by its deadline, "
        "verified, and the loop closed) or closed as unsubstantiated, with none of the office's deadlines "
        "(registration, answer, rectification, instalments) missed; out of the complaints concluded and those "
        "still open with one of those deadlines missed. The complainant's confirmation window is not the "
        "office's deadline and never counts."
    ),
    _lazy(
        "Resolution rate: complaints closed cured, or closed as unsubstantiated with the complainant "
        "satisfied or deemed satisfied, out of the complaints concluded. Concluded: closed cured, "
        "unsubstantiated, with a breach confirmed, or by the supervisors' review; withdrawn, rejected and "
        "merged complaints are left out. A confirmed breach or a closing after review is not resolved."
    ),
    _lazy(
        "Satisfaction rate: complainants satisfied out of those who gave their verdict "
        "themselves, on the portal, through their channel or on a staff call-back. Deemed satisfied (no "
        "answer within the confirmation window) is counted apart, with its share of all verdicts recorded; a "
        "call-back with no opinion counts in neither."
    ),
    _lazy(
        "Rectification: complaints now in rectification (rectifying, or reported and awaiting verification), "
        "closed cured, closed with a breach confirmed, breach entries marked repaired, and call-backs made."
    ),
    _lazy(
        "Credit repairs decided on time: neither the acceptance nor the decision deadline missed (the clock "
        "stops while the applicant completes materials). Working days run from submission to the decision."
    ),
    _lazy(
        "Arrears: the arrears complaints received in the period; still owed is the confirmed amount (else the "
        "claimed one) less payments."
    ),
]


# --- the rows ----------------------------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to count."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class ComplaintFigures:
    received: int = 0
    rejected: int = 0
    withdrawn: int = 0
    register_due: int = 0
    registered_on_time: int = 0
    answer_due: int = 0
    answered_on_time: int = 0
    concluded: int = 0
    close_due: int = 0
    closed_on_time: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    deemed_satisfied: int = 0
    in_rectification: int = 0
    cured: int = 0
    breach: int = 0
    breach_repaired: int = 0
    callbacks: int = 0

    @property
    def accepted(self) -> int:
        return self.received - self.rejected

    @property
    def overdue(self) -> int:
        """Answered late, or the answer still overdue."""
        return self.answer_due - self.answered_on_time

    @property
    def response_rate(self) -> float | None:
        return rate(self.registered_on_time, self.register_due)

    @property
    def answered_on_time_rate(self) -> float | None:
        """按时答复率."""
        return rate(self.answered_on_time, self.answer_due)

    @property
    def closed_on_time_rate(self) -> float | None:
        """按时办结率."""
        return rate(self.closed_on_time, self.close_due)

    @property
    def resolution_rate(self) -> float | None:
        return rate(self.resolved, self.concluded)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率（回访及投诉人确认）: the deemed ones left out."""
        return rate(self.satisfied, self.rated)

    @property
    def deemed_share(self) -> float | None:
        """视为满意 out of every verdict recorded (given or deemed)."""
        return rate(self.deemed_satisfied, self.rated + self.deemed_satisfied)


@dataclass
class RepairFigures:
    submitted: int = 0
    in_progress: int = 0
    not_accepted: int = 0
    repaired: int = 0
    refused: int = 0
    withdrawn: int = 0
    revoked: int = 0
    decision_due: int = 0
    decided_on_time: int = 0
    durations: list[int] = field(default_factory=list, repr=False)

    @property
    def decided(self) -> int:
        return len(self.durations)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.decided_on_time, self.decision_due)

    @property
    def median_working_days(self) -> float | None:
        return statistics.median(self.durations) if self.durations else None


@dataclass
class ArrearsFigures:
    complaints: int = 0
    claimed: Decimal = ZERO
    confirmed: Decimal = ZERO
    paid: Decimal = ZERO
    owed: Decimal = ZERO
    planned: int = 0


def _row(row_class, values: dict):
    """A row of figures from one GROUP BY row (counts as int, amounts in yuan to the fen)."""
    return row_class(
        **{
            item.name: _money(values[item.name]) if item.type is Decimal else int(values[item.name] or 0)
            for item in fields(row_class)
            if item.name in values
        }
    )


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


# --- the queries -------------------------------------------------------------------------------

DEPARTMENT, SUBJECT, MONTH = "department", "subject", "month"


def _late(steps: list[str] | None, now: datetime) -> Exists:
    """The case has a supervised deadline (on one of `steps`, or any) that closed after it fell due,
    or is running past it. A party's own time (Deadline.supervised False) is never late."""
    deadlines = Deadline.objects.filter(case_id=OuterRef("case_id"), supervised=True)
    if steps is not None:
        deadlines = deadlines.filter(step__in=steps)
    return Exists(
        deadlines.filter(
            Q(closed_at__gt=F("due_at")) | Q(closed_at__isnull=True, paused_at__isnull=True, due_at__lte=now)
        )
    )


def received_complaints(period: Period, department_id: int | None = None) -> QuerySet[Complaint]:
    start, end = period.bounds()
    complaints = Complaint.objects.filter(case__created_at__gte=start, case__created_at__lt=end)
    if department_id is not None:
        complaints = complaints.filter(case__department_id=department_id)
    return complaints


def submitted_repairs(period: Period, department_id: int | None = None) -> QuerySet[RepairApplication]:
    start, end = period.bounds()
    applications = RepairApplication.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if department_id is not None:
        applications = applications.filter(case__department_id=department_id)
    return applications


def _aggregate(queryset: QuerySet, by: str | None, keys: dict[str, str], **aggregates) -> dict:
    """{key: {name: value}}: one GROUP BY over `keys[by]` (a month is truncated in the office's
    time zone), or a single aggregate row under None. The aggregates are aliased apart from the
    model's fields (a "satisfied" count must not stand for the `satisfied` column in a filter)."""
    aliased = {f"n_{name}": aggregate for name, aggregate in aggregates.items()}
    if by is None:
        rows = [{"key": None, **queryset.aggregate(**aliased)}]
    else:
        key = TruncMonth(keys[MONTH]) if by == MONTH else F(keys[by])
        rows = queryset.annotate(key=key).values("key").annotate(**aliased).order_by("key")
    return {
        (_month_key(row["key"]) if by == MONTH else row["key"]): {name: row[f"n_{name}"] for name in aggregates}
        for row in rows
    }


def _month_key(value) -> date:
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date().replace(day=1)
    return value.replace(day=1)


COMPLAINT_KEYS = {DEPARTMENT: "case__department_id", SUBJECT: "subject", MONTH: "case__created_at"}


# How a concluded complaint ended (Complaint.outcome); withdrawn, rejected and merged ones are not
# concluded: they count in neither the closing nor the resolution rate.
CONCLUDED = [Outcome.CURED, Outcome.UNSUBSTANTIATED, Outcome.BREACH, Outcome.CLOSED_AFTER_REVIEW]
CLOSED_WELL = [Outcome.CURED, Outcome.UNSUBSTANTIATED]
IN_RECTIFICATION = [ComplaintStatus.RECTIFYING, ComplaintStatus.RECTIFICATION_REPORTED]
DEEMED = Q(satisfied=True) & (Q(satisfaction_source=SatisfactionSource.DEEMED) | Q(confirmed_by_default=True))
SATISFIED_IN_OWN_WORDS = Q(satisfied=True, confirmed_by_default=False) & ~Q(
    satisfaction_source=SatisfactionSource.DEEMED
)


def complaint_figures(
    period: Period, *, by: str | None = None, department_id: int | None = None, now: datetime | None = None
) -> dict:
    """{key: ComplaintFigures}: key is a department id, a subject code, a month's first day, or
    None for the whole period."""
    now = now or timezone.now()
    registration = Deadline.objects.filter(case_id=OuterRef("case_id"), step=DeadlineStep.COMPLAINT_REGISTER)
    callbacks = (
        CallBack.objects.filter(complaint_id=OuterRef("pk")).order_by().values("complaint_id")
        .annotate(n=Count("pk")).values("n")
    )  # fmt: skip
    complaints = received_complaints(period, department_id).annotate(
        registered_in_time=Exists(registration.filter(closed_at__isnull=False, closed_at__lte=F("due_at"))),
        registration_due=Exists(registration.filter(Q(closed_at__isnull=False) | Q(due_at__lte=now))),
        answered_late=_late([DeadlineStep.COMPLAINT_ANSWER], now),
        any_late=_late(None, now),
        callback_count=Coalesce(Subquery(callbacks), Value(0)),
    )
    answered = Q(answered_at__isnull=False)
    concluded = Q(outcome__in=CONCLUDED)
    rows = _aggregate(
        complaints,
        by,
        COMPLAINT_KEYS,
        received=Count("pk"),
        rejected=Count("pk", filter=Q(case__state=ComplaintStatus.REJECTED)),
        withdrawn=Count("pk", filter=Q(outcome=Outcome.WITHDRAWN)),
        register_due=Count("pk", filter=Q(registration_due=True)),
        registered_on_time=Count("pk", filter=Q(registered_in_time=True)),
        answer_due=Count("pk", filter=answered | Q(answered_late=True)),
        answered_on_time=Count("pk", filter=answered & Q(answered_late=False)),
        concluded=Count("pk", filter=concluded),
        close_due=Count("pk", filter=concluded | Q(outcome="", any_late=True)),
        closed_on_time=Count("pk", filter=Q(outcome__in=CLOSED_WELL, any_late=False)),
        resolved=Count("pk", filter=Q(outcome=Outcome.CURED) | Q(outcome=Outcome.UNSUBSTANTIATED) & (
            Q(satisfied=True) | Q(satisfaction_source=SatisfactionSource.DEEMED))),
        rated=Count("pk", filter=Q(satisfied=False) | SATISFIED_IN_OWN_WORDS),
        satisfied=Count("pk", filter=SATISFIED_IN_OWN_WORDS),
        deemed_satisfied=Count("pk", filter=DEEMED),
        in_rectification=Count("pk", filter=Q(case__state__in=IN_RECTIFICATION)),
        cured=Count("pk", filter=Q(outcome=Outcome.CURED)),
        breach=Count("pk", filter=Q(outcome=Outcome.BREACH)),
        breach_repaired=Count("pk", filter=Q(integrity_entry__kind=EntryKind.BREACH,
                                             integrity_entry__repaired_at__isnull=False)),
        callbacks=Sum("callback_count"),
    )  # fmt: skip
    return {key: _row(ComplaintFigures, row) for key, row in rows.items()}


REPAIRED = [RepairStatus.APPROVED, RepairStatus.RECORD_REPAIRED, RepairStatus.SYNCED]
REPAIR_IN_PROGRESS = [RepairStatus.SUBMITTED, RepairStatus.INCOMPLETE, RepairStatus.RESUBMITTED,
                      RepairStatus.ACCEPTED, RepairStatus.UNDER_REVIEW]  # fmt: skip
REPAIR_KEYS = {DEPARTMENT: "case__department_id", MONTH: "submitted_at"}


def repair_figures(
    period: Period, *, by: str | None = None, department_id: int | None = None, now: datetime | None = None
) -> dict:
    """{key: RepairFigures} for the applications submitted in the period (key as in complaint_figures)."""
    now = now or timezone.now()
    applications = submitted_repairs(period, department_id).annotate(late=_late(REPAIR_STEPS, now))
    concluded = Q(decided_at__isnull=False) | Q(case__state=RepairStatus.NOT_ACCEPTED)
    rows = _aggregate(
        applications,
        by,
        REPAIR_KEYS,
        submitted=Count("pk"),
        in_progress=Count("pk", filter=Q(case__state__in=REPAIR_IN_PROGRESS)),
        not_accepted=Count("pk", filter=Q(case__state=RepairStatus.NOT_ACCEPTED)),
        repaired=Count("pk", filter=Q(case__state__in=REPAIRED)),
        refused=Count("pk", filter=Q(case__state=RepairStatus.REJECTED)),
        withdrawn=Count("pk", filter=Q(case__state=RepairStatus.WITHDRAWN)),
        revoked=Count("pk", filter=Q(case__state=RepairStatus.REVOKED)),
        decision_due=Count("pk", filter=concluded | Q(late=True)),
        decided_on_time=Count("pk", filter=concluded & Q(late=False)),
    )
    figures = {key: _row(RepairFigures, row) for key, row in rows.items()}
    for key, days in _repair_durations(period, by, department_id).items():
        figures.setdefault(key, RepairFigures()).durations = days
    return figures


def _repair_durations(period: Period, by: str | None, department_id: int | None) -> dict:
    """Working days from submission to decision of each decided application, by key."""
    durations = defaultdict(list)
    decided = submitted_repairs(period, department_id).filter(decided_at__isnull=False)
    rows = decided.values_list("case__department_id", "submitted_at", "decided_at").order_by()
    for department, submitted_at, decided_at in rows.iterator():
        submitted_on, decided_on = timezone.localdate(submitted_at), timezone.localdate(decided_at)
        key = {DEPARTMENT: department, MONTH: submitted_on.replace(day=1)}.get(by)
        durations[key].append(max(workdays.working_days_between(submitted_on, decided_on), 0))
    return durations


def arrears_figures(period: Period, *, by: str | None = None, department_id: int | None = None) -> dict:
    """{key: ArrearsFigures} for the arrears complaints received in the period."""
    payments = (
        ArrearsPayment.objects.filter(complaint_id=OuterRef("pk"))
        .order_by()
        .values("complaint_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    complaints = (
        received_complaints(period, department_id)
        .filter(subject="arrears")
        .annotate(
            paid_total=Coalesce(Subquery(payments, output_field=MONEY), Value(ZERO), output_field=MONEY),
            base=Coalesce("amount_confirmed", "amount_claimed", Value(ZERO), output_field=MONEY),
        )
    )
    rows = _aggregate(
        complaints,
        by,
        COMPLAINT_KEYS,
        complaints=Count("pk"),
        claimed=Sum("amount_claimed", output_field=MONEY),
        confirmed=Sum("amount_confirmed", output_field=MONEY),
        paid=Sum("paid_total", output_field=MONEY),
        owed=Sum(Greatest(F("base") - F("paid_total"), Value(ZERO), output_field=MONEY), output_field=MONEY),
        planned=Count("pk", filter=Q(plan_agreed_at__isnull=False)),
    )
    return {key: _row(ArrearsFigures, row) for key, row in rows.items()}


def arrears_paid_in(period: Period, department_id: int | None = None) -> Decimal:
    """Everything respondents paid on arrears complaints during the period, whenever received."""
    payments = ArrearsPayment.objects.filter(paid_on__gte=period.start, paid_on__lte=period.end)
    if department_id is not None:
        payments = payments.filter(complaint__case__department_id=department_id)
    return _money(payments.aggregate(total=Sum("amount"))["total"])


# --- everything a page or a report shows -------------------------------------------------------


@dataclass
class Figures:
    period: Period
    department: Department | None
    complaints: ComplaintFigures
    complaints_by_department: list[tuple[Department, ComplaintFigures]]
    complaints_by_subject: list[tuple[str, str, ComplaintFigures]]
    complaints_by_month: list[tuple[date, ComplaintFigures]]
    repairs: RepairFigures
    repairs_by_department: list[tuple[Department, RepairFigures]]
    repairs_by_month: list[tuple[date, RepairFigures]]
    arrears: ArrearsFigures
    arrears_by_department: list[tuple[Department, ArrearsFigures]]
    arrears_paid_in_period: Decimal


def subject_names() -> dict[str, str]:
    return {item["code"]: item["name"] for item in policies.named_choices("complaint", "subjects")}


def _by_department(rows: dict, departments: dict) -> list:
    known = [(departments[key], row) for key, row in rows.items() if key in departments]
    return sorted(known, key=lambda pair: pair[0].code)


def _by_month(period: Period, rows: dict, empty) -> list:
    return [(month, rows.get(month) or empty()) for month in period.month_starts()]


def figures(period: Period, *, department: Department | None = None, now: datetime | None = None) -> Figures:
    """Every figure of the period, for the whole district or for one department."""
    now = now or timezone.now()
    scope = {"department_id": department.pk if department else None}
    by_department = {
        "complaints": complaint_figures(period, by=DEPARTMENT, now=now, **scope),
        "repairs": repair_figures(period, by=DEPARTMENT, now=now, **scope),
        "arrears": arrears_figures(period, by=DEPARTMENT, **scope),
    }
    ids = {key for rows in by_department.values() for key in rows if key is not None}
    departments = {dept.pk: dept for dept in Department.objects.filter(pk__in=ids)}
    names = subject_names()
    by_subject = complaint_figures(period, by=SUBJECT, now=now, **scope)
    order = list(names)
    subjects = sorted(by_subject.items(), key=lambda item: (0, order.index(item[0])) if item[0] in order
                      else (1, item[0] or ""))  # fmt: skip
    return Figures(
        period=period,
        department=department,
        complaints=complaint_figures(period, now=now, **scope)[None],
        complaints_by_department=_by_department(by_department["complaints"], departments),
        complaints_by_subject=[(code, names.get(code, code or "—"), row) for code, row in subjects],
        complaints_by_month=_by_month(period, complaint_figures(period, by=MONTH, now=now, **scope), ComplaintFigures),
        repairs=repair_figures(period, now=now, **scope)[None],
        repairs_by_department=_by_department(by_department["repairs"], departments),
        repairs_by_month=_by_month(period, repair_figures(period, by=MONTH, now=now, **scope), RepairFigures),
        arrears=arrears_figures(period, **scope)[None],
        arrears_by_department=_by_department(by_department["arrears"], departments),
        arrears_paid_in_period=arrears_paid_in(period, **scope),
    )
