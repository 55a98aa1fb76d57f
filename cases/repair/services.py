"""Every write of the credit-repair workflow (docs/domain.md, "Credit repair"): one function per user action.

Each locks the case, checks who may act and whether the state machine allows the step, writes
the audit event and leaves deliveries (notifications, the national-site sync) to after commit.
"""

import logging
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import documents, identity, permissions, policies, scaffold, services, transitions, uploads
from cases.core.event_types import DeadlineStep, EventType
from cases.core.exceptions import Conflict, InvalidInput, NotFound
from cases.core.models import Case, CreditRecord, Deadline, NoticeKind, RecordStatus, RecordType
from cases.core.roles import Role
from cases.core.states import REPAIR_CLOSED, REPAIR_OPEN, RepairMachine, RepairStatus
from cases.infra import outbox
from cases.repair import national_site
from cases.repair.models import Basis, Material, NationalSync, RepairApplication
from notifications import services as notification_services
from notifications.phrases import Joined, Phrase

logger = logging.getLogger(__name__)

MATERIALS_KEY = {"penalty": "materials_penalty", "serious_list": "materials_list_removal", "other": "materials_other"}
ACCEPT, DECIDE, SYNC = DeadlineStep.REPAIR_ACCEPT, DeadlineStep.REPAIR_DECIDE, DeadlineStep.REPAIR_SYNC
CORRECT = DeadlineStep.REPAIR_CORRECT
# The task keeps its name from before the sub-apps: a message already queued names it.
PUSH_SYNC_TASK = "cases.tasks.push_national_sync"


def required_materials(record: CreditRecord) -> list[dict]:
    return policies.choices("repair", MATERIALS_KEY[record.record_type])


def application_materials(application: RepairApplication) -> list[dict]:
    """What this application needs: the record type's materials, and for an application in
    bankruptcy reorganisation the court's ruling (policy materials_bankruptcy)."""
    items = required_materials(application.record)
    if application.basis == Basis.BANKRUPTCY_REORGANISATION:
        items += policies.choices("repair", "materials_bankruptcy")
    return items


def require_repairable(record: CreditRecord) -> None:
    """Refuse an application on a record a law, regulation or policy document keeps from repair."""
    if record.not_repairable:
        raise InvalidInput(
            _("This record cannot be repaired: %(basis)s") % {"basis": record.not_repairable_basis},
            details={"record": [record.not_repairable_basis]},
        )


def require_basis(record: CreditRecord, basis: str) -> None:
    if basis not in Basis.values:
        raise InvalidInput(details={"basis": [_("Choose the basis of the application.")]})
    if basis == Basis.BANKRUPTCY_REORGANISATION and record.party.kind != "enterprise":
        only = _("Only an enterprise applies on the basis of bankruptcy reorganisation.")
        raise InvalidInput(details={"basis": [only]})


def _locked(application_id: int) -> RepairApplication:
    """The application with the record its steps read, after its case is locked."""
    return scaffold.locked_by_case(RepairApplication, application_id, related=("record", "record__party"))


def _require_applicant(application: RepairApplication, actor) -> None:
    party = application.record.party
    scaffold.require_filer(actor, filer_id=application.case.applicant_id, entity_kind=party.kind,
                           id_number=party.id_number)  # fmt: skip


def _require_department(application: RepairApplication, actor, permission=scaffold.WORK_DEPARTMENT_CASES) -> None:
    """The record's deciding department works the application."""
    scaffold.require_department(application.record, actor, permission)


def _require_caseworker(application: RepairApplication, actor) -> None:
    """A caseworker's step: the case must be theirs (an unclaimed one is claimed by the step)."""
    _require_department(application, actor)
    services.ensure_claimed_by(application.case, actor)


def _tell_applicant(application: RepairApplication, title, body) -> None:
    if application.case.applicant_id is None:  # pushed by the national window: told through the outbox
        return
    notification_services.notify(
        [application.case.applicant_id],
        kind="repair.progress",
        title=title,
        body=body,
        case=application.case,
        payload={"url": reverse("repair-application", args=[application.case.number])},
    )


def _tell_staff(application: RepairApplication, recipients: list[int], kind: str, title, body) -> None:
    notification_services.notify(
        [pk for pk in recipients if pk],
        kind=kind,
        title=title,
        body=body,
        case=application.case,
        payload={"url": reverse("repair-application", args=[application.case.number])},
    )


