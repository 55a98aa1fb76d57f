"""The half-year progress report (半年工作进展报告), due on 20 June and 20 December: the figures
of cases.reporting.metrics for a chosen period, by department and by subject, with repairs and arrears,
as an Excel workbook (one sheet per section) and as a PDF; and the reminder that tells each
department head before the report falls due.

The report is a formal document filed with the city: like the notices it is always in Chinese,
whatever language the reader chose. It masks personal data (names of natural persons, resident
ID numbers, telephone numbers); free text is escaped in the PDF and neutralised in Excel (a cell
that begins with = + - @, a tab or a carriage return gets a leading apostrophe, so a spreadsheet
never takes it for a formula).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cases.core import events, masking, permissions, policies, workdays
from cases.core.event_types import EventType
from cases.core.models import AuditEvent, User
from cases.core.models.org import EntityKind
from cases.core.roles import Role
from cases.infra import csv_export
from cases.reporting import metrics
from cases.reporting.metrics import ComplaintFigures, Figures, Period, RepairFigures
from notifications import services as notification_services
from notifications.phrases import Phrase

# The report for the first half-year falls due on 20 June, for the second on 20 December.
DUE = {1: (6, 20), 2: (12, 20)}
REMINDER_EVENT = EventType.REPORT_REMINDED
EXPORT_EVENT = EventType.REPORT_EXPORTED


# --- cells -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Percent:
    """A rate in percent (66.7), or None when there was nothing to count."""

    value: float | None


def neutralise(text: str) -> str:
    """Text a spreadsheet must show as text: characters Excel refuses are dropped, and a leading
    = + - @ tab or carriage return gets an apostrophe in front (no formula, no DDE)."""
    return csv_export.neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(text)))


def display(value) -> str:
    """How a cell reads in the PDF."""
    if value is None or (isinstance(value, Percent) and value.value is None):
        return "—"
    if isinstance(value, Percent):
        return f"{value.value:.1f}%"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    in_pdf: bool = True


@dataclass
class Report:
    title: str
    period: Period
    generated_at: datetime
    sections: list[Section]

    def filename(self, extension: str) -> str:
        return f"半年工作进展报告-{self.period.code}.{extension}"


# --- the sections ------------------------------------------------------------------------------

COMPLAINT_HEADERS = ["收到投诉", "不予受理", "撤回", "应登记", "按时登记", "响应率", "应答复", "按时答复",
                     "逾期", "按时答复率", "应办结", "按时办结", "按时办结率", "已办结", "已解决", "解决率",
                     "已评价（回访及投诉人确认）", "满意", "满意率（回访及投诉人确认）", "视为满意",
                     "视为满意占比"]  # fmt: skip
RECTIFICATION_HEADERS = ["属实投诉整改中", "已整改", "确认违约失信", "失信记录已修复", "回访次数"]
REPAIR_HEADERS = ["提交申请", "办理中", "不予受理", "准予修复", "不予修复", "撤回", "撤销修复", "应办结",
                  "按时办结", "按时办结率", "已作决定", "用时中位数（工作日）"]  # fmt: skip
ARREARS_HEADERS = ["清欠投诉", "主张金额（元）", "确认金额（元）", "已支付（元）", "尚欠（元）", "约定还款计划"]
FINDINGS = {"substantiated": "属实", "unsubstantiated": "不属实"}
OUTCOMES = {"cured": "已整改办结", "unsubstantiated": "不属实，已解释办结", "breach": "确认违约失信",
            "closed_after_review": "督办复核办结", "withdrawn": "投诉人撤回", "rejected": "不予受理",
            "merged": "合并办理"}  # fmt: skip

# The report's own note; what the figures mean is metrics.DEFINITIONS (one text for the page and
# the report, in the report's language, Chinese).
MASKING_NOTE = "个人信息已脱敏：自然人姓名、身份证号码、电话号码。"


def _complaint_cells(row: ComplaintFigures) -> list:
    return [row.received, row.rejected, row.withdrawn, row.register_due, row.registered_on_time,
            Percent(row.response_rate), row.answer_due, row.answered_on_time, row.overdue,
            Percent(row.answered_on_time_rate), row.close_due, row.closed_on_time, Percent(row.closed_on_time_rate),
            row.concluded, row.resolved, Percent(row.resolution_rate), row.rated, row.satisfied,
            Percent(row.satisfaction_rate), row.deemed_satisfied, Percent(row.deemed_share)]  # fmt: skip


def _rectification_cells(row: ComplaintFigures) -> list:
    return [row.in_rectification, row.cured, row.breach, row.breach_repaired, row.callbacks]


def _repair_cells(row: RepairFigures) -> list:
    median = row.median_working_days
    return [row.submitted, row.in_progress, row.not_accepted, row.repaired, row.refused, row.withdrawn, row.revoked,
            row.decision_due, row.decided_on_time, Percent(row.on_time_rate), row.decided,
            float(median) if median is not None else None]  # fmt: skip


def _arrears_cells(row) -> list:
    return [row.complaints, row.claimed, row.confirmed, row.paid, row.owed, row.planned]


def _summary(report_title: str, figures: Figures, generated_at: datetime) -> Section:
    complaints, repairs, arrears = figures.complaints, figures.repairs, figures.arrears
    period = figures.period
    rows = [
        ["报告名称", report_title],
        ["报告期", f"{period.start.isoformat()} 至 {period.end.isoformat()}"],
        ["报送截止", due_on(period) if period.is_half_year else None],
        ["生成时间", generated_at],
        ["收到投诉", complaints.received],
        ["已受理", complaints.accepted],
        ["不予受理（含合并）", complaints.rejected],
        ["撤回", complaints.withdrawn],
        ["响应率", Percent(complaints.response_rate)],
        ["按时答复", complaints.answered_on_time],
        ["逾期答复", complaints.overdue],
        ["按时答复率", Percent(complaints.answered_on_time_rate)],
        ["按时办结", complaints.closed_on_time],
        ["按时办结率", Percent(complaints.closed_on_time_rate)],
        ["已办结（不含撤回、不予受理、合并）", complaints.concluded],
        ["已解决", complaints.resolved],
        ["解决率", Percent(complaints.resolution_rate)],
        ["满意（回访及投诉人确认）", complaints.satisfied],
        ["满意率（回访及投诉人确认）", Percent(complaints.satisfaction_rate)],
        ["视为满意（逾期未评价）", complaints.deemed_satisfied],
        ["视为满意占比", Percent(complaints.deemed_share)],
        ["整改中", complaints.in_rectification],
        ["已整改", complaints.cured],
        ["确认违约失信", complaints.breach],
        ["其中失信记录已修复", complaints.breach_repaired],
        ["回访次数", complaints.callbacks],
        ["信用修复申请", repairs.submitted],
        ["准予修复", repairs.repaired],
        ["信用修复按时办结率", Percent(repairs.on_time_rate)],
        ["信用修复用时中位数（工作日）", float(repairs.median_working_days) if repairs.decided else None],
        ["清欠投诉", arrears.complaints],
        ["清欠确认金额（元）", arrears.confirmed],
        ["清欠已支付（元）", arrears.paid],
        ["清欠尚欠（元）", arrears.owed],
        ["报告期内支付（元，含以前年度投诉）", figures.arrears_paid_in_period],
    ]
    return Section("概况", ["项目", "数值"], rows, notes=[*(str(text) for text in metrics.DEFINITIONS), MASKING_NOTE])


def _name(department) -> str:
    return department.name_zh


def _complaint_sections(figures: Figures) -> list[Section]:
    total = ["合计", *_complaint_cells(figures.complaints)]
    return [
        Section("按部门", ["部门", *COMPLAINT_HEADERS],
                [[_name(dept), *_complaint_cells(row)] for dept, row in figures.complaints_by_department] + [total]),
        Section("按事项", ["投诉事项", *COMPLAINT_HEADERS],
                [[name, *_complaint_cells(row)] for _code, name, row in figures.complaints_by_subject] + [total]),
        Section("按月份", ["月份", *COMPLAINT_HEADERS],
                [[f"{month:%Y-%m}", *_complaint_cells(row)] for month, row in figures.complaints_by_month] + [total]),
    ]  # fmt: skip


def _rectification_section(figures: Figures) -> Section:
    rows = [[_name(dept), *_rectification_cells(row)] for dept, row in figures.complaints_by_department]
    return Section("整改与回访", ["部门", *RECTIFICATION_HEADERS],
                   [*rows, ["合计", *_rectification_cells(figures.complaints)]])  # fmt: skip


def _repair_section(figures: Figures) -> Section:
    rows = [[_name(dept), *_repair_cells(row)] for dept, row in figures.repairs_by_department]
    return Section("信用修复", ["部门", *REPAIR_HEADERS], [*rows, ["合计", *_repair_cells(figures.repairs)]])


def _arrears_section(figures: Figures) -> Section:
    rows = [[_name(dept), *_arrears_cells(row)] for dept, row in figures.arrears_by_department]
    return Section("清欠", ["部门", *ARREARS_HEADERS], [*rows, ["合计", *_arrears_cells(figures.arrears)]])


SOURCES = {"complainant": "投诉人确认", "channel": "渠道转达投诉人意见", "callback": "回访", "deemed": "逾期未评价"}


def _satisfaction(complaint) -> str:
    source = SOURCES.get(complaint.satisfaction_source, "")
    if complaint.satisfied is None:
        return "回访无明确意见" if complaint.satisfaction_source == "callback" else ""
    if not complaint.satisfied:
        return "不满意"
    if complaint.confirmed_by_default or complaint.satisfaction_source == "deemed":
        return "视为满意（逾期未评价）"
    return f"满意（{source}）" if source else "满意"


def _complaints_in(period: Period):
    return (
        metrics.received_complaints(period)
        .select_related("case__department", "channel")
        .order_by("case__created_at", "pk")
    )


def _typical_section(period: Period, subjects: dict) -> Section:
    rows = [
        [c.case.number, timezone.localdate(c.case.created_at), c.case.department.name_zh if c.case.department else "",
         subjects.get(c.subject, c.subject), masking.mask_text(c.respondent), FINDINGS.get(c.finding, ""),
         c.case.state_label]
        for c in _complaints_in(period).filter(typical=True)
    ]  # fmt: skip
    return Section("典型案例", ["案件编号", "收到日期", "承办部门", "投诉事项", "被投诉主体", "核查认定", "状态"], rows)


def _complaint_list(period: Period, subjects: dict) -> Section:
    headers = ["案件编号", "收到日期", "渠道", "承办部门", "投诉事项", "投诉人", "联系电话", "企业名称",
               "被投诉主体", "状态", "核查认定", "答复日期", "办理结果", "满意度", "典型案例"]  # fmt: skip
    rows = [
        [c.case.number, timezone.localdate(c.case.created_at), c.channel.name,
         c.case.department.name_zh if c.case.department else "", subjects.get(c.subject, c.subject),
         masking.mask_name(c.complainant_name), masking.mask_phone(c.complainant_phone),
         masking.mask_text(c.enterprise_name), masking.mask_text(c.respondent), c.case.state_label,
         FINDINGS.get(c.finding, ""), timezone.localdate(c.answered_at) if c.answered_at else None,
         OUTCOMES.get(c.outcome, ""), _satisfaction(c), "是" if c.typical else ""]
        for c in _complaints_in(period).iterator(chunk_size=500)
    ]  # fmt: skip
    return Section("投诉明细", headers, rows, in_pdf=False)


def _repair_list(period: Period) -> Section:
    headers = ["案件编号", "提交日期", "承办部门", "申请主体", "证件号码", "处罚决定书文号", "状态", "决定日期",
               "用时（工作日）"]  # fmt: skip
    applications = (
        metrics.submitted_repairs(period)
        .select_related("case__department", "record__party")
        .order_by("submitted_at", "pk")
    )
    rows = []
    for application in applications.iterator(chunk_size=500):
        party = application.record.party
        person = party.kind == EntityKind.PERSON
        submitted_on = timezone.localdate(application.submitted_at)
        decided_on = timezone.localdate(application.decided_at) if application.decided_at else None
        rows.append([
            application.case.number, submitted_on,
            application.case.department.name_zh if application.case.department else "",
            masking.mask_name(party.name) if person else masking.mask_text(party.name),
            masking.mask_resident_id(party.id_number) if person else party.id_number,
            masking.mask_text(application.record.decision_number), application.case.state_label, decided_on,
            workdays.working_days_between(submitted_on, decided_on) if decided_on else None,
        ])  # fmt: skip
    return Section("修复明细", headers, rows, in_pdf=False)


def title_of(period: Period) -> str:
    return f"{period.title_zh}社会信用工作进展报告"


def build(period: Period, *, now: datetime | None = None) -> Report:
    """The report for the whole district (supervisors file it)."""
    now = now or timezone.now()
    with translation.override("zh-hans"):
        figures = metrics.figures(period, now=now)
        subjects = metrics.subject_names()
        title = title_of(period)
        sections = [
            _summary(title, figures, now),
            *_complaint_sections(figures),
            _rectification_section(figures),
            _repair_section(figures),
            _arrears_section(figures),
            _typical_section(period, subjects),
            _complaint_list(period, subjects),
            _repair_list(period),
        ]
    return Report(title=title, period=period, generated_at=now, sections=sections)


# --- Excel and PDF -----------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)


def _write_cell(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None or (isinstance(value, Percent) and value.value is None):
        cell.value = "—"
    elif isinstance(value, Percent):
        cell.value, cell.number_format = value.value / 100, "0.0%"
    elif isinstance(value, Decimal):
        cell.value, cell.number_format = value, "#,##0.00"
    elif isinstance(value, float):
        cell.value, cell.number_format = value, "0.0"
    elif isinstance(value, datetime):
        cell.value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        cell.value, cell.number_format = value, "yyyy-mm-dd"
    elif isinstance(value, bool | int):
        cell.value = int(value)
    else:
        cell.value = neutralise(value)


def to_xlsx(report: Report) -> bytes:
    """One sheet per section, titled in Chinese; headers in the first row."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in report.sections:
        sheet = workbook.create_sheet(title=section.title)
        for column, header in enumerate(section.headers, start=1):
            sheet.cell(row=1, column=column, value=neutralise(header)).font = HEADER_FONT
            width = max([len(str(header))] + [len(display(row[column - 1])) for row in section.rows[:200]])
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width * 1.6 + 2, 8), 60)
        for row_number, row in enumerate(section.rows, start=2):
            for column, value in enumerate(row, start=1):
                _write_cell(sheet, row_number, column, value)
        if section.notes:
            first = len(section.rows) + 3
            sheet.cell(row=first, column=1, value="口径说明").font = HEADER_FONT
            for offset, note in enumerate(section.notes, start=1):
                cell = sheet.cell(row=first + offset, column=1, value=neutralise(note))
                cell.alignment = Alignment(wrap_text=False)
        sheet.freeze_panes = "B2"
    workbook.properties.title = report.title
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _html_cell(value) -> dict:
    return {"text": display(value), "numeric": isinstance(value, int | float | Decimal | Percent)}


