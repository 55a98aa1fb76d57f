"""Retention: a closed case keeps the personal data of the people in it (names, phones, e-mails, ID
numbers, the files they gave) for its kind's policy period (policy `retain_months`, counted on the
office calendar from the day it closed), then the daily task anonymises it.

What is replaced, and by what:
- the kernel's rows: the phone an SMS or a notification of the case went to (notifications);
- each sub-domain's rows, through the anonymiser it registers here for its kind of case (its
  AppConfig.ready): the sub-domains are below this module's callers and independent of each
  other, so the kernel never imports them;
- names and phones become ANONYMISED ("已匿名化"), e-mails and ID numbers are emptied or replaced
  the same way; the files the people gave are deleted from storage once the transaction commits
  (their rows stay, renamed, as the trace that a file was given). Staff names, the case number,
  the enterprise and the respondent body are not personal data of the people and stay.

The audit trail is not anonymised. It is append-only (a trigger refuses UPDATE) and hash-chained:
every event's hash covers its payload, so rewriting a payload would break `verify_audit` from that
event on, and a digest-only chain would need every old event re-hashed (its canonical content
must never change). Instead the trail keeps no contact fields of the people: payloads carry
states, ids, decisions and reasons, never the complainant's or applicant's name, phone, e-mail or
ID number as a field (the opened event's payload is the case's kind only). Anonymising therefore
changes only rows outside the chain and appends one new event per case (case.anonymised), so the
chain still verifies and says when the data went. The limit: a reason typed in free text (a
withdrawal's, a refusal's) is in its event's payload as typed and stays there with the trail.

Each batch is one transaction: the due cases are locked with SELECT ... FOR UPDATE SKIP LOCKED
(a second run at the same moment takes other cases, never the same one twice), anonymised,
stamped `anonymised_at` (which takes them out of the next query: running again changes nothing)
and given their events. An open case is never touched: only cases with `closed_at` set qualify,
and a case reopened since has it cleared."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.core import events, policies, states
from cases.core.event_types import EventType
from cases.core.masking import ANONYMISED, scrub_text
from cases.core.models import Case
from cases.core.models.case import CaseKind

BATCH_SIZE = 200

# A sub-domain's anonymiser: given the ids of due cases of its kind (locked by the caller), it
# replaces their personal data and returns the stored files to delete once the batch commits.
StoredFile = tuple[Storage, str]
Anonymiser = Callable[[list[int]], Iterable[StoredFile]]
_ANONYMISERS: dict[str, list[Anonymiser]] = {}


def register(kind: str, anonymiser: Anonymiser) -> None:
    """Called by a sub-domain's AppConfig.ready() for the kind of case whose rows it keeps."""
    if anonymiser not in _ANONYMISERS.setdefault(kind, []):
        _ANONYMISERS[kind].append(anonymiser)


def files_of(queryset) -> list[StoredFile]:
    """The stored files of uploads (UploadedFile rows), renamed in the database to the marker."""
    found = [(row.file.storage, row.file.name) for row in queryset.only("id", "file") if row.file.name]
    queryset.update(original_name=ANONYMISED)
    return found


def scrub_free_text(queryset, *fields: str) -> None:
    """The resident ID and phone numbers written into these text fields replaced by the marker."""
    for row in queryset.only("pk", *fields):
        changed = {name: scrub_text(getattr(row, name)) for name in fields}
        changed = {name: value for name, value in changed.items() if value != getattr(row, name)}
        if changed:
            type(row).objects.filter(pk=row.pk).update(**changed)


@dataclass
class Outcome:
    anonymised: list[str] = field(default_factory=list)  # case numbers, in the order done
    batches: int = 0


def closed_before(kind: str, now: datetime | None = None) -> datetime:
    """Cases of this kind closed before this moment are past their retention period: those closed
    on or before the day, on the office calendar, that lies `retain_months` before today."""
    today = timezone.localdate(now or timezone.now())
    last_day = today - relativedelta(months=policies.months(kind, "retain_months"))
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))


def due(now: datetime | None = None):
    """The closed cases whose retention period has passed and which still hold personal data."""
    past = Q()
    for kind in CaseKind.values:
        past |= Q(kind=kind, state__in=states.CLOSED[kind], closed_at__lt=closed_before(kind, now))
    return Case.objects.filter(past, closed_at__isnull=False, anonymised_at__isnull=True).order_by("closed_at", "id")


def _notification_phones(case_ids: list[int]) -> None:
    from notifications.models import Notification, SmsMessage

    notifications = Notification.objects.filter(case_id__in=case_ids).exclude(phone="")
    SmsMessage.objects.filter(notification__case_id__in=case_ids).update(phone=ANONYMISED)
    notifications.update(phone=ANONYMISED)


def _delete_files(files: list[StoredFile]) -> None:
    for storage, name in files:
        storage.delete(name)


def _batch(now: datetime, batch_size: int) -> list[Case]:
    with transaction.atomic():
        cases = list(
            due(now).select_for_update(skip_locked=True, of=("self",)).only("id", "number", "kind")[:batch_size]
        )
        if not cases:
            return []
        ids = [case.pk for case in cases]
        files: list[StoredFile] = []
        for kind in {case.kind for case in cases}:
            kind_ids = [case.pk for case in cases if case.kind == kind]
            for anonymiser in _ANONYMISERS.get(kind, []):
                files += list(anonymiser(kind_ids))
        _notification_phones(ids)
        Case.objects.filter(pk__in=ids).update(anonymised_at=now)
        case_type = ContentType.objects.get_for_model(Case).pk
        # One event per case, in its own chain: the batch's events are linked and written together.
        events.record_many(
            [
                {
                    "subject_type_id": case_type,
                    "subject_id": case.pk,
                    "reference": case.number,
                    "event_type": EventType.CASE_ANONYMISED,
                    "payload": {"retain_months": policies.months(case.kind, "retain_months")},
                }
                for case in cases
            ]
        )
        if files:
            transaction.on_commit(lambda: _delete_files(files))
    return cases


def anonymise_due(*, batch_size: int = BATCH_SIZE, now: datetime | None = None) -> Outcome:
    """Anonymise every closed case past its retention period, `batch_size` cases a transaction,
    until none is left that another run does not hold. Idempotent."""
    now = now or timezone.now()
    outcome = Outcome()
    while cases := _batch(now, batch_size):
        outcome.batches += 1
        outcome.anonymised += [case.number for case in cases]
    return outcome
