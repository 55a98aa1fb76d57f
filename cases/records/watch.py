"""Early warning on published records (提醒预警), run by beat: tell entities when a record becomes
repairable, and end the display of records whose longest period has passed (no application
needed). Each is one indexed query; each record is told once."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from cases.core import events, identity
from cases.core.event_types import EventType
from cases.core.models import CreditRecord, RecordStatus
from cases.core.signals import display_ended
from notifications.phrases import Phrase
from notifications.services import Outbox

BATCH = 1000


def _users_by_party(records) -> dict[tuple, list[int]]:
    return identity.users_acting_for({(r.party.kind, r.party.id_number) for r in records})


def _event(record, event_type: EventType, now) -> dict:
    return {
        "subject_type_id": ContentType.objects.get_for_model(CreditRecord).pk,
        "subject_id": record.pk,
        "reference": record.decision_number,
        "event_type": event_type.value,
        "actor_id": None,
        "from_state": "",
        "to_state": "",
        "payload": {"party": record.party_id},
        "created_at": now,
    }


def _in_locked_batches(select, act) -> int:
    """Run `act(batch, now, outbox, users)` over `select()`'s records, a locked batch at a time
    (rows another worker holds are skipped), each batch in its own transaction."""
    done = 0
    while True:
        with transaction.atomic():
            batch = list(select().select_for_update(skip_locked=True, of=("self",)).select_related("party")[:BATCH])
            if not batch:
                return done
            now, outbox = timezone.now(), Outbox()
            act(batch, now, outbox, _users_by_party(batch))
            outbox.flush()
            done += len(batch)


def tell_repairable(today=None) -> int:
    today = today or timezone.localdate()

    def select():
        return CreditRecord.objects.filter(
            status=RecordStatus.PUBLISHED, repairable_notified_on__isnull=True, repairable_from__lte=today
        ).order_by("repairable_from")

    def act(batch, now, outbox, users):
        for record in batch:
            outbox.add(
                users.get((record.party.kind, record.party.id_number), []),
                kind="record.repairable",
                title=Phrase("You may now apply to repair %(number)s", number=record.decision_number),
                body=Phrase(
                    "The shortest publicity period of %(number)s has passed. Apply online for credit repair.",
                    number=record.decision_number,
                ),
                payload={"record": record.pk, "url": "/my/records/"},
            )
        events.record_many([_event(record, EventType.RECORD_REPAIRABLE, now) for record in batch])
        CreditRecord.objects.filter(pk__in=[r.pk for r in batch]).update(repairable_notified_on=today)

    return _in_locked_batches(select, act)


def end_display(today=None) -> int:
    today = today or timezone.localdate()

    def select():
        return CreditRecord.objects.filter(status=RecordStatus.PUBLISHED, display_until__lte=today).order_by(
            "display_until"
        )

    def act(batch, now, outbox, users):
        for record in batch:
            outbox.add(
                users.get((record.party.kind, record.party.id_number), []),
                kind="record.expired",
                title=Phrase("%(number)s is no longer displayed", number=record.decision_number),
                body=Phrase(
                    "The longest publicity period of %(number)s ended on %(day)s; its display has stopped.",
                    number=record.decision_number,
                    day=record.display_until.isoformat(),
                ),
                payload={"record": record.pk, "url": "/my/records/"},
            )
        events.record_many([_event(record, EventType.RECORD_DISPLAY_ENDED, now) for record in batch])
        CreditRecord.objects.filter(pk__in=[r.pk for r in batch]).update(status=RecordStatus.EXPIRED)
        # An application still open on a record whose display ended has nothing left to repair (终止办理).
        display_ended.send(sender=CreditRecord, record_ids=[r.pk for r in batch])

    return _in_locked_batches(select, act)
