"""Every write of the credit-repair workflow (docs/domain.md, "Credit repair"): one function per user action.

Each locks the case, checks who may act and whether the state machine allows the step, writes
the audit event and leaves deliveries (notifications, the national-site sync) to after commit.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import documents, identity, permissions, policies, scaffold, services, transitions, uploads
from cases.core.event_types import DeadlineStep, EventType
from cases.core.exceptions import Conflict, InvalidInput, NotFound
from cases.core.models import CreditRecord, NoticeKind, RecordStatus, RecordType
from cases.core.roles import Role
from cases.core.states import REPAIR_CLOSED, RepairMachine, RepairStatus
from cases.infra import outbox
from cases.repair import national_site
from cases.repair.models import Material, NationalSync, RepairApplication
from notifications import services as notification_services

logger = logging.getLogger(__name__)

MATERIALS_KEY = {"penalty": "materials_penalty", "serious_list": "materials_list_removal", "other": "materials_other"}
ACCEPT, DECIDE, SYNC = DeadlineStep.REPAIR_ACCEPT, DeadlineStep.REPAIR_DECIDE, DeadlineStep.REPAIR_SYNC
# The task keeps its name from before the sub-apps: a message already queued names it.
PUSH_SYNC_TASK = "cases.tasks.push_national_sync"


def required_materials(record: CreditRecord) -> list[dict]:
    return policies.choices("repair", MATERIALS_KEY[record.record_type])


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


def _tell_applicant(application: RepairApplication, title: str, body: str) -> None:
    notification_services.notify(
        [application.case.applicant_id],
        kind="repair.progress",
        title=title,
        body=body,
        case=application.case,
    )


@transaction.atomic
def start_application(*, actor, record_id: int, statement: str = "") -> RepairApplication:
    """An applicant starts a draft for a record about the entity they act for."""
    permissions.require(actor, "cases.file_cases")
    # Locked, so that a double click cannot open two applications for one record.
    record = scaffold.locked(CreditRecord, record_id, related=("party",), of=("self",))
    if not identity.acts_for(actor, record.party.kind, record.party.id_number):
        raise NotFound()
    if record.status != RecordStatus.PUBLISHED:
        raise InvalidInput(_("This record is no longer displayed: there is nothing to repair."))
    busy = RepairApplication.objects.filter(record=record).exclude(case__state__in=REPAIR_CLOSED)
    if busy.exists():
        raise Conflict(_("An application for this record is already open."))
    case = services.open_case(
        kind="repair",
        title=_("Credit repair of %(number)s") % {"number": record.decision_number},
        actor=actor,
        applicant=actor,
        department=record.department,
        state=RepairStatus.DRAFT,
    )
    return RepairApplication.objects.create(case=case, record=record, statement=statement.strip())


@transaction.atomic
def add_material(*, actor, application_id: int, code: str, upload) -> Material:
    """Upload one material: in a draft, anything the policy asks for; after a one-time notice,
    only the items the notice lists."""
    application = _locked(application_id)
    _require_applicant(application, actor)
    state = application.case.state
    if state == RepairStatus.DRAFT:
        allowed = {item["code"] for item in required_materials(application.record)}
    elif state == RepairStatus.INCOMPLETE:
        allowed = {item["code"] for item in application.missing_items}
    else:
        raise InvalidInput(_("Materials can be added only before submitting or in answer to a one-time notice."))
    if code not in allowed:
        raise InvalidInput(_("This material is not asked for here."))
    content_type = uploads.check_material(upload)
    material = Material.objects.create(
        application=application,
        code=code,
        file=upload,
        original_name=uploads.safe_name(upload.name),
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    transitions.record(application.case, EventType.REPAIR_MATERIAL_ADDED, actor=actor, code=code)
    return material


def unmet_conditions(application: RepairApplication, today=None) -> list[str]:
    """What still stands in the way of submitting, in words the applicant reads."""
    today = today or timezone.localdate()
    record = application.record
    problems = []
    if record.repairable_from > today:
        problems.append(
            _("The shortest publicity period has not passed: you may apply from %(day)s.")
            % {"day": record.repairable_from.isoformat()}
        )
    if not application.obligations_fulfilled:
        problems.append(_("Confirm that the penalty's obligations are fulfilled (fine paid, correction made)."))
    if not application.commitment_signed:
        problems.append(_("Sign the credit commitment (信用承诺书)."))
    have = set(application.materials.values_list("code", flat=True))
    for item in required_materials(record):
        if item["code"] not in have:
            problems.append(_("Missing material: %(name)s.") % {"name": item["name"]})
    return problems


@transaction.atomic
def submit(*, actor, application_id: int, obligations_fulfilled: bool, commitment_signed: bool) -> RepairApplication:
    application = _locked(application_id)
    _require_applicant(application, actor)
    application.obligations_fulfilled = obligations_fulfilled
    application.commitment_signed = commitment_signed
    problems = unmet_conditions(application)
    if problems:
        raise InvalidInput(_("The application cannot be submitted yet."), details={"conditions": problems})
    transitions.transition(application.case, RepairMachine.submit, actor)
    application.submitted_at = timezone.now()
    application.save(update_fields=["obligations_fulfilled", "commitment_signed", "submitted_at"])
    case = application.case
    services.start_deadline(case=case, step=ACCEPT, label=_("Acceptance"), policy_key="accept_within")
    services.start_deadline(case=case, step=DECIDE, label=_("Repair decision"), policy_key="decide_within")
    notification_services.notify(
        services.users_with_role(Role.CASEWORKER, case.department_id),
        kind="repair.submitted",
        title=_("New credit-repair application %(number)s") % {"number": case.number},
        body=_("%(entity)s applies to repair %(record)s.")
        % {"entity": application.record.party.name, "record": application.record.decision_number},
        case=case,
    )
    return application


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
    _tell_applicant(
        application,
        _("Application %(number)s accepted") % {"number": application.case.number},
        _("Your credit-repair application has been accepted for review (受理)."),
    )
    return application


@transaction.atomic
def issue_incomplete_notice(*, actor, application_id: int, missing: list[dict]) -> RepairApplication:
    """The ONE one-time notice (一次性告知): every missing or wrong item, each with a reason.
    The clock stops until the applicant resubmits."""
    application = _locked(application_id)
    _require_caseworker(application, actor)
    known = {item["code"]: item["name"] for item in required_materials(application.record)}
    items = []
    for item in missing or []:
        code, reason = item.get("code", ""), (item.get("reason") or "").strip()
        if code not in known or not reason:
            raise InvalidInput(_("Each missing item needs a known material and a reason."), details={"missing": [code]})
        items.append({"code": code, "name": known[code], "reason": reason})
    if not items:
        raise InvalidInput(_("List every missing or wrong item, each with a reason."))
    transitions.transition(application.case, RepairMachine.request_materials, actor, missing=items)
    application.missing_items = items
    application.notice_issued_at = timezone.now()
    application.save(update_fields=["missing_items", "notice_issued_at"])
    documents.issue(NoticeKind.CORRECTION, record=application.record, case=application.case, missing=items)
    for step in (ACCEPT, DECIDE):
        services.pause_deadline(case=application.case, step=step, actor=actor)
    _tell_applicant(
        application,
        _("Application %(number)s: materials to complete") % {"number": application.case.number},
        _("Please provide: %(items)s.") % {"items": "；".join(f"{i['name']}（{i['reason']}）" for i in items)},
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
    for step in (ACCEPT, DECIDE):
        services.resume_deadline(case=application.case, step=step, actor=actor)
    return application


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
    services.close_open_deadlines(case=application.case, actor=actor)
    _tell_applicant(
        application,
        _("Application %(number)s not accepted") % {"number": application.case.number},
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
def extend(*, actor, application_id: int, reason: str) -> RepairApplication:
    """A complex case gets more time for the decision, once, with a reason the applicant reads."""
    application = _locked(application_id)
    _require_caseworker(application, actor)
    if application.case.state not in (RepairStatus.ACCEPTED, RepairStatus.UNDER_REVIEW):
        raise Conflict(_("Only an accepted application can be extended."))
    if application.extended_at is not None or not policies.count("repair", "extensions_allowed"):
        raise Conflict(_("The decision has already been extended once."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Give the reason the applicant will read.")]})
    days = policies.working_days("repair", "decide_within")
    deadline = services.extend_deadline(case=application.case, step=DECIDE, working_days=days, actor=actor,
                                        reason=reason)  # fmt: skip
    application.extension_reason, application.extended_at = reason, timezone.now()
    application.save(update_fields=["extension_reason", "extended_at"])
    _tell_applicant(
        application,
        _("Application %(number)s: decision extended to %(day)s") % {"number": application.case.number,
                                                                       "day": deadline.due_on.isoformat()},
        reason,
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
        title=_("Decision on %(number)s awaits your approval") % {"number": application.case.number},
        body=reason or _("Proposed: repair the record."),
        case=application.case,
    )
    return application


@transaction.atomic
def approve_decision(*, actor, application_id: int) -> RepairApplication:
    """The department head approves the proposal: the record is repaired (display stopped or list
    entry removed) and the result queued for the national site; or the repair is refused."""
    application = _locked(application_id)
    _require_department(application, actor, "cases.approve_department_decisions")
    if application.proposed_approval is None:
        raise Conflict(_("There is no proposed decision to approve."))
    now = timezone.now()
    application.decided_by, application.decided_at = actor, now
    application.decision_reason = application.proposed_reason
    application.save(update_fields=["decided_by", "decided_at", "decision_reason"])
    services.close_deadline(case=application.case, step=DECIDE, actor=actor)
    number = application.case.number
    if not application.proposed_approval:
        transitions.transition(application.case, RepairMachine.reject, actor, reason=application.proposed_reason)
        documents.issue(NoticeKind.REFUSAL_DECISION, record=application.record, case=application.case,
                        reason=application.proposed_reason)  # fmt: skip
        _tell_applicant(
            application, _("Credit repair %(number)s refused") % {"number": number}, application.proposed_reason
        )
        return application
    transitions.transition(application.case, RepairMachine.approve, actor)
    record = scaffold.locked(CreditRecord, application.record_id)
    record.status = RecordStatus.REPAIRED
    record.save(update_fields=["status"])
    transitions.transition(application.case, RepairMachine.repair_record, None, record=record.decision_number)
    documents.issue(NoticeKind.REPAIR_DECISION, record=record, case=application.case)
    services.start_deadline(case=application.case, step=SYNC, label=_("Sync to the national site"),
                            policy_key="sync_within")  # fmt: skip
    _queue_sync(application, NationalSync.Action.REPAIR)
    _tell_applicant(
        application,
        _("Credit repair %(number)s approved") % {"number": number},
        (
            _("%(party)s is removed from the serious-dishonesty list (%(record)s).")
            if record.record_type == RecordType.SERIOUS_LIST
            else _("Record %(record)s is no longer displayed.")
        )
        % {"party": record.party.name, "record": record.decision_number},
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
    application.revocation_reason = reason
    application.save(update_fields=["revocation_reason"])
    record = scaffold.locked(CreditRecord, application.record_id)
    record.status = RecordStatus.PUBLISHED
    record.save(update_fields=["status"])
    services.close_open_deadlines(case=application.case, actor=actor)
    _queue_sync(application, NationalSync.Action.REVOKE)
    _tell_applicant(application, _("Credit repair %(number)s revoked") % {"number": application.case.number}, reason)
    return application


def _queue_sync(application: RepairApplication, action: str) -> None:
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
