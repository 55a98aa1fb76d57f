"""Retention: closed cases past their kind's period lose the personal data of the people in them
(cases/core/retention.py); the audit trail records it and still verifies; open cases, cases still
within the period and cases already done are left alone; exports read the anonymised rows."""

from datetime import timedelta
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from cases.complaints.models import CallBack, Channel, Complaint, ComplaintEvidence, WorkOrder
from cases.core import events, policies, retention
from cases.core.event_types import EventType, label
from cases.core.models import AuditEvent, Case, Policy
from cases.core.states import ObjectionStatus, RepairStatus
from cases.repair.models import Material, Objection, RepairApplication
from cases.reporting import reports
from cases.reporting.metrics import Period
from notifications.models import Notification, SmsMessage
from tests.cases.test_audit_chain import verify_audit
from tests.factories import (
    CaseFactory,
    StaffFactory,
    repair_office,
    repair_world,
    submitted_application,
    valid_resident_id,
    valid_uscc,
    work_order_data,
)

pytestmark = pytest.mark.django_db

MARKER = "已匿名化"
RESIDENT_ID = valid_resident_id("62070219800101123")
PHONE = "13912345678"


def months():
    return Policy.objects.get(case_type="complaint", key="retain_months").value


def closed_complaint(*, closed_ago: relativedelta | None, reference: str = "12345-1", **case_fields):
    """A complaint by 王丽 (phone, e-mail, her ID number and phone in the facts), with its work
    order, a text message to her phone and an evidence file; closed `closed_ago` before now, or open."""
    channel, _created = Channel.objects.get_or_create(code="12345", defaults={"name": "12345热线", "secret": "s"})
    closed = closed_ago is not None
    case = CaseFactory(state="closed" if closed else "in_progress",
                       closed_at=timezone.now() - closed_ago if closed else None, **case_fields)  # fmt: skip
    facts = f"身份证号 {RESIDENT_ID}，电话 {PHONE}，工程款未付。"
    complaint = Complaint.objects.create(
        case=case, channel=channel, channel_reference=reference, complainant_name="王丽", complainant_phone=PHONE,
        complainant_email="wangli@example.com", enterprise_name="甘州区丽华建材经营部",
        enterprise_uscc=valid_uscc("92620702MA72XYHW0"), respondent="区某局", subject="arrears", facts=facts,
        withdrawal_reason=f"请联系 {PHONE}",
    )  # fmt: skip
    CallBack.objects.create(complaint=complaint, made_by=StaffFactory(), reached=True, note=f"投诉人留了新号码 {PHONE}")
    WorkOrder.objects.create(channel=channel, reference=reference, complaint=complaint,
                             payload=work_order_data(reference, complainant_phone=PHONE, facts=facts))  # fmt: skip
    notification = Notification.objects.create(
        phone=PHONE, case=case, kind="complaint.progress", title="进展", body="投诉已办结"
    )
    SmsMessage.objects.create(phone=PHONE, text="您的投诉已办结", notification=notification)
    evidence = ComplaintEvidence(complaint=complaint, original_name="王丽身份证.jpg", content_type="image/jpeg", size=3)
    evidence.file.save("id.jpg", ContentFile(b"jpg"), save=False)
    evidence.save()
    return case


def test_a_case_closed_longer_ago_than_the_period_loses_names_phones_ids_and_emails():
    case = closed_complaint(closed_ago=relativedelta(months=months(), days=1))

    outcome = retention.anonymise_due()

    assert outcome.anonymised == [case.number]
    complaint = Complaint.objects.get(case=case)
    assert [complaint.complainant_name, complaint.complainant_phone] == [MARKER, MARKER]
    assert complaint.complainant_email == ""
    assert complaint.facts == f"身份证号 {MARKER}，电话 {MARKER}，工程款未付。"
    order = WorkOrder.objects.get(complaint=complaint).payload
    assert (order["complainant_name"], order["complainant_phone"]) == (MARKER, MARKER)
    assert RESIDENT_ID not in order["facts"] and PHONE not in order["facts"]
    assert complaint.withdrawal_reason == f"请联系 {MARKER}"
    assert CallBack.objects.get(complaint=complaint).note == f"投诉人留了新号码 {MARKER}"
    assert Notification.objects.get(case=case).phone == MARKER
    assert SmsMessage.objects.get().phone == MARKER
    # What is not a person's data stays.
    assert (complaint.enterprise_name, complaint.respondent) == ("甘州区丽华建材经营部", "区某局")