def reapply_barred_until(record: CreditRecord) -> date | None:
    """The day from which a record whose repair was revoked may be applied for again, while that
    day is still to come (policy repair/reapply_bar_months); else None."""
    revoked_at = (
        RepairApplication.objects.filter(record=record, revoked_at__isnull=False)
        .order_by("-revoked_at")
        .values_list("revoked_at", flat=True)
        .first()
    )
    if revoked_at is None:
        return None
    until = timezone.localdate(revoked_at) + relativedelta(months=policies.months("repair", "reapply_bar_months"))
    return until if timezone.localdate() < until else None


@transaction.atomic
def start_application(*, actor, record_id: int, statement: str = "", basis: str = Basis.ORDINARY) -> RepairApplication:
    """An applicant starts a draft for a record about the entity they act for (in bankruptcy
    reorganisation: `basis`)."""
    permissions.require(actor, "cases.file_cases")
    # Locked, so that a double click cannot open two applications for one record.
    record = scaffold.locked(CreditRecord, record_id, related=("party",), of=("self",))
    if not identity.acts_for(actor, record.party.kind, record.party.id_number):
        raise NotFound()
    if record.status != RecordStatus.PUBLISHED:
        raise InvalidInput(_("This record is no longer displayed: there is nothing to repair."))
    if barred_until := reapply_barred_until(record):
        raise InvalidInput(
            _("The repair of this record was revoked: you may apply again from %(day)s.")
            % {"day": barred_until.isoformat()}
        )
    require_repairable(record)
    require_basis(record, basis)
    busy = RepairApplication.objects.filter(record=record).exclude(case__state__in=REPAIR_CLOSED)
    if busy.exists():
        raise Conflict(_("An application for this record is already open."))
    if record.under_objection:  # cases/repair/objections.py: the record's facts are being checked
        raise Conflict(_("A credit information objection to this record is being checked: apply after its outcome."))
    case = services.open_case(
        kind="repair",
        title=_("Credit repair of %(number)s") % {"number": record.decision_number},
        actor=actor,
        applicant=actor,
        department=record.department,
        state=RepairStatus.DRAFT,
    )
    return RepairApplication.objects.create(case=case, record=record, statement=statement.strip(), basis=basis)


@transaction.atomic
def add_material(*, actor, application_id: int, code: str, upload) -> Material:
    """Upload one material: in a draft, anything the policy asks for; after a one-time notice,
    only the items the notice lists."""
    application = _locked(application_id)
    _require_applicant(application, actor)
    state = application.case.state
    if state == RepairStatus.DRAFT:
        allowed = {item["code"] for item in application_materials(application)}
    elif state == RepairStatus.INCOMPLETE:
        allowed = {item["code"] for item in application.missing_items}
    else:
        raise InvalidInput(_("Materials can be added only before submitting or in answer to a one-time notice."))
    if code not in allowed:
        raise InvalidInput(_("This material is not asked for here."))
    content_type = uploads.check_material(upload)
    # A new file for an item replaces the one before: that one stays in the history, no longer current.
    replaced = list(application.materials.current().filter(code=code).values_list("original_name", flat=True))
    if replaced:
        application.materials.current().filter(code=code).update(replaced_at=timezone.now())
    material = Material.keep(upload, content_type, uploaded_by=actor, application=application, code=code)
    if replaced:
        transitions.record(application.case, EventType.REPAIR_MATERIAL_REPLACED, actor=actor, code=code,
                           replaced=replaced)  # fmt: skip
    else:
        transitions.record(application.case, EventType.REPAIR_MATERIAL_ADDED, actor=actor, code=code)
    return material


# The applicant's statement (申请说明): how the obligations were met, what was corrected, the commitment.
MAX_STATEMENT = 5000


def _clean_statement(statement: str) -> str:
    statement = (statement or "").strip()
    if len(statement) > MAX_STATEMENT:
        raise InvalidInput(details={"statement": [
            _("The statement is too long: at most %(count)d characters.") % {"count": MAX_STATEMENT}]})  # fmt: skip
    return statement


