"""Every notification leads to the exact page it is about, in the inbox, the live toast, the e-mail
and the text: the application, the complaint, the objection or the supervision order, never an
overview that needs one more click; and the person told can open that page."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases.complaints import intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core.roles import Role
from cases.repair import objections
from cases.repair import services as repair
from cases.supervision import services as supervision_services
from cases.supervision import sweep
from cases.supervision.models import SupervisionOrder
from notifications import delivery
from notifications.models import Notification, SmsMessage
from tests.factories import ApplicantFactory, StaffFactory, register_penalty, valid_uscc, work_order_data

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")


def pdf():
    return SimpleUploadedFile("proof.pdf", b"%PDF-1.7 test content", content_type="application/pdf")


@pytest.fixture
def people(db):
    return {
        "entity": ApplicantFactory(username="entity", id_number=USCC, phone="13912345678"),
        "worker": StaffFactory(username="worker", email="worker@example.org"),
        "head": StaffFactory(username="head", role=Role.DEPARTMENT_HEAD, email="head@example.org"),
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "supervisor": StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
    }


def submitted_application(people):
    record = register_penalty(people["worker"])
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=pdf())
    repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip
    return application


def opened_by_recipient(notification: Notification) -> str:
    """The toast's link, checked against the inbox's, and the page it opens for the recipient."""
    url = notification.as_message()["url"]
    client = Client()
    client.force_login(notification.recipient)
    inbox = client.get("/notifications/").content.decode()
    assert f'href="{url}"' in inbox
    response = client.get(url)
    assert response.status_code == 200, (notification.kind, notification.recipient.username, url)
    return url


def test_every_repair_notification_opens_the_application(people):
    application = submitted_application(people)
    pk = application.pk
    repair.issue_incomplete_notice(actor=people["worker"], application_id=pk,
                                   missing=[{"code": "obligation_proof", "reason": "缴款凭证不清晰"}])  # fmt: skip
    repair.add_material(actor=people["entity"], application_id=pk, code="obligation_proof", upload=pdf())
    repair.resubmit(actor=people["entity"], application_id=pk)
    repair.accept(actor=people["worker"], application_id=pk)
    repair.start_review(actor=people["worker"], application_id=pk)
    repair.request_extension(actor=people["worker"], application_id=pk, reason="案情复杂")
    repair.decide_extension(actor=people["head"], application_id=pk, approve=False, reason="期限足够")
    repair.propose_decision(actor=people["worker"], application_id=pk, approve=True, reason="")
    repair.send_back(actor=people["head"], application_id=pk, reason="请核实缴款")

    notifications = Notification.objects.filter(recipient__isnull=False).select_related("case", "recipient")
    kinds = {n.kind for n in notifications}
    assert {"repair.submitted", "repair.progress", "repair.resubmitted", "repair.decision_proposed",
            "repair.head_decided"} <= kinds  # fmt: skip
    page = f"/repair/{application.case.number}/"
    for notification in notifications.exclude(kind="record.registered"):
        assert opened_by_recipient(notification) == page


def test_a_complaint_notification_opens_the_complaint_not_the_overview(people):
    Channel.objects.create(code="12345", name="12345 热线", secret="s")
    complaint, _created = intake.receive(channel=Channel.objects.get(code="12345"), data=work_order_data())
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=people["worker"].department_id)

    notifications = Notification.objects.filter(recipient__isnull=False).select_related("case", "recipient")
    assert {"complaint.received", "complaint.progress"} <= {n.kind for n in notifications}
    for notification in notifications:
        assert opened_by_recipient(notification) == f"/complaints/{complaint.case.number}/"


def test_an_objection_notification_opens_the_objection(people):
    record = register_penalty(people["worker"])
    objection = objections.raise_objection(actor=people["entity"], record_id=record.pk, reasons="金额有误", evidence=[])
    objections.start_check(actor=people["worker"], objection_id=objection.pk)
    objections.confirm(actor=people["worker"], objection_id=objection.pk, reason="经核实无误")

    notifications = Notification.objects.filter(kind__startswith="objection.").select_related("case", "recipient")
    assert {n.kind for n in notifications} == {"objection.raised", "objection.progress"}
    for notification in notifications:
        assert opened_by_recipient(notification) == f"/objections/{objection.case.number}/"


def test_a_supervision_order_and_its_answer_open_the_order(people):
    application = submitted_application(people)
    order = supervision_services.issue_supervision_order(
        case_id=application.case_id, actor=people["supervisor"], reason="请三日内受理"
    )
    supervision_services.respond_to_supervision_order(order_id=order.pk, actor=people["worker"], response="已受理")

    notifications = Notification.objects.filter(kind__startswith="supervision.").select_related("case", "recipient")
    assert {n.kind for n in notifications} == {"supervision.issued", "supervision.answered"}
    for notification in notifications:
        assert opened_by_recipient(notification) == f"/supervision/orders/{order.pk}/"


def test_the_order_page_links_to_the_application(people):
    application = submitted_application(people)
    order = supervision_services.issue_supervision_order(
        case_id=application.case_id, actor=people["supervisor"], reason="请三日内受理"
    )
    client = Client()
    client.force_login(people["worker"])
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert f'href="/repair/{application.case.number}/"' in page


def test_the_sweeps_reminder_opens_the_case_and_its_orders_open_each_order(people):
    with time_machine.travel(datetime(2026, 11, 16, 10, tzinfo=timezone.get_current_timezone()), tick=False):
        application = submitted_application(people)
    for day in (date(2026, 11, 18), date(2026, 12, 15), date(2027, 3, 1)):
        sweep.sweep(now=timezone.make_aware(datetime.combine(day, time(9))))

    notifications = Notification.objects.filter(kind__startswith="deadline.").select_related("case", "recipient")
    assert {n.kind for n in notifications} == {"deadline.reminder", "deadline.overdue", "deadline.escalated"}
    orders = {(o.deadline_id, o.level): o.pk for o in SupervisionOrder.objects.filter(case=application.case)}
    level = {"deadline.overdue": "order", "deadline.escalated": "escalation"}
    for notification in notifications:
        if notification.kind == "deadline.reminder":
            expected = f"/repair/{application.case.number}/"
        else:
            expected = f"/supervision/orders/{orders[notification.payload['deadline'], level[notification.kind]]}/"
        assert opened_by_recipient(notification) == expected


def test_the_email_and_the_text_carry_the_same_link(people, settings):
    settings.SITE_URL = "https://xy.example.gov.cn"
    application = submitted_application(people)
    repair.accept(actor=people["worker"], application_id=application.pk)
    page = f"https://xy.example.gov.cn/repair/{application.case.number}/"

    submitted = Notification.objects.get(kind="repair.submitted", recipient=people["worker"])
    mail.outbox.clear()
    delivery.send_channels(submitted)
    assert page in mail.outbox[0].body

    accepted = Notification.objects.get(kind="repair.progress", recipient=people["entity"])
    delivery.send_channels(accepted)
    assert SmsMessage.objects.get(phone="13912345678").text.endswith(page)
