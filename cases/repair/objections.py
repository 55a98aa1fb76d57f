"""Every write of a credit information objection (信用信息异议): the entity objects to a record about
it, with reasons and evidence; the record's department checks it within the policy's working days
(objection/check_within, a supervised deadline) and corrects the record, confirms it or withdraws
its publication. One function per action: each locks, checks the actor and the transition
(ObjectionMachine), writes the audit event and leaves deliveries to after commit.

An objection is a case of its own (kind "objection", numbers YY…), one open per record; while it
is open the record is marked as under objection and, by policy (objection/pauses_display), its
display pauses. A record with an open objection takes no repair application, and a record with an
open repair application takes no objection: the two would change the same record at once."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import documents, identity, permissions, policies, scaffold, services, transitions, uploads
from cases.core.event_types import DeadlineStep, EventType
from cases.core.exceptions import Conflict, InvalidInput, NotFound
from cases.core.models import CreditRecord, NoticeKind, RecordStatus
from cases.core.roles import Role
from cases.core.states import OBJECTION_CLOSED, REPAIR_CLOSED, ObjectionMachine, ObjectionStatus
from cases.repair.models import Objection, ObjectionEvidence, RepairApplication
from notifications import services as notification_services
from notifications.phrases import Phrase

CHECK = DeadlineStep.OBJECTION_CHECK
MAX_EVIDENCE_FILES = 10
# The facts of a record a correction may change (the rest is the record's identity or follows from them).
CORRECTABLE = ("summary", "decided_on")


def pauses_display() -> bool:
    return policies.count("objection", "pauses_display") > 0


def open_objection_of(record) -> Objection | None:
    return Objection.objects.filter(record=record).exclude(case__state__in=OBJECTION_CLOSED).first()


def _locked(objection_id: int) -> Objection:
    return scaffold.locked_by_case(Objection, objection_id, related=("record", "record__party", "record__department"))


def _require_caseworker(objection: Objection, actor) -> None:
    """The record's department checks the objection; the case becomes the caseworker's."""
    scaffold.require_department(objection.record, actor)
    services.ensure_claimed_by(objection.case, actor)


def _tell_entity(objection: Objection, title, body) -> None:
    """The entity is told with a link: the notification carries the case, whose page it opens."""
    notification_services.notify(
        [objection.case.applicant_id], kind="objection.progress", title=title, body=body, case=objection.case
    )


@transaction.atomic
def raise_objection(*, actor, record_id: int, reasons: str, evidence=()) -> Objection:
    """The entity (or the applicant acting for it) objects to a record about it."""
    permissions.require(actor, "cases.file_cases")
    record = scaffold.locked(CreditRecord, record_id, related=("party",), of=("self",))
    if not identity.acts_for(actor, record.party.kind, record.party.id_number):
        raise NotFound()
    reasons = (reasons or "").strip()
    if not reasons:
        raise InvalidInput(details={"reasons": [_("Say what is wrong in the record and why.")]})
    if record.status != RecordStatus.PUBLISHED:
        raise InvalidInput(_("This record is no longer displayed."))
    if open_objection_of(record) is not None:
        raise Conflict(_("A credit information objection to this record is already being checked."))
    if RepairApplication.objects.filter(record=record).exclude(case__state__in=REPAIR_CLOSED).exists():
        raise Conflict(_("A credit-repair application for this record is open: withdraw it or await its decision."))
    evidence = [upload for upload in evidence if upload is not None]
    if len(evidence) > MAX_EVIDENCE_FILES:
        raise InvalidInput(_("Attach at most %(count)d files.") % {"count": MAX_EVIDENCE_FILES})
    checked = [(upload, uploads.check_material(upload)) for upload in evidence]
    case = services.open_case(
        kind="objection",
        title=_("Credit information objection to %(number)s") % {"number": record.decision_number},
        actor=actor,
        applicant=actor,
        department=record.department,
        state=ObjectionStatus.SUBMITTED,
    )
    objection = Objection.objects.create(case=case, record=record, reasons=reasons)
    for upload, content_type in checked:
        ObjectionEvidence.keep(upload, content_type, uploaded_by=actor, objection=objection)
    paused = pauses_display()
    record.under_objection, record.display_paused = True, paused
    record.save(update_fields=["under_objection", "display_paused"])
    transitions.record(case, EventType.OBJECTION_RAISED, actor=actor, record=record.decision_number,
                       evidence=len(checked), display_paused=paused)  # fmt: skip
    services.start_deadline(case=case, step=CHECK, label=_("Check of the objection"), policy_key="check_within")
    notification_services.notify(
        services.users_with_role(Role.CASEWORKER, record.department_id),
        kind="objection.raised",
        title=Phrase("New credit information objection %(number)s", number=case.number),
        body=Phrase("%(entity)s objects to %(record)s.", entity=record.party.name, record=record.decision_number),
        case=case,
    )
    return objection


@transaction.atomic
def start_check(*, actor, objection_id: int) -> Objection:
    objection = _locked(objection_id)
    _require_caseworker(objection, actor)
    transitions.transition(objection.case, ObjectionMachine.start_check, actor)
    return objection


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [message]})
    return reason


def _close(objection: Objection, actor, reason: str, record: CreditRecord, **record_fields) -> None:
    """What every outcome does: the reasons kept, the clock stopped, the record's mark lifted."""
    objection.outcome_reason, objection.checked_by, objection.checked_at = reason, actor, timezone.now()
    objection.save(update_fields=["outcome_reason", "corrections", "checked_by", "checked_at"])
    services.close_open_deadlines(case=objection.case, actor=actor)
    fields = {"under_objection": False, "display_paused": False, **record_fields}
    for name, value in fields.items():
        setattr(record, name, value)
    record.save(update_fields=list(fields))