@transaction.atomic
def save_draft(*, actor, application_id: int, statement: str, obligations_fulfilled: bool,
               commitment_signed: bool) -> RepairApplication:  # fmt: skip
    """The applicant saves the draft: the statement (申请说明) and the confirmations, kept for later."""
    application = _locked(application_id)
    _require_applicant(application, actor)
    if application.case.state != RepairStatus.DRAFT:
        raise Conflict(_("Only a draft can be changed: this application is already submitted."))
    application.statement = _clean_statement(statement)
    application.obligations_fulfilled, application.commitment_signed = obligations_fulfilled, commitment_signed
    application.save(update_fields=["statement", "obligations_fulfilled", "commitment_signed"])
    transitions.record(application.case, EventType.REPAIR_DRAFT_SAVED, actor=actor)
    return application


def unmet_conditions(application: RepairApplication, today=None) -> list[str]:
    """What still stands in the way of submitting, in words the applicant reads."""
    today = today or timezone.localdate()
    record = application.record
    problems = []
    if record.not_repairable:
        problems.append(_("This record cannot be repaired: %(basis)s") % {"basis": record.not_repairable_basis})
    # In bankruptcy reorganisation the shortest publicity period does not apply (Order No. 36).
    if record.repairable_from > today and application.basis != Basis.BANKRUPTCY_REORGANISATION:
        problems.append(
            _("The shortest publicity period has not passed: you may apply from %(day)s.")
            % {"day": record.repairable_from.isoformat()}
        )
    if not application.obligations_fulfilled:
        problems.append(_("Confirm that the penalty's obligations are fulfilled (fine paid, correction made)."))
    if not application.commitment_signed:
        problems.append(_("Sign the credit commitment."))
    have = set(application.materials.current().values_list("code", flat=True))
    for item in application_materials(application):
        if item["code"] not in have:
            problems.append(_("Missing material: %(name)s.") % {"name": item["name"]})
    return problems


@transaction.atomic
def submit(*, actor, application_id: int, obligations_fulfilled: bool, commitment_signed: bool,
           statement: str | None = None) -> RepairApplication:  # fmt: skip
    """The applicant submits the draft (with the statement as last typed, when the form sends it)."""
    application = _locked(application_id)
    _require_applicant(application, actor)
    application.obligations_fulfilled = obligations_fulfilled
    application.commitment_signed = commitment_signed
    if statement is not None and application.case.state == RepairStatus.DRAFT:
        application.statement = _clean_statement(statement)
    problems = unmet_conditions(application)
    if problems:
        raise InvalidInput(_("The application cannot be submitted yet."), details={"conditions": problems})
    transitions.transition(application.case, RepairMachine.submit, actor)
    application.submitted_at = timezone.now()
    application.save(update_fields=["obligations_fulfilled", "commitment_signed", "submitted_at", "statement"])
    start_department_work(application)
    return application


def start_department_work(application: RepairApplication) -> None:
    """A submitted application in the deciding department's queue: its deadlines started and its
    caseworkers told (a portal submission, or one pushed by the national single window)."""
    case = application.case
    services.start_deadline(case=case, step=ACCEPT, label=_("Acceptance"), policy_key="accept_within")
    services.start_deadline(case=case, step=DECIDE, label=_("Repair decision"), policy_key="decide_within")
    notification_services.notify(
        services.users_with_role(Role.CASEWORKER, case.department_id),
        kind="repair.submitted",
        title=Phrase("New credit-repair application %(number)s", number=case.number),
        body=Phrase(
            "%(entity)s applies to repair %(record)s.",
            entity=application.record.party.name,
            record=application.record.decision_number,
        ),
        case=case,
    )


@transaction.atomic
def accept(*, actor, application_id: int) -> RepairApplication:
    application = _locked(application_id)
    _require_caseworker(application, actor)
    transitions.transition(application.case, RepairMachine.accept, actor)
    services.close_deadline(case=application.case, step=ACCEPT, actor=actor)
    documents.issue(
        NoticeKind.ACCEPTANCE,
        record=application.record,
        case=application.case,
        submitted_on=timezone.localdate(application.submitted_at).isoformat(),
        decide_within=policies.working_days("repair", "decide_within"),
    )
    _queue_sync(application, NationalSync.Action.ACCEPTED)
    _tell_applicant(
        application,
        Phrase("Application %(number)s accepted", number=application.case.number),
        Phrase("Your credit-repair application has been accepted for review."),
    )
    return application


def _items_with_reasons(items: list[dict]) -> Joined:
    """The items of a one-time notice with their reasons, punctuated as the reader's language writes them."""
    opening, closing = Phrase(" (", context="punctuation"), Phrase(")", context="punctuation")
    return Joined(
        [Joined([item["name"], opening, item["reason"], closing], "") for item in items],
        Phrase("; ", context="punctuation"),
    )


