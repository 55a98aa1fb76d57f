"""Staff speed: filters saved on the work lists (per person, per list, one default), several
complaints claimed or assigned at once through the single-item services, and the departments'
reply phrases (常用语) inserted into reply and reason boxes."""

import json
import re

import pytest
from django.contrib.messages import get_messages

from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core import staff_speed
from cases.core.exceptions import InvalidInput, NotFound, NotPermitted
from cases.core.models import AuditEvent, Case, Department, ReplyPhrase, SavedFilter
from tests.factories import StaffFactory, complaint_office, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return complaint_office()


def receive(number: int):
    channel, _created = Channel.objects.get_or_create(code="website", defaults={"name": "网站", "secret": "s"})
    complaint, _created = complaint_intake.receive(channel=channel, data={
        "reference": f"W-{number}", "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局", "subject": "other_breach",
        "facts": f"拖欠货款 {number}"})  # fmt: skip
    return complaint


def registered(people, number: int):
    complaint = receive(number)
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    return complaint


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def czj():
    return Department.objects.get(code="czj").pk


# --- saved filters --------------------------------------------------------------------------------


def test_a_saved_filter_is_listed_above_the_list_and_opens_it(client, people):
    client.force_login(people["worker"])
    response = client.post("/filters/", {"list": "repair-queue", "name": "我的逾期",
                                         "query": "state=open&holder=mine&page=3",
                                         "next": "/repair/queue/?state=open&holder=mine"})  # fmt: skip
    assert response["Location"] == "/repair/queue/?state=open&holder=mine"
    page = client.get("/repair/queue/?state=open").content.decode()
    assert '<a href="?state=open&amp;holder=mine">我的逾期</a>' in page


def test_saved_filters_are_per_list_and_per_person(client, people):
    staff_speed.save_filter(actor=people["worker"], list_key="repair-queue", name="我的", query="holder=mine")
    client.force_login(people["worker"])
    assert "我的</a>" not in client.get("/records/").content.decode()
    client.force_login(people["head"])
    assert "我的</a>" not in client.get("/repair/queue/").content.decode()


def test_the_default_filter_applies_when_the_list_is_opened_without_a_query(client, people):
    saved = staff_speed.save_filter(actor=people["worker"], list_key="complaint-queue", name="全部", query="state=all")
    client.force_login(people["worker"])
    client.post(f"/filters/{saved.pk}/default/", {"next": "/complaints/"})
    assert client.get("/complaints/")["Location"] == "/complaints/?state=all"
    assert client.get("/complaints/?plain=1").status_code == 200
    assert client.get("/complaints/?state=open").status_code == 200


def test_one_default_per_list(people):
    worker = people["worker"]
    first = staff_speed.save_filter(actor=worker, list_key="records", name="一", query="q=甲")
    second = staff_speed.save_filter(actor=worker, list_key="records", name="二", query="q=乙")
    staff_speed.set_default_filter(actor=worker, filter_id=first.pk)
    staff_speed.set_default_filter(actor=worker, filter_id=second.pk)
    assert list(SavedFilter.objects.filter(is_default=True).values_list("name", flat=True)) == ["二"]


def test_a_saved_filter_is_deleted_from_the_list(client, people):
    saved = staff_speed.save_filter(
        actor=people["worker"], list_key="repair-queue", name="待认领", query="holder=unclaimed"
    )
    client.force_login(people["worker"])
    response = client.post(f"/filters/{saved.pk}/delete/", {"next": "/repair/queue/"})
    assert response["Location"] == "/repair/queue/" and not SavedFilter.objects.exists()
    assert "已存筛选已删除。" in said(response)


def test_another_persons_saved_filter_cannot_be_used_changed_or_deleted(client, people):
    saved = staff_speed.save_filter(actor=people["worker"], list_key="repair-queue", name="我的", query="holder=mine")
    client.force_login(people["head"])
    assert client.post(f"/filters/{saved.pk}/default/").status_code == 404
    assert client.post(f"/filters/{saved.pk}/delete/").status_code == 404
    saved.refresh_from_db()
    assert saved.is_default is False
    with pytest.raises(NotFound):
        staff_speed.delete_filter(actor=people["head"], filter_id=saved.pk)


def test_a_filter_needs_a_name_and_a_known_list(client, people):
    with pytest.raises(InvalidInput):
        staff_speed.save_filter(actor=people["worker"], list_key="records", name="  ", query="q=甲")
    with pytest.raises(NotFound):
        staff_speed.save_filter(actor=people["worker"], list_key="admin", name="x", query="")
    client.force_login(people["worker"])
    response = client.post("/filters/", {"list": "records", "name": "", "query": "q=甲", "next": "/records/?q=甲"})
    assert "请为筛选命名。" in said(response) and not SavedFilter.objects.exists()


def test_an_applicant_cannot_save_a_filter(people):
    with pytest.raises(NotPermitted):
        staff_speed.save_filter(actor=people["complainant"], list_key="records", name="x", query="q=甲")


