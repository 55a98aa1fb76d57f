"""The repair lifecycle beyond the happy path (issue #20): the correction period and the lapse, the
office's clock after a correction (restart or resume), the extension the department head approves,
the head's decision on a proposal (approve, send back, decide otherwise), the revocation notice and
the bar on a new application, and the end of an application whose record stops being displayed."""

from datetime import date, datetime

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone

from cases.core import documents, policies
from cases.core import services as core_services
from cases.core.exceptions import Conflict, InvalidInput, NotPermitted
from cases.core.models import AuditEvent, CreditRecord, Deadline, Notice, Policy
from cases.core.roles import Role
from cases.records import watch as record_watch
from cases.repair import services as repair
from cases.repair import tasks as repair_tasks
from notifications.models import Notification
from tests.factories import ApplicantFactory, StaffFactory, register_penalty, valid_uscc
from workflows import engine

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")


def pdf(name="proof.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 test content", content_type="application/pdf")


def at(day: date, hour: int = 10):
    return time_machine.travel(timezone.make_aware(datetime(day.year, day.month, day.day, hour)), tick=False)


@pytest.fixture
def people(db):
    return {
        "entity": ApplicantFactory(username="entity", id_number=USCC),
        "worker": StaffFactory(username="worker"),
        "head": StaffFactory(username="head", role=Role.DEPARTMENT_HEAD),
    }


def new_application(people, day: date):
    with at(day):
        record = CreditRecord.objects.filter(decision_number="甘市监罚〔2026〕12号").first() or register_penalty(
            people["worker"]
        )
        application = repair.start_application(actor=people["entity"], record_id=record.pk)
        for code in ("obligation_proof", "commitment"):
            repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=pdf())
        repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                      commitment_signed=True)  # fmt: skip
    return application


def notice_missing(people, application, day: date):
    with at(day):
        repair.issue_incomplete_notice(actor=people["worker"], application_id=application.pk,
                                       missing=[{"code": "obligation_proof", "reason": "缴款凭证不清晰"}])  # fmt: skip


def answer_notice(people, application, day: date):
    with at(day):
        repair.add_material(actor=people["entity"], application_id=application.pk, code="obligation_proof",
                            upload=pdf())  # fmt: skip
        repair.resubmit(actor=people["entity"], application_id=application.pk)


def state(application) -> str:
    application.case.refresh_from_db()
    return application.case.state


def due(application, step: str) -> date:
    return Deadline.objects.get(case=application.case, step=step).due_on


def set_policy(key: str, value) -> None:
    Policy.objects.filter(case_type="repair", key=key).update(value=value)
    policies.clear_cache()


def under_review(people, day=date(2026, 11, 16)):
    application = new_application(people, day)
    with at(day):
        repair.accept(actor=people["worker"], application_id=application.pk)
        repair.start_review(actor=people["worker"], application_id=application.pk)
    return application


def proposed(people, approve=True, reason="", day=date(2026, 11, 16)):
    application = under_review(people, day)
    with at(day):
        repair.propose_decision(actor=people["worker"], application_id=application.pk, approve=approve, reason=reason)
    return application


# --- the correction period and the lapse ----------------------------------------------------------


def test_the_seeded_policies_of_the_lifecycle():
    assert policies.working_days("repair", "correction_within") == 10
    assert policies.option("repair", "clock_after_correction") == "restart"
    assert policies.working_days("repair", "extension_days") == 10
    assert policies.months("repair", "reapply_bar_months") == 12


def test_the_correction_period_counts_working_days_across_national_day(people):
    """A notice on 30 September 2026: 1–7 October are holidays and Saturday 10 October a working
    day, so ten working days end on 20 October (ten calendar days would end on 10 October)."""
    application = new_application(people, date(2026, 9, 28))
    notice_missing(people, application, date(2026, 9, 30))
    assert due(application, "repair.correct") == date(2026, 10, 20)
    for day in (date(2026, 10, 12), date(2026, 10, 20)):
        with at(day, hour=23):
            assert repair.lapse_overdue() == 0
    assert state(application) == "incomplete"
    with at(date(2026, 10, 21), hour=0):
        assert repair.lapse_overdue() == 1
    assert state(application) == "lapsed"


