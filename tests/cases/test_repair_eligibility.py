"""Who may apply for credit repair at all: records a law rules out of repair, record types checked
against their class, and bankruptcy reorganisation as a basis (Order No. 36)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.core.exceptions import InvalidInput, NotFound
from cases.core.models import AuditEvent, CreditRecord, Notice, NoticeKind
from cases.records import importing as record_import
from cases.records import services as record_services
from cases.records.forms import CreditRecordForm
from cases.repair import services as repair
from cases.repair.models import RepairApplication
from tests.factories import ENTITY_USCC, ApplicantFactory, register_penalty, repair_office

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]

BASIS = "《某某管理条例》第二十条：该类信息不予修复"


@pytest.fixture
def people(db):
    return repair_office(other_department=True)


def pdf(name="p.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 x", content_type="application/pdf")


# --- not repairable --------------------------------------------------------------------------


def test_the_department_marks_its_record_not_repairable_from_its_records_page(client, people):
    record = register_penalty(people["worker"])
    client.force_login(people["worker"])
    assert f"/records/{record.pk}/not-repairable/" in client.get("/records/").content.decode()
    response = client.post(f"/records/{record.pk}/not-repairable/", {"not_repairable": "on", "basis": BASIS})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.not_repairable and record.not_repairable_basis == BASIS
    assert AuditEvent.objects.filter(event_type="record.not_repairable").exists()


def test_the_entity_sees_the_mark_with_its_basis_and_no_apply_button(client, people):
    record = register_penalty(people["worker"])
    record_services.mark_not_repairable(actor=people["worker"], record_id=record.pk, not_repairable=True, basis=BASIS)
    client.force_login(people["entity"])
    page = client.get("/my/records/").content.decode()
    assert BASIS in page
    assert f"/repair/start/{record.pk}/" not in page


def test_applying_on_a_not_repairable_record_is_refused(people):
    record = register_penalty(people["worker"])
    record_services.mark_not_repairable(actor=people["worker"], record_id=record.pk, not_repairable=True, basis=BASIS)
    with pytest.raises(InvalidInput) as refused:
        repair.start_application(actor=people["entity"], record_id=record.pk)
    assert BASIS in str(refused.value.message)
    assert not RepairApplication.objects.exists()


def test_a_draft_on_a_record_marked_meanwhile_cannot_be_submitted(people):
    record = register_penalty(people["worker"])
    application = repair.start_application(actor=people["entity"], record_id=record.pk)
    record_services.mark_not_repairable(actor=people["worker"], record_id=record.pk, not_repairable=True, basis=BASIS)
    application.refresh_from_db()
    assert any(BASIS in problem for problem in repair.unmet_conditions(application))


def test_the_mark_needs_its_legal_basis(people):
    record = register_penalty(people["worker"])
    with pytest.raises(InvalidInput):
        record_services.mark_not_repairable(actor=people["worker"], record_id=record.pk, not_repairable=True)


def test_another_department_cannot_mark_the_record(client, people):
    record = register_penalty(people["worker"])
    with pytest.raises(NotFound):
        record_services.mark_not_repairable(actor=people["other_worker"], record_id=record.pk, not_repairable=True,
                                            basis=BASIS)  # fmt: skip
    client.force_login(people["other_worker"])
    assert client.get(f"/records/{record.pk}/not-repairable/").status_code == 404


def test_the_mark_is_lifted_by_the_department(people):
    record = register_penalty(people["worker"])
    record_services.mark_not_repairable(actor=people["worker"], record_id=record.pk, not_repairable=True, basis=BASIS)
    record_services.mark_not_repairable(actor=people["worker"], record_id=record.pk, not_repairable=False)
    record.refresh_from_db()
    assert not record.not_repairable and record.not_repairable_basis == ""
    assert repair.start_application(actor=people["entity"], record_id=record.pk)


# --- type against class ----------------------------------------------------------------------


def test_a_minor_list_entry_is_refused_at_registration(people):
    with pytest.raises(InvalidInput) as refused:
        register_penalty(people["worker"], record_type="serious_list", severity="minor")
    assert "严重失信主体名单" in refused.value.details["severity"][0]
    assert not CreditRecord.objects.exists()


def test_a_list_entry_registered_as_serious_is_taken(people):
    record = register_penalty(people["worker"], record_type="serious_list", severity="serious")
    assert record.severity == "serious"


def test_a_penalty_by_simple_procedure_must_be_minor(people):
    with pytest.raises(InvalidInput):
        register_penalty(people["worker"], simple_procedure=True, severity="general")
    record = register_penalty(people["worker"], simple_procedure=True, severity="minor")
    assert record.simple_procedure


def test_the_registration_form_says_why_a_minor_list_entry_is_refused():
    form = CreditRecordForm({"party_kind": "enterprise", "party_name": "示范公司", "party_id_number": ENTITY_USCC,
                             "record_type": "serious_list", "decision_number": "甘发改〔2026〕1号",
                             "decided_on": "2026-03-02", "severity": "minor", "summary": "列入名单"})  # fmt: skip
    assert not form.is_valid()
    assert "严重失信主体名单" in form.errors["severity"][0]


def test_an_imported_minor_list_entry_is_reported_and_skipped(people):
    sheet = ("主体类型,主体名称,统一社会信用代码/身份证号,记录类型,决定书文号,决定日期,严重程度,事实和处理决定\n"
             f"企业,示范公司,{ENTITY_USCC},严重失信主体名单,甘发改〔2026〕2号,2026-03-02,轻微,列入名单\n"
             f"企业,示范公司,{ENTITY_USCC},行政处罚,甘市监罚〔2026〕7号,2026-03-02,一般,罚款\n")  # fmt: skip
    upload = SimpleUploadedFile("records.csv", sheet.encode(), content_type="text/csv")
    report = record_import.import_records(actor=people["worker"], upload=upload)
    assert report.imported == 1
    assert report.failed[0].decision_number == "甘发改〔2026〕2号"
    assert "严重失信主体名单" in report.failed[0].errors[0]


# --- bankruptcy reorganisation ---------------------------------------------------------------


@pytest.fixture
def recent_record(people):
    """A general penalty decided a month ago: its shortest period (3 months) has not passed."""
    return register_penalty(people["worker"], decided_on=date(2026, 10, 16))


def test_bankruptcy_reorganisation_needs_the_court_ruling_but_not_the_shortest_period(people, recent_record):
    application = repair.start_application(actor=people["entity"], record_id=recent_record.pk,
                                           basis="bankruptcy_reorganisation")  # fmt: skip
    for code in ("obligation_proof", "commitment"):
        repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=pdf())
    application.obligations_fulfilled = application.commitment_signed = True
    problems = repair.unmet_conditions(application)
    assert len(problems) == 1 and "人民法院" in problems[0]
    repair.add_material(actor=people["entity"], application_id=application.pk, code="court_ruling", upload=pdf())
    repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip
    application.refresh_from_db()
    assert application.case.state == "submitted"


def test_an_ordinary_application_waits_for_the_shortest_period(people, recent_record):
    application = repair.start_application(actor=people["entity"], record_id=recent_record.pk)
    assert any("2027-01-16" in problem for problem in repair.unmet_conditions(application))


def test_a_person_cannot_apply_on_the_basis_of_bankruptcy(people):
    from tests.factories import valid_resident_id

    person_id = valid_resident_id("62070219800101001")
    person = ApplicantFactory(username="person", entity_kind="person", id_number=person_id)
    record = register_penalty(people["worker"], party_kind="person", party_id_number=person_id, party_name="张三")
    with pytest.raises(InvalidInput):
        repair.start_application(actor=person, record_id=record.pk, basis="bankruptcy_reorganisation")


def test_the_decision_and_the_case_page_mark_bankruptcy_reorganisation(client, people, recent_record):
    client.force_login(people["entity"])
    response = client.post(f"/repair/start/{recent_record.pk}/", {"basis": "bankruptcy_reorganisation"})
    application = RepairApplication.objects.get()
    assert response.status_code == 302 and application.basis == "bankruptcy_reorganisation"
    for code in ("obligation_proof", "commitment", "court_ruling"):
        repair.add_material(actor=people["entity"], application_id=application.pk, code=code, upload=pdf())
    repair.submit(actor=people["entity"], application_id=application.pk, obligations_fulfilled=True,
                  commitment_signed=True)  # fmt: skip
    repair.accept(actor=people["worker"], application_id=application.pk)
    repair.start_review(actor=people["worker"], application_id=application.pk)
    repair.propose_decision(actor=people["worker"], application_id=application.pk, approve=True, reason="")
    repair.approve_decision(actor=people["head"], application_id=application.pk)
    decision = Notice.objects.get(case=application.case, kind=NoticeKind.REPAIR_DECISION)
    assert decision.facts["basis_label"] == "破产重整"
    page = client.get(f"/repair/{application.case.number}/").content.decode()
    assert "破产重整" in page


def test_the_import_template_reads_a_simple_procedure_column(people):
    sheet = ("主体类型,主体名称,统一社会信用代码/身份证号,记录类型,决定书文号,决定日期,严重程度,事实和处理决定,"
             "简易程序\n"
             f"企业,示范公司,{ENTITY_USCC},行政处罚,甘市监罚〔2026〕8号,2026-03-02,一般,罚款,是\n")  # fmt: skip
    upload = SimpleUploadedFile("records.csv", sheet.encode(), content_type="text/csv")
    report = record_import.import_records(actor=people["worker"], upload=upload)
    assert report.imported == 0 and "简易程序" in report.failed[0].errors[0]


def test_applying_on_the_portal_on_a_not_repairable_record_is_refused_saying_why(client, people):
    record = register_penalty(people["worker"])
    record_services.mark_not_repairable(actor=people["worker"], record_id=record.pk, not_repairable=True, basis=BASIS)
    client.force_login(people["entity"])
    response = client.post(f"/repair/start/{record.pk}/", follow=True)
    assert BASIS in response.content.decode()
    assert not RepairApplication.objects.exists()