def test_the_board_and_the_objection_queue_offer_saved_filters(client, people):
    client.force_login(people["worker"])
    for url in ("/supervision/", "/objections/queue/", "/records/", "/complaints/", "/repair/queue/"):
        assert "将当前筛选保存为" in client.get(url).content.decode(), url


# --- bulk claim and assign ------------------------------------------------------------------------


def test_the_clerk_assigns_selected_complaints_and_is_told_which_were_refused(client, people):
    first, second = registered(people, 1), registered(people, 2)
    not_registered = receive(3)
    client.force_login(people["clerk"])
    page = client.get("/complaints/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    response = client.post("/complaints/selected/", {
        "action": "assign", "department": czj(), "token": token, "next": "/complaints/",
        "case": [first.case_id, second.case_id, not_registered.case_id]})  # fmt: skip
    assert response["Location"] == "/complaints/"
    assert Case.objects.filter(department_id=czj(), state="assigned").count() == 2
    messages = said(response)
    assert "已选 3 件，交办 2 件。" in messages
    assert f"未办理：{not_registered.case.number}：当前状态下不能进行此操作。" in messages
    # each one through the single-item service: its own audit event
    assert AuditEvent.objects.filter(event_type="complaint.assign").count() == 2


def test_a_form_sent_twice_is_handled_once(client, people):
    first = registered(people, 1)
    client.force_login(people["clerk"])
    data = {"action": "assign", "department": czj(), "token": "t1", "case": [first.case_id]}
    client.post("/complaints/selected/", data)
    response = client.post("/complaints/selected/", data)
    assert "这些投诉已办理：表单重复提交。" in said(response)
    assert AuditEvent.objects.filter(event_type="complaint.assign").count() == 1


def test_a_caseworker_claims_selected_complaints_of_their_department_only(client, people):
    ours = registered(people, 1)
    complaints.assign(actor=people["clerk"], complaint_id=ours.pk, department_id=czj())
    held = registered(people, 2)
    complaints.assign(actor=people["clerk"], complaint_id=held.pk, department_id=czj())
    complaints.start_work(actor=people["head"], complaint_id=held.pk)
    theirs = registered(people, 3)
    complaints.assign(actor=people["clerk"], complaint_id=theirs.pk,
                      department_id=Department.objects.get(code="scjg").pk)  # fmt: skip
    client.force_login(people["worker"])
    response = client.post("/complaints/selected/", {
        "action": "claim", "token": "t2", "case": [ours.case_id, held.case_id, theirs.case_id]})  # fmt: skip
    assert Case.objects.get(pk=ours.case_id).assignee == people["worker"]
    assert Case.objects.get(pk=held.case_id).assignee == people["head"]
    assert Case.objects.get(pk=theirs.case_id).assignee is None
    messages = said(response)
    assert "已选 3 件，认领 1 件。" in messages
    assert any(held.case.number in text for text in messages)
    assert "未办理：—：投诉不存在，或不属于您的办理范围。" in messages
    assert not any(theirs.case.number in text for text in messages)


def test_bulk_actions_are_refused_to_those_who_may_not_take_them(client, people):
    first = registered(people, 1)
    client.force_login(people["worker"])
    response = client.post("/complaints/selected/", {"action": "assign", "department": czj(), "case": [first.case_id]})
    assert response.status_code == 403
    client.force_login(people["clerk"])
    assert client.post("/complaints/selected/", {"action": "claim", "case": [first.case_id]}).status_code == 403
    assert Case.objects.get(pk=first.case_id).state == "registered"


def test_the_clerk_sees_checkboxes_and_the_assign_action(client, people):
    first = registered(people, 1)
    client.force_login(people["clerk"])
    page = client.get("/complaints/").content.decode()
    assert f'name="case" value="{first.case_id}" form="bulk"' in page
    assert "交办所选" in page and "认领所选" not in page


# --- reply phrases --------------------------------------------------------------------------------


def test_the_head_adds_edits_and_deletes_the_departments_phrases(client, people):
    client.force_login(people["head"])
    response = client.post("/phrases/", {"title": "已核实", "text": "经核实，情况属实。", "position": "1"})
    assert response["Location"] == "/phrases/"
    phrase = ReplyPhrase.objects.get()
    assert phrase.department_id == czj()
    client.post(f"/phrases/{phrase.pk}/", {"title": "已核实", "text": "经核实，情况基本属实。"})
    assert "经核实，情况基本属实。" in client.get("/phrases/").content.decode()
    client.post(f"/phrases/{phrase.pk}/delete/")
    assert not ReplyPhrase.objects.exists()