def test_a_lapsed_application_is_closed_audited_and_the_applicant_told_with_a_link(people):
    application = new_application(people, date(2026, 9, 28))
    notice_missing(people, application, date(2026, 9, 30))
    with at(date(2026, 10, 21)):
        repair_tasks.lapse_overdue_corrections()
    application.case.refresh_from_db()
    assert application.case.closed_at is not None
    assert not Deadline.objects.filter(case=application.case, closed_at__isnull=True).exists()
    event = AuditEvent.objects.get(event_type="repair.lapse")
    assert (event.from_state, event.to_state, event.actor_id) == ("incomplete", "lapsed", None)
    note = Notification.objects.filter(recipient=people["entity"], kind="repair.progress").latest("pk")
    assert "补正期满未补正" in note.title and "2026-10-20" in note.body and "终止办理" in note.body
    assert note.payload["url"] == f"/repair/{application.case.number}/"
    assert note.case_id == application.case_id
    assert list(engine.active_tasks(application.case)) == []


def test_an_answered_notice_does_not_lapse(people):
    application = new_application(people, date(2026, 9, 28))
    notice_missing(people, application, date(2026, 9, 30))
    answer_notice(people, application, date(2026, 10, 20))
    with at(date(2026, 10, 22)):
        assert repair.lapse_overdue() == 0
    assert state(application) == "resubmitted"


def test_a_new_application_may_follow_a_lapsed_one(people):
    application = new_application(people, date(2026, 9, 28))
    notice_missing(people, application, date(2026, 9, 30))
    with at(date(2026, 10, 21)):
        repair.lapse_overdue()
        again = repair.start_application(actor=people["entity"], record_id=application.record_id)
    assert again.pk != application.pk


def test_the_lapse_task_and_its_beat_schedule():
    assert repair_tasks.lapse_overdue_corrections.name == "cases.tasks.lapse_overdue_corrections"
    schedule = settings.CELERY_BEAT_SCHEDULE["lapse-overdue-corrections"]
    assert schedule == {"task": "cases.tasks.lapse_overdue_corrections", "schedule": 600.0}


# --- the office's clock after the correction ----------------------------------------------------


def test_restart_gives_the_office_its_full_days_after_a_notice_on_the_due_day(people):
    application = new_application(people, date(2026, 11, 16))
    assert due(application, "repair.accept") == date(2026, 11, 19)
    notice_missing(people, application, date(2026, 11, 19))  # the acceptance's due day: no day left
    answer_notice(people, application, date(2026, 11, 23))
    assert due(application, "repair.accept") == date(2026, 11, 26)  # 3 working days, in full
    assert due(application, "repair.decide") == date(2026, 12, 7)  # 10 working days, in full
    with at(date(2026, 11, 24)):
        assert Deadline.objects.get(case=application.case, step="repair.accept").stage == 0


def test_resume_keeps_the_days_that_were_left(people):
    set_policy("clock_after_correction", "resume")
    application = new_application(people, date(2026, 11, 16))
    notice_missing(people, application, date(2026, 11, 19))
    answer_notice(people, application, date(2026, 11, 23))
    assert due(application, "repair.accept") == date(2026, 11, 23)  # nothing was left
    assert due(application, "repair.decide") == date(2026, 12, 2)  # the 7 working days left


def test_the_correction_notice_names_the_date_and_says_the_time_starts_again(people):
    application = new_application(people, date(2026, 11, 16))
    notice_missing(people, application, date(2026, 11, 17))
    notice = Notice.objects.get(case=application.case, kind="correction")
    assert notice.facts["correct_by"] == "2026-12-01" and notice.facts["clock"] == "restart"
    html = render_to_string("notices/correction.html", {"notice": notice, "facts": notice.facts})
    assert "2026-12-01" in html and "重新计算" in html and "继续计算" not in html and "终止办理" in html


def test_the_correction_notice_under_resume_says_the_time_goes_on(people):
    set_policy("clock_after_correction", "resume")
    application = new_application(people, date(2026, 11, 16))
    notice_missing(people, application, date(2026, 11, 17))
    notice = Notice.objects.get(case=application.case, kind="correction")
    html = render_to_string("notices/correction.html", {"notice": notice, "facts": notice.facts})
    assert "继续计算" in html and "重新计算" not in html


