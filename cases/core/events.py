"""Audit writers: the only code that creates single AuditEvent rows (the sweeps write theirs in
bulk through audit_chain.insert). One small function per event type; each event is linked into
its subject's hash chain as it is written (cases/audit_chain.py)."""

from django.contrib.contenttypes.models import ContentType
from django.dispatch import Signal

from cases.core import audit_chain, identifiers
from cases.core.models import AuditEvent, Case
from notifications import services as notification_services

# Sent for every event recorded on a case, inside the transaction that records it, so that the
# process layer (workflows) follows each step without `cases` depending on it.
case_event = Signal()


# Sent once for cases opened together (complaint_building) after their events are written: the
# process layer starts all their processes at once instead of following each event.
cases_opened = Signal()


def _event(subject, event_type, actor, from_state, to_state, reference, payload) -> AuditEvent:
    return AuditEvent(
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        subject_id=subject.pk,
        # Decision numbers and user names are typed by people: never longer than the column.
        reference=(reference or getattr(subject, "number", ""))[: AuditEvent._meta.get_field("reference").max_length],
        event_type=event_type,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
    )


def record(*, subject, event_type: str, actor=None, from_state="", to_state="", reference="", **payload) -> AuditEvent:
    event = audit_chain.append(_event(subject, event_type, actor, from_state, to_state, reference, payload))
    if isinstance(subject, Case):
        case_event.send(sender=Case, case=subject, event=event)
        # Every change to a case is recorded here: the open boards refresh once after commit.
        notification_services.board_changed([subject.department_id])
    return event


def policy_changed_event(*, policy, actor, old_value) -> AuditEvent:
    return record(
        subject=policy,
        event_type="policy.changed",
        actor=actor,
        reference=f"{policy.case_type}/{policy.key}",
        old_value=old_value,
        new_value=policy.value,
    )


def holiday_saved_event(*, holiday, actor, old=None) -> AuditEvent:
    return record(
        subject=holiday,
        event_type="calendar.day_saved",
        actor=actor,
        reference=holiday.date.isoformat(),
        old=old,
        new={"is_working_day": holiday.is_working_day, "name": holiday.name},
    )


def holiday_removed_event(*, holiday, actor) -> AuditEvent:
    return record(
        subject=holiday,
        event_type="calendar.day_removed",
        actor=actor,
        reference=holiday.date.isoformat(),
        old={"is_working_day": holiday.is_working_day, "name": holiday.name},
    )


def role_granted_event(*, user, actor, role: str) -> AuditEvent:
    return record(subject=user, event_type="user.role_granted", actor=actor, reference=user.username, role=role)


def role_revoked_event(*, user, actor, role: str) -> AuditEvent:
    return record(subject=user, event_type="user.role_revoked", actor=actor, reference=user.username, role=role)


def account_lock_event(*, user, actor, active: bool) -> AuditEvent:
    event_type = "user.unlocked" if active else "user.locked"
    return record(subject=user, event_type=event_type, actor=actor, reference=user.username)


def sign_in_unlocked_event(*, user, actor) -> AuditEvent:
    return record(subject=user, event_type="user.sign_in_unlocked", actor=actor, reference=user.username)


def second_factor_reset_event(*, user, actor) -> AuditEvent:
    return record(subject=user, event_type="user.second_factor_reset", actor=actor, reference=user.username)


def case_opened_event(*, case, actor) -> AuditEvent:
    return record(
        subject=case, event_type="case.opened", actor=actor, to_state=case.state, **opened_event_payload(case)
    )


def opened_cases_events(entries: list[tuple]) -> list[AuditEvent]:
    """The events of cases opened together, written in one statement: `entries` are
    (case, event_type, actor, payload). The caller sends `cases_opened` once for all of them,
    and refreshes the boards once, instead of what record() does for each event."""
    events = [
        _event(case, event_type, actor, "", case.state if event_type == "case.opened" else "", "", payload)
        for case, event_type, actor, payload in entries
    ]
    return audit_chain.append_many(events)


def opened_event_payload(case) -> dict:
    return {"kind": case.kind}


def deadline_payload(deadline) -> dict:
    return {
        "deadline": deadline.pk,
        "step": deadline.step,
        "due_on": deadline.due_on.isoformat(),
        "working_days": deadline.working_days,
    }


def deadline_started_event(*, deadline) -> AuditEvent:
    return record(subject=deadline.case, event_type="deadline.started", **deadline_payload(deadline))


def deadline_paused_event(*, deadline, actor) -> AuditEvent:
    return record(
        subject=deadline.case,
        event_type="deadline.paused",
        actor=actor,
        remaining_working_days=deadline.remaining_working_days,
        **deadline_payload(deadline),
    )


def deadline_resumed_event(*, deadline, actor) -> AuditEvent:
    return record(subject=deadline.case, event_type="deadline.resumed", actor=actor, **deadline_payload(deadline))


def deadline_closed_event(*, deadline, actor) -> AuditEvent:
    return record(subject=deadline.case, event_type="deadline.closed", actor=actor, **deadline_payload(deadline))


def supervision_issued_event(*, order, actor) -> AuditEvent:
    return record(subject=order.case, event_type="supervision.issued", actor=actor, order=order.pk, level=order.level)


def supervision_answered_event(*, order, actor) -> AuditEvent:
    return record(subject=order.case, event_type="supervision.answered", actor=actor, order=order.pk)


def record_registered_event(*, credit_record, actor) -> AuditEvent:
    return record(
        subject=credit_record,
        event_type="record.registered",
        actor=actor,
        reference=credit_record.decision_number,
        party=credit_record.party_id,
        severity=credit_record.severity,
        repairable_from=credit_record.repairable_from.isoformat(),
        display_until=credit_record.display_until.isoformat(),
    )


# --- identity bindings (实名认证) ---------------------------------------------------------------


def _binding_payload(binding) -> dict:
    # The identifier is on the binding row itself; the trail keeps only its masked form.
    number = binding.id_number
    return {
        "binding": binding.pk,
        "entity_kind": binding.entity_kind,
        "identifier": identifiers.mask_resident_id(number) if binding.entity_kind == "person" else number,
        "role": binding.role,
        "method": binding.method,
    }


def identity_bound_event(*, binding, actor) -> AuditEvent:
    return record(subject=binding.user, event_type="identity.bound", actor=actor, reference=binding.user.username,
                  **_binding_payload(binding))  # fmt: skip


def identity_unbound_event(*, binding, actor, reason: str = "") -> AuditEvent:
    return record(subject=binding.user, event_type="identity.unbound", actor=actor, reference=binding.user.username,
                  reason=reason, **_binding_payload(binding))  # fmt: skip


def identity_code_sent_event(*, user, phone_masked: str, entity_kind: str) -> AuditEvent:
    return record(subject=user, event_type="identity.code_sent", actor=user, reference=user.username,
                  phone=phone_masked, entity_kind=entity_kind)  # fmt: skip


def identity_code_failed_event(*, user, attempts: int) -> AuditEvent:
    return record(subject=user, event_type="identity.code_failed", actor=user, reference=user.username,
                  attempts=attempts)  # fmt: skip


def party_phone_set_event(*, party, actor, phone_masked: str) -> AuditEvent:
    return record(subject=party, event_type="party.phone_set", actor=actor, reference=party.name,
                  phone=phone_masked)  # fmt: skip
