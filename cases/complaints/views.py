"""Pages of the complaint workflow: the complainant files and follows; clerks register and route;
the department answers; supervisors decide extensions and review. Each POST calls one service."""

import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from cases.complaints import arrears, bulk, callbacks, rectification
from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import (
    CallBack,
    Channel,
    Complaint,
    ComplaintEvidence,
    EntryKind,
    Finding,
    IntegrityEntry,
    Remedy,
    RespondentBody,
    SatisfactionSource,
)
from cases.core import (
    department_options,
    downloads,
    event_types,
    feedback,
    identity,
    policies,
    selectors,
    staff_speed,
    standing,
)
from cases.core import services as case_services
from cases.core.exceptions import InvalidInput, NotFound
from cases.core.forms import MaterialFilesField, clean_phone
from cases.core.models import Department
from cases.core.models.org import EntityKind
from cases.core.states import COMPLAINT_WITHDRAWABLE, ComplaintStatus
from cases.infra.listing import Filter, Listing, Paging
from cases.infra.navigation import redirect_back

WEBSITE = "website"


class FilingForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    respondent = forms.CharField(label=gettext_lazy("Respondent body"), max_length=200)
    subject = forms.ChoiceField(label=gettext_lazy("Subject"))
    facts = forms.CharField(label=gettext_lazy("Facts"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    amount_claimed = forms.DecimalField(
        label=gettext_lazy("Amount owed (yuan), for arrears"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("Required for an arrears complaint."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        subjects = policies.named_choices("complaint", "subjects")
        self.fields["subject"].choices = [(i["code"], i["name"]) for i in subjects]

    def clean(self):
        data = super().clean()
        if "subject" in data and "amount_claimed" not in self.errors:
            try:
                data["amount_claimed"] = arrears.check_claim(data["subject"], data.get("amount_claimed"))
            except InvalidInput as exc:
                for field, problems in exc.details.items():
                    self.add_error(field, problems)
        return data


class PortalFilingForm(FilingForm):
    """The complainant's own form: who to contact about it, and the evidence."""

    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=25,
                                    help_text=gettext_lazy("Mobile (13812345678) or landline with area code "
                                                           "(0936-8212345)."))  # fmt: skip
    contact_email = forms.EmailField(label=gettext_lazy("Contact e-mail (optional)"), required=False, max_length=254)
    evidence = MaterialFilesField(label=gettext_lazy("Evidence (contract, invoice, acceptance record…)"),
                                  max_files=complaints.MAX_EVIDENCE_FILES,
                                  help_text=gettext_lazy("PDF, JPG or PNG, at most 10 MB each."))  # fmt: skip

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])


class CounterForm(FilingForm):
    complainant_name = forms.CharField(label=gettext_lazy("Complainant"), max_length=100)
    complainant_phone = forms.CharField(label=gettext_lazy("Complainant's phone"), max_length=25, required=False)
    enterprise_name = forms.CharField(label=gettext_lazy("Enterprise"), max_length=200)
    enterprise_uscc = forms.CharField(label=gettext_lazy("Enterprise's unified social credit code"), max_length=30)
    how = forms.ChoiceField(
        label=gettext_lazy("Received by"),
        choices=[("phone", gettext_lazy("Telephone")), ("counter", gettext_lazy("At the counter"))],
    )

    field_order = ["how", "complainant_name", "complainant_phone", "enterprise_name", "enterprise_uscc"]

    def clean_complainant_phone(self):
        return clean_phone(self.cleaned_data["complainant_phone"])

    def clean_enterprise_uscc(self):
        from django.core.exceptions import ValidationError

        from cases.core import identifiers

        try:
            return identifiers.validate_uscc(self.cleaned_data["enterprise_uscc"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


# The clerks' own channels: (Chinese name, English name).
COUNTER_CHANNELS = {
    "phone": ("电话登记", "Registered by telephone"),
    "counter": ("窗口登记", "Registered at the counter"),
}


@login_required
def register_counter_complaint(request):
    """A clerk enters a complaint made by telephone or at the counter."""
    if not request.user.has_perm("cases.register_complaints"):
        raise PermissionDenied
    form = CounterForm(request.POST or None, initial={"token": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # These channels send no signed requests: their secret only has to exist.
        channel, _created = Channel.objects.get_or_create(code=data["how"], defaults={
            "name": COUNTER_CHANNELS[data["how"]][0], "name_en": COUNTER_CHANNELS[data["how"]][1],
            "secret": uuid.uuid4().hex, "callback_required": True,
        })  # fmt: skip
        try:
            complaint, _created = complaint_intake.receive(channel=channel, data={
                "reference": f"CTR-{data['token']}", "complainant_name": data["complainant_name"],
                "complainant_phone": data.get("complainant_phone") or "", "enterprise_name": data["enterprise_name"],
                "enterprise_uscc": data["enterprise_uscc"], "respondent": data["respondent"],
                "subject": data["subject"], "facts": data["facts"], "amount_claimed": data["amount_claimed"],
            })  # fmt: skip
        except feedback.REFUSED as error:
            return feedback.form_again(request, "cases/complaint_file.html", {"form": form, "counter": True}, error)
        return redirect("complaint", number=complaint.case.number)
    context = {"form": form, "counter": True}
    return render(request, "cases/complaint_file.html", context, status=feedback.status_after(request, form))


def _complaint(request, number: str) -> Complaint:
    case = get_object_or_404(selectors.cases_visible_to(request.user).filter(kind="complaint"), number=number)
    return get_object_or_404(Complaint.objects.select_related("case", "channel"), case=case)


@login_required
def file_complaint(request):
    user = request.user
    binding = identity.binding_of(user)
    if not user.has_perm("cases.file_cases") or binding is None or binding.entity_kind != EntityKind.ENTERPRISE:
        raise PermissionDenied
    initial = {"token": uuid.uuid4().hex, "contact_name": user.full_name, "contact_phone": user.phone}
    form = PortalFilingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = _file_online(user, binding, form.cleaned_data)
        except feedback.REFUSED as error:
            return feedback.form_again(request, "cases/complaint_file.html", {"form": form}, error)
        # The receipt: the case number and the verification code for the tracking page, printable.
        return redirect("case-receipt", number=complaint.case.number)
    return render(request, "cases/complaint_file.html", {"form": form}, status=feedback.status_after(request, form))


def _file_online(user, binding, data) -> Complaint:
    channel = Channel.objects.filter(code=WEBSITE).first()
    if channel is None:
        raise InvalidInput(_("Online filing is not open: the website channel is not set up."))
    with transaction.atomic():  # the complaint and its evidence are filed together, or not at all
        complaint, created = complaint_intake.receive(channel=channel, data={
            # the form's one-time token is the reference: a double click files one complaint
            "reference": f"WEB-{data['token']}", "complainant_name": data["contact_name"],
            "complainant_phone": data["contact_phone"], "complainant_email": data["contact_email"],
            "enterprise_name": binding.entity_name or user.entity_name, "enterprise_uscc": binding.id_number,
            "respondent": data["respondent"], "subject": data["subject"], "facts": data["facts"],
            "amount_claimed": data["amount_claimed"], "complainant": user,
        })  # fmt: skip
        for upload in data["evidence"] if created else []:
            complaints.add_evidence(actor=user, complaint_id=complaint.pk, upload=upload)
    return complaint


@login_required
@require_POST
def evidence_upload(request, number: str):
    """The complainant adds evidence files to their complaint while it is open; a refused upload
    shows the complaint's page again with the reason at the upload form."""
    complaint = _complaint(request, number)
    files = request.FILES.getlist("evidence")
    try:
        if not files:
            raise InvalidInput(details={"evidence": [_("Choose a file to upload.")]})
        with transaction.atomic():
            for upload in files:
                complaints.add_evidence(actor=request.user, complaint_id=complaint.pk, upload=upload)
    except feedback.REFUSED as error:
        return _render_complaint(request, complaint, **feedback.again(error, request.POST, "evidence"))
    messages.success(request, _("Evidence uploaded: %(count)d file(s).") % {"count": len(files)})
    return redirect("complaint", number=number)


@login_required
def evidence_file(request, evidence_id: int):
    """An evidence file, for the complainant and the staff who see the complaint; 404 for anyone else."""
    return downloads.kept_file(request, ComplaintEvidence.objects.select_related("complaint"), evidence_id,
                               case_of=lambda evidence: evidence.complaint.case_id)  # fmt: skip


@login_required
def complaint_page(request, number: str):
    return _render_complaint(request, _complaint(request, number))


def _render_complaint(request, complaint: Complaint, status: int = 200, **refused):
    """The complaint's page; after a refused step (`refused`) the same page again with the error
    at the form it came from and what was typed put back (static/js/forms.js)."""
    user = request.user
    case = complaint.case
    is_complainant = complaint.complainant_id == user.pk
    timeline = selectors.case_timeline(case)
    if is_complainant:
        timeline = timeline.exclude(event_type__in=event_types.HIDDEN_FROM_APPLICANT)
    arrears = complaint.subject == "arrears"
    is_clerk = user.has_perm("cases.register_complaints")
    is_supervisor = selectors.can_supervise(user)
    registering = is_clerk and case.state in (ComplaintStatus.RECEIVED, ComplaintStatus.REGISTERED)
    receiving = is_clerk and case.state == ComplaintStatus.RECEIVED
    routing = is_clerk and case.state == ComplaintStatus.REGISTERED
    matched = complaints.matching_body(complaint.respondent) if receiving else None
    rectify_deadline = rectification.rectification_deadline(complaint) if complaint.remedy else None
    return render(request, "cases/complaint.html", {
        "duplicates": complaints.possible_duplicates(complaint) if registering else [],
        "arrears": arrears, "paid": complaints.paid_total(complaint) if arrears else None,
        "owed": complaints.owed(complaint) if arrears else None,
        "payments": complaint.payments.all() if arrears else [], "instalments": complaint.instalments.all(),
        "complaint": complaint, "case": case, "states": ComplaintStatus, "findings": Finding.choices,
        "is_complainant": is_complainant, "timeline": timeline,
        "deadlines": _named(case.deadlines.order_by("due_at")),
        "is_clerk": is_clerk,
        "bodies": RespondentBody.objects.filter(active=True).select_related("supervising_department")
        if receiving else [],
        "matched_body": matched, "proposed": complaints.proposed_department(complaint) if routing else None,
        "is_department": selectors.works_department_cases(user) and user.department_id == case.department_id,
        "is_supervisor": is_supervisor,
        # verifying a rectification and confirming a breach: the clerks or the supervisors
        "may_verify": is_clerk or is_supervisor,
        "subjects": policies.named_choices("complaint", "subjects"),
        "departments": Department.objects.filter(active=True, is_supervising_unit=False),
        "remedies": Remedy.choices, "rectify_default": policies.working_days("complaint", "rectify_within"),
        "rectify_deadline": rectify_deadline,
        "rectify_overdue": rectify_deadline is not None and rectify_deadline.due_at <= timezone.now(),
        "may_withdraw": case.state in COMPLAINT_WITHDRAWABLE,
        "awaiting_confirmation": case.state in callbacks.AWAITING_CONFIRMATION,
        "callbacks": complaint.callbacks_made.select_related("made_by") if is_clerk or is_supervisor else [],
        "opinions": CallBack.Opinion.choices, "satisfaction": satisfaction_label(complaint),
        "dissatisfaction": selectors.concerns_of(case).get("dissatisfaction") if complaint.reopen_count else "",
        "evidence": complaint.evidence.all(), "may_add_evidence": is_complainant and case.closed_at is None,
        **refused,
    }, status=status)  # fmt: skip


def _named(deadlines) -> list:
    """The deadlines with the name their step reads by in the page's language (a deadline's stored
    label is in the language it was set in); an instalment's keeps its own."""
    deadlines = list(deadlines)
    for deadline in deadlines:
        deadline.name = deadline.step_name
    return deadlines


def satisfaction_label(complaint: Complaint) -> str:
    """How the complainant's satisfaction was recorded, as the page says it: their own word, a
    call-back's (满意（回访）), or deemed for want of an answer (视为满意)."""
    source = complaint.satisfaction_source
    if not source:
        return ""
    if source == SatisfactionSource.DEEMED:
        return _("Deemed satisfied")
    if source == SatisfactionSource.CALLBACK:
        if complaint.satisfied is None:
            return _("No opinion (call-back)")
        return _("Satisfied (call-back)") if complaint.satisfied else _("Not satisfied (call-back)")
    if complaint.satisfied is False:
        return _("Not satisfied")
    if source == SatisfactionSource.CHANNEL:
        return _("Satisfied (relayed by the channel)")
    return _("Satisfied (the complainant)")


@login_required
@require_POST
def complaint_act(request, number: str, action: str):
    complaint = _complaint(request, number)
    pk, user, post = complaint.pk, request.user, request.POST
    actions = {
        "register": lambda: complaints.register(actor=user, complaint_id=pk, subject=post.get("subject", ""),
                                                respondent=post.get("respondent", ""),
                                                respondent_body_id=_whole(post.get("respondent_body"),
                                                                          "respondent_body") or None),
        "reject": lambda: complaints.reject(actor=user, complaint_id=pk, reason=post.get("reason", "")),
        "assign": lambda: complaints.assign(actor=user, complaint_id=pk,
                                            department_id=_whole(post.get("department"), "department")),
        "return": lambda: complaints.return_misrouted(actor=user, complaint_id=pk, reason=post.get("reason", "")),
        "start": lambda: complaints.start_work(actor=user, complaint_id=pk),
        "extension": lambda: complaints.request_extension(actor=user, complaint_id=pk,
                                                          working_days=_whole(post.get("days"), "days"),
                                                          reason=post.get("reason", "")),
        "decide-extension": lambda: complaints.decide_extension(actor=user, complaint_id=pk,
                                                                approve=post.get("approve") == "yes"),
        "answer": lambda: complaints.answer(actor=user, complaint_id=pk, finding=post.get("finding", ""),
                                            text=post.get("text", ""), remedy=post.get("remedy", ""),
                                            rectify_days=_whole(post.get("rectify_days"), "rectify_days") or None),
        "request-return": lambda: complaints.request_return(actor=user, complaint_id=pk,
                                                            reason=post.get("reason", "")),
        "decide-return": lambda: complaints.decide_return(actor=user, complaint_id=pk,
                                                          approve=post.get("approve") == "yes",
                                                          note=post.get("note", "")),
        "withdraw": lambda: complaints.withdraw(actor=user, complaint_id=pk, reason=post.get("reason", "")),
        "report-rectified": lambda: rectification.report_rectified(actor=user, complaint_id=pk,
                                                                   evidence=post.get("evidence", "")),
        "verify-rectification": lambda: rectification.verify(actor=user, complaint_id=pk, note=post.get("note", "")),
        "send-back-rectification": lambda: rectification.send_back(actor=user, complaint_id=pk,
                                                                   reason=post.get("reason", "")),
        "report-refusal": lambda: rectification.report_refusal(actor=user, complaint_id=pk,
                                                               statement=post.get("statement", "")),
        "confirm-breach": lambda: rectification.confirm_breach(actor=user, complaint_id=pk,
                                                               finding=post.get("finding", "")),
        "callback": lambda: callbacks.record(actor=user, complaint_id=pk, reached=post.get("reached") == "yes",
                                             opinion=post.get("opinion", ""), note=post.get("note", "")),
        "confirm": lambda: complaints.confirm(actor=user, complaint_id=pk),
        "object": lambda: complaints.object_to_answer(actor=user, complaint_id=pk, reason=post.get("reason", "")),
        "close": lambda: complaints.close_after_review(actor=user, complaint_id=pk,
                                                       conclusion=post.get("reason", "")),
        "confirm-amount": lambda: complaints.confirm_amount(actor=user, complaint_id=pk,
                                                            amount=_decimal(post.get("amount"))),
        "payment": lambda: complaints.record_payment(actor=user, complaint_id=pk, amount=_decimal(post.get("amount")),
                                                     paid_on=_date(post.get("paid_on")), proof=post.get("proof", "")),
        "plan": lambda: complaints.agree_plan(actor=user, complaint_id=pk, instalments=_instalments(post)),
        "merge": lambda: complaints.merge(actor=user, complaint_id=pk, into_id=_whole(post.get("into"), "into")),
        "typical": lambda: complaints.flag_typical(actor=user, complaint_id=pk, typical=post.get("typical") == "yes"),
    }  # fmt: skip
    if action not in actions:
        raise Http404
    since = feedback.mark()
    try:
        actions[action]()
    except feedback.REFUSED as exc:
        return _render_complaint(request, complaint, **feedback.again(exc, post, action))
    feedback.announce(request, complaint.case, since)
    return redirect("complaint", number=number)


def _whole(value, field: str) -> int:
    """A whole number typed or chosen on the page (0 when left empty)."""
    text = (value or "").strip() or "0"
    if not text.isdecimal() or len(text) > 9:
        raise InvalidInput(details={field: [_("Enter a whole number.")]})
    return int(text)


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(details={"amount": [_("Enter an amount in yuan.")]}) from exc


def _date(value):
    day = parse_date(value or "")
    if day is None:
        raise InvalidInput(details={"date": [_("Enter a date as YYYY-MM-DD.")]})
    return day


def _instalments(post) -> list[tuple]:
    """Plan lines as "YYYY-MM-DD amount", one per line."""
    lines = [line.split() for line in post.get("plan", "").splitlines() if line.strip()]
    if any(len(parts) != 2 for parts in lines):
        raise InvalidInput(details={"plan": [_("One instalment a line: the due date and the amount.")]})
    return [(_date(day), _decimal(amount)) for day, amount in lines]


AWAITING_CALLBACK = "awaiting_callback"


def _by_state(cases, state: str):
    if state == "open":
        return cases.filter(closed_at__isnull=True)
    if state == AWAITING_CALLBACK:
        # the clerks' call-back list (回访): confirmation awaited, a channel that needs a call-back
        return cases.filter(complaint__in=callbacks.awaiting_callback(Complaint.objects.all()))
    if state in ComplaintStatus.values:
        return cases.filter(state=state)
    return cases


QUEUE_FILTERS = (Filter("state", _by_state, default="open", strip=False), Filter("q", selectors.search_cases))


@login_required
@staff_speed.with_default_filter("complaint-queue")
def complaint_queue(request):
    user = request.user
    if not (user.has_perm("cases.register_complaints") or selectors.works_department_cases(user)
            or selectors.can_supervise(user)):  # fmt: skip
        raise PermissionDenied
    listing = Listing(request, selectors.with_concerns(selectors.queue_cases(user, "complaint")), QUEUE_FILTERS)
    may_assign, may_claim = user.has_perm("cases.register_complaints"), selectors.works_department_cases(user)
    may_hand = may_claim and user.has_perm("cases.approve_department_decisions")
    return render(request, "cases/complaint_queue.html",
                  listing.context(states=ComplaintStatus.choices, now=timezone.now(),
                                  awaiting_callback=AWAITING_CALLBACK, may_assign=may_assign, may_claim=may_claim,
                                  bulk=may_assign or may_claim, bulk_token=uuid.uuid4().hex,
                                  department_options=department_options.options(department_options.ROUTABLE)
                                  if may_assign else "", may_hand=may_hand,
                                  workers=case_services.department_workers(user.department_id)
                                  if may_hand else []))  # fmt: skip


# The one-time tokens of the bulk forms already sent, kept in the session (the latest few).
BULK_TOKENS = "bulk_tokens"


@login_required
@require_POST
def complaint_bulk(request):
    """Claim or assign the complaints selected on the queue, each through its own service; the
    messages say how many were done and name each one refused, with the reason."""
    post = request.POST
    token = post.get("token", "")
    used = request.session.get(BULK_TOKENS, [])
    if token and token in used:
        messages.warning(request, _("These complaints were already handled: the form was sent twice."))
        return redirect_back(request, "complaint-queue")
    action = post.get("action", "")
    if action not in ("claim", "assign", "hand"):
        raise Http404
    try:
        if action == "claim":
            outcome = bulk.claim_selected(actor=request.user, case_ids=post.getlist("case"))
        elif action == "hand":
            outcome = bulk.hand_selected(actor=request.user, case_ids=post.getlist("case"),
                                         assignee_id=_whole(post.get("assignee"), "assignee"))  # fmt: skip
        else:
            outcome = bulk.assign_selected(actor=request.user, case_ids=post.getlist("case"),
                                           department_id=_whole(post.get("department"), "department"))  # fmt: skip
    except (InvalidInput, NotFound) as error:
        return feedback.told_back(request, error, "complaint-queue")
    if token:
        request.session[BULK_TOKENS] = [*used, token][-20:]
    done = {"done": len(outcome.done), "selected": outcome.selected}
    if action == "claim":
        text = ngettext("%(done)d of %(selected)d complaint claimed.", "%(done)d of %(selected)d complaints claimed.",
                        outcome.selected)  # fmt: skip
    elif action == "hand":
        text = ngettext("%(done)d of %(selected)d complaint handed over.",
                        "%(done)d of %(selected)d complaints handed over.", outcome.selected)  # fmt: skip
    else:
        text = ngettext("%(done)d of %(selected)d complaint assigned.", "%(done)d of %(selected)d complaints assigned.",
                        outcome.selected)  # fmt: skip
    (messages.success if not outcome.refused else messages.warning)(request, text % done)
    for number, reason in outcome.refused:
        messages.error(request, _("Not done: %(number)s: %(reason)s") % {"number": number, "reason": reason})
    return redirect_back(request, "complaint-queue")


@login_required
def my_complaints(request):
    cases = selectors.cases_visible_to(request.user).filter(kind="complaint", complaint__complainant=request.user)
    listing = Listing(request, cases.order_by("-created_at"), paging=Paging.NONE)
    return render(request, "cases/my_complaints.html", {
        "cases": standing.annotate(listing.rows), "may_file": identity.acts_for_enterprise(request.user),
    })  # fmt: skip


@login_required
def integrity_record(request):
    """The government-integrity record (政务诚信记录): per body, its confirmed breaches (拒不整改,
    逾期未整改), apart from the defaults it cured; only unrepaired breaches count against it."""
    return _render_integrity(request, request.GET.get("body", ""))


def _render_integrity(request, chosen: str, status: int = 200, **refused):
    """The integrity record page; after a refused step the same page again with the reason at the
    entry's form and what was typed put back (static/js/forms.js)."""
    if not (selectors.can_supervise(request.user) or request.user.has_perm("cases.register_complaints")):
        raise PermissionDenied
    breach = Q(entries__kind=EntryKind.BREACH)
    bodies = (
        RespondentBody.objects.annotate(
            breaches=Count("entries", filter=breach & Q(entries__repaired_at__isnull=True)),
            repaired=Count("entries", filter=breach & Q(entries__repaired_at__isnull=False)),
            cured=Count("entries", filter=Q(entries__kind=EntryKind.CURED)),
            total=Count("entries"),
        )
        .filter(total__gt=0)
        .order_by("-breaches", "-repaired", "name")
    )
    body = RespondentBody.objects.filter(pk=int(chosen)).first() if chosen.isdigit() and len(chosen) < 10 else None
    entries = []
    if body is not None:
        entries = list(
            IntegrityEntry.objects.filter(body=body)
            .select_related("complaint__case", "confirmed_by", "repaired_by")
            .order_by("-recorded_at", "-id")
        )
        for entry in entries:
            entry.steps = _history_steps(entry.history)
    return render(request, "cases/integrity.html", {
        "bodies": bodies, "body": body, "kinds": EntryKind,
        "breaches": [entry for entry in entries if entry.kind == EntryKind.BREACH],
        "cured": [entry for entry in entries if entry.kind == EntryKind.CURED],
        "may_repair": selectors.can_supervise(request.user), **refused,
    }, status=status)  # fmt: skip


# What a step of an entry's history shows besides its name, in this order of preference.
HISTORY_DETAILS = ("evidence", "statement", "finding", "reason", "note", "amount")


def _history_detail(payload: dict) -> str:
    if payload.get("remedy") in Remedy.values:  # the order: what the body must do
        return str(Remedy(payload["remedy"]).label)
    for key in HISTORY_DETAILS:
        value = payload.get(key)
        if value and not (key == "finding" and value in Finding.values):
            return str(value)
    return ""


def _history_steps(history) -> list[dict]:
    """An entry's rectification history as the page reads it: when, what (the event's label), and
    the words or amount recorded with it."""
    steps = []
    for item in history if isinstance(history, list) else []:
        if not isinstance(item, dict):
            continue
        payload = item.get("payload") if isinstance(item.get("payload"), dict) else {}
        detail = _history_detail(payload) or item.get("detail", "")
        steps.append({"at": parse_datetime(item.get("at") or ""), "label": event_types.label(item.get("event", "")),
                      "detail": detail})  # fmt: skip
    return steps


@login_required
@require_POST
def integrity_repair(request, entry_id: int):
    """A supervisor marks a breach entry repaired (已修复) once the body has performed."""
    since = feedback.mark()
    try:
        entry = rectification.mark_repaired(actor=request.user, entry_id=entry_id, note=request.POST.get("note", ""))
    except feedback.REFUSED as error:
        body = IntegrityEntry.objects.filter(pk=entry_id).values_list("body_id", flat=True).first()
        refused = feedback.again(error, request.POST, f"{entry_id}/repaired")
        return _render_integrity(request, str(body), **refused)
    feedback.announce(request, entry.complaint.case, since)
    return redirect(f"{reverse('integrity')}?body={entry.body_id}")
