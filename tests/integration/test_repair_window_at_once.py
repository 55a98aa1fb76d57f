"""The national single window pushing the same application twice at the same moment, on
PostgreSQL's row locks and with the nonces in Redis: one application, the same answer twice."""

import base64
import json

import pytest
from django.test import Client

from cases.complaints.models import Channel
from cases.repair.models import RepairApplication
from tests.channel_signing import signed_headers
from tests.factories import ENTITY_USCC, StaffFactory, register_penalty
from tests.integration.test_concurrency import at_once

pytestmark = pytest.mark.integration

URL = "/api/v1/repair-applications/"
PDF = base64.b64encode(b"%PDF-1.7 proof").decode()
BODY = json.dumps({
    "platform_number": "XYZG-2026-000123", "decision_number": "甘市监罚〔2026〕12号", "entity_kind": "enterprise",
    "id_number": ENTITY_USCC, "applicant_name": "示范公司", "obligations_fulfilled": True, "commitment_signed": True,
    "materials": [{"code": "obligation_proof", "name": "a.pdf", "content": PDF},
                  {"code": "commitment", "name": "b.pdf", "content": PDF}],
}, ensure_ascii=False).encode()  # fmt: skip


def _push():
    headers = signed_headers("POST", URL, BODY, secret="cc", code="creditchina")
    return Client().post(URL, BODY, content_type="application/json", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_the_same_application_pushed_at_once_is_one_application():
    Channel.objects.create(code="creditchina", name="信用中国", secret="cc", pushes_repair_applications=True)
    register_penalty(StaffFactory())
    first, second = at_once(_push, _push)
    assert sorted([first.status_code, second.status_code]) == [200, 201]
    assert first.json() == second.json()
    assert RepairApplication.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_push_replayed_with_its_nonce_is_refused_by_the_shared_store():
    Channel.objects.create(code="creditchina", name="信用中国", secret="cc", pushes_repair_applications=True)
    register_penalty(StaffFactory())
    headers = signed_headers("POST", URL, BODY, secret="cc", code="creditchina")
    client = Client()
    assert client.post(URL, BODY, content_type="application/json", headers=headers).status_code == 201
    assert client.post(URL, BODY, content_type="application/json", headers=headers).status_code == 401
