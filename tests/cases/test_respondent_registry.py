"""The registry of respondent bodies with their supervising body (主管部门): registration picks the
body, routing proposes its supervising body, and the assignment (交办) runs against a deadline."""

import csv

import pytest

from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel, RespondentBody
from cases.core import reference_data
from cases.core.exceptions import InvalidInput
from cases.core.models import Deadline, Department
from cases.core.roles import Role
from cases.supervision import sweep as supervision
from cases.supervision.models import SupervisionOrder
from tests.factories import StaffFactory, valid_uscc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]

ASSIGN = "complaint.assign"


@pytest.fixture
def people(db):
    return {
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "worker": StaffFactory(username="worker", department__code="czj"),
        "wrong_worker": StaffFactory(username="wrong", department__code="scjg"),
    }


@pytest.fixture
def investment_company(db):
    return RespondentBody.objects.create(name="区城市建设投资有限公司", kind="state_owned_enterprise",
                                         supervising_department=Department.objects.get(code="czj"))  # fmt: skip


def receive(respondent="区城市建设投资有限公司", reference="W-1"):
    channel, _created = Channel.objects.get_or_create(code="website", defaults={"name": "网站", "secret": "s"})
    complaint, _created = complaint_intake.receive(channel=channel, data={
        "reference": reference, "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": respondent, "subject": "arrears",
        "facts": "货款 12 万元拖欠至今"})  # fmt: skip
    return complaint


def register(people, complaint, **kwargs):
    kwargs.setdefault("respondent", complaint.respondent)
    return complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="arrears", **kwargs)


def open_steps(complaint):
    return set(Deadline.objects.filter(case=complaint.case, closed_at__isnull=True).values_list("step", flat=True))


# --- the registry and its seed -------------------------------------------------------------------


def test_every_district_department_is_a_body_it_supervises_itself():
    with reference_data.DEPARTMENTS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        body = RespondentBody.objects.filter(name=row["name_zh"]).first()
        if row["role"] == "supervisor":
            assert body is None
        else:
            assert (body.supervising_department.code, body.kind, body.active) == (row["code"], "government_department",
                                                                                 True)  # fmt: skip


def test_the_seed_keeps_free_text_bodies_and_gives_a_department_its_own_name():
    RespondentBody.objects.all().delete()
    RespondentBody.objects.create(name="区财政局")  # written by the integrity record before the registry
    RespondentBody.objects.create(name="某物业服务公司")
    departments = Department.objects.filter(is_supervising_unit=False).count()
    added = reference_data.load_respondent_bodies(RespondentBody, Department)
    assert added == departments - 1
    assert RespondentBody.objects.get(name="区财政局").supervising_department.code == "czj"
    assert RespondentBody.objects.get(name="某物业服务公司").supervising_department is None
    assert reference_data.load_respondent_bodies(RespondentBody, Department) == 0


# --- registration picks the body -----------------------------------------------------------------


def test_registration_with_a_registry_body_takes_its_name(people, investment_company):
    complaint = receive(respondent="城投公司")
    register(people, complaint, respondent="", respondent_body_id=investment_company.pk)
    complaint.refresh_from_db()
    assert (complaint.respondent, complaint.respondent_body) == ("区城市建设投资有限公司", investment_company)


def test_registration_refuses_a_body_not_in_the_registry(people):
    complaint = receive()
    with pytest.raises(InvalidInput) as refused:
        register(people, complaint, respondent_body_id=999999)
    assert refused.value.details["respondent_body"] == ["所选被投诉主体不在名录中或已停用，请从名录中重新选择。"]
    complaint.case.refresh_from_db()
    assert complaint.case.state == "received"


def test_registration_refuses_an_inactive_body(people, investment_company):
    investment_company.active = False
    investment_company.save()
    complaint = receive()
    with pytest.raises(InvalidInput) as refused:
        register(people, complaint, respondent_body_id=investment_company.pk)
    assert "respondent_body" in refused.value.details


def test_a_free_text_name_finds_the_registry_body_spaces_aside(people, investment_company):
    complaint = receive(respondent=" 区城市建设 投资有限公司 ")
    register(people, complaint)
    complaint.refresh_from_db()
    assert complaint.respondent_body == investment_company


def test_a_free_text_name_not_in_the_registry_stays_free_text(people, investment_company):
    complaint = receive(respondent="某物业服务公司")
    register(people, complaint)
    complaint.refresh_from_db()
    assert (complaint.respondent, complaint.respondent_body) == ("某物业服务公司", None)


def test_a_free_text_name_does_not_find_an_inactive_body(people, investment_company):
    investment_company.active = False
    investment_company.save()
    complaint = receive()
    register(people, complaint)
    complaint.refresh_from_db()
    assert complaint.respondent_body is None


# --- the pages: the registry to choose from, the supervising body proposed -----------------------


def test_the_registration_form_preselects_the_body_the_complainant_named(client, people, investment_company):
    complaint = receive()
    client.force_login(people["clerk"])
    page = client.get(f"/complaints/{complaint.case.number}/").content.decode()
    assert f'<option value="{investment_company.pk}" selected>区城市建设投资有限公司（区财政局）</option>' in page


def test_the_clerk_registers_with_the_body_chosen_on_the_page(client, people, investment_company):
    complaint = receive(respondent="城投公司")
    client.force_login(people["clerk"])
    client.post(f"/complaints/{complaint.case.number}/register/",
                {"subject": "arrears", "respondent": "城投公司", "respondent_body": investment_company.pk})  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.respondent_body == investment_company and complaint.case.state == "registered"