def test_the_clock_policy_takes_only_its_options(people):
    admin = StaffFactory(username="admin", role=Role.ADMIN)
    policy = Policy.objects.get(case_type="repair", key="clock_after_correction")
    assert policy.kind == "option"
    with pytest.raises(InvalidInput):
        core_services.change_policy(policy_id=policy.pk, actor=admin, value="sometimes")
    core_services.change_policy(policy_id=policy.pk, actor=admin, value="resume")
    assert Policy.objects.get(pk=policy.pk).value == "resume"


# --- the extension and the head's approval ------------------------------------------------------


def test_an_extension_waits_for_the_head_then_moves_the_decision_by_the_policy_length(people):
    application = under_review(people)
    with at(date(2026, 11, 17)):
        repair.request_extension(actor=people["worker"], application_id=application.pk, reason="需核实缴款情况")
    assert due(application, "repair.decide") == date(2026, 11, 30)  # unchanged until the head decides
    assert Notification.objects.filter(recipient=people["head"], title__contains="延期").exists()
    with at(date(2026, 11, 18)):
        repair.decide_extension(actor=people["head"], application_id=application.pk, approve=True)
    assert due(application, "repair.decide") == date(2026, 12, 14)
    note = Notification.objects.filter(recipient=people["entity"]).latest("pk")
    assert "2026-12-14" in note.title and note.body == "需核实缴款情况"
    assert AuditEvent.objects.filter(event_type="repair.extension_approved").exists()


def test_the_extension_length_is_the_policys(people):
    set_policy("extension_days", 5)
    application = under_review(people)
    with at(date(2026, 11, 17)):
        repair.request_extension(actor=people["worker"], application_id=application.pk, reason="情况复杂")
        repair.decide_extension(actor=people["head"], application_id=application.pk, approve=True)
    assert due(application, "repair.decide") == date(2026, 12, 7)


def test_a_second_extension_is_refused_with_a_clear_message(people):
    application = under_review(people)
    with at(date(2026, 11, 17)):
        repair.request_extension(actor=people["worker"], application_id=application.pk, reason="情况复杂")
        repair.decide_extension(actor=people["head"], application_id=application.pk, approve=True)
        with pytest.raises(Conflict) as exc:
            repair.request_extension(actor=people["worker"], application_id=application.pk, reason="再延")
    assert str(exc.value.message) == "该申请已延期一次，不能再次延期。"


def test_a_pending_extension_cannot_be_proposed_twice(people):
    application = under_review(people)
    with at(date(2026, 11, 17)):
        repair.request_extension(actor=people["worker"], application_id=application.pk, reason="情况复杂")
        with pytest.raises(Conflict):
            repair.request_extension(actor=people["worker"], application_id=application.pk, reason="情况复杂")


def test_the_head_refuses_an_extension_with_a_reason_the_caseworker_reads(people):
    application = under_review(people)
    with at(date(2026, 11, 17)):
        repair.request_extension(actor=people["worker"], application_id=application.pk, reason="情况复杂")
        with pytest.raises(InvalidInput):
            repair.decide_extension(actor=people["head"], application_id=application.pk, approve=False, reason="")
        repair.decide_extension(actor=people["head"], application_id=application.pk, approve=False,
                                reason="材料已足以作出决定")  # fmt: skip
    application.refresh_from_db()
    assert application.extension_requested_at is None and application.extended_at is None
    assert due(application, "repair.decide") == date(2026, 11, 30)
    note = Notification.objects.filter(recipient=people["worker"], kind="repair.head_decided").get()
    assert note.body == "材料已足以作出决定"


def test_the_caseworker_cannot_approve_their_own_extension(people):
    application = under_review(people)
    with at(date(2026, 11, 17)):
        repair.request_extension(actor=people["worker"], application_id=application.pk, reason="情况复杂")
        with pytest.raises(NotPermitted):
            repair.decide_extension(actor=people["worker"], application_id=application.pk, approve=True)


def test_no_extension_to_decide_is_refused(people):
    application = under_review(people)
    with at(date(2026, 11, 17)), pytest.raises(Conflict):
        repair.decide_extension(actor=people["head"], application_id=application.pk, approve=True)


