"""Registering a published credit record and delivering its two documents together (两书同达)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import documents, events, identity, masking, scaffold
from cases.core.event_types import EventType
from cases.core.exceptions import Conflict, InvalidInput, NotFound
from cases.core.models import CreditRecord, NoticeKind, Party
from cases.records import windows as records
from notifications import services as notification_services
from notifications.phrases import Phrase, named


@transaction.atomic
def register_credit_record(*, actor, data: dict) -> CreditRecord:
    """A department registers a published record (validated by CreditRecordForm or its serializer).

    The party is found by its identifier or created; the display and repair dates come from the
    policy table; users who act for the party are told at once.
    """
    scaffold.require_department_member(actor)
    published_from = data.get("published_from") or data["decided_on"]
    _require_past_decision(data["decided_on"], published_from)
    mismatch = records.severity_error(data["record_type"], data["severity"], bool(data.get("simple_procedure")))
    if mismatch:
        raise InvalidInput(details={"severity": [mismatch]})
    if CreditRecord.objects.filter(decision_number=data["decision_number"]).exists():
        raise Conflict(_("A record with this decision number is already registered."))
    party, _created = Party.objects.get_or_create(
        kind=data["party_kind"], id_number=data["party_id_number"], defaults={"name": data["party_name"]}
    )
    phone = data.get("party_phone") or ""
    if phone and party.phone != phone:  # the deciding department's case file has the newest number
        party.phone = phone
        party.save(update_fields=["phone"])
        events.party_phone_set_event(party=party, actor=actor, phone_masked=masking.mask_phone(phone))
    repairable_from, display_until = records.publicity_window(data["severity"], published_from)
    try:
        with transaction.atomic():
            record = _create_record(party, data, actor, published_from, repairable_from, display_until)
    except IntegrityError as exc:  # the same decision registered at the same moment
        raise Conflict(_("A record with this decision number is already registered.")) from exc
    events.record_registered_event(credit_record=record, actor=actor)
    _deliver_two_documents(record, actor)
    _tell_party(record, party)
    return record


def _require_past_decision(decided_on, published_from) -> None:
    """The same date rules as the registration form, for every caller of the service: a decision
    is taken by today (the office's day), and its publication does not start before it."""
    if decided_on > timezone.localdate():
        raise InvalidInput(details={"decided_on": [_("The decision date cannot be in the future.")]})
    if published_from < decided_on:
        raise InvalidInput(details={"published_from": [_("Publication cannot start before the decision date.")]})


def _create_record(party, data, actor, published_from, repairable_from, display_until) -> CreditRecord:
    return CreditRecord.objects.create(
        party=party,
        record_type=data["record_type"],
        decision_number=data["decision_number"],
        department_id=actor.department_id,
        decided_on=data["decided_on"],
        severity=data["severity"],
        simple_procedure=bool(data.get("simple_procedure")),
        summary=data["summary"],
        published_from=published_from,
        repairable_from=repairable_from,
        display_until=display_until,
        registered_by=actor,
    )


def _deliver_two_documents(record: CreditRecord, actor) -> None:
    """两书同达: the credit-repair notice goes out with the penalty decision itself."""
    advice = documents.issue(NoticeKind.REPAIR_ADVICE, record=record)
    record.documents_delivered_at = timezone.now()
    record.save(update_fields=["documents_delivered_at"])
    events.record(subject=record, event_type=EventType.RECORD_DOCUMENTS_DELIVERED, actor=actor,
                  reference=record.decision_number, notice=advice.number)  # fmt: skip


def _tell_party(record: CreditRecord, party: Party) -> None:
    display_until, repairable_from = record.display_until, record.repairable_from
    notification_services.notify(
        identity.users_acting_for({(party.kind, party.id_number)})[(party.kind, party.id_number)],
        kind="record.registered",
        title=Phrase("A credit record about %(name)s has been published", name=party.name),
        body=Phrase(
            "%(department)s registered decision %(number)s. It is displayed until %(until)s; "
            "you may apply for credit repair from %(from)s.",
            department=named(record.department),
            number=record.decision_number,
            until=display_until,
            **{"from": repairable_from},
        ),
        payload={"record": record.pk, "url": "/my/records/"},
    )


@transaction.atomic
def mark_not_repairable(*, actor, record_id: int, not_repairable: bool, basis: str = "") -> CreditRecord:
    """The deciding department marks its record as not repairable (a law, regulation or policy
    document rules repair out), with the basis the entity reads; or lifts the mark."""
    record = scaffold.locked(CreditRecord, record_id, related=("party",), of=("self",))
    scaffold.require_department(record, actor, refusal=NotFound)
    basis = (basis or "").strip()
    if not_repairable and not basis:
        raise InvalidInput(details={"basis": [_("Name the law, regulation or policy document that rules repair out.")]})
    record.not_repairable = not_repairable
    record.not_repairable_basis = basis if not_repairable else ""
    record.save(update_fields=["not_repairable", "not_repairable_basis"])
    events.record(subject=record, event_type=EventType.RECORD_NOT_REPAIRABLE, actor=actor,
                  reference=record.decision_number, not_repairable=not_repairable,
                  basis=record.not_repairable_basis)  # fmt: skip
    return record
