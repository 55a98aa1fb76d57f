"""The credit-repair workflow's rules (docs/domain.md, "Credit repair"), through its services."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from viewflow.fsm import TransitionNotAllowed

from cases.core import services
from cases.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from cases.core.models import AuditEvent, CreditRecord, Deadline
from cases.records import services as record_services
from cases.repair import services as repair
from cases.repair.models import NationalSync
from notifications.models import Notification
from tests.factories import ApplicantFactory, StaffFactory, repair_office, valid_uscc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]

USCC = valid_uscc("91620702MA71ABCD0")


def pdf(name="proof.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 test content", content_type="application/pdf")


@pytest.fixture
def people(db):
    return repair_office(other_department=True)


def register(people, decided_on=date(2026, 3, 2), number="甘市监罚〔2026〕12号"):
    return record_services.register_credit_record(
        actor=people["worker"],
        data={"party_kind": "enterprise", "party_name": "示范公司", "party_id_number": USCC, "record_type": "penalty",
              "decision_number": number, "decided_on": decided_on, "severity": "general", "summary": "罚款"},
    )  # fmt: skip


@pytest.fixture
def draft(people):
    record = register(people)
    application = repair.start_application(actor=people["entity"], record_id=record.pk, statement="已缴纳罚款")
    for code in ("obligation_proof", "commitment"):
        repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=pdf())
    return application


def submit(people, application):
    return repair.submit(
        actor=people["entity"], application_id=application.pk, obligations_fulfilled=True, commitment_signed=True
    )


def state(application) -> str:
    application.case.refresh_from_db()
    return application.case.state


def test_submitting_starts_the_acceptance_and_decision_clocks(people, draft):
    submit(people, draft)
    assert state(draft) == "submitted"
    deadlines = {d.step: d.due_on for d in Deadline.objects.filter(case=draft.case)}
    assert deadlines == {"repair.accept": date(2026, 11, 19), "repair.decide": date(2026, 11, 30)}
    assert Notification.objects.filter(recipient=people["worker"], kind="repair.submitted").exists()


def test_applying_before_the_shortest_period_is_refused_with_the_date(people):
    record = register(people, decided_on=date(2026, 10, 1), number="甘市监罚〔2026〕99号")
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    with pytest.raises(InvalidInput) as exc:
        repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                      commitment_signed=True)  # fmt: skip
    assert any("2027-01-01" in problem for problem in exc.value.details["conditions"])
    assert state(application) == "draft"


def test_missing_materials_and_commitment_are_named(people):
    record = register(people)
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    with pytest.raises(InvalidInput) as exc:
        repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                      commitment_signed=False)  # fmt: skip
    text = " ".join(exc.value.details["conditions"])
    assert "信用承诺书" in text and "履行义务证明" in text


def test_an_applicant_cannot_apply_for_someone_elses_record(people):
    record = register(people)
    stranger = ApplicantFactory(username="stranger")
    with pytest.raises(NotFound):
        repair.start_application(actor=stranger, record_id=record.pk)


def test_one_open_application_per_record(people, draft):
    with pytest.raises(Conflict):
        repair.start_application(actor=people["entity"], record_id=draft.record_id)


def test_a_renamed_executable_is_refused_and_nothing_stored(people):
    record = register(people)
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    with pytest.raises(InvalidInput) as exc:
        repair.add_material(actor=people["entity"], application_id=application.pk, code="commitment",
                            upload=SimpleUploadedFile("commitment.pdf", b"MZ\x90\x00\x03"))  # fmt: skip
    assert "PDF" in str(exc.value.message)
    assert not application.materials.exists()


def test_an_oversized_file_is_refused(people, settings):
    settings.MAX_MATERIAL_BYTES = 10
    record = register(people)
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    with pytest.raises(InvalidInput):
        repair.add_material(actor=people["entity"], application_id=application.pk, code="commitment", upload=pdf())


def test_path_tricks_in_file_names_are_harmless(people):
    record = register(people)
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    material = repair.add_material(actor=people["entity"], application_id=application.pk, code="commitment",
                                   upload=pdf("../../etc/passwd.pdf"))  # fmt: skip
    assert material.original_name == "passwd.pdf"
    assert ".." not in material.file.name and material.file.name.startswith(f"materials/{application.pk}/")


def test_another_applicant_cannot_touch_the_application(people, draft):
    with pytest.raises(NotFound):
        repair.add_material(actor=ApplicantFactory(username="x"), application_id=draft.pk, code="commitment",
                            upload=pdf())  # fmt: skip


def test_the_one_time_notice_stops_the_clock_and_only_listed_items_may_be_uploaded(people, draft):
    submit(people, draft)
    repair.issue_incomplete_notice(actor=people["worker"], application_id=draft.pk,
                                   missing=[{"code": "obligation_proof", "reason": "缴款凭证不清晰"}])  # fmt: skip
    assert state(draft) == "incomplete"
    office_clocks = Deadline.objects.filter(case=draft.case, step__in=("repair.accept", "repair.decide"))
    assert all(d.is_paused for d in office_clocks)
    assert Deadline.objects.get(case=draft.case, step="repair.correct").supervised is False
    with pytest.raises(InvalidInput):
        repair.add_material(actor=people["entity"], application_id=draft.pk, code="commitment", upload=pdf())
    with pytest.raises(InvalidInput) as exc:
        repair.resubmit(actor=people["entity"], application_id=draft.pk)
    assert exc.value.details["missing"] == ["履行义务证明（缴款凭证、整改报告等）"]
    repair.add_material(actor=people["entity"], application_id=draft.pk, code="obligation_proof", upload=pdf())
    repair.resubmit(actor=people["entity"], application_id=draft.pk)
    assert state(draft) == "resubmitted"
    assert not any(d.is_paused for d in Deadline.objects.filter(case=draft.case))
    assert Deadline.objects.get(case=draft.case, step="repair.correct").closed_at is not None


def test_a_second_one_time_notice_is_impossible(people, draft):
    submit(people, draft)
    notice = [{"code": "obligation_proof", "reason": "不清晰"}]
    repair.issue_incomplete_notice(actor=people["worker"], application_id=draft.pk, missing=notice)
    repair.add_material(actor=people["entity"], application_id=draft.pk, code="obligation_proof", upload=pdf())
    repair.resubmit(actor=people["entity"], application_id=draft.pk)
    with pytest.raises(TransitionNotAllowed):
        repair.issue_incomplete_notice(actor=people["worker"], application_id=draft.pk, missing=notice)
    assert AuditEvent.objects.filter(event_type="repair.request_materials").count() == 1


def test_a_notice_item_needs_a_reason(people, draft):
    submit(people, draft)
    with pytest.raises(InvalidInput):
        repair.issue_incomplete_notice(actor=people["worker"], application_id=draft.pk,
                                       missing=[{"code": "obligation_proof", "reason": ""}])  # fmt: skip


def test_another_department_cannot_accept(people, draft):
    submit(people, draft)
    with pytest.raises(NotPermitted):
        repair.accept(actor=people["other_worker"], application_id=draft.pk)
    assert state(draft) == "submitted"


def test_refusal_needs_a_reason_and_closes_the_clocks(people, draft):
    submit(people, draft)
    with pytest.raises(InvalidInput):
        repair.refuse(actor=people["worker"], application_id=draft.pk, reason="")
    repair.refuse(actor=people["worker"], application_id=draft.pk, reason="不属于本单位认定的信息")
    assert state(draft) == "not_accepted"
    assert not Deadline.objects.filter(case=draft.case, closed_at__isnull=True).exists()


def approved(people, draft):
    submit(people, draft)
    repair.accept(actor=people["worker"], application_id=draft.pk)
    repair.start_review(actor=people["worker"], application_id=draft.pk)
    repair.propose_decision(actor=people["worker"], application_id=draft.pk, approve=True, reason="")
    return repair.approve_decision(actor=people["head"], application_id=draft.pk)


def test_the_whole_way_to_a_repaired_and_synced_record(people, draft):
    approved(people, draft)
    assert state(draft) == "record_repaired"
    assert CreditRecord.objects.get(pk=draft.record_id).status == "repaired"
    sync = NationalSync.objects.get(application=draft, action="repair")
    assert repair.push_sync(sync.pk)
    assert state(draft) == "synced"
    sync.refresh_from_db()
    assert sync.receipt.startswith("LOCAL-") and sync.attempts == 1
    assert not Deadline.objects.filter(case=draft.case, closed_at__isnull=True).exists()
    told = Notification.objects.filter(recipient=people["entity"], kind="repair.progress").order_by("pk")
    assert [note.title for note in told] == [
        f"申请 {draft.case.number} 已受理",
        f"信用修复申请 {draft.case.number} 已准予修复",
    ]


def test_a_caseworker_cannot_approve_the_decision(people, draft):
    submit(people, draft)
    repair.accept(actor=people["worker"], application_id=draft.pk)
    repair.start_review(actor=people["worker"], application_id=draft.pk)
    repair.propose_decision(actor=people["worker"], application_id=draft.pk, approve=True, reason="")
    with pytest.raises(NotPermitted):
        repair.approve_decision(actor=people["worker"], application_id=draft.pk)


def test_a_refusal_needs_a_reason_and_the_head_confirms_it(people, draft):
    submit(people, draft)
    repair.accept(actor=people["worker"], application_id=draft.pk)
    repair.start_review(actor=people["worker"], application_id=draft.pk)
    with pytest.raises(InvalidInput):
        repair.propose_decision(actor=people["worker"], application_id=draft.pk, approve=False, reason=" ")
    repair.propose_decision(actor=people["worker"], application_id=draft.pk, approve=False, reason="罚款尚未缴清")
    repair.approve_decision(actor=people["head"], application_id=draft.pk)
    assert state(draft) == "rejected"
    assert CreditRecord.objects.get(pk=draft.record_id).status == "published"


def test_a_failed_sync_is_retried(people, draft, settings):
    approved(people, draft)
    settings.NATIONAL_SITE_GATEWAY = "tests.cases.test_repair.DownGateway"
    sync = NationalSync.objects.get(application=draft, action="repair")
    assert not repair.push_sync(sync.pk)
    settings.NATIONAL_SITE_GATEWAY = "cases.repair.national_site.RecordingGateway"
    NationalSync.objects.update(next_attempt_at=timezone.now())  # the backoff's wait is over
    assert repair.retry_pending_syncs() == 2  # the repair, and the acceptance queued before it
    assert state(draft) == "synced"


def test_withdrawing_closes_the_clocks(people, draft):
    submit(people, draft)
    repair.withdraw(actor=people["entity"], application_id=draft.pk)
    assert state(draft) == "withdrawn"
    assert not Deadline.objects.filter(case=draft.case, closed_at__isnull=True).exists()


def test_revoking_displays_the_record_again(people, draft):
    approved(people, draft)
    repair.revoke(actor=people["head"], application_id=draft.pk, reason="提交的缴款凭证系伪造")
    assert state(draft) == "revoked"
    assert CreditRecord.objects.get(pk=draft.record_id).status == "published"
    assert NationalSync.objects.filter(application=draft, action="revoke").exists()


def test_a_withdrawn_application_cannot_be_accepted(people, draft):
    submit(people, draft)
    repair.withdraw(actor=people["entity"], application_id=draft.pk)
    with pytest.raises(TransitionNotAllowed):
        repair.accept(actor=people["worker"], application_id=draft.pk)


class DownGateway:
    def send(self, payload):
        raise ConnectionError("national site unreachable")


def test_a_caseworker_cannot_work_a_case_another_holds(people, draft):
    submit(people, draft)
    colleague = StaffFactory(username="colleague")
    services.claim_case(case_id=draft.case_id, actor=colleague)
    with pytest.raises(Conflict):
        repair.accept(actor=people["worker"], application_id=draft.pk)
    assert state(draft) == "submitted"


def test_a_complex_case_is_extended_once_with_a_reason_the_applicant_reads(people, draft):
    submit(people, draft)
    repair.accept(actor=people["worker"], application_id=draft.pk)
    repair.request_extension(actor=people["worker"], application_id=draft.pk, reason="需向税务部门核实缴款情况")
    repair.decide_extension(actor=people["head"], application_id=draft.pk, approve=True)
    decide = Deadline.objects.get(case=draft.case, step="repair.decide")
    assert decide.due_on == date(2026, 12, 14)
    note = Notification.objects.filter(recipient=people["entity"]).latest("pk")
    assert note.body == "需向税务部门核实缴款情况" and "2026-12-14" in note.title
    with pytest.raises(Conflict):
        repair.request_extension(actor=people["worker"], application_id=draft.pk, reason="再延")


def test_an_extension_needs_a_reason(people, draft):
    submit(people, draft)
    repair.accept(actor=people["worker"], application_id=draft.pk)
    with pytest.raises(InvalidInput):
        repair.request_extension(actor=people["worker"], application_id=draft.pk, reason="")
