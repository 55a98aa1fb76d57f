"""What a channel sends with a work order besides its text: the complainant's e-mail, evidence
files (base64 in the signed JSON body) and, for arrears, the amount owed; checked as the web form
checks them, and nothing kept when any part is refused."""

import base64
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from cases.complaints import building as complaint_building
from cases.complaints.models import Channel, Complaint, ComplaintEvidence, WorkOrder
from cases.core.models import AuditEvent
from cases.core.roles import Role
from tests.channel_signing import signed_headers
from tests.factories import StaffFactory, work_order_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"
PDF = b"%PDF-1.7 the contract"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def channel(db):
    return Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")


def sent_file(name="contract.pdf", content=PDF, content_type="application/pdf") -> dict:
    return {"name": name, "content_type": content_type, "content": base64.b64encode(content).decode()}


def order(**overrides) -> dict:
    return work_order_data(**{"complainant_phone": "13912345678", **overrides})


def send(client, data, *, tamper=None):
    body = json.dumps(data, ensure_ascii=False).encode()
    headers = signed_headers("POST", URL, body)
    if tamper:
        body = tamper(body)
    response = client.post(URL, body, content_type="application/json", headers=headers)
    complaint_building.open_all_waiting()  # the intake worker's turn
    return response


def stored_files() -> set[Path]:
    return {path for path in Path(settings.PRIVATE_ROOT).rglob("*") if path.is_file()}


def assert_nothing_kept(before: set[Path]) -> None:
    assert not WorkOrder.objects.exists()
    assert not Complaint.objects.exists()
    assert not ComplaintEvidence.objects.exists()
    assert stored_files() == before


# --- accepted -----------------------------------------------------------------------------------


def test_the_complainants_email_is_kept_with_the_complaint(client, channel):
    assert send(client, order(complainant_email="wang@example.com")).status_code == 202
    assert Complaint.objects.get().complainant_email == "wang@example.com"


def test_evidence_sent_with_the_work_order_is_kept_with_the_complaint(client, channel):
    response = send(client, order(evidence=[sent_file(), sent_file("invoice.png", PNG, "image/png")]))
    assert response.status_code == 202
    assert response.json()["number"]  # the case is opened at once, to keep the files with it
    kept = {item.original_name: item for item in ComplaintEvidence.objects.all()}
    assert set(kept) == {"contract.pdf", "invoice.png"}
    assert kept["invoice.png"].content_type == "image/png" and kept["invoice.png"].uploaded_by is None
    assert kept["contract.pdf"].file.read() == PDF
    assert Path(kept["contract.pdf"].file.path).is_relative_to(settings.PRIVATE_ROOT)
    event = AuditEvent.objects.filter(event_type="complaint.evidence_added").first()
    assert event.payload["relayed_by"] == "12345"