def test_the_evidence_files_are_deleted_and_their_rows_renamed(django_capture_on_commit_callbacks):
    case = closed_complaint(closed_ago=relativedelta(months=months(), days=1))
    evidence = ComplaintEvidence.objects.get()
    storage, name = evidence.file.storage, evidence.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        retention.anonymise_due()

    assert not storage.exists(name)
    assert ComplaintEvidence.objects.get(complaint__case=case).original_name == MARKER


def test_the_anonymisation_is_audited_and_the_chain_still_verifies():
    case = closed_complaint(closed_ago=relativedelta(months=months(), days=1))
    events.record(subject=case, event_type=EventType.COMPLAINT_CLOSE, to_state="closed")

    retention.anonymise_due()

    event = AuditEvent.objects.for_subject(case).latest("id")
    assert (event.event_type, event.reference, event.actor) == ("case.anonymised", case.number, None)
    assert event.payload == {"retain_months": months()}
    assert "audit trail intact" in verify_audit()


def test_the_event_reads_as_a_step_on_the_timeline():
    assert label("case.anonymised") == "保存期满，个人信息已匿名化"


def test_a_case_closed_within_the_period_and_an_open_case_are_untouched():
    recent = closed_complaint(closed_ago=relativedelta(months=months() - 12), reference="12345-2")
    old_open = closed_complaint(closed_ago=None, reference="12345-3")
    old_open.__class__.objects.filter(pk=old_open.pk).update(created_at=timezone.now() - timedelta(days=3650))

    assert retention.anonymise_due().anonymised == []

    for case in (recent, old_open):
        complaint = Complaint.objects.get(case=case)
        assert (complaint.complainant_name, complaint.complainant_phone) == ("王丽", PHONE)
        assert not AuditEvent.objects.for_subject(case).filter(event_type="case.anonymised").exists()
    assert Notification.objects.filter(phone=PHONE).count() == 2


def test_the_period_is_counted_on_the_office_calendar_to_the_day():
    """Due on the day its period ends: the day before, it keeps its data."""
    case = closed_complaint(closed_ago=relativedelta(months=months()) - relativedelta(days=1))
    assert retention.anonymise_due().anonymised == []
    assert retention.anonymise_due(now=timezone.now() + timedelta(days=1)).anonymised == [case.number]


def test_a_longer_period_set_by_an_administrator_keeps_the_data_longer():
    closed_complaint(closed_ago=relativedelta(months=months(), days=1))
    Policy.objects.filter(case_type="complaint", key="retain_months").update(value=months() + 12)
    policies.clear_cache()
    assert retention.anonymise_due().anonymised == []


def test_running_twice_changes_nothing_the_second_time():
    case = closed_complaint(closed_ago=relativedelta(months=months(), days=1))
    retention.anonymise_due()
    events_after_first = AuditEvent.objects.count()
    complaint = Complaint.objects.values().get(case=case)

    assert retention.anonymise_due().anonymised == []

    assert AuditEvent.objects.count() == events_after_first
    assert Complaint.objects.values().get(case=case) == complaint


def test_batches_take_every_due_case():
    cases = [closed_complaint(closed_ago=relativedelta(months=months(), days=1), reference=f"R-{i}") for i in range(5)]

    outcome = retention.anonymise_due(batch_size=2)

    assert (sorted(outcome.anonymised), outcome.batches) == (sorted(case.number for case in cases), 3)
    assert set(Complaint.objects.values_list("complainant_name", flat=True)) == {MARKER}


