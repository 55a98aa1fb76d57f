import pytest

from cases.complaints.models import Channel, Complaint
from cases.supervision import services as supervision_services
from cases.supervision.models import SupervisionOrder
from tests import factories
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_case(caseworker):
    return factories.overdue_case(assignee=caseworker, title="拖欠货款")


@pytest.fixture
def other_case(db):
    return factories.overdue_case(department=StaffFactory(department__code="fgj").department, title="政策不兑现")


def test_the_supervisor_sees_every_departments_deadlines_with_days_overdue(
    client, supervisor, overdue_case, other_case
):
    client.force_login(supervisor)
    page = client.get("/supervision/").content.decode()
    assert overdue_case.number in page and other_case.number in page
    assert "个工作日" in page


def test_a_caseworker_sees_only_their_departments_deadlines(client, caseworker, overdue_case, other_case):
    client.force_login(caseworker)
    page = client.get("/supervision/").content.decode()
    assert overdue_case.number in page
    assert other_case.number not in page


def test_an_applicant_may_not_see_the_board(client, applicant):
    client.force_login(applicant)
    assert client.get("/supervision/").status_code == 403


def test_the_board_filters_by_department(client, supervisor, overdue_case, other_case):
    client.force_login(supervisor)
    page = client.get("/supervision/", {"department": other_case.department_id}).content.decode()
    assert other_case.number in page and overdue_case.number not in page


def test_the_board_searches_by_case_number(client, supervisor, overdue_case, other_case):
    client.force_login(supervisor)
    page = client.get("/supervision/", {"q": overdue_case.number}).content.decode()
    assert overdue_case.number in page and other_case.number not in page


def test_a_supervisor_issues_an_order_from_the_board(client, supervisor, overdue_case):
    client.force_login(supervisor)
    response = client.post(
        f"/supervision/cases/{overdue_case.pk}/order/",
        {"reason": "请尽快办理", "respond_within": "3", "action": "send"},
        follow=True,
    )
    assert response.status_code == 200
    assert f"已对案件 {overdue_case.number} 发出督办单" in response.content.decode()
    assert SupervisionOrder.objects.get().reason == "请尽快办理"


def test_a_caseworker_posting_an_order_gets_a_403_page(client, caseworker, overdue_case):
    client.force_login(caseworker)
    response = client.post(f"/supervision/cases/{overdue_case.pk}/order/", {"reason": "x", "action": "send"})
    assert response.status_code == 403
    assert not SupervisionOrder.objects.exists()


def test_an_order_without_reason_gets_a_400_page_saying_why(client, supervisor, overdue_case):
    client.force_login(supervisor)
    response = client.post(
        f"/supervision/cases/{overdue_case.pk}/order/", {"reason": "", "respond_within": "3", "action": "send"}
    )
    assert response.status_code == 400
    assert "请说明部门需要做什么" in response.content.decode()


def test_the_department_answers_on_the_order_page(client, supervisor, caseworker, overdue_case):
    order = supervision_services.issue_supervision_order(case_id=overdue_case.pk, actor=supervisor, reason="请答复")
    client.force_login(caseworker)
    assert "请答复" in client.get(f"/supervision/orders/{order.pk}/").content.decode()
    client.post(f"/supervision/orders/{order.pk}/", {"response": "已付款"})
    order.refresh_from_db()
    assert order.response == "已付款"


def test_answering_twice_is_a_409(client, supervisor, caseworker, overdue_case):
    order = supervision_services.issue_supervision_order(case_id=overdue_case.pk, actor=supervisor, reason="请答复")
    client.force_login(caseworker)
    client.post(f"/supervision/orders/{order.pk}/", {"response": "已付款"})
    assert client.post(f"/supervision/orders/{order.pk}/", {"response": "再次"}).status_code == 409


def test_another_departments_order_is_not_found(client, supervisor, other_case):
    order = supervision_services.issue_supervision_order(case_id=other_case.pk, actor=supervisor, reason="请答复")
    client.force_login(StaffFactory(username="scjg-worker"))
    assert client.get(f"/supervision/orders/{order.pk}/").status_code == 404


def test_the_order_list_shows_open_orders_to_the_department(client, supervisor, caseworker, overdue_case):
    supervision_services.issue_supervision_order(case_id=overdue_case.pk, actor=supervisor, reason="请尽快答复")
    client.force_login(caseworker)
    page = client.get("/supervision/orders/").content.decode()
    assert "请尽快答复" in page and "答复" in page


def test_the_case_page_shows_deadlines_orders_and_the_timeline(client, supervisor, overdue_case):
    supervision_services.issue_supervision_order(case_id=overdue_case.pk, actor=supervisor, reason="请三日内答复")
    client.force_login(supervisor)
    page = client.get(f"/cases/{overdue_case.number}/").content.decode()
    assert "部门答复" in page and "请三日内答复" in page
    assert "督办人员发出督办单" in page and "设定办理期限" in page


def test_staff_of_another_department_cannot_open_the_case(client, overdue_case):
    client.force_login(StaffFactory(department__code="fgj"))
    assert client.get(f"/cases/{overdue_case.number}/").status_code == 404


def test_the_applicant_sees_their_case_without_internal_records(client, applicant, overdue_case):
    overdue_case.applicant = applicant
    overdue_case.save()
    # The complaint the case is about, filed for the enterprise the applicant acts for.
    channel = Channel.objects.create(code="website", name="网站", secret="s")
    Complaint.objects.create(case=overdue_case, channel=channel, channel_reference="W-1", complainant=applicant,
                             complainant_name="张经理", enterprise_name=applicant.entity_name,
                             enterprise_uscc=applicant.id_number, respondent="区某局", subject="arrears",
                             facts="拖欠货款", received_at=overdue_case.created_at)  # fmt: skip
    client.force_login(applicant)
    page = client.get(f"/cases/{overdue_case.number}/").content.decode()
    assert overdue_case.title in page
    assert "设定办理期限" not in page


def test_another_applicant_cannot_open_the_case(client, applicant, overdue_case):
    client.force_login(applicant)
    assert client.get(f"/cases/{overdue_case.number}/").status_code == 404


def test_an_answer_sent_twice_shows_the_order_again_with_why(client, supervisor, caseworker, overdue_case):
    order = supervision_services.issue_supervision_order(case_id=overdue_case.pk, actor=supervisor, reason="请答复")
    client.force_login(caseworker)
    client.post(f"/supervision/orders/{order.pk}/", {"response": "已付款"})
    response = client.post(f"/supervision/orders/{order.pk}/", {"response": "再次"})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'role="alert"' in page and "该督办单已答复。" in page and "已付款" in page  # the page, not a dead end
    order.refresh_from_db()
    assert order.response == "已付款"
