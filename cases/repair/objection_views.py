"""Pages of credit information objections: the entity's form from its records, the objection's
page, and the department's queue and actions. Each POST calls one service of
cases/repair/objections.py; the state machine decides what is allowed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.core import event_types, identity, policies, selectors, staff_speed
from cases.core.exceptions import InvalidInput
from cases.core.states import OBJECTION_CLOSED, ObjectionStatus
from cases.infra.listing import Filter, Listing
from cases.repair import objections
from cases.repair.models import Objection, ObjectionEvidence


def _own_record(request, record_id: int):
    """A record about the entity the user acts for; anyone else's is not shown to exist."""
    entity = identity.entity_of(request.user)
    if entity is None:
        raise Http404
    kind, number = entity
    records = selectors.credit_records_visible_to(request.user).filter(party__kind=kind, party__id_number=number)
    return get_object_or_404(records, pk=record_id)


@login_required
def objection_new(request, record_id: int):
    record = _own_record(request, record_id)
    if request.method == "POST":
        try:
            objection = objections.raise_objection(
                actor=request.user,
                record_id=record.pk,
                reasons=request.POST.get("reasons", ""),
                evidence=request.FILES.getlist("evidence"),
            )
        except InvalidInput as exc:
            errors = [str(message) for messages_ in (exc.details or {}).values() for message in messages_]
            context = {"record": record, "errors": errors or [str(exc)], "reasons": request.POST.get("reasons", "")}
            return render(request, "cases/objection_form.html", context, status=400)
        messages.success(
            request,
            _("Your objection is raised. The department checks it within %(days)d working days.")
            % {"days": policies.working_days("objection", "check_within")},
        )
        return redirect("objection", number=objection.case.number)
    context = {"record": record, "open": objections.open_objection_of(record)}
    return render(request, "cases/objection_form.html", context)


def _objection(request, number: str) -> Objection:
    case = get_object_or_404(selectors.cases_visible_to(request.user).filter(kind="objection"), number=number)
    return get_object_or_404(
        Objection.objects.select_related("case", "record", "record__party", "record__department"), case=case
    )


@login_required
def objection_page(request, number: str):
    objection = _objection(request, number)
    user = request.user
    is_entity = objection.case.applicant_id == user.pk
    context = {
        "objection": objection,
        "case": objection.case,
        "record": objection.record,
        "evidence": objection.evidence.all(),
        "states": ObjectionStatus,
        "timeline": selectors.case_timeline(objection.case).exclude(
            event_type__in=event_types.HIDDEN_FROM_APPLICANT if is_entity else ()
        ),
        "deadlines": objection.case.deadlines.order_by("due_at"),
        "notices": objection.case.notices.all(),
        "can_work": selectors.works_department_cases(user) and user.department_id == objection.record.department_id,
    }
    return render(request, "cases/objection.html", context)


@login_required
@require_POST
def act(request, number: str, action: str):
    objection = _objection(request, number)
    pk, user, post = objection.pk, request.user, request.POST
    if action == "start":
        objections.start_check(actor=user, objection_id=pk)
    elif action == "correct":
        changes = {name: post.get(name, "") for name in objections.CORRECTABLE}
        objections.correct(actor=user, objection_id=pk, changes=changes, reason=post.get("reason", ""))
    elif action == "confirm":
        objections.confirm(actor=user, objection_id=pk, reason=post.get("reason", ""))
    elif action == "withdraw-record":
        objections.withdraw_record(actor=user, objection_id=pk, reason=post.get("reason", ""))
    else:
        raise Http404
    return redirect("objection", number=objection.case.number)


@login_required
def evidence_file(request, evidence_id: int):
    evidence = get_object_or_404(ObjectionEvidence.objects.select_related("objection"), pk=evidence_id)
    if not selectors.cases_visible_to(request.user).filter(pk=evidence.objection.case_id).exists():
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                        content_type=evidence.content_type)  # fmt: skip


def _by_state(cases, state: str):
    if state == "open":
        return cases.exclude(state__in=OBJECTION_CLOSED)
    if state in ObjectionStatus.values:
        return cases.filter(state=state)
    return cases


@login_required
@staff_speed.with_default_filter("objection-queue")
def queue(request):
    """The department's objections, most urgent first (supervisors see every department's)."""
    if not (selectors.works_department_cases(request.user) or selectors.can_supervise(request.user)):
        raise PermissionDenied
    cases = selectors.queue_cases(request.user, "objection")
    listing = Listing(request, cases, (Filter("state", _by_state, default="open", strip=False),))
    context = listing.context(states=ObjectionStatus.choices, now=timezone.now())
    return render(request, "cases/objection_queue.html", context)