def _corrections(record: CreditRecord, changes: dict) -> dict:
    found = {}
    for name, value in (changes or {}).items():
        if name not in CORRECTABLE:
            raise InvalidInput(details={name: [_("This fact of the record cannot be corrected here.")]})
        if name == "decided_on" and not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value))
            except ValueError as exc:
                raise InvalidInput(details={name: [_("Enter a valid date.")]}) from exc
            # The record was published on its day: a corrected decision date cannot fall after it.
            if value > min(record.published_from, timezone.localdate()):
                raise InvalidInput(details={name: [_("The decision date cannot be after the publication.")]})
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None):
            continue
        old = getattr(record, name)
        if value != old:
            found[name] = (old, value)
    if not found:
        raise InvalidInput(_("Change at least one fact of the record, or confirm it instead."))
    return found


@transaction.atomic
def correct(*, actor, objection_id: int, changes: dict, reason: str) -> Objection:
    """The record was wrong: its facts are corrected (what changed is kept on the objection and
    in the trail) and it is displayed again as corrected."""
    objection = _locked(objection_id)
    _require_caseworker(objection, actor)
    reason = _reason(reason, _("Say what was wrong and what was corrected."))
    record = scaffold.locked(CreditRecord, objection.record_id)
    found = _corrections(record, changes)
    transitions.transition(objection.case, ObjectionMachine.correct, actor, reason=reason,
                           changed=sorted(found))  # fmt: skip
    objection.corrections = {name: {"from": str(old), "to": str(new)} for name, (old, new) in found.items()}
    _close(objection, actor, reason, record, **{name: new for name, (_old, new) in found.items()})
    documents.issue(NoticeKind.OBJECTION_CORRECTED, record=record, case=objection.case, reason=reason,
                    corrections=objection.corrections, objection_raised_on=_raised_on(objection))  # fmt: skip
    _tell_entity(
        objection,
        Phrase("Objection %(number)s: record corrected", number=objection.case.number),
        Phrase("Record %(record)s has been corrected and is displayed as corrected.", record=record.decision_number),
    )
    return objection


@transaction.atomic
def confirm(*, actor, objection_id: int, reason: str) -> Objection:
    """The record was right: it stays as it is, displayed again, and the entity is told why."""
    objection = _locked(objection_id)
    _require_caseworker(objection, actor)
    reason = _reason(reason, _("Give the reasons why the record is right."))
    transitions.transition(objection.case, ObjectionMachine.confirm, actor, reason=reason)
    record = scaffold.locked(CreditRecord, objection.record_id)
    _close(objection, actor, reason, record)
    documents.issue(NoticeKind.OBJECTION_CONFIRMED, record=record, case=objection.case, reason=reason,
                    objection_raised_on=_raised_on(objection))  # fmt: skip
    _tell_entity(objection, Phrase("Objection %(number)s: record confirmed", number=objection.case.number), reason)
    return objection


@transaction.atomic
def withdraw_record(*, actor, objection_id: int, reason: str) -> Objection:
    """The record should not have been published: its publication is withdrawn (撤销) and it is
    no longer displayed."""
    objection = _locked(objection_id)
    _require_caseworker(objection, actor)
    reason = _reason(reason, _("Give the reasons for withdrawing the publication."))
    transitions.transition(objection.case, ObjectionMachine.withdraw_record, actor, reason=reason)
    record = scaffold.locked(CreditRecord, objection.record_id)
    _close(objection, actor, reason, record, status=RecordStatus.WITHDRAWN)
    documents.issue(NoticeKind.OBJECTION_WITHDRAWN, record=record, case=objection.case, reason=reason,
                    objection_raised_on=_raised_on(objection))  # fmt: skip
    _tell_entity(
        objection,
        Phrase("Objection %(number)s: publication withdrawn", number=objection.case.number),
        Phrase("Record %(record)s is no longer displayed.", record=record.decision_number),
    )
    return objection


def _raised_on(objection: Objection) -> str:
    return timezone.localdate(objection.submitted_at).isoformat()
