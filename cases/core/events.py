"""The audit writer: the only code that writes AuditEvent rows, one at a time (`record`), a few
together (`opened_cases_events`) or in bulk (`record_many`, the sweep's and the record watch's
thousands). Each event is linked into its subject's hash chain as it is written
(cases/core/audit_chain.py). It writes and does nothing else: what a step on a case sets off
(the workflow, the boards) is cases.core.transitions' hook, run by the caller."""

from django.contrib.contenttypes.models import ContentType

from cases.core import audit_chain, identifiers
from cases.core.event_types import EventType
from cases.core.models import AuditEvent


def _event(subject, event_type, actor, from_state, to_state, reference, payload) -> AuditEvent:
    return AuditEvent(
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        subject_id=subject.pk,
        # Decision numbers and user names are typed by people: never longer than the column.
        reference=(reference or getattr(subject, "number", ""))[: AuditEvent._meta.get_field("reference").max_length],
        event_type=str(event_type),  # the plain value: what the chain hashes and the column stores
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
    )


def record(
    *, subject, event_type: EventType, actor=None, from_state="", to_state="", reference="", **payload
) -> AuditEvent:
    return audit_chain.append(_event(subject, event_type, actor, from_state, to_state, reference, payload))


def record_many(rows: list[dict]) -> None:
    """Write many events at once (rows of AuditEvent attnames, `event_type` an EventType): linked
    into their chains and written by COPY on PostgreSQL (audit_chain.insert)."""
    audit_chain.insert(
        [row if type(row["event_type"]) is str else {**row, "event_type": str(row["event_type"])} for row in rows]
    )


def policy_changed_event(*, policy, actor, old_value) -> AuditEvent:
    return record(
        subject=policy,
        event_type=EventType.POLICY_CHANGED,
        actor=actor,
        reference=f"{policy.case_type}/{policy.key}",
        old_value=old_value,
        new_value=policy.value,
    )


def department_documents_changed_event(*, department, actor, changed: list[str]) -> AuditEvent:
    """What a unit's notices carry changed (prefix, remedy body, contact, seal, signing key): the
    names of the fields, never a key or its passphrase."""
    return record(
        subject=department, event_type=EventType.DEPARTMENT_DOCUMENTS_CHANGED, actor=actor,
        reference=department.code, changed=changed,
    )  # fmt: skip


def holiday_saved_event(*, holiday, actor, old=None) -> AuditEvent:
    return record(
        subject=holiday,
        event_type=EventType.CALENDAR_DAY_SAVED,
        actor=actor,
        reference=holiday.date.isoformat(),
        old=old,
        new={"is_working_day": holiday.is_working_day, "name": holiday.name},
    )


def holiday_removed_event(*, holiday, actor) -> AuditEvent:
    return record(
        subject=holiday,
        event_type=EventType.CALENDAR_DAY_REMOVED,
        actor=actor,
        reference=holiday.date.isoformat(),
        old={"is_working_day": holiday.is_working_day, "name": holiday.name},
    )


def phrase_event(*, phrase, actor, deleted: bool = False) -> AuditEvent:
    """A department's reply phrase (常用语) saved or deleted, with its text as it was."""
    return record(
        subject=phrase, event_type=EventType.PHRASE_DELETED if deleted else EventType.PHRASE_SAVED, actor=actor,
        reference=phrase.title, department=phrase.department_id, text=phrase.text,
    )  # fmt: skip


def filter_event(*, saved, actor, event_type: EventType) -> AuditEvent:
    """A person's saved filter on a list kept, made their default (or not) or deleted."""
    return record(
        subject=saved, event_type=event_type, actor=actor, reference=saved.list_key,
        name=saved.name, query=saved.query, is_default=saved.is_default,
    )  # fmt: skip


def role_granted_event(*, user, actor, role: str) -> AuditEvent:
    return record(subject=user, event_type=EventType.USER_ROLE_GRANTED, actor=actor, reference=user.username, role=role)


def role_revoked_event(*, user, actor, role: str) -> AuditEvent:
    return record(subject=user, event_type=EventType.USER_ROLE_REVOKED, actor=actor, reference=user.username, role=role)


def account_lock_event(*, user, actor, active: bool) -> AuditEvent:
    event_type = EventType.USER_UNLOCKED if active else EventType.USER_LOCKED
    return record(subject=user, event_type=event_type, actor=actor, reference=user.username)


def sign_in_unlocked_event(*, user, actor) -> AuditEvent:
    return record(subject=user, event_type=EventType.USER_SIGN_IN_UNLOCKED, actor=actor, reference=user.username)


