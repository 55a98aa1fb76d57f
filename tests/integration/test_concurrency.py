"""Double clicks that really arrive at the same moment, on PostgreSQL's row locks."""

import json
import threading
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from cases.complaints import building as complaint_building
from cases.complaints.models import Channel, Complaint, WorkOrder
from cases.core.exceptions import DomainError, IllegalTransition
from cases.core.models import AuditEvent, CreditRecord
from cases.repair import services as repair_services
from cases.repair.models import RepairApplication
from tests.channel_signing import signed_headers
from tests.factories import ENTITY_USCC, ApplicantFactory, CaseFactory, StaffFactory, register_penalty, valid_uscc

pytestmark = pytest.mark.integration


def at_once(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the outcome under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_open_one_application():
    worker = StaffFactory()
    record = register_penalty(worker)
    entity = ApplicantFactory(id_number=ENTITY_USCC)
    results = at_once(*[lambda: repair_services.start_application(actor=entity, record_id=record.pk)] * 2)
    assert sum(isinstance(result, RepairApplication) for result in results) == 1
    assert sum(isinstance(result, DomainError) for result in results) == 1
    assert RepairApplication.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_decision_registered_twice_at_once_is_one_record():
    worker = StaffFactory()
    results = at_once(lambda: register_penalty(worker), lambda: register_penalty(worker))
    assert sum(isinstance(result, CreditRecord) for result in results) == 1
    assert sum(isinstance(result, DomainError) for result in results) == 1
    assert CreditRecord.objects.count() == 1


CHANNEL_ORDER = {"complainant_name": "张", "enterprise_name": "甲", "respondent": "乙", "subject": "arrears",
                 "facts": "欠款", "amount_claimed": "1000.00",
                 "enterprise_uscc": valid_uscc("91620702MA71ABCD0")}  # fmt: skip


def _post_work_order(reference: str):
    body = json.dumps({**CHANNEL_ORDER, "reference": reference}, ensure_ascii=False).encode()
    headers = signed_headers("POST", "/api/v1/complaints/", body, secret="s")
    return Client().post("/api/v1/complaints/", body, content_type="application/json", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_the_same_work_order_posted_at_once_is_one_complaint():
    Channel.objects.create(code="12345", name="12345", secret="s")
    for trial in range(20):
        responses = at_once(*[lambda reference=f"WO-{trial}": _post_work_order(reference)] * 4)
        assert sorted(response.status_code for response in responses) == [200, 200, 200, 202], trial
        assert WorkOrder.objects.filter(reference=f"WO-{trial}").count() == 1
    complaint_building.open_all_waiting()
    assert Complaint.objects.count() == 20


TRIALS = 100


@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_claiming_one_case_at_once_one_wins_and_the_other_is_told_who(client):
    first, second = StaffFactory(username="a"), StaffFactory(username="b")
    browsers = {}
    for user in (first, second):
        browsers[user] = Client()
        browsers[user].force_login(user)
    winners = Counter()
    for trial in range(TRIALS):
        case = CaseFactory(kind="repair", state="submitted")
        url = f"/cases/{case.pk}/claim/"
        responses = at_once(*[lambda browser=browser, url=url: browser.post(url) for browser in browsers.values()])
        assert [response.status_code for response in responses] == [302, 302], trial
        case.refresh_from_db()
        winners[case.assignee.username] += 1
        # The one who lost is sent back to the queue and told there who holds the case.
        loser = second if case.assignee == first else first
        lost_response = responses[list(browsers).index(loser)]
        with translation.override("zh-hans"):
            told = gettext("%(name)s is working on this case.") % {"name": case.assignee}
        assert told in browsers[loser].get(lost_response.url).content.decode()
        assert AuditEvent.objects.filter(subject_id=case.pk, event_type="case.claimed").count() == 1
    assert sum(winners.values()) == TRIALS
    print(f"claims: {TRIALS} trials, one winner each ({dict(winners)})")


def _submitted_application(trial: int, worker) -> RepairApplication:
    record = register_penalty(worker, decision_number=f"甘市监罚〔2026〕{100 + trial}号")
    entity = ApplicantFactory(username=f"entity{trial}", id_number=ENTITY_USCC)
    application = repair_services.start_application(actor=entity, record_id=record.pk)
    for code in ("obligation_proof", "commitment"):
        upload = SimpleUploadedFile("proof.pdf", b"%PDF-1.7 test", content_type="application/pdf")
        repair_services.add_material(actor=entity, application_id=application.pk, code=code, upload=upload)
    return repair_services.submit(actor=entity, application_id=application.pk, obligations_fulfilled=True,
                                  commitment_signed=True)  # fmt: skip


def _accept_and_refuse_at_once(accepting: Client, refusing: Client, number: str) -> dict[str, int]:
    accept, refuse = at_once(
        lambda: accepting.post(f"/repair/{number}/accept/"),
        lambda: refusing.post(f"/repair/{number}/refuse/", {"reason": "材料不全"}),
    )
    return {"accept": accept.status_code, "refuse": refuse.status_code, "page": (accept, refuse)}


@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_deciding_one_application_at_once_one_decision_applies_the_other_gets_409():
    worker, colleague = StaffFactory(username="a"), StaffFactory(username="b")
    accepting, refusing = Client(), Client()
    accepting.force_login(worker)
    refusing.force_login(colleague)
    for trial in range(10):
        application = _submitted_application(trial, worker)
        number = application.case.number
        outcome = _accept_and_refuse_at_once(accepting, refusing, number)
        assert sorted((outcome["accept"], outcome["refuse"])) == [302, 409], trial
        application.case.refresh_from_db()
        expected = "accepted" if outcome["accept"] == 302 else "not_accepted"
        assert application.case.state == expected
        decisions = AuditEvent.objects.filter(subject_id=application.case.pk,
                                              event_type__in=["repair.accept", "repair.refuse"])  # fmt: skip
        assert decisions.count() == 1
        assert application.case.notices.count() == 1  # one notice: acceptance or non-acceptance
        lost = next(page for page in outcome["page"] if page.status_code == 409)
        with translation.override("zh-hans"):
            told = gettext("%(name)s is working on this case.") % {"name": application.case.assignee}
        assert told in lost.content.decode()


@pytest.mark.django_db(transaction=True)
def test_one_caseworker_deciding_twice_at_once_in_two_tabs_one_applies_the_other_gets_409():
    worker = StaffFactory(username="a")
    tabs = Client(), Client()
    for tab in tabs:
        tab.force_login(worker)
    for trial in range(10):
        application = _submitted_application(trial, worker)
        outcome = _accept_and_refuse_at_once(*tabs, application.case.number)
        assert sorted((outcome["accept"], outcome["refuse"])) == [302, 409], trial
        lost = next(page for page in outcome["page"] if page.status_code == 409)
        with translation.override("zh-hans"):
            assert str(IllegalTransition.default_message) in lost.content.decode()
        assert AuditEvent.objects.filter(subject_id=application.case.pk,
                                         event_type__in=["repair.accept", "repair.refuse"]).count() == 1  # fmt: skip