def render_html(report: Report) -> str:
    """The PDF's HTML: autoescaped, so markup in any text is shown as text."""
    sections = [
        {"title": s.title, "headers": s.headers, "notes": s.notes,
         "rows": [[_html_cell(value) for value in row] for row in s.rows]}
        for s in report.sections
        if s.in_pdf
    ]  # fmt: skip
    return render_to_string("reports/half_year.html", {"report": report, "sections": sections})


def to_pdf(report: Report) -> bytes:
    """Every section but the item-by-item lists, which only the workbook carries."""
    from weasyprint import HTML  # imported here: it loads the native text-layout libraries

    return HTML(string=render_html(report)).write_pdf()


def record_export(*, actor, report: Report, fmt: str) -> AuditEvent:
    """Who took which report, in which format (on the exporting user's audit trail). Supervisors
    only: the report holds every department's figures."""
    permissions.require(actor, "cases.supervise_all_cases")
    period = report.period
    return events.record(subject=actor, event_type=EXPORT_EVENT, actor=actor, reference=period.code, format=fmt,
                         start=period.start.isoformat(), end=period.end.isoformat())  # fmt: skip


# --- the reminder ------------------------------------------------------------------------------


def due_on(period: Period) -> date:
    """When the report on a half-year falls due: 20 June for H1, 20 December for H2."""
    month, day = DUE[1 if period.start.month <= 6 else 2]
    return date(period.start.year, month, day)


