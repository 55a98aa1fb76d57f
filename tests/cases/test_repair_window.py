"""The national single window (信用修复总窗口): applications pushed by "信用中国"网站 through a signed
channel, opened in the deciding department's queue, and every status sent back through the outbox."""

import base64
import json

import pytest

from cases.complaints.models import Channel
from cases.core.models import Deadline
from cases.core.roles import Role
from cases.records import services as record_services
from cases.repair import services as repair
from cases.repair.models import NationalSync, RepairApplication
from notifications.models import Notification
from tests.channel_signing import signed_headers
from tests.factories import ENTITY_USCC, ApplicantFactory, StaffFactory, register_penalty

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]

URL = "/api/v1/repair-applications/"
PDF = base64.b64encode(b"%PDF-1.7 proof").decode()


@pytest.fixture
def people(db):
    return {
        "worker": StaffFactory(username="worker"),
        "head": StaffFactory(username="head", role=Role.DEPARTMENT_HEAD),
        "other_worker": StaffFactory(username="other", department__code="fgj"),
    }


@pytest.fixture
def window(db):
    return Channel.objects.create(code="creditchina", name="信用中国", secret="cc-secret",
                                  pushes_repair_applications=True)  # fmt: skip


@pytest.fixture
def record(people):
    return register_penalty(people["worker"])


def application_data(**changes) -> dict:
    data = {
        "platform_number": "XYZG-2026-000123",
        "decision_number": "甘市监罚〔2026〕12号",
        "entity_kind": "enterprise",
        "id_number": ENTITY_USCC,
        "applicant_name": "示范公司",
        "contact": "13912345678",
        "statement": "罚款已缴清。",
        "obligations_fulfilled": True,
        "commitment_signed": True,
        "materials": [
            {"code": "obligation_proof", "name": "缴款凭证.pdf", "content_type": "application/pdf", "content": PDF},
            {"code": "commitment", "name": "信用承诺书.pdf", "content_type": "application/pdf", "content": PDF},
        ],
    }
    data.update(changes)
    return data


def push(client, data, *, code="creditchina", secret="cc-secret", headers=None):
    body = json.dumps(data, ensure_ascii=False).encode()
    headers = headers or signed_headers("POST", URL, body, secret=secret, code=code)
    return client.post(URL, body, content_type="application/json", headers=headers, REMOTE_ADDR="10.8.8.8")


def read_status(client, number, *, code="creditchina", secret="cc-secret"):
    path = f"{URL}{number}/"
    return client.get(path, headers=signed_headers("GET", path, secret=secret, code=code))


def test_a_badly_signed_push_is_refused(client, window, record):
    response = push(client, application_data(), secret="wrong")
    assert response.status_code == 401
    assert not RepairApplication.objects.exists()


def test_a_push_sent_twice_is_one_application_in_the_deciding_departments_queue(client, window, record, people):
    first = push(client, application_data())
    again = push(client, application_data())
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    application = RepairApplication.objects.get()
    assert first.json()["number"] == application.case.number and first.json()["status"] == "submitted"
    assert application.source == "national_window" and application.platform_number == "XYZG-2026-000123"
    assert application.case.department == record.department and application.case.applicant is None
    assert application.materials.count() == 2
    assert set(Deadline.objects.filter(case=application.case).values_list("step", flat=True)) >= {
        repair.ACCEPT, repair.DECIDE,
    }  # fmt: skip
    assert Notification.objects.filter(recipient=people["worker"], kind="repair.submitted").count() == 1


def test_the_caseworker_sees_the_pushed_application_marked_with_its_source(client, window, record, people):
    number = push(client, application_data()).json()["number"]
    client.force_login(people["worker"])
    page = client.get(f"/repair/{number}/").content.decode()
    assert "XYZG-2026-000123" in page and "信用中国" in page


def test_a_replayed_push_is_refused(client, window, record):
    body = json.dumps(application_data(), ensure_ascii=False).encode()
    headers = signed_headers("POST", URL, body, secret="cc-secret", code="creditchina")
    assert push(client, application_data(), headers=headers).status_code == 201
    assert push(client, application_data(), headers=headers).status_code == 401


def test_a_channel_not_let_push_repair_applications_is_refused(client, record):
    Channel.objects.create(code="12345", name="12345 热线", secret="s3cret")
    response = push(client, application_data(), code="12345", secret="s3cret")
    assert response.status_code == 403
    assert not RepairApplication.objects.exists()


def test_an_unknown_record_is_refused(client, window, record):
    response = push(client, application_data(decision_number="甘市监罚〔2026〕99号"))
    assert response.status_code == 400
    assert "decision_number" in response.json()["details"]


def test_an_identity_other_than_the_records_party_is_refused(client, window, record):
    other = ApplicantFactory().id_number
    response = push(client, application_data(id_number=other))
    assert response.status_code == 400
    assert "does not match" in json.dumps(response.json()["details"]) or "不符" in json.dumps(
        response.json()["details"], ensure_ascii=False
    )


def test_a_not_repairable_record_is_refused_with_its_basis(client, window, record, people):
    record_services.mark_not_repairable(actor=people["worker"], record_id=record.pk, not_repairable=True,
                                        basis="《某条例》第十条")  # fmt: skip
    response = push(client, application_data())
    assert response.status_code == 400
    assert "《某条例》第十条" in response.json()["message"]
    assert not RepairApplication.objects.exists()