# A free item of the one-time notice: what the caseworker asks for beyond the policy's materials.
FREE_ITEM_PREFIX = "extra-"
MAX_FREE_ITEM_NAME = 200


def notice_items(application: RepairApplication, missing: list[dict]) -> list[dict]:
    """The one-time notice's items, each with its reason: a material of the policy (`code`), or a
    free item the caseworker names (`name`, no code), given a code of its own to upload against."""
    known = {item["code"]: item["name"] for item in application_materials(application)}
    items, free = [], 0
    for item in missing or []:
        code, reason = item.get("code", ""), (item.get("reason") or "").strip()
        if not code:
            name = (item.get("name") or "").strip()
            if not name or not reason:
                raise InvalidInput(_("Each additional item needs a name and a reason."),
                                   details={"missing": [name or _("(unnamed item)")]})  # fmt: skip
            if len(name) > MAX_FREE_ITEM_NAME or len(reason) > MAX_STATEMENT:
                raise InvalidInput(_("An additional item's name or reason is too long."), details={"missing": [name]})
            free += 1
            items.append({"code": f"{FREE_ITEM_PREFIX}{free}", "name": name, "reason": reason, "free": True})
            continue
        if code not in known or not reason:
            raise InvalidInput(_("Each missing item needs a known material and a reason."), details={"missing": [code]})
        items.append({"code": code, "name": known[code], "reason": reason})
    return items


@transaction.atomic
def issue_incomplete_notice(*, actor, application_id: int, missing: list[dict]) -> RepairApplication:
    """The ONE one-time notice (一次性告知): every missing or wrong item, each with a reason (a
    material of the policy, or a free item the caseworker names). The clock stops until the
    applicant resubmits."""
    application = _locked(application_id)
    _require_caseworker(application, actor)
    items = notice_items(application, missing)
    if not items:
        raise InvalidInput(_("List every missing or wrong item, each with a reason."))
    transitions.transition(application.case, RepairMachine.request_materials, actor, missing=items)
    application.missing_items = items
    application.notice_issued_at = timezone.now()
    application.save(update_fields=["missing_items", "notice_issued_at"])
    _queue_sync(application, NationalSync.Action.NOTICE, missing=items)
    for step in (ACCEPT, DECIDE):
        services.pause_deadline(case=application.case, step=step, actor=actor)
    # The applicant's own time: watched (it lapses the application), never supervised against the office.
    correction = services.start_deadline(case=application.case, step=CORRECT, label=_("Correction period"),
                                         policy_key="correction_within", supervised=False)  # fmt: skip
    documents.issue(NoticeKind.CORRECTION, record=application.record, case=application.case, missing=items,
                    correct_by=correction.due_on.isoformat(), correction_days=correction.working_days,
                    clock=policies.option("repair", "clock_after_correction"))  # fmt: skip
    _tell_applicant(
        application,
        Phrase("Application %(number)s: materials to complete", number=application.case.number),
        Phrase(
            "Please provide by %(day)s: %(items)s.", day=correction.due_on.isoformat(), items=_items_with_reasons(items)
        ),
    )
    return application


@transaction.atomic
def resubmit(*, actor, application_id: int) -> RepairApplication:
    application = _locked(application_id)
    _require_applicant(application, actor)
    answered = set(
        application.materials.filter(uploaded_at__gt=application.notice_issued_at).values_list("code", flat=True)
    )
    still_missing = [item["name"] for item in application.missing_items if item["code"] not in answered]
    if still_missing:
        raise InvalidInput(_("Upload every item the notice lists first."), details={"missing": still_missing})
    transitions.transition(application.case, RepairMachine.resubmit, actor)
    services.close_deadline(case=application.case, step=CORRECT, actor=actor)
    restart = policies.option("repair", "clock_after_correction") == policies.RESTART
    for step, key in ((ACCEPT, "accept_within"), (DECIDE, "decide_within")):
        days = policies.working_days("repair", key) if restart else None
        services.resume_deadline(case=application.case, step=step, actor=actor, working_days=days)
    # The caseworker who issued the notice (else the department's caseworkers) picks it up again.
    case = application.case
    _tell_staff(
        application,
        [case.assignee_id] if case.assignee_id else services.users_with_role(Role.CASEWORKER, case.department_id),
        "repair.resubmitted",
        Phrase("%(number)s: the applicant resubmitted the materials", number=case.number),
        Phrase(
            "%(entity)s supplied the materials listed in the one-time notice: %(items)s. Decide on acceptance.",
            entity=application.record.party.name,
            items=Joined([item["name"] for item in application.missing_items], Phrase(", ", context="enumeration")),
        ),
    )
    return application


