"""Pages for published credit records: a department registers them one by one or in bulk;
an applicant sees the records about their entity and when each becomes repairable."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import documents, feedback, identity, selectors, staff_speed, standing
from cases.core.models import Notice
from cases.core.states import OBJECTION_CLOSED, REPAIR_CLOSED
from cases.infra import csv_export
from cases.infra.listing import Filter, Listing, Paging
from cases.records import importing as record_import
from cases.records import services as record_services
from cases.records import windows as records
from cases.records.forms import CreditRecordForm, NotRepairableForm, RecordImportForm
from cases.repair.models import Objection, RepairApplication


def _require_department_staff(user) -> None:
    if not selectors.works_department_cases(user):
        raise PermissionDenied


def _search(found, query: str):
    if not query:
        return found
    return found.filter(
        Q(party__name__icontains=query) | Q(party__id_number=query.upper()) | Q(decision_number__icontains=query)
    )


@login_required
@staff_speed.with_default_filter("records")
def record_list(request):
    user = request.user
    if not (selectors.works_department_cases(user) or selectors.can_supervise(user)):
        raise PermissionDenied
    listing = Listing(
        request, selectors.credit_records_visible_to(user), (Filter("q", _search),), paging=Paging.COUNTED
    )
    return render(request, "cases/record_list.html", listing.context(today=timezone.localdate()))


@login_required
def record_new(request):
    _require_department_staff(request.user)
    form = CreditRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_services.register_credit_record(actor=request.user, data=form.cleaned_data)
        except feedback.REFUSED as error:
            return feedback.form_again(request, "cases/record_form.html", {"form": form}, error)
        messages.success(
            request,
            _("Record %(number)s registered: repairable from %(from)s, displayed until %(until)s.")
            % {"number": record.decision_number, "from": record.repairable_from, "until": record.display_until},
        )
        return redirect("records")
    return render(request, "cases/record_form.html", {"form": form}, status=feedback.status_after(request, form))


@login_required
def record_import_view(request):
    _require_department_staff(request.user)
    form = RecordImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = record_import.import_records(actor=request.user, upload=form.cleaned_data["file"])
        except feedback.REFUSED as error:
            return feedback.form_again(request, "cases/record_import.html", {"form": form, "report": None}, error)
    context = {"form": form, "report": report}
    return render(request, "cases/record_import.html", context, status=feedback.status_after(request, form))


@login_required
def record_import_template(request):
    _require_department_staff(request.user)
    example = ["企业", "示例有限公司", "91350100M000100Y43", "行政处罚", "甘市监罚〔2026〕1号", "2026-01-05", "一般",
               "未按规定公示年度报告，罚款 2000 元", "2026-01-05"]  # fmt: skip
    return csv_export.csv_response("credit-records-template.csv", [record_import.TEMPLATE_HEADER, example])


@login_required
def record_not_repairable(request, record_id: int):
    """The deciding department marks its record as not repairable, with the legal basis (or lifts it)."""
    _require_department_staff(request.user)
    record = get_object_or_404(
        selectors.credit_records_visible_to(request.user).filter(department_id=request.user.department_id),
        pk=record_id,
    )
    initial = {"not_repairable": record.not_repairable, "basis": record.not_repairable_basis}
    form = NotRepairableForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_services.mark_not_repairable(actor=request.user, record_id=record.pk,
                                                not_repairable=form.cleaned_data["not_repairable"],
                                                basis=form.cleaned_data["basis"])  # fmt: skip
        except feedback.REFUSED as error:
            context = {"form": form, "record": record}
            return feedback.form_again(request, "cases/record_not_repairable.html", context, error)
        messages.success(request, _("Repair eligibility of %(number)s saved.") % {"number": record.decision_number})
        return redirect("records")
    context = {"form": form, "record": record}
    return render(request, "cases/record_not_repairable.html", context, status=feedback.status_after(request, form))


@login_required
def my_records(request):
    today = timezone.localdate()
    user = request.user
    entity = identity.entity_of(user)
    found = (
        selectors.credit_records_visible_to(user)
        .filter(party__kind=entity[0], party__id_number=entity[1])
        .prefetch_related("notices")
        if entity
        else []
    )
    found = Listing(request, found, paging=Paging.NONE).rows
    # The open application and objection on each record, with where each stands.
    open_applications = {
        application.record_id: application.case
        for application in RepairApplication.objects.filter(record__in=found, case__applicant=user)
        .exclude(case__state__in=REPAIR_CLOSED)
        .select_related("case")
    }
    open_objections = {
        objection.record_id: objection.case
        for objection in Objection.objects.filter(record__in=found, case__applicant=user)
        .exclude(case__state__in=OBJECTION_CLOSED)
        .select_related("case")
    }
    standing.annotate([*open_applications.values(), *open_objections.values()])
    rows = [
        {"record": record, "repairable": records.is_repairable(record, today) and not record.under_objection,
         "open": open_applications.get(record.pk), "objection": open_objections.get(record.pk)}
        for record in found
    ]  # fmt: skip
    return render(
        request, "cases/my_records.html", {"rows": rows, "today": today, "binding": identity.binding_of(user)}
    )


@login_required
def notice_pdf(request, notice_id: int):
    notice = get_object_or_404(Notice.objects.select_related("case", "record"), pk=notice_id)
    visible = (
        selectors.cases_visible_to(request.user).filter(pk=notice.case_id).exists()
        if notice.case_id
        else selectors.credit_records_visible_to(request.user).filter(pk=notice.record_id).exists()
    )
    if not visible:
        raise Http404
    user = request.user
    staff = selectors.works_department_cases(user) or selectors.can_supervise(user)
    staff = staff or user.has_perm("cases.register_complaints")
    response = HttpResponse(documents.pdf_of(notice, masked=not staff), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{notice.number}.pdf"'
    return response