def test_the_caseworker_sees_the_evidence_on_the_complaint_page(client, channel):
    clerk = StaffFactory(department__code="yshj", role=Role.INTAKE_CLERK)
    send(client, order(evidence=[sent_file()]))
    complaint = Complaint.objects.get()
    client.force_login(clerk)
    page = client.get(f"/complaints/{complaint.case.number}/").content.decode()
    assert "contract.pdf" in page
    evidence = ComplaintEvidence.objects.get()
    download = client.get(f"/complaints/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_same_work_order_again_does_not_keep_its_files_twice(client, channel):
    first = send(client, order(evidence=[sent_file()]))
    again = send(client, order(evidence=[sent_file()]))
    assert (first.status_code, again.status_code) == (202, 200)
    assert ComplaintEvidence.objects.count() == 1


# --- refused ------------------------------------------------------------------------------------


def test_a_wrong_email_is_refused_with_the_field_named(client, channel):
    before = stored_files()
    response = send(client, order(complainant_email="wang at example", evidence=[sent_file()]))
    assert response.status_code == 400 and "complainant_email" in response.json()
    assert_nothing_kept(before)


def test_an_arrears_complaint_without_an_amount_is_refused_as_on_the_form(client, channel):
    data = order(evidence=[sent_file()])
    del data["amount_claimed"]
    before = stored_files()
    response = send(client, data)
    assert response.status_code == 400
    assert response.json() == {"amount_claimed": ["拖欠账款投诉须填写欠款金额（元）。"]}
    assert_nothing_kept(before)


def test_an_arrears_complaint_with_a_zero_amount_is_refused(client, channel):
    response = send(client, order(amount_claimed="0"))
    assert response.status_code == 400 and "amount_claimed" in response.json()
    assert not WorkOrder.objects.exists()


def test_another_subject_needs_no_amount(client, channel):
    data = order(subject="policy_not_honoured")
    del data["amount_claimed"]
    assert send(client, data).status_code == 202


@override_settings(MAX_MATERIAL_BYTES=1024 * 1024)
def test_an_oversized_file_is_refused(client, channel):
    before = stored_files()
    response = send(client, order(evidence=[sent_file(content=b"%PDF-1.7" + b"0" * 1024 * 1024)]))
    assert response.status_code == 400
    assert response.json()["evidence"] == ["contract.pdf: 文件超过 1 MB。"]
    assert_nothing_kept(before)


def test_a_file_of_another_type_is_refused(client, channel):
    before = stored_files()
    response = send(client, order(evidence=[sent_file(), sent_file("tool.exe", b"MZ\x90\x00", "")]))
    assert response.status_code == 400
    [problem] = response.json()["evidence"]
    assert problem == "tool.exe: 请上传 PDF、JPG 或 PNG 文件。"
    assert_nothing_kept(before)


def test_a_file_whose_content_is_not_its_type_is_refused(client, channel):
    before = stored_files()
    response = send(client, order(evidence=[sent_file("invoice.pdf", b"MZ\x90\x00 an executable")]))
    assert response.status_code == 400
    assert response.json()["evidence"][0].startswith("invoice.pdf: ")
    assert_nothing_kept(before)


def test_content_not_in_base64_is_refused(client, channel):
    response = send(client, order(evidence=[{"name": "contract.pdf", "content": "not base64!"}]))
    assert response.status_code == 400
    assert response.json()["evidence"] == ["contract.pdf: 文件内容须为 base64 编码。"]
    assert not WorkOrder.objects.exists()


def test_too_many_files_are_refused_as_on_the_form(client, channel):
    before = stored_files()
    response = send(client, order(evidence=[sent_file(f"page-{n}.pdf") for n in range(21)]))
    assert response.status_code == 400
    assert response.json()["evidence"] == ["最多选择 20 个文件。"]
    assert_nothing_kept(before)


def test_a_file_changed_after_signing_is_refused_as_a_bad_signature(client, channel):
    before = stored_files()
    genuine = base64.b64encode(PDF).decode()
    forged = base64.b64encode(b"%PDF-1.7 another contract").decode()
    response = send(client, order(evidence=[sent_file()]),
                    tamper=lambda body: body.replace(genuine.encode(), forged.encode()))  # fmt: skip
    assert response.status_code == 401
    assert response.json()["message"] == "签名与请求内容不符。"
    assert_nothing_kept(before)


def test_files_already_written_are_removed_when_the_work_order_fails_after_them(client, channel, monkeypatch):
    keep = ComplaintEvidence.keep.__func__
    calls = []

    def keep_then_fail(cls, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("the disk is full")
        return keep(cls, *args, **kwargs)

    monkeypatch.setattr(ComplaintEvidence, "keep", classmethod(keep_then_fail))
    before = stored_files()
    with pytest.raises(OSError):
        send(client, order(evidence=[sent_file(), sent_file("invoice.png", PNG, "image/png")]))
    assert len(calls) == 2
    assert_nothing_kept(before)