def lapse_overdue(now=None) -> int:
    """补正期满未补正，终止办理: end each application whose correction period has passed without a
    resubmission. Run by beat; each application in its own transaction. Returns how many lapsed."""
    now = now or timezone.now()
    due = Deadline.objects.filter(
        step=CORRECT, closed_at__isnull=True, due_at__lte=now, case__state=RepairStatus.INCOMPLETE
    ).values_list("case_id", flat=True)
    ids = list(RepairApplication.objects.filter(case_id__in=list(due)).values_list("pk", flat=True))
    return sum(_lapse(application_id) for application_id in ids)


@transaction.atomic
def _lapse(application_id: int) -> bool:
    application = _locked(application_id)
    if application.case.state != RepairStatus.INCOMPLETE:
        return False  # resubmitted (or withdrawn) since the sweep read it
    due_on = application.case.deadlines.filter(step=CORRECT, closed_at__isnull=True).values_list("due_on", flat=True)
    due_on = due_on.first()
    if due_on is None or due_on >= timezone.localdate():
        return False
    reason = _("The materials listed in the one-time notice were not completed by %(day)s.") % {
        "day": due_on.isoformat()
    }
    _end(application, RepairMachine.lapse, reason)
    _tell_applicant(
        application,
        Phrase("Application %(number)s ended: correction period passed", number=application.case.number),
        Joined([reason, Phrase("Handling has ended. You may apply again.")], " "),
    )
    return True


def _end(application: RepairApplication, transition, reason: str) -> None:
    """End an open application without a decision (lapsed, terminated): the system's step."""
    transitions.transition(application.case, transition, None, reason=reason)
    application.end_reason = reason
    application.save(update_fields=["end_reason"])
    services.close_open_deadlines(case=application.case)
    # A draft was never submitted: the national site has not heard of it.
    if application.submitted_at is not None:
        _queue_sync(application, NationalSync.Action.ENDED, state=application.case.state, reason=reason)


def end_for_records(record_ids: list[int] | None = None) -> int:
    """Records whose display ended by itself: every open application on them ends (终止办理), the
    applicant told why. Runs in the caller's transaction (the display sweep's batch), with the
    records given; a case another request holds is skipped, not waited for (the records are locked
    first here, the other way round in the services). `record_ids` None: the applications still
    open on a record already expired, those skipped before (the periodic sweep)."""
    applications = RepairApplication.objects.filter(case__state__in=REPAIR_OPEN)
    if record_ids is None:
        applications = applications.filter(record__status=RecordStatus.EXPIRED)
    else:
        applications = applications.filter(record_id__in=record_ids)
    case_ids = list(applications.values_list("case_id", flat=True))
    cases = Case.objects.select_for_update(skip_locked=True).filter(pk__in=case_ids, state__in=REPAIR_OPEN)
    ended = 0
    for case in cases.order_by("pk"):
        application = RepairApplication.objects.select_related("record", "record__party").get(case=case)
        application.case = case
        record = application.record
        reason = _("The publicity period of %(record)s ended on %(day)s and its display has stopped: "
                   "there is nothing left to repair.") % {"record": record.decision_number,
                                                          "day": record.display_until.isoformat()}  # fmt: skip
        _end(application, RepairMachine.terminate, reason)
        _tell_applicant(
            application,
            Phrase("Application %(number)s ended: the record is no longer displayed", number=case.number),
            Joined([reason, Phrase("Handling has ended.")], " "),
        )
        ended += 1
    return ended


@transaction.atomic
def end_on_expired_records() -> int:
    """The periodic catch-up of end_for_records: open applications on records already expired."""
    return end_for_records(None)