def test_a_proposed_extension_shows_on_the_case_page_and_in_the_heads_queue(people, client):
    application = under_review(people)
    with at(date(2026, 11, 17)):
        repair.request_extension(actor=people["worker"], application_id=application.pk, reason="需核实缴款情况")
        client.force_login(people["head"])
        page = client.get(f"/repair/{application.case.number}/").content.decode()
        queue = client.get("/repair/queue/?state=extension_proposed").content.decode()
        response = client.post(f"/repair/{application.case.number}/extension-approve/")
    assert "延期待部门负责人审批" in page and "需核实缴款情况" in page and "批准延期" in page
    assert application.case.number in queue
    assert response.status_code == 302
    assert due(application, "repair.decide") == date(2026, 12, 14)


# --- the head's decision on a proposal ----------------------------------------------------------


def test_the_head_sends_a_proposal_back_for_re_review(people, client):
    application = proposed(people)
    with at(date(2026, 11, 17)):
        with pytest.raises(InvalidInput):
            repair.send_back(actor=people["head"], application_id=application.pk, reason="")
        client.force_login(people["head"])
        client.post(f"/repair/{application.case.number}/send-back/", {"reason": "缴款凭证与处罚决定金额不符"})
    application.refresh_from_db()
    assert state(application) == "under_review" and application.proposed_approval is None
    assert [task.flow_task.name for task in engine.active_tasks(application.case)] == ["review"]
    note = Notification.objects.get(recipient=people["worker"], kind="repair.head_decided")
    assert "发回重审" in note.title and note.body == "缴款凭证与处罚决定金额不符"
    assert "退回" not in note.title + note.body
    assert AuditEvent.objects.filter(event_type="repair.sent_back").count() == 1
    with at(date(2026, 11, 18)):
        repair.propose_decision(actor=people["worker"], application_id=application.pk, approve=True, reason="")
        assert [task.flow_task.name for task in engine.active_tasks(application.case)] == ["approval"]
        repair.approve_decision(actor=people["head"], application_id=application.pk)
    assert state(application) == "record_repaired"
    assert [task.flow_task.name for task in engine.active_tasks(application.case)] == ["sync"]


def test_the_applicant_does_not_see_the_send_back(people, client):
    application = proposed(people)
    with at(date(2026, 11, 17)):
        repair.send_back(actor=people["head"], application_id=application.pk, reason="事实不清")
        client.force_login(people["entity"])
        page = client.get(f"/repair/{application.case.number}/").content.decode()
    assert "发回重审" not in page and "事实不清" not in page


def test_nothing_to_send_back_without_a_proposal(people):
    application = under_review(people)
    with at(date(2026, 11, 17)), pytest.raises(Conflict):
        repair.send_back(actor=people["head"], application_id=application.pk, reason="事实不清")


def test_the_head_refuses_against_a_proposal_to_repair_with_their_own_reason(people):
    application = proposed(people, approve=True)
    with at(date(2026, 11, 17)):
        with pytest.raises(InvalidInput):
            repair.approve_decision(actor=people["head"], application_id=application.pk, approve=False, reason="")
        repair.approve_decision(actor=people["head"], application_id=application.pk, approve=False,
                                reason="罚款尚未缴清")  # fmt: skip
    assert state(application) == "rejected"
    notice = Notice.objects.get(case=application.case, kind="refusal_decision")
    assert notice.facts["reason"] == "罚款尚未缴清"
    assert CreditRecord.objects.get(pk=application.record_id).status == "published"


def test_the_decisions_own_reason_goes_into_the_notice_not_the_proposals(people):
    application = proposed(people, approve=False, reason="拟不予修复：材料存疑")
    with at(date(2026, 11, 17)):
        repair.approve_decision(actor=people["head"], application_id=application.pk, approve=False,
                                reason="经核实，仍有未履行的义务")  # fmt: skip
    notice = Notice.objects.get(case=application.case, kind="refusal_decision")
    assert notice.facts["reason"] == "经核实，仍有未履行的义务"
    note = Notification.objects.filter(recipient=people["entity"]).latest("pk")
    assert note.body == "经核实，仍有未履行的义务"


def test_the_head_repairs_against_a_proposal_to_refuse(people, client):
    application = proposed(people, approve=False, reason="材料存疑")
    with at(date(2026, 11, 17)):
        client.force_login(people["head"])
        client.post(
            f"/repair/{application.case.number}/decide-otherwise/", {"approve": "yes", "reason": "材料经核实无误"}
        )
    assert state(application) == "record_repaired"
    application.refresh_from_db()
    assert application.decision_reason == "材料经核实无误"