def test_routing_proposes_the_supervising_body(client, people, investment_company):
    complaint = receive()
    register(people, complaint)
    client.force_login(people["clerk"])
    page = client.get(f"/complaints/{complaint.case.number}/").content.decode()
    assert "主管部门：区财政局（建议交办）" in page
    czj = Department.objects.get(code="czj")
    assert f'<option value="{czj.pk}" selected>区财政局</option>' in page


def test_routing_proposes_nothing_for_a_body_outside_the_registry(client, people):
    complaint = receive(respondent="某物业服务公司")
    register(people, complaint)
    client.force_login(people["clerk"])
    page = client.get(f"/complaints/{complaint.case.number}/").content.decode()
    assert "建议交办" not in page and " selected>" not in page.split('name="department"')[1].split("</select>")[0]


# --- the assignment deadline (交办时限) -----------------------------------------------------------


def test_registration_starts_the_assignment_deadline_of_the_clerks_unit(people, investment_company):
    complaint = receive()
    register(people, complaint)
    deadline = Deadline.objects.get(case=complaint.case, step=ASSIGN)
    assert (deadline.department.code, deadline.working_days, deadline.closed_at) == ("yshj", 1, None)
    assert deadline.label == "交办"


def test_assignment_closes_its_deadline_and_starts_the_answer(people, investment_company):
    complaint = receive()
    register(people, complaint)
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=Department.objects.get(
        code="czj").pk)  # fmt: skip
    assert open_steps(complaint) == {"complaint.answer"}
    assert Deadline.objects.get(case=complaint.case, step=ASSIGN).closed_at is not None


def test_a_misrouted_complaint_returned_runs_the_assignment_deadline_again(people, investment_company):
    complaint = receive()
    register(people, complaint)
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=Department.objects.get(
        code="scjg").pk)  # fmt: skip
    complaints.return_misrouted(actor=people["wrong_worker"], complaint_id=complaint.pk, reason="属财政局职责")
    assert open_steps(complaint) == {ASSIGN}
    first, again = Deadline.objects.filter(case=complaint.case, step=ASSIGN).order_by("pk")
    assert first.closed_at is not None and again.closed_at is None and again.department.code == "yshj"


def test_a_rejection_after_registration_closes_the_assignment_deadline(people, investment_company):
    complaint = receive()
    register(people, complaint)
    complaints.reject(actor=people["clerk"], complaint_id=complaint.pk, reason="属民事合同纠纷")
    assert open_steps(complaint) == set()


def test_a_complaint_registered_before_the_assignment_deadline_is_still_assigned(people, investment_company):
    complaint = receive()
    register(people, complaint)
    Deadline.objects.filter(case=complaint.case, step=ASSIGN).delete()
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=Department.objects.get(
        code="czj").pk)  # fmt: skip
    assert open_steps(complaint) == {"complaint.answer"}


def test_an_overdue_assignment_gets_a_supervision_order_against_the_clerks_unit(people, investment_company):
    complaint = receive()
    register(people, complaint)
    deadline = Deadline.objects.get(case=complaint.case, step=ASSIGN)
    report = supervision.sweep(now=deadline.due_at)
    assert report.fired.get("deadline.supervised") == 1
    order = SupervisionOrder.objects.get()
    assert (order.case, order.department.code) == (complaint.case, "yshj")
    assert "交办" in order.reason


# --- the admin and the demo ----------------------------------------------------------------------


def test_the_system_administrator_adds_a_body_with_its_supervising_body(client, investment_company):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.ADMIN))
    czj = Department.objects.get(code="czj")
    listing = client.get("/admin/cases/respondentbody/", {"supervising_department__id__exact": czj.pk, "q": "投资"})
    assert "区城市建设投资有限公司" in listing.content.decode()
    found = client.get("/admin/autocomplete/", {"app_label": "cases", "model_name": "respondentbody",
                                               "field_name": "supervising_department", "term": "财政"})  # fmt: skip
    assert [item["text"] for item in found.json()["results"]] == ["区财政局"]
    client.post("/admin/cases/respondentbody/add/", {"name": "区国有资产运营公司", "kind": "state_owned_enterprise",
                                                     "supervising_department": czj.pk, "active": "on"})  # fmt: skip
    assert RespondentBody.objects.get(name="区国有资产运营公司").supervising_department == czj


def test_a_caseworker_cannot_edit_the_registry(client, people):
    client.force_login(people["worker"])
    assert client.get("/admin/cases/respondentbody/add/").status_code in (302, 403)


def test_the_demo_complaints_are_registered_against_registry_bodies():
    from io import StringIO

    from django.core.management import call_command

    from cases.complaints.models import Complaint

    call_command("seed_demo", stdout=StringIO())
    bodies = dict(Complaint.objects.filter(channel_reference__in=["DEMO-1", "DEMO-2", "DEMO-4"]).values_list(
        "channel_reference", "respondent_body__name"))  # fmt: skip
    assert bodies == {"DEMO-1": "区城市建设投资有限公司", "DEMO-2": "区工信局", "DEMO-4": "区某镇人民政府"}
    city = RespondentBody.objects.get(name="区城市建设投资有限公司")
    assert (city.kind, city.supervising_department.code) == ("state_owned_enterprise", "czj")


def test_the_clerk_reads_why_a_body_is_refused(client, people, investment_company):
    investment_company.active = False
    investment_company.save()
    complaint = receive()
    client.force_login(people["clerk"])
    form = {"subject": "arrears", "respondent": "x", "respondent_body": investment_company.pk}
    response = client.post(f"/complaints/{complaint.case.number}/register/", form)
    assert response.status_code == 400
    assert "所选被投诉主体不在名录中或已停用" in response.content.decode()