@transaction.atomic
def refuse(*, actor, application_id: int, reason: str) -> RepairApplication:
    """Not accepted (不予受理), with the reason the applicant reads."""
    application = _locked(application_id)
    _require_caseworker(application, actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Give the reason the applicant will read.")]})
    transitions.transition(application.case, RepairMachine.refuse, actor, reason=reason)
    application.refusal_reason = reason
    application.save(update_fields=["refusal_reason"])
    documents.issue(NoticeKind.NON_ACCEPTANCE, record=application.record, case=application.case, reason=reason)
    _queue_sync(application, NationalSync.Action.NOT_ACCEPTED, reason=reason)
    services.close_open_deadlines(case=application.case, actor=actor)
    _tell_applicant(
        application,
        Phrase("Application %(number)s not accepted", number=application.case.number),
        reason,
    )
    return application


@transaction.atomic
def start_review(*, actor, application_id: int) -> RepairApplication:
    """A caseworker of the deciding department takes the accepted application for review."""
    application = _locked(application_id)
    _require_caseworker(application, actor)
    transitions.transition(application.case, RepairMachine.start_review, actor)
    return application


@transaction.atomic
def request_extension(*, actor, application_id: int, reason: str) -> RepairApplication:
    """The caseworker proposes more time for a complex case, with a reason; the department head
    approves or refuses it (decide_extension). Once per application (policy repair/extensions_allowed)."""
    application = _locked(application_id)
    _require_caseworker(application, actor)
    if application.case.state not in (RepairStatus.ACCEPTED, RepairStatus.UNDER_REVIEW):
        raise Conflict(_("Only an accepted application can be extended."))
    if application.extended_at is not None or not policies.count("repair", "extensions_allowed"):
        raise Conflict(_("The decision has already been extended once."))
    if application.extension_requested_at is not None:
        raise Conflict(_("An extension is already waiting for the department head."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Give the reason the applicant will read.")]})
    application.extension_reason, application.extension_requested_at = reason, timezone.now()
    application.extension_refusal_reason = ""
    application.save(update_fields=["extension_reason", "extension_requested_at", "extension_refusal_reason"])
    transitions.record(application.case, EventType.REPAIR_EXTENSION_REQUESTED, actor=actor, reason=reason)
    _tell_staff(
        application,
        services.users_with_role(Role.DEPARTMENT_HEAD, application.record.department_id),
        "repair.decision_proposed",
        Phrase("Extension of %(number)s awaits your approval", number=application.case.number),
        reason,
    )
    return application


@transaction.atomic
def decide_extension(*, actor, application_id: int, approve: bool, reason: str = "") -> RepairApplication:
    """The department head approves the proposed extension (the decision deadline moves by the
    policy's working days, repair/extension_days, and the applicant is told the new date) or refuses it
    with a reason the caseworker reads."""
    application = _locked(application_id)
    _require_department(application, actor, "cases.approve_department_decisions")
    if application.extension_requested_at is None:
        raise Conflict(_("There is no extension waiting for approval."))
    reason = (reason or "").strip()
    number = application.case.number
    if not approve:
        if not reason:
            raise InvalidInput(details={"reason": [_("Give the reason for refusing the extension.")]})
        application.extension_requested_at, application.extension_refusal_reason = None, reason
        application.save(update_fields=["extension_requested_at", "extension_refusal_reason"])
        transitions.record(application.case, EventType.REPAIR_EXTENSION_REFUSED, actor=actor, reason=reason)
        _tell_staff(application, [application.case.assignee_id], "repair.head_decided",
                    Phrase("Extension of %(number)s refused", number=number), reason)  # fmt: skip
        return application
    days = policies.working_days("repair", "extension_days")
    deadline = services.extend_deadline(case=application.case, step=DECIDE, working_days=days, actor=actor,
                                        reason=application.extension_reason)  # fmt: skip
    application.extension_requested_at, application.extended_at = None, timezone.now()
    application.save(update_fields=["extension_requested_at", "extended_at"])
    transitions.record(application.case, EventType.REPAIR_EXTENSION_APPROVED, actor=actor,
                       due_on=deadline.due_on.isoformat())  # fmt: skip
    _tell_applicant(
        application,
        Phrase("Application %(number)s: decision extended to %(day)s", number=number, day=deadline.due_on.isoformat()),
        application.extension_reason,
    )  # fmt: skip
    return application


@transaction.atomic
def propose_decision(*, actor, application_id: int, approve: bool, reason: str) -> RepairApplication:
    """The caseworker's proposal; the department head decides (approve_decision)."""
    application = _locked(application_id)
    _require_caseworker(application, actor)
    if application.case.state != RepairStatus.UNDER_REVIEW:
        raise Conflict(_("Only an application under review can get a decision."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput(details={"reason": [_("A refusal needs the reason the applicant will read.")]})
    application.proposed_approval = approve
    application.proposed_reason = reason
    application.proposed_by = actor
    application.save(update_fields=["proposed_approval", "proposed_reason", "proposed_by"])
    transitions.record(
        application.case, RepairMachine.PROPOSE_DECISION.event, actor=actor, approve=approve, reason=reason
    )
    notification_services.notify(
        services.users_with_role(Role.DEPARTMENT_HEAD, application.record.department_id),
        kind="repair.decision_proposed",
        title=Phrase("Decision on %(number)s awaits your approval", number=application.case.number),
        body=reason or Phrase("Proposed: repair the record."),
        case=application.case,
    )
    return application


@transaction.atomic
def send_back(*, actor, application_id: int, reason: str) -> RepairApplication:
    """The department head sends the proposal back for re-review (发回重审), with a reason the
    caseworker reads: the proposal is cleared and the case is under review again."""
    application = _locked(application_id)
    _require_department(application, actor, "cases.approve_department_decisions")
    if application.case.state != RepairStatus.UNDER_REVIEW or application.proposed_approval is None:
        raise Conflict(_("There is no proposed decision to send back."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Give the reason for re-review.")]})
    proposer = application.proposed_by_id
    application.proposed_approval, application.proposed_reason, application.sent_back_reason = None, "", reason
    application.save(update_fields=["proposed_approval", "proposed_reason", "sent_back_reason"])
    transitions.record(application.case, RepairMachine.SEND_BACK.event, actor=actor, reason=reason)
    _tell_staff(application, [proposer, application.case.assignee_id], "repair.head_decided",
                Phrase("%(number)s sent back for re-review", number=application.case.number),
                reason)  # fmt: skip
    return application


@transaction.atomic
def approve_decision(*, actor, application_id: int, approve: bool | None = None, reason: str = "") -> RepairApplication:
    """The department head decides on the proposal: as proposed (`approve` None or equal to the
    proposal), or otherwise, with their own reason. Repaired: the record is no longer displayed (or
    the list entry removed) and the result queued for the national site; refused: the decision's
    own reason goes into the notice."""
    application = _locked(application_id)
    _require_department(application, actor, "cases.approve_department_decisions")
    if application.proposed_approval is None:
        raise Conflict(_("There is no proposed decision to approve."))
    reason = (reason or "").strip()
    otherwise = approve is not None and approve != application.proposed_approval
    if otherwise and not reason:
        raise InvalidInput(details={"reason": [_("Deciding otherwise than proposed needs your own reason.")]})
    approved = application.proposed_approval if approve is None else approve
    if not approved and not (reason or application.proposed_reason):
        raise InvalidInput(details={"reason": [_("A refusal needs the reason the applicant will read.")]})
    now = timezone.now()
    application.decided_by, application.decided_at = actor, now
    application.decision_reason = reason or application.proposed_reason
    application.save(update_fields=["decided_by", "decided_at", "decision_reason"])
    services.close_deadline(case=application.case, step=DECIDE, actor=actor)
    number = application.case.number
    if not approved:
        transitions.transition(application.case, RepairMachine.reject, actor, reason=application.decision_reason,
                               otherwise=otherwise)  # fmt: skip
        documents.issue(NoticeKind.REFUSAL_DECISION, record=application.record, case=application.case,
                        reason=application.decision_reason, **basis_facts(application))  # fmt: skip
        _queue_sync(application, NationalSync.Action.REFUSED, reason=application.decision_reason)
        _tell_applicant(
            application, Phrase("Credit repair %(number)s refused", number=number), application.decision_reason
        )
        return application
    transitions.transition(application.case, RepairMachine.approve, actor, otherwise=otherwise)
    record = scaffold.locked(CreditRecord, application.record_id)
    record.status = RecordStatus.REPAIRED
    record.save(update_fields=["status"])
    transitions.transition(application.case, RepairMachine.repair_record, None, record=record.decision_number)
    documents.issue(NoticeKind.REPAIR_DECISION, record=record, case=application.case,
                    reason=application.decision_reason, **basis_facts(application))  # fmt: skip
    services.start_deadline(case=application.case, step=SYNC, label=_("Sync to the national site"),
                            policy_key="sync_within")  # fmt: skip
    _queue_sync(application, NationalSync.Action.REPAIR)
    _tell_applicant(
        application,
        Phrase("Credit repair %(number)s approved", number=number),
        Phrase(
            "%(party)s is removed from the serious-dishonesty list (%(record)s).",
            party=record.party.name,
            record=record.decision_number,
        )
        if record.record_type == RecordType.SERIOUS_LIST
        else Phrase("Record %(record)s is no longer displayed.", record=record.decision_number),
    )
    return application


@transaction.atomic
def withdraw(*, actor, application_id: int) -> RepairApplication:
    application = _locked(application_id)
    _require_applicant(application, actor)
    transitions.transition(application.case, RepairMachine.withdraw, actor)
    services.close_open_deadlines(case=application.case, actor=actor)
    return application


@transaction.atomic
def revoke(*, actor, application_id: int, reason: str) -> RepairApplication:
    """Fraud found after the repair: the record is displayed again and the applicant is told."""
    application = _locked(application_id)
    _require_department(application, actor, "cases.approve_department_decisions")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Give the reason for revoking.")]})
    transitions.transition(application.case, RepairMachine.revoke, actor, reason=reason)
    application.revocation_reason, application.revoked_at = reason, timezone.now()
    application.save(update_fields=["revocation_reason", "revoked_at"])
    record = scaffold.locked(CreditRecord, application.record_id)
    record.status = RecordStatus.PUBLISHED
    record.save(update_fields=["status"])
    services.close_open_deadlines(case=application.case, actor=actor)
    barred_until = reapply_barred_until(record)
    documents.issue(NoticeKind.REVOCATION_DECISION, record=record, case=application.case, reason=reason,
                    repaired_on=timezone.localdate(application.decided_at or application.revoked_at).isoformat(),
                    reapply_from=barred_until.isoformat() if barred_until else "")  # fmt: skip
    _queue_sync(application, NationalSync.Action.REVOKE)
    _tell_applicant(
        application,
        Phrase("Credit repair %(number)s revoked", number=application.case.number),
        Joined(
            [
                reason,
                Phrase(
                    "A new application on this record is possible from %(day)s.",
                    day=barred_until or timezone.localdate(),
                ),
            ],
            " ",
        ),
    )
    return application


def basis_facts(application: RepairApplication) -> dict:
    """What a decision notice says of the application's basis (bankruptcy reorganisation)."""
    if application.basis != Basis.BANKRUPTCY_REORGANISATION:
        return {}
    return {"basis": application.basis, "basis_label": "破产重整"}


def _queue_sync(application: RepairApplication, action: str, **facts) -> None:
    """Queue what the national site must learn of the application: each status of any source
    (accepted, notice with the missing items, not accepted or refused with the reason), the
    repair and its revocation. An application pushed by the window names its platform number."""
    record = application.record
    sync = NationalSync.objects.create(
        application=application,
        action=action,
        payload={
            "case": application.case.number,
            "action": action,
            "decision_number": record.decision_number,
            "party": record.party.name,
            "identifier": record.party.id_number,
            "department": record.department.code,
            "source": application.source,
            "platform_number": application.platform_number,
            "basis": application.basis,
            **facts,
        },
    )
    outbox.queue_task_on_commit(PUSH_SYNC_TASK, sync.pk)


def _send_sync(sync: NationalSync) -> None:
    sync.receipt = national_site.gateway().send(sync.payload)
    sync.sent_at = timezone.now()


def _sync_landed(sync: NationalSync) -> None:
    """A repair that reaches the site moves its case to `synced`."""
    if sync.action != NationalSync.Action.REPAIR:
        return
    application = _locked(sync.application_id)
    if application.case.state == RepairStatus.RECORD_REPAIRED:
        transitions.transition(application.case, RepairMachine.mark_synced, None, receipt=sync.receipt)
        services.close_deadline(case=application.case, step=SYNC)
        application.case.closed_at = sync.sent_at
        application.case.save(update_fields=["closed_at"])


OUTBOX_KIND = outbox.OutboxKind(
    name="national_sync", model=NationalSync, send=_send_sync, sent_fields=("receipt", "sent_at"), on_sent=_sync_landed
)


def push_sync(sync_id: int) -> bool:
    """Send one queued sync now. True if it reached the site."""
    return outbox.deliver(OUTBOX_KIND.name, sync_id) == outbox.SENT


def retry_pending_syncs(limit: int | None = None) -> int:
    """The syncs due again. Returns how many were tried."""
    return outbox.redeliver(OUTBOX_KIND.name, limit)