# --- revocation ---------------------------------------------------------------------------------


def revoked(people):
    application = proposed(people)
    with at(date(2026, 11, 17)):
        repair.approve_decision(actor=people["head"], application_id=application.pk)
    with at(date(2026, 12, 2)):
        repair.revoke(actor=people["head"], application_id=application.pk, reason="缴款凭证系伪造")
    return application


def test_a_revocation_issues_its_decision(people):
    application = revoked(people)
    notice = Notice.objects.get(case=application.case, kind="revocation_decision")
    assert notice.get_kind_display() == "撤销信用修复决定书"
    assert notice.facts["reason"] == "缴款凭证系伪造" and notice.facts["reapply_from"] == "2027-12-02"
    html = render_to_string("notices/revocation_decision.html", {"notice": notice, "facts": notice.facts})
    assert "撤销信用修复决定书" in html and "缴款凭证系伪造" in html and "2027-12-02" in html
    assert documents.pdf_of(notice).startswith(b"%PDF")


def test_a_new_application_is_barred_until_the_bar_ends(people):
    application = revoked(people)
    with at(date(2027, 12, 1)), pytest.raises(InvalidInput) as exc:
        repair.start_application(actor=people["entity"], record_id=application.record_id)
    assert "2027-12-02" in str(exc.value.message)
    with at(date(2027, 12, 2)):
        again = repair.start_application(actor=people["entity"], record_id=application.record_id)
    assert again.case.state == "draft"


def test_the_bar_is_the_policys(people):
    set_policy("reapply_bar_months", 6)
    application = revoked(people)
    with at(date(2027, 6, 2)):
        repair.start_application(actor=people["entity"], record_id=application.record_id)


# --- display ending closes open applications ----------------------------------------------------


def test_an_open_application_ends_when_its_record_stops_being_displayed(people):
    application = new_application(people, date(2026, 11, 16))
    record = CreditRecord.objects.get(pk=application.record_id)
    with at(record.display_until):
        assert record_watch.end_display(record.display_until) == 1
    assert state(application) == "terminated"
    assert not Deadline.objects.filter(case=application.case, closed_at__isnull=True).exists()
    assert AuditEvent.objects.filter(event_type="repair.terminate", subject_id=application.case_id).exists()
    note = Notification.objects.filter(recipient=people["entity"], kind="repair.progress").latest("pk")
    assert "终止办理" in note.body and record.display_until.isoformat() in note.body
    assert list(engine.active_tasks(application.case)) == []


def test_a_closed_application_stays_as_it_was_when_display_ends(people):
    application = new_application(people, date(2026, 11, 16))
    with at(date(2026, 11, 17)):
        repair.withdraw(actor=people["entity"], application_id=application.pk)
    record = CreditRecord.objects.get(pk=application.record_id)
    with at(record.display_until):
        record_watch.end_display(record.display_until)
    assert state(application) == "withdrawn"


def test_an_application_the_display_sweep_missed_is_ended_by_the_periodic_task(people):
    application = new_application(people, date(2026, 11, 16))
    CreditRecord.objects.filter(pk=application.record_id).update(status="expired")
    with at(date(2026, 11, 17)):
        assert repair_tasks.lapse_overdue_corrections() == 1
    assert state(application) == "terminated"


def test_the_applicant_sees_why_the_application_ended(people, client):
    application = new_application(people, date(2026, 9, 28))
    notice_missing(people, application, date(2026, 9, 30))
    with at(date(2026, 10, 9)):
        client.force_login(people["entity"])
        page = client.get(f"/repair/{application.case.number}/").content.decode()
    assert "请于 2026-10-20 前补正材料" in page
    with at(date(2026, 10, 21)):
        repair.lapse_overdue()
        client.force_login(people["entity"])  # a new day's session
        page = client.get(f"/repair/{application.case.number}/").content.decode()
    assert "补正期满未补正，终止办理" in page and "未在 2026-10-20 前补正" in page


def test_applying_during_the_bar_tells_the_applicant_the_date_on_the_page(people, client):
    application = revoked(people)
    with at(date(2027, 1, 4)):
        client.force_login(people["entity"])
        response = client.post(f"/repair/start/{application.record_id}/", follow=True)
    assert "2027-12-02" in response.content.decode()
