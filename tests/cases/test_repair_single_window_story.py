"""Credit repair by Order No. 36, from the national single window to the list entry's removal: a
pushed application with a bad signature is refused; a good one, pushed twice, is one application in
the deciding department's queue; its one-time notice lapses across National Day; a second
application is accepted, extended with the head's approval, sent back once and approved; the list
entry is removed (移出); every status went back to the window, and the notices verify as signed."""

import base64
import json
from contextlib import contextmanager
from datetime import date, datetime, time

import pytest
import time_machine
from asn1crypto import x509 as asn1_x509
from django.core.files.base import ContentFile
from django.utils import timezone
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from cases.complaints.models import Channel
from cases.core import documents
from cases.core.models import CreditRecord, Department, Notice, NoticeKind
from cases.core.roles import Role
from cases.repair import services as repair
from cases.repair.models import NationalSync, RepairApplication
from notifications.models import Notification
from tests.cases.test_notice_signing import embedded_signature, seal_png, self_signed_pkcs12
from tests.channel_signing import signed_headers
from tests.factories import ENTITY_USCC, StaffFactory, register_penalty

pytestmark = pytest.mark.django_db

URL = "/api/v1/repair-applications/"
PDF = base64.b64encode(b"%PDF-1.7 proof").decode()
LIST_ENTRY = "甘市监列〔2025〕7号"
PASSPHRASE = "印章口令-2026"


@contextmanager
def on(day: date, hour: int = 10):
    with time_machine.travel(timezone.make_aware(datetime.combine(day, time(hour))), tick=False):
        yield


@pytest.fixture
def office(db):
    unit = Department.objects.get_or_create(code="scjg", defaults={"name_zh": "区市场监管局", "name_en": "AMR"})[0]
    bundle, cert = self_signed_pkcs12("区市场监管局", PASSPHRASE)
    unit.signing_key.save("scjg.p12", ContentFile(bundle), save=False)
    unit.seal_image.save("scjg.png", ContentFile(seal_png()), save=False)
    unit.signing_passphrase = PASSPHRASE
    unit.document_prefix = "甘州市监"
    unit.save()
    worker = StaffFactory(username="worker", department=unit)
    with on(date(2025, 6, 2)):
        record = register_penalty(worker, record_type="serious_list", severity="serious",
                                  decision_number=LIST_ENTRY, decided_on=date(2025, 5, 30))  # fmt: skip
    return {
        "unit": unit,
        "trust": ValidationContext(trust_roots=[asn1_x509.Certificate.load(cert)]),
        "worker": worker,
        "head": StaffFactory(username="head", department=unit, role=Role.DEPARTMENT_HEAD),
        "elsewhere": StaffFactory(username="elsewhere", department__code="fgj"),
        "record": record,
        "window": Channel.objects.create(
            code="creditchina", name="“信用中国”网站", secret="cc-secret", pushes_repair_applications=True
        ),
    }


def application(platform_number: str) -> bytes:
    data = {
        "platform_number": platform_number,
        "decision_number": LIST_ENTRY,
        "entity_kind": "enterprise",
        "id_number": ENTITY_USCC,
        "applicant_name": "示范公司",
        "contact": "13912345678",
        "obligations_fulfilled": True,
        "commitment_signed": True,
        "materials": [
            {"code": code, "name": f"{code}.pdf", "content_type": "application/pdf", "content": PDF}
            for code in ("application_form", "obligation_proof", "commitment")
        ],
    }
    return json.dumps(data, ensure_ascii=False).encode()


def push(client, body: bytes, secret="cc-secret"):
    headers = signed_headers("POST", URL, body, secret=secret, code="creditchina")
    return client.post(URL, body, content_type="application/json", headers=headers, REMOTE_ADDR="10.8.8.8")


def window_status(client, platform_number: str) -> str:
    path = f"{URL}{platform_number}/"
    response = client.get(path, headers=signed_headers("GET", path, secret="cc-secret", code="creditchina"))
    assert response.status_code == 200
    return response.json()["status"]


def test_a_pushed_list_entry_goes_from_the_window_to_its_removal(client, office):
    worker, head = office["worker"], office["head"]

    with on(date(2026, 9, 28)):
        assert push(client, application("XYZG-2026-0001"), secret="forged").status_code == 401
        assert not RepairApplication.objects.exists()
        first_answer = push(client, application("XYZG-2026-0001"))
        again = push(client, application("XYZG-2026-0001"))
    assert (first_answer.status_code, again.status_code) == (201, 200)
    assert first_answer.json()["number"] == again.json()["number"]
    [first] = RepairApplication.objects.all()
    assert first.source == "national_window" and first.case.department == office["unit"]
    assert Notification.objects.filter(recipient=worker, case=first.case).exists()
    assert not Notification.objects.filter(recipient=office["elsewhere"]).exists()

    # The one-time notice on 30 September: National Day's holidays do not count, so the ten working
    # days of the correction period end on 20 October and the application lapses the day after.
    with on(date(2026, 9, 30)):
        repair.issue_incomplete_notice(actor=worker, application_id=first.pk,
                                       missing=[{"code": "obligation_proof", "reason": "缴款凭证不清晰"}])  # fmt: skip
    with on(date(2026, 10, 20), hour=23):
        assert repair.lapse_overdue() == 0
    with on(date(2026, 10, 21), hour=8):
        assert repair.lapse_overdue() == 1
        assert window_status(client, "XYZG-2026-0001") == "lapsed"

    with on(date(2026, 10, 22)):
        assert push(client, application("XYZG-2026-0002")).status_code == 201
        second = RepairApplication.objects.get(platform_number="XYZG-2026-0002")
        repair.accept(actor=worker, application_id=second.pk)
        repair.start_review(actor=worker, application_id=second.pk)
        repair.request_extension(actor=worker, application_id=second.pk, reason="需向法院核实履行情况")
        repair.decide_extension(actor=head, application_id=second.pk, approve=True)
        repair.propose_decision(actor=worker, application_id=second.pk, approve=True, reason="")
        repair.send_back(actor=head, application_id=second.pk, reason="请补充核实缴款金额")
    with on(date(2026, 10, 26)):
        repair.propose_decision(actor=worker, application_id=second.pk, approve=True, reason="")
        repair.approve_decision(actor=head, application_id=second.pk)

    record = CreditRecord.objects.get(pk=office["record"].pk)
    assert record.status == "repaired"
    decision = Notice.objects.get(case=second.case, kind=NoticeKind.REPAIR_DECISION)
    assert "移出" in decision.title
    assert decision.number.startswith("甘州市监信修〔2026〕")

    with on(date(2026, 10, 26), hour=12):
        repair.retry_pending_syncs()
        assert not NationalSync.objects.filter(sent_at__isnull=True).exists()
        assert window_status(client, "XYZG-2026-0002") == "synced"
    sent = {
        number: list(NationalSync.objects.filter(application__platform_number=number, sent_at__isnull=False)
                     .order_by("pk").values_list("action", flat=True))
        for number in ("XYZG-2026-0001", "XYZG-2026-0002")
    }  # fmt: skip
    assert sent == {"XYZG-2026-0001": ["notice", "ended"], "XYZG-2026-0002": ["accepted", "repair"]}

    for notice in Notice.objects.filter(case__in=[first.case, second.case]):
        status = validate_pdf_signature(embedded_signature(documents.pdf_of(notice)), office["trust"])
        assert status.intact and status.valid and status.trusted, notice.kind