def test_a_push_missing_fields_is_refused_field_by_field(client, window, record):
    data = application_data()
    del data["id_number"], data["materials"]
    response = push(client, data)
    assert response.status_code == 400
    assert {"id_number", "materials"} <= set(response.json())


def test_a_missing_material_is_refused_as_an_unmet_condition(client, window, record):
    response = push(client, application_data(materials=application_data()["materials"][:1]))
    assert response.status_code == 400
    assert response.json()["details"]["conditions"]
    assert not RepairApplication.objects.exists()


def test_an_oversized_material_is_refused_clearly(client, window, record, settings):
    settings.MAX_MATERIAL_BYTES = 1024 * 1024
    big = base64.b64encode(b"%PDF-" + b"0" * (1024 * 1024)).decode()
    materials = application_data()["materials"]
    materials[0]["content"] = big
    response = push(client, application_data(materials=materials))
    assert response.status_code == 400
    assert "1 MB" in response.json()["message"] and "materials[0]" in response.json()["details"]


def test_a_material_of_the_wrong_type_is_refused(client, window, record):
    materials = application_data()["materials"]
    materials[1].update(name="setup.exe", content=base64.b64encode(b"MZ\x90\x00").decode())
    response = push(client, application_data(materials=materials))
    assert response.status_code == 400
    assert "materials[1]" in response.json()["details"]


def test_a_material_not_in_base64_is_refused(client, window, record):
    materials = application_data()["materials"]
    materials[0]["content"] = "not base64!"
    assert push(client, application_data(materials=materials)).status_code == 400


def test_the_status_is_read_back_signed_and_only_by_the_channel_that_pushed(client, window, record):
    push(client, application_data())
    response = read_status(client, "XYZG-2026-000123")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert read_status(client, "XYZG-2026-000999").status_code == 404
    Channel.objects.create(code="gansu", name="甘肃一网通办", secret="gs", pushes_repair_applications=True)
    assert read_status(client, "XYZG-2026-000123", code="gansu", secret="gs").status_code == 404


def syncs(application) -> list[tuple[str, str]]:
    return [(sync.action, sync.payload["platform_number"])
            for sync in NationalSync.objects.filter(application=application).order_by("pk")]  # fmt: skip


def test_acceptance_and_a_notice_go_back_to_the_window(client, window, record, people):
    push(client, application_data())
    application = RepairApplication.objects.get()
    missing = [{"code": "commitment", "reason": "未盖章"}]
    repair.issue_incomplete_notice(actor=people["worker"], application_id=application.pk, missing=missing)
    assert syncs(application) == [("notice", "XYZG-2026-000123")]
    sync = NationalSync.objects.get(application=application)
    assert sync.payload["missing"][0]["reason"] == "未盖章"
    assert read_status(client, "XYZG-2026-000123").json()["missing_items"][0]["code"] == "commitment"


def test_a_refusal_to_repair_goes_back_to_the_window(client, window, record, people):
    push(client, application_data())
    application = RepairApplication.objects.get()
    repair.accept(actor=people["worker"], application_id=application.pk)
    repair.start_review(actor=people["worker"], application_id=application.pk)
    repair.propose_decision(actor=people["worker"], application_id=application.pk, approve=False, reason="仍在整改期")
    repair.approve_decision(actor=people["head"], application_id=application.pk)
    assert [action for action, _ in syncs(application)] == ["accepted", "refused"]
    body = read_status(client, "XYZG-2026-000123").json()
    assert body["status"] == "rejected" and body["reason"] == "仍在整改期"


def test_not_accepting_goes_back_to_the_window(client, window, record, people):
    push(client, application_data())
    application = RepairApplication.objects.get()
    repair.refuse(actor=people["worker"], application_id=application.pk, reason="非本单位认定")
    assert syncs(application) == [("not_accepted", "XYZG-2026-000123")]


def test_a_portal_applications_acceptance_goes_to_the_national_site_too(people, record):
    entity = ApplicantFactory(username="entity", id_number=ENTITY_USCC)
    application = repair.start_application(actor=entity, record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("p.pdf", b"%PDF-1.7 x", content_type="application/pdf")
        repair.add_material(actor=entity, application_id=application.pk, code=code, upload=upload)
    repair.submit(actor=entity, application_id=application.pk, obligations_fulfilled=True, commitment_signed=True)
    repair.accept(actor=people["worker"], application_id=application.pk)
    assert syncs(application) == [("accepted", "")]


def test_a_decision_sent_to_the_site_goes_through_the_recording_gateway(client, window, record, people):
    push(client, application_data())
    application = RepairApplication.objects.get()
    repair.accept(actor=people["worker"], application_id=application.pk)
    sync = NationalSync.objects.get(application=application)
    assert repair.push_sync(sync.pk)
    sync.refresh_from_db()
    assert sync.receipt.startswith("LOCAL-")


def test_the_schema_documents_the_window_with_examples():
    from drf_spectacular.generators import SchemaGenerator

    spec = SchemaGenerator().get_schema(request=None, public=True)
    operation = spec["paths"][URL]["post"]
    assert {"X-Channel", "X-Nonce", "X-Signature"} <= {parameter["name"] for parameter in operation["parameters"]}
    assert operation["requestBody"]["content"]["application/json"]["examples"]
    assert {"200", "201", "400", "401", "403", "409"} <= set(operation["responses"])
    assert "get" in spec["paths"][URL + "{platform_number}/"]
