"""Pages of credit information objections: the entity's form from its records, the objection's
page, and the department's queue and actions. Each POST calls one service of
cases/repair/objections.py; the state machine decides what is allowed."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.core import downloads, event_types, feedback, identity, policies, selectors, staff_speed
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
        since = feedback.mark()
        try:
            objection = objections.raise_objection(
                actor=request.user,
                record_id=record.pk,
                reasons=request.POST.get("reasons", ""),
                evidence=request.FILES.getlist("evidence"),
            )
        except feedback.REFUSED as exc:
            context = {"record": record, "errors": feedback.refusal(exc), "reasons": request.POST.get("reasons", "")}
            return render(request, "cases/objection_form.html", context, status=feedback.status_of(exc))
        feedback.announce(request, objection.case, since, days=policies.working_days("objection", "check_within"))
        # The receipt: the case number, the verification code and the check's due date, printable.
        return redirect("case-receipt", number=objection.case.number)
    context = {"record": record, "open": objections.open_objection_of(record)}
    return render(request, "cases/objection_form.html", context)


def _objection(request, number: str) -> Objection:
    case = get_object_or_404(selectors.cases_visible_to(request.user).filter(kind="objection"), number=number)
    return get_object_or_404(
        Objection.objects.select_related("case", "record", "record__party", "record__department"), case=case
    )


@login_required
def objection_page(request, number: str):
    return _render_objection(request, _objection(request, number))


def _render_objection(request, objection: Objection, status: int = 200, **refused):
    """The objection's page; after a refused step the same page again with the error at its form
    and what was typed put back (static/js/forms.js)."""
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
        **refused,
    }
    return render(request, "cases/objection.html", context, status=status)


@login_required
@require_POST
def act(request, number: str, action: str):
    objection = _objection(request, number)
    pk, user, post = objection.pk, request.user, request.POST
    steps = {
        "start": lambda: objections.start_check(actor=user, objection_id=pk),
        "correct": lambda: objections.correct(actor=user, objection_id=pk, reason=post.get("reason", ""),
                                              changes={name: post.get(name, "") for name in objections.CORRECTABLE}),
        "confirm": lambda: objections.confirm(actor=user, objection_id=pk, reason=post.get("reason", "")),
        "withdraw-record": lambda: objections.withdraw_record(actor=user, objection_id=pk,
                                                              reason=post.get("reason", "")),
    }  # fmt: skip
    if action not in steps:
        raise Http404
    since = feedback.mark()
    try:
        steps[action]()
    except feedback.REFUSED as exc:
        return _render_objection(request, objection, **feedback.again(exc, post, action))
    feedback.announce(request, objection.case, since)
    return redirect("objection", number=objection.case.number)


@login_required
def evidence_file(request, evidence_id: int):
    return downloads.kept_file(request, ObjectionEvidence.objects.select_related("objection"), evidence_id,
                               case_of=lambda evidence: evidence.objection.case_id)  # fmt: skip


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
    cases = selectors.with_concerns(selectors.queue_cases(request.user, "objection"))
    listing = Listing(request, cases, (Filter("state", _by_state, default="open", strip=False),))
    context = listing.context(states=ObjectionStatus.choices, now=timezone.now())
    return render(request, "cases/objection_queue.html", context)
