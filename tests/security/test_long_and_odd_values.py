"""Values a person can type that the columns or the arithmetic cannot take: refused with the field
named (400), never a server error — and never one that shows only on PostgreSQL, which, unlike
SQLite, enforces column lengths and numeric precision."""

import json

import pytest
from django.db import transaction

from cases.complaints import building as complaint_building
from cases.complaints.models import Channel
from cases.core import events
from cases.core.models import AuditEvent, Case, CreditRecord, User
from tests.channel_signing import signed_headers
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db

# (role, action on A's complaint, what is posted)
TYPED = {
    "days that are not a number": ("x", "extension", {"days": "abc", "reason": "需补充材料"}),
    "days too large for an integer": ("x", "extension", {"days": "9" * 20, "reason": "需补充材料"}),
    "a department that is not a number": ("clerk", "assign", {"department": "x"}),
    "a complaint to merge into that is not a number": ("clerk", "merge", {"into": "1; drop"}),
    "an amount past the ledger's digits": ("x", "confirm-amount", {"amount": "1e30"}),
    "an amount that is not a number": ("x", "confirm-amount", {"amount": "NaN"}),
    "an amount with a third decimal": ("x", "confirm-amount", {"amount": "10.005"}),
    "a payment past the digits": ("x", "payment", {"amount": "1e30", "paid_on": "2026-01-05", "proof": "凭证"}),
    "an infinite payment": ("x", "payment", {"amount": "Infinity", "paid_on": "2026-01-05", "proof": "凭证"}),
    "a voucher number past its column": ("x", "payment", {"amount": "5", "paid_on": "2026-01-05", "proof": "凭" * 201}),
    "a respondent past its column": ("clerk", "register", {"subject": "arrears", "respondent": "区" * 201}),
}  # fmt: skip


@pytest.mark.parametrize("role,action,data", TYPED.values(), ids=TYPED.keys())
def test_a_typed_value_the_ledger_cannot_take_is_refused(client, world, role, action, data):
    client.force_login(world.users[role])
    response = client.post(f"/complaints/{world.complaint_case.number}/{action}/", data)
    assert response.status_code == 400


def test_a_respondent_of_the_longest_allowed_name_still_makes_a_case(client, db):
    Channel.objects.create(code="c1", name="渠道", secret="s")
    body = json.dumps({"reference": "R-1", "complainant_name": "张经理", "enterprise_name": "甲公司",
                       "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区" * 200,
                       "subject": "arrears", "facts": "工程款未付。",
                       "amount_claimed": "1000.00"}).encode()  # fmt: skip
    headers = signed_headers("POST", "/api/v1/complaints/", body, secret="s", code="c1")
    response = client.post("/api/v1/complaints/", body, content_type="application/json", headers=headers)
    assert response.status_code == 202
    complaint_building.open_all_waiting()
    title = Case.objects.get().title
    assert len(title) == Case._meta.get_field("title").max_length and title.endswith("区…")


def test_the_audit_reference_holds_the_longest_decision_number_and_user_name():
    reference = AuditEvent._meta.get_field("reference").max_length
    assert reference >= CreditRecord._meta.get_field("decision_number").max_length
    assert reference >= User._meta.get_field("username").max_length


def test_an_over_long_reference_is_cut_to_the_column(world):
    with transaction.atomic():
        event = events.record(subject=world.repair_case, event_type="test.long", reference="号" * 500)
    assert len(AuditEvent.objects.get(pk=event.pk).reference) == AuditEvent._meta.get_field("reference").max_length