def remind_department_heads(today: date | None = None) -> int:
    """From the policy's number of working days before the report on the current half-year falls
    due, up to the due date, tell every department head once (the audit trail remembers whom).
    Returns how many were told now."""
    today = today or timezone.localdate()
    period = Period.containing(today)
    due = due_on(period)
    remind_from = workdays.add_working_days(due, -policies.working_days("complaint", "report_remind_before"))
    if not remind_from <= today <= due:
        return 0
    with transaction.atomic():
        # Locked: two runs at once (a retried task) tell nobody twice.
        heads = list(
            User.objects.select_for_update(of=("self",))
            .filter(groups__name=Role.DEPARTMENT_HEAD, is_active=True, department__isnull=False)
            .order_by("pk")
        )
        told = set(
            AuditEvent.objects.filter(
                subject_type=ContentType.objects.get_for_model(User),
                subject_id__in=[head.pk for head in heads],
                event_type=REMINDER_EVENT,
                reference=period.code,
            ).values_list("subject_id", flat=True)
        )
        heads = [head for head in heads if head.pk not in told]
        if not heads:
            return 0
        for head in heads:
            events.record(subject=head, event_type=REMINDER_EVENT, reference=period.code, due_on=due.isoformat(),
                          department=head.department_id)  # fmt: skip
        url = f"{reverse('figures')}?period={period.code}"
        notification_services.notify(
            heads,
            kind="report.due",
            title=Phrase("Half-year progress report due on %(day)s", day=due.isoformat()),
            body=Phrase(
                "The progress report on %(period)s is due on %(day)s. Please see that your department's complaints, "
                "credit repairs and arrears are up to date on the figures page.",
                period=period.code,
                day=due.isoformat(),
            ),
            payload={"period": period.code, "due_on": due.isoformat(), "url": url},
        )
    return len(heads)