def second_factor_reset_event(*, user, actor) -> AuditEvent:
    return record(subject=user, event_type=EventType.USER_SECOND_FACTOR_RESET, actor=actor, reference=user.username)


def case_opened_event(*, case, actor) -> AuditEvent:
    return record(
        subject=case, event_type=EventType.CASE_OPENED, actor=actor, to_state=case.state, **opened_event_payload(case)
    )


def opened_cases_events(entries: list[tuple]) -> list[AuditEvent]:
    """The events of cases opened together, written in one statement: `entries` are
    (case, event_type, actor, payload). The caller runs cases.core.transitions.after_cases_opened
    once for all of them."""
    events = [
        _event(case, event_type, actor, "", case.state if event_type == EventType.CASE_OPENED else "", "", payload)
        for case, event_type, actor, payload in entries
    ]
    return audit_chain.append_many(events)


def opened_event_payload(case) -> dict:
    return {"kind": case.kind}


def deadline_payload(deadline) -> dict:
    return {
        "deadline": deadline.pk,
        "step": str(deadline.step),
        "due_on": deadline.due_on.isoformat(),
        "working_days": deadline.working_days,
    }


def deadline_started_event(*, deadline) -> AuditEvent:
    return record(subject=deadline.case, event_type=EventType.DEADLINE_STARTED, **deadline_payload(deadline))


def deadline_paused_event(*, deadline, actor) -> AuditEvent:
    return record(
        subject=deadline.case,
        event_type=EventType.DEADLINE_PAUSED,
        actor=actor,
        remaining_working_days=deadline.remaining_working_days,
        **deadline_payload(deadline),
    )


def deadline_resumed_event(*, deadline, actor) -> AuditEvent:
    return record(
        subject=deadline.case, event_type=EventType.DEADLINE_RESUMED, actor=actor, **deadline_payload(deadline)
    )


def deadline_closed_event(*, deadline, actor) -> AuditEvent:
    return record(
        subject=deadline.case, event_type=EventType.DEADLINE_CLOSED, actor=actor, **deadline_payload(deadline)
    )


def supervision_issued_event(*, order, actor) -> AuditEvent:
    extra = {"escalation_reason": order.escalation_reason} if order.escalation_reason else {}
    return record(
        subject=order.case,
        event_type=EventType.SUPERVISION_ISSUED,
        actor=actor,
        order=order.pk,
        level=order.level,
        respond_by=order.respond_by.isoformat(),
        **extra,
    )


def supervision_answered_event(*, order, actor) -> AuditEvent:
    return record(subject=order.case, event_type=EventType.SUPERVISION_ANSWERED, actor=actor, order=order.pk)


def record_registered_event(*, credit_record, actor) -> AuditEvent:
    return record(
        subject=credit_record,
        event_type=EventType.RECORD_REGISTERED,
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
    return record(subject=binding.user, event_type=EventType.IDENTITY_BOUND, actor=actor,
                  reference=binding.user.username, **_binding_payload(binding))  # fmt: skip


def identity_unbound_event(*, binding, actor, reason: str = "") -> AuditEvent:
    return record(subject=binding.user, event_type=EventType.IDENTITY_UNBOUND, actor=actor,
                  reference=binding.user.username, reason=reason, **_binding_payload(binding))  # fmt: skip


def identity_code_sent_event(*, user, phone_masked: str, entity_kind: str) -> AuditEvent:
    return record(subject=user, event_type=EventType.IDENTITY_CODE_SENT, actor=user, reference=user.username,
                  phone=phone_masked, entity_kind=entity_kind)  # fmt: skip


def identity_code_failed_event(*, user, attempts: int) -> AuditEvent:
    return record(subject=user, event_type=EventType.IDENTITY_CODE_FAILED, actor=user, reference=user.username,
                  attempts=attempts)  # fmt: skip


def password_code_sent_event(*, user, phone_masked: str) -> AuditEvent:
    return record(subject=user, event_type=EventType.USER_PASSWORD_CODE_SENT, actor=user, reference=user.username,
                  phone=phone_masked)  # fmt: skip


def password_reset_event(*, user, method: str) -> AuditEvent:
    """A new password set without the old one: by a text-message code ("sms") or an e-mail link ("email")."""
    return record(subject=user, event_type=EventType.USER_PASSWORD_RESET, actor=user, reference=user.username,
                  method=method)  # fmt: skip


def party_phone_set_event(*, party, actor, phone_masked: str) -> AuditEvent:
    return record(subject=party, event_type=EventType.PARTY_PHONE_SET, actor=actor, reference=party.name,
                  phone=phone_masked)  # fmt: skip
