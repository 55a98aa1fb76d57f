"""Pages of the credit-repair workflow: the applicant's application page and the department's
queue and actions. Each POST calls one service; the state machine decides what is allowed."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.core import event_types, policies, selectors, services
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
    application = _application(request, number)
    is_applicant = application.case.applicant_id == request.user.pk
    materials = list(application.materials.all())
    required = repair.application_materials(application)
    have = {material.code for material in materials}
    context = {
        "application": application,
        "case": application.case,
        "is_applicant": is_applicant,
        "required": [{**item, "uploaded": item["code"] in have} for item in required],
        "materials": materials,
        "conditions": repair.unmet_conditions(application) if application.case.state == RepairStatus.DRAFT else [],
        "timeline": selectors.case_timeline(application.case).exclude(
            event_type__in=event_types.HIDDEN_FROM_APPLICANT if is_applicant else ()
        ),
        "deadlines": application.case.deadlines.order_by("due_at"),
        "correction_due": application.case.deadlines.filter(step=repair.CORRECT, closed_at__isnull=True).first(),
        "notices": application.case.notices.all(),
        "reason_form": ReasonForm(),
        "states": RepairStatus,
        "can_work": selectors.works_department_cases(request.user)
        and request.user.department_id == application.record.department_id,
        "can_approve": request.user.has_perm("cases.approve_department_decisions")
        and request.user.department_id == application.record.department_id,
    }
    return render(request, "cases/repair_application.html", context)


@login_required
@require_POST
def upload(request, number: str):
    application = _application(request, number)
    upload_file = request.FILES.get("file")
    if upload_file is None:
        raise InvalidInput(_("Choose a file to upload."))
    repair.add_material(actor=request.user, application_id=application.pk, code=request.POST.get("code", ""),
                        upload=upload_file)  # fmt: skip
    messages.success(request, _("Uploaded."))
    return _back(application)


@login_required
@require_POST
def act(request, number: str, action: str):
    """One action on the application; `action` names the service."""
    application = _application(request, number)
    pk, user, post = application.pk, request.user, request.POST
    if action == "submit":
        repair.submit(actor=user, application_id=pk, obligations_fulfilled=post.get("obligations") == "on",
                      commitment_signed=post.get("commitment") == "on")  # fmt: skip
        days = policies.working_days("repair", "accept_within")
        messages.success(
            request, _("Submitted. The department decides on acceptance within %(days)d working days.") % {"days": days}
        )
    elif action == "resubmit":
        repair.resubmit(actor=user, application_id=pk)
    elif action == "withdraw":
        repair.withdraw(actor=user, application_id=pk)
    elif action == "accept":
        repair.accept(actor=user, application_id=pk)
    elif action == "notice":
        missing = [{"code": code, "reason": post.get(f"reason_{code}", "")} for code in post.getlist("missing")]
        repair.issue_incomplete_notice(actor=user, application_id=pk, missing=missing)
    elif action == "refuse":
        repair.refuse(actor=user, application_id=pk, reason=post.get("reason", ""))
    elif action == "review":
        repair.start_review(actor=user, application_id=pk)
    elif action == "extend":
        repair.request_extension(actor=user, application_id=pk, reason=post.get("reason", ""))
    elif action == "extension-approve":
        repair.decide_extension(actor=user, application_id=pk, approve=True)
    elif action == "extension-refuse":
        repair.decide_extension(actor=user, application_id=pk, approve=False, reason=post.get("reason", ""))
    elif action == "propose":
        repair.propose_decision(actor=user, application_id=pk, approve=post.get("approve") == "yes",
                                reason=post.get("reason", ""))  # fmt: skip
    elif action == "approve":
        repair.approve_decision(actor=user, application_id=pk)
    elif action == "send-back":
        repair.send_back(actor=user, application_id=pk, reason=post.get("reason", ""))
    elif action == "decide-otherwise":
        repair.approve_decision(actor=user, application_id=pk, approve=post.get("approve") == "yes",
                                reason=post.get("reason", ""))  # fmt: skip
    elif action == "revoke":
        repair.revoke(actor=user, application_id=pk, reason=post.get("reason", ""))
    else:
        raise Http404
    return _back(application)


@login_required
@require_POST
def claim(request, case_id: int):
    case = services.claim_case(case_id=case_id, actor=request.user)
    messages.success(request, _("Case %(number)s is yours now.") % {"number": case.number})
    return redirect_back(request, "repair-queue")


@login_required
@require_POST
def release(request, case_id: int):
    case = services.release_case(case_id=case_id, actor=request.user)
    messages.success(request, _("Case %(number)s is back in the department's queue.") % {"number": case.number})
    return redirect_back(request, "repair-queue")


@login_required
def material_file(request, material_id: int):
    material = get_object_or_404(Material.objects.select_related("application__case"), pk=material_id)
    if not selectors.cases_visible_to(request.user).filter(pk=material.application.case_id).exists():
        raise Http404
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.original_name,
                        content_type=material.content_type)  # fmt: skip


@login_required
def my_applications(request):
    cases = selectors.cases_visible_to(request.user).filter(kind="repair", applicant=request.user)
    listing = Listing(request, cases.select_related("repair").order_by("-created_at"), paging=Paging.NONE)
    return render(request, "cases/my_applications.html", {"cases": listing.rows})


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
def queue(request):
    user = request.user
    if not selectors.works_department_cases(user):
        raise PermissionDenied
    cases = selectors.queue_cases(user, "repair").exclude(state=RepairStatus.DRAFT)
    listing = Listing(request, cases, (_by_holder(user), Filter("state", _by_state, default="open", strip=False)))
    return render(request, "cases/repair_queue.html", listing.context(states=RepairStatus.choices, now=timezone.now()))
