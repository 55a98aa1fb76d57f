"""Pages of the credit-repair workflow: the applicant's application page and the department's
queue and actions. Each POST calls one service; the state machine decides what is allowed."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.core import downloads, event_types, feedback, policies, selectors, services, staff_speed, standing, uploads
from cases.core.exceptions import InvalidInput
from cases.core.states import REPAIR_CLOSED, RepairStatus
from cases.infra.listing import Filter, Listing, Paging
from cases.infra.navigation import redirect_back
from cases.repair import services as repair
from cases.repair.models import Material, RepairApplication


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        # Shown without its <label> in each action's form: the name comes from aria-label.
        widget=forms.Textarea(attrs={"rows": 3, "aria-label": gettext_lazy("Reason")}),
        required=False,
    )


def _application(request, number: str) -> RepairApplication:
    case = get_object_or_404(selectors.cases_visible_to(request.user).filter(kind="repair"), number=number)
    return get_object_or_404(
        RepairApplication.objects.select_related("case", "record", "record__party", "record__department"), case=case
    )


def _back(application: RepairApplication):
    return redirect("repair-application", number=application.case.number)


@login_required
@require_POST
@feedback.back_on_refusal("my-records")
def start(request, record_id: int):
    application = repair.start_application(
        actor=request.user,
        record_id=record_id,
        statement=request.POST.get("statement", ""),
        basis=request.POST.get("basis") or "ordinary",
    )
    return _back(application)


@login_required
def application_page(request, number: str):
    return _render_application(request, _application(request, number))


def _render_application(request, application: RepairApplication, status: int = 200, **refused):
    """The application's page; after a refused step (`refused`: what was wrong and what the user
    typed) the same page again, the error next to the form it came from and nothing lost."""
    is_applicant = application.case.applicant_id == request.user.pk
    materials = list(application.materials.current())
    required = repair.application_materials(application)
    have = {material.code for material in materials}
    context = {
        "application": application,
        "case": application.case,
        "is_applicant": is_applicant,
        "required": [{**item, "uploaded": item["code"] in have} for item in required],
        "materials": materials,
        # Files the applicant replaced: a history for the office only, never listed as current.
        "replaced": [] if is_applicant else list(application.materials.replaced().order_by("-replaced_at", "-id")),
        "free_item_rows": range(1, FREE_ITEM_ROWS + 1),
        "conditions": repair.unmet_conditions(application) if application.case.state == RepairStatus.DRAFT else [],
        "timeline": selectors.case_timeline(application.case).exclude(
            event_type__in=event_types.HIDDEN_FROM_APPLICANT if is_applicant else ()
        ),
        "deadlines": application.case.deadlines.order_by("due_at"),
        "correction_due": application.case.deadlines.filter(step=repair.CORRECT, closed_at__isnull=True).first(),
        "notices": application.case.notices.all(),
        "reason_form": ReasonForm(initial={"reason": refused.get("typed_reason", "")}),
        "states": RepairStatus,
        "can_work": selectors.works_department_cases(request.user)
        and request.user.department_id == application.record.department_id,
        "can_approve": request.user.has_perm("cases.approve_department_decisions")
        and request.user.department_id == application.record.department_id,
        **refused,
    }
    return render(request, "cases/repair_application.html", context, status=status)


@login_required
@require_POST
def upload(request, number: str):
    """Upload one material. A refused file (too large, not a PDF/JPG/PNG, empty) is explained on
    the same page, next to the file field it was chosen in."""
    application = _application(request, number)
    code, upload_file = request.POST.get("code", ""), request.FILES.get("file")
    since = feedback.mark()
    try:
        if upload_file is None:
            raise InvalidInput(_("Choose a file to upload."))
        repair.add_material(actor=request.user, application_id=application.pk, code=code, upload=upload_file)
    except InvalidInput as exc:
        refused = {"code": code, "messages": feedback.refusal(exc), "file": upload_file.name if upload_file else ""}
        return _render_application(request, application, status=400, upload_error=refused)
    feedback.announce(request, application.case, since, file=uploads.safe_name(upload_file.name))
    return _back(application)


# The steps of the application page: what each one calls. A step refused for what was typed
# (a reason missing, a condition unmet) shows the same page again with the error at its form.
ACTIONS = {
    "submit": lambda user, pk, post: repair.submit(
        actor=user, application_id=pk, obligations_fulfilled=post.get("obligations") == "on",
        commitment_signed=post.get("commitment") == "on", statement=post.get("statement")),
    "save": lambda user, pk, post: repair.save_draft(
        actor=user, application_id=pk, statement=post.get("statement", ""),
        obligations_fulfilled=post.get("obligations") == "on", commitment_signed=post.get("commitment") == "on"),
    "resubmit": lambda user, pk, post: repair.resubmit(actor=user, application_id=pk),
    "withdraw": lambda user, pk, post: repair.withdraw(actor=user, application_id=pk),
    "accept": lambda user, pk, post: repair.accept(actor=user, application_id=pk),
    "notice": lambda user, pk, post: repair.issue_incomplete_notice(actor=user, application_id=pk, missing=[
        {"code": code, "reason": post.get(f"reason_{code}", "")} for code in post.getlist("missing")]
        + _free_items(post)),
    "refuse": lambda user, pk, post: repair.refuse(actor=user, application_id=pk, reason=post.get("reason", "")),
    "review": lambda user, pk, post: repair.start_review(actor=user, application_id=pk),
    "extend": lambda user, pk, post: repair.request_extension(actor=user, application_id=pk,
                                                              reason=post.get("reason", "")),
    "extension-approve": lambda user, pk, post: repair.decide_extension(actor=user, application_id=pk, approve=True),
    "extension-refuse": lambda user, pk, post: repair.decide_extension(actor=user, application_id=pk, approve=False,
                                                                       reason=post.get("reason", "")),
    "propose": lambda user, pk, post: repair.propose_decision(actor=user, application_id=pk,
                                                              approve=post.get("approve") == "yes",
                                                              reason=post.get("reason", "")),
    "approve": lambda user, pk, post: repair.approve_decision(actor=user, application_id=pk),
    "send-back": lambda user, pk, post: repair.send_back(actor=user, application_id=pk, reason=post.get("reason", "")),
    # The head refuses the repair proposed, with the reason the applicant reads.
    "reject": lambda user, pk, post: repair.approve_decision(actor=user, application_id=pk, approve=False,
                                                             reason=post.get("reason", "")),
    "decide-otherwise": lambda user, pk, post: repair.approve_decision(actor=user, application_id=pk,
                                                                       approve=post.get("approve") == "yes",
                                                                       reason=post.get("reason", "")),
    "revoke": lambda user, pk, post: repair.revoke(actor=user, application_id=pk, reason=post.get("reason", "")),
}  # fmt: skip


@login_required
@require_POST
def act(request, number: str, action: str):
    """One action on the application; `action` names the service."""
    if action not in ACTIONS:
        raise Http404
    application = _application(request, number)
    post = request.POST
    since = feedback.mark()
    try:
        ACTIONS[action](request.user, application.pk, post)
    except feedback.REFUSED as exc:
        return _render_application(request, application, status=feedback.status_of(exc), refused_action=action,
                                   refused_messages=feedback.refusal(exc), typed_reason=post.get("reason", ""),
                                   typed_missing={code: post.get(f"reason_{code}", "") for code in
                                                  post.getlist("missing")},
                                   ticked={"obligations": post.get("obligations") == "on",
                                           "commitment": post.get("commitment") == "on"})  # fmt: skip
    feedback.announce(request, application.case, since, days=policies.working_days("repair", "accept_within"))
    if action == "submit":
        return redirect("case-receipt", number=application.case.number)  # the receipt, printable
    return _back(application)


# How many free items (beyond the policy's materials) the one-time notice form offers.
FREE_ITEM_ROWS = 5


def _free_items(post) -> list[dict]:
    """The free items typed on the one-time notice form, rows left empty dropped."""
    items = []
    for row in range(1, FREE_ITEM_ROWS + 1):
        name, reason = post.get(f"free_name_{row}", "").strip(), post.get(f"free_reason_{row}", "").strip()
        if name or reason:
            items.append({"name": name, "reason": reason})
    return items


@login_required
@require_POST
@feedback.back_on_refusal("repair-queue")
def claim(request, case_id: int):
    since = feedback.mark()
    case = services.claim_case(case_id=case_id, actor=request.user)
    feedback.announce(request, case, since, otherwise=event_types.EventType.CASE_CLAIMED)
    return redirect_back(request, "repair-queue")


@login_required
@require_POST
@feedback.back_on_refusal("repair-queue")
def release(request, case_id: int):
    since = feedback.mark()
    case = services.release_case(case_id=case_id, actor=request.user)
    feedback.announce(request, case, since, otherwise=event_types.EventType.CASE_RELEASED)
    return redirect_back(request, "repair-queue")


@login_required
def material_file(request, material_id: int):
    return downloads.kept_file(request, Material.objects.select_related("application"), material_id,
                               case_of=lambda material: material.application.case_id)  # fmt: skip


@login_required
def my_applications(request):
    cases = selectors.cases_visible_to(request.user).filter(kind="repair", applicant=request.user)
    listing = Listing(request, cases.select_related("repair").order_by("-created_at"), paging=Paging.NONE)
    return render(request, "cases/my_applications.html", {"cases": standing.annotate(listing.rows)})


# The queue's filter for the department head: extensions proposed and awaiting approval.
EXTENSION_PROPOSED = "extension_proposed"


def _by_state(cases, state: str):
    if state == "open":
        return cases.filter(closed_at__isnull=True).exclude(state__in=REPAIR_CLOSED)
    if state == EXTENSION_PROPOSED:
        return cases.filter(closed_at__isnull=True, repair__extension_requested_at__isnull=False)
    if state in RepairStatus.values:
        return cases.filter(state=state)
    return cases


def _by_holder(user) -> Filter:
    def apply(cases, holder: str):
        if holder == "mine":
            return cases.filter(assignee=user)
        if holder == "unclaimed":
            return cases.filter(assignee__isnull=True)
        return cases

    return Filter("holder", apply, strip=False)


@login_required
@staff_speed.with_default_filter("repair-queue")
def queue(request):
    user = request.user
    if not selectors.works_department_cases(user):
        raise PermissionDenied
    cases = selectors.queue_cases(user, "repair").exclude(state=RepairStatus.DRAFT)
    listing = Listing(request, cases, (_by_holder(user), Filter("state", _by_state, default="open", strip=False)))
    return render(request, "cases/repair_queue.html", listing.context(states=RepairStatus.choices, now=timezone.now()))
