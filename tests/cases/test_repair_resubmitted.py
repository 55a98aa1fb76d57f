"""The caseworker is told when the applicant resubmits after the one-time notice: in the inbox and
by a live toast, each opening the application."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.core import services as core_services
from cases.core.roles import Role
from cases.repair import services as repair
from notifications.models import Notification
from tests.factories import ApplicantFactory, StaffFactory, register_penalty, valid_uscc

pytestmark = pytest.mark.django_db


def pdf():
    return SimpleUploadedFile("proof.pdf", b"%PDF-1.7 test content", content_type="application/pdf")


@pytest.fixture
def people(db):
    return {
        "entity": ApplicantFactory(username="entity", id_number=valid_uscc("91620702MA71ABCD0")),
        "worker": StaffFactory(username="worker"),
        "colleague": StaffFactory(username="colleague"),
        "head": StaffFactory(username="head", role=Role.DEPARTMENT_HEAD),
    }


@pytest.fixture
def noticed(people):
    """An application the worker answered with a one-time notice, the material uploaded again."""
    record = register_penalty(people["worker"])
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=pdf())
    repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip
    repair.issue_incomplete_notice(actor=people["worker"], application_id=application.pk,
                                   missing=[{"code": "obligation_proof", "reason": "缴款凭证不清晰"}])  # fmt: skip
    repair.add_material(actor=people["entity"], application_id=application.pk, code="obligation_proof", upload=pdf())
    return application


def test_the_caseworker_who_issued_the_notice_reads_it_in_the_inbox_with_the_link(client, people, noticed):
    repair.resubmit(actor=people["entity"], application_id=noticed.pk)
    number = noticed.case.number
    note = Notification.objects.get(kind="repair.resubmitted")
    assert note.recipient == people["worker"]
    client.force_login(people["worker"])
    inbox = client.get("/notifications/").content.decode()
    assert f"{number}：申请人已补正材料并重新提交" in inbox
    noticed.refresh_from_db()
    assert noticed.missing_items[0]["name"] in inbox  # the items supplied are named
    assert f'href="/repair/{number}/"' in inbox
    page = client.get(f"/repair/{number}/").content.decode()
    assert "补正后重新提交" in page  # the application, waiting on the caseworker's acceptance


def test_the_toast_arrives_live_with_the_link(people, noticed, settings, django_capture_on_commit_callbacks):
    settings.REDIS_URL = "redis://configured"  # the committing process pushes live itself
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"user.{people['worker'].pk}", channel)
    with django_capture_on_commit_callbacks(execute=True):
        repair.resubmit(actor=people["entity"], application_id=noticed.pk)
    message = async_to_sync(layer.receive)(channel)["message"]
    assert message["kind"] == "repair.resubmitted"
    assert message["url"] == f"/repair/{noticed.case.number}/"
    assert "重新提交" in message["title"]


def test_with_nobody_holding_the_case_the_departments_caseworkers_are_told(people, noticed):
    core_services.release_case(case_id=noticed.case_id, actor=people["worker"])
    repair.resubmit(actor=people["entity"], application_id=noticed.pk)
    told = set(Notification.objects.filter(kind="repair.resubmitted").values_list("recipient__username", flat=True))
    assert told == {"worker", "colleague"}
