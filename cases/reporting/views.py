"""The figures page (supervisors: the district; a department head: their own department) and the
half-year report's downloads (supervisors)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from cases.core import selectors
from cases.core.models import Department
from cases.infra.replica import reads_from_replica
from cases.reporting import metrics, reports
from cases.reporting.metrics import Period

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def heads_department(user):
    """The department whose figures a department head sees (None for anyone else)."""
    if user.is_authenticated and user.department_id and user.has_perm("cases.approve_department_decisions"):
        return user.department
    return None


def _scope(request) -> Department | None:
    """The department the page shows (None: the whole district). Refuses whoever may not look."""
    user = request.user
    if selectors.can_supervise(user):
        chosen = request.GET.get("department", "")
        return Department.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    department = heads_department(user)
    if department is None:
        raise PermissionDenied
    return department


def _half_years(today) -> list[Period]:
    """This half-year and the three before it, latest first."""
    periods, period = [], Period.containing(today)
    for _step in range(4):
        periods.append(period)
        period = Period.containing(period.start - timezone.timedelta(days=1))
    return periods


RATE_KEYS = ("response", "answered_on_time", "closed_on_time", "resolution", "satisfaction")


def _rates(row) -> dict:
    return {
        "response": row.response_rate,
        "answered_on_time": row.answered_on_time_rate,
        "closed_on_time": row.closed_on_time_rate,
        "resolution": row.resolution_rate,
        "satisfaction": row.satisfaction_rate,
    }


def _series(pairs) -> dict:
    """{"labels": [...], "response": [...], ...} from [(label, ComplaintFigures)]."""
    series = {"labels": [label for label, _row in pairs]}
    for key in RATE_KEYS:
        series[key] = [_rates(row)[key] for _label, row in pairs]
    return series


def chart_data(figures: metrics.Figures) -> dict:
    """What static/js/figures.js draws (passed with json_script, so no text is ever markup)."""
    return {
        "names": {
            "response": _("Response rate"),
            "answered_on_time": _("Answered-on-time rate"),
            "closed_on_time": _("Closed-on-time rate"),
            "resolution": _("Resolution rate"),
            "satisfaction": _("Satisfaction rate (call-backs and complainants)"),
            "owed": pgettext("figures", "Still owed (yuan)"),
            "paid": pgettext("figures", "Paid (yuan)"),
            "submitted": _("Applications submitted"),
            "repaired": _("Records repaired"),
        },
        "by_month": _series([(f"{month:%Y-%m}", row) for month, row in figures.complaints_by_month]),
        "by_department": _series([(dept.name, row) for dept, row in figures.complaints_by_department]),
        "arrears": {
            "labels": [dept.name for dept, _row in figures.arrears_by_department],
            "owed": [float(row.owed) for _dept, row in figures.arrears_by_department],
            "paid": [float(row.paid) for _dept, row in figures.arrears_by_department],
        },
        "repairs": {
            "labels": [f"{month:%Y-%m}" for month, _row in figures.repairs_by_month],
            "submitted": [row.submitted for _month, row in figures.repairs_by_month],
            "repaired": [row.repaired for _month, row in figures.repairs_by_month],
        },
    }


@login_required
@require_GET
@reads_from_replica
def figures(request):
    department = _scope(request)
    period = Period.from_params(request.GET)
    data = metrics.figures(period, department=department)
    supervising = selectors.can_supervise(request.user)
    return render(
        request,
        "cases/figures.html",
        {
            "figures": data,
            "period": period,
            "department": department,
            "supervising": supervising,
            "half_years": _half_years(timezone.localdate()),
            "departments": Department.objects.filter(active=True) if supervising else [],
            "chart_data": chart_data(data),
            "definitions": metrics.DEFINITIONS,
            "complaint_tables": [
                (pgettext("figures", "By month"), [(f"{month:%Y-%m}", row) for month, row in data.complaints_by_month]),
                (
                    pgettext("figures", "By department"),
                    [(dept.name, row) for dept, row in data.complaints_by_department],
                ),
                (pgettext("figures", "By subject"), [(name, row) for _code, name, row in data.complaints_by_subject]),
            ],
            "due_on": reports.due_on(period) if period.is_half_year else None,
            "month_from": request.GET.get("from", f"{period.start:%Y-%m}"),
            "month_to": request.GET.get("to", f"{period.end:%Y-%m}"),
        },
    )


@login_required
@require_GET
@reads_from_replica
def report_download(request, fmt: str):
    """The half-year report for the period asked for, as a workbook or a PDF (supervisors only)."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    if not selectors.can_supervise(request.user):
        raise PermissionDenied
    period = Period.from_params(request.GET)
    report = reports.build(period)
    body = reports.to_xlsx(report) if fmt == "xlsx" else reports.to_pdf(report)
    reports.record_export(actor=request.user, report=report, fmt=fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, report.filename(fmt))
    response["Cache-Control"] = "no-store"
    return response