def test_the_dry_run_lists_the_due_cases_and_changes_nothing():
    case = closed_complaint(closed_ago=relativedelta(months=months(), days=1))
    closed_complaint(closed_ago=relativedelta(months=1), reference="12345-2")
    events_before = AuditEvent.objects.count()
    out = StringIO()

    call_command("anonymise_closed_cases", "--dry-run", stdout=out)

    assert case.number in out.getvalue() and "would anonymise 1 case(s)" in out.getvalue()
    assert set(Complaint.objects.values_list("complainant_name", flat=True)) == {"王丽"}
    assert AuditEvent.objects.count() == events_before


def test_the_command_anonymises_and_says_how_many():
    case = closed_complaint(closed_ago=relativedelta(months=months(), days=1))
    out = StringIO()

    call_command("anonymise_closed_cases", stdout=out)

    assert case.number in out.getvalue() and "anonymised 1 case(s) in 1 batch(es)" in out.getvalue()
    assert Complaint.objects.get(case=case).complainant_name == MARKER


def test_the_report_export_shows_the_anonymised_values():
    case = closed_complaint(closed_ago=relativedelta(months=months(), days=1))
    period = Period.containing(timezone.localdate(case.created_at))
    retention.anonymise_due()

    listing = next(section for section in reports.build(period).sections if section.title == "投诉明细")
    row = next(row for row in listing.rows if row[0] == case.number)

    assert row[listing.headers.index("投诉人")] == MARKER
    assert row[listing.headers.index("联系电话")] == MARKER


def test_the_daily_task_is_in_the_beat_schedule_and_runs_the_service():
    from django.conf import settings

    from cases.core.tasks import anonymise_closed_cases

    assert settings.CELERY_BEAT_SCHEDULE["anonymise-closed-cases"]["task"] == anonymise_closed_cases.name
    closed_complaint(closed_ago=relativedelta(months=months(), days=1))
    assert anonymise_closed_cases() == 1


def close_long_ago(case, state: str) -> None:
    closed = timezone.now() - relativedelta(months=months(), days=1)
    type(case).objects.filter(pk=case.pk).update(state=state, closed_at=closed)


def test_a_repair_application_loses_the_pushed_name_and_contact_ids_in_its_statement_and_its_materials(
    django_capture_on_commit_callbacks,
):
    application = submitted_application(repair_office())
    RepairApplication.objects.filter(pk=application.pk).update(
        applicant_name="李小明", applicant_contact=PHONE, statement=f"经办人身份证 {RESIDENT_ID}"
    )
    close_long_ago(application.case, RepairStatus.WITHDRAWN)
    files = [(m.file.storage, m.file.name) for m in Material.objects.filter(application=application)]
    assert files and all(storage.exists(name) for storage, name in files)

    with django_capture_on_commit_callbacks(execute=True):
        assert retention.anonymise_due().anonymised == [application.case.number]

    application.refresh_from_db()
    assert (application.applicant_name, application.applicant_contact) == (MARKER, MARKER)
    assert application.statement == f"经办人身份证 {MARKER}"
    assert not any(storage.exists(name) for storage, name in files)
    assert set(Material.objects.filter(application=application).values_list("original_name", flat=True)) == {MARKER}


def test_an_objection_loses_the_ids_and_phones_in_its_reasons():
    people = repair_world()
    case = CaseFactory(kind="objection", number="YY2026000001", state="in_progress")
    objection = Objection.objects.create(case=case, record=people["record"], reasons=f"联系电话 {PHONE}，记录有误")
    close_long_ago(case, ObjectionStatus.CONFIRMED)

    assert retention.anonymise_due().anonymised == [case.number]

    objection.refresh_from_db()
    assert objection.reasons == f"联系电话 {MARKER}，记录有误"


def test_an_open_repair_application_is_untouched_however_old():
    application = submitted_application(repair_office())
    RepairApplication.objects.filter(pk=application.pk).update(applicant_name="李小明")
    # closed_at set by mistake on a case still in an open state: the state decides.
    Case.objects.filter(pk=application.case_id).update(closed_at=timezone.now() - relativedelta(years=20))

    assert retention.anonymise_due().anonymised == []
    assert RepairApplication.objects.get(pk=application.pk).applicant_name == "李小明"