def test_a_phrase_without_text_is_refused_on_the_same_form(client, people):
    client.force_login(people["head"])
    response = client.post("/phrases/", {"title": "已核实", "text": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写常用语内容。" in page and 'value="已核实"' in page


def test_another_departments_phrases_cannot_be_changed(client, people):
    other_head = StaffFactory(username="head-scjg", department__code="scjg", role="department_head")
    phrase = staff_speed.add_phrase(actor=people["head"], title="已核实", text="经核实。")
    client.force_login(other_head)
    assert client.post(f"/phrases/{phrase.pk}/", {"title": "改", "text": "改"}).status_code == 404
    assert client.post(f"/phrases/{phrase.pk}/delete/").status_code == 404
    assert "经核实。" not in client.get("/phrases/").content.decode()
    phrase.refresh_from_db()
    assert phrase.text == "经核实。"


def test_a_caseworker_cannot_manage_phrases(client, people):
    client.force_login(people["worker"])
    assert client.get("/phrases/").status_code == 403
    with pytest.raises(NotPermitted):
        staff_speed.add_phrase(actor=people["worker"], title="x", text="y")


def test_a_caseworker_is_offered_the_departments_phrases_beside_the_answer(client, people):
    staff_speed.add_phrase(actor=people["head"], title="已核实", text="经核实，情况属实。")
    staff_speed.add_phrase(actor=StaffFactory(username="head-scjg", department__code="scjg", role="department_head"),
                           title="别的部门", text="别的部门的话。")  # fmt: skip
    complaint = registered(people, 1)
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=czj())
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    client.force_login(people["worker"])
    page = client.get(f"/complaints/{complaint.case.number}/").content.decode()
    assert 'data-target="answer-text"' in page and '<option value="经核实，情况属实。">已核实</option>' in page
    assert "别的部门" not in page


def test_a_selection_of_other_departments_complaints_is_refused_whole(client, people):
    theirs = registered(people, 1)
    complaints.assign(actor=people["clerk"], complaint_id=theirs.pk,
                      department_id=Department.objects.get(code="scjg").pk)  # fmt: skip
    client.force_login(people["worker"])
    response = client.post("/complaints/selected/", {"action": "claim", "case": [theirs.case_id]})
    assert response["Location"] == "/complaints/"
    assert said(response) == ["所选投诉均不在您的办理范围内。"]
    assert Case.objects.get(pk=theirs.case_id).assignee is None


def test_nothing_selected_is_said(client, people):
    client.force_login(people["clerk"])
    response = client.post("/complaints/selected/", {"action": "assign", "department": czj()})
    assert said(response) == ["请至少选择一件投诉。"]


def assigned_to_czj(people, number: int):
    complaint = registered(people, number)
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=czj())
    return complaint


def test_the_head_hands_selected_complaints_to_a_caseworker_and_the_task_follows(client, people):
    from workflows import engine

    first, second = assigned_to_czj(people, 1), assigned_to_czj(people, 2)
    complaints.start_work(actor=people["head"], complaint_id=second.pk)
    client.force_login(people["head"])
    page = client.get("/complaints/").content.decode()
    assert f'<option value="{people["worker"].pk}">' in page and "交办到人" in page
    response = client.post("/complaints/selected/", {
        "action": "hand", "assignee": people["worker"].pk, "case": [first.case_id, second.case_id]})  # fmt: skip
    assert "已选 2 件，交办到人 2 件。" in said(response)
    for complaint in (first, second):
        case = Case.objects.get(pk=complaint.case_id)
        assert case.assignee == people["worker"]
        assert [task.owner for task in engine.active_tasks(case)] == [people["worker"]]
    assert AuditEvent.objects.filter(event_type="case.handed").count() == 2


def test_a_complaint_is_handed_only_to_a_person_of_the_department(client, people):
    first = assigned_to_czj(people, 1)
    client.force_login(people["head"])
    response = client.post("/complaints/selected/", {
        "action": "hand", "assignee": people["wrong_worker"].pk, "case": [first.case_id]})  # fmt: skip
    assert said(response) == ["请选择本部门的工作人员。"]
    assert Case.objects.get(pk=first.case_id).assignee is None


def test_a_caseworker_cannot_hand_complaints(client, people):
    first = assigned_to_czj(people, 1)
    client.force_login(people["worker"])
    response = client.post("/complaints/selected/", {
        "action": "hand", "assignee": people["worker"].pk, "case": [first.case_id]})  # fmt: skip
    assert response.status_code == 403
    assert "交办到人" not in client.get("/complaints/").content.decode()


def test_a_refused_phrase_edit_shows_the_page_again_with_what_was_typed(client, people):
    client.force_login(people["head"])
    client.post("/phrases/", {"title": "已核实", "text": "经核实，情况属实。"})
    phrase = ReplyPhrase.objects.get()
    response = client.post(f"/phrases/{phrase.pk}/", {"title": "改过的标题", "text": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "请填写常用语内容。" in page
    assert json.dumps("改过的标题") in page and f'"action": "phrases/{phrase.pk}"' in page  # put back by forms.js
    phrase.refresh_from_db()
    assert (phrase.title, phrase.text) == ("已核实", "经核实，情况属实。")
