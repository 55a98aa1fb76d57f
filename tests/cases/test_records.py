"""Published credit records: registration one by one, by the API and in bulk; the applicant's view."""

import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cases.core.models import AuditEvent, CreditRecord, Party
from cases.records.windows import publicity_window
from notifications.models import Notification
from tests.factories import ApplicantFactory, StaffFactory, valid_uscc

pytestmark = pytest.mark.django_db

USCC = valid_uscc("91620702MA71ABCD0")


def form_data(**overrides):
    data = {
        "party_kind": "enterprise",
        "party_name": "甘州区示范商贸有限公司",
        "party_id_number": USCC,
        "record_type": "penalty",
        "decision_number": "甘市监罚〔2026〕12号",
        "decided_on": "2026-03-02",
        "severity": "general",
        "summary": "未按规定公示年度报告，罚款 2000 元",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("severity", "repairable", "until"),
    [("minor", date(2026, 3, 2), date(2026, 6, 2)), ("general", date(2026, 6, 2), date(2027, 3, 2)),
     ("serious", date(2027, 3, 2), date(2029, 3, 2))],
)  # fmt: skip
def test_publicity_window_follows_the_severity(severity, repairable, until):
    assert publicity_window(severity, date(2026, 3, 2)) == (repairable, until)


def test_a_caseworker_registers_a_penalty_on_the_page(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/records/new/", form_data(), follow=True)
    record = CreditRecord.objects.get()
    assert (record.department, record.repairable_from, record.display_until) == (
        caseworker.department,
        date(2026, 6, 2),
        date(2027, 3, 2),
    )
    assert "2026-06-02" in response.content.decode()
    assert AuditEvent.objects.filter(event_type="record.registered", actor=caseworker).exists()


def test_a_wrong_uscc_is_refused_with_the_reason_and_nothing_is_stored(client, caseworker):
    client.force_login(caseworker)
    page = client.post("/records/new/", form_data(party_id_number=USCC[:-1] + "0")).content.decode()
    assert "校验码" in page
    assert not CreditRecord.objects.exists() and not Party.objects.exists()


def test_a_decision_number_is_registered_once(client, caseworker):
    client.force_login(caseworker)
    client.post("/records/new/", form_data())
    page = client.post("/records/new/", form_data(party_name="另一家")).content.decode()
    assert "已登记" in page
    assert CreditRecord.objects.count() == 1


def test_a_future_decision_date_is_refused(client, caseworker):
    client.force_login(caseworker)
    page = client.post("/records/new/", form_data(decided_on="2099-01-01")).content.decode()
    assert "不能晚于今天" in page


def test_an_applicant_cannot_register_records(client, applicant):
    client.force_login(applicant)
    assert client.post("/records/new/", form_data()).status_code == 403
    assert not CreditRecord.objects.exists()


def test_a_supervisor_sees_records_but_cannot_register(client, supervisor, caseworker):
    client.force_login(caseworker)
    client.post("/records/new/", form_data())
    client.force_login(supervisor)
    assert "甘市监罚〔2026〕12号" in client.get("/records/").content.decode()
    assert client.get("/records/new/").status_code == 403


def test_another_department_does_not_see_the_record(client, caseworker):
    client.force_login(caseworker)
    client.post("/records/new/", form_data(), follow=True)
    client.force_login(StaffFactory(department__code="fgj"))
    assert "甘市监罚" not in client.get("/records/").content.decode()


def test_the_entity_is_told_at_once(client, caseworker):
    entity = ApplicantFactory(id_number=USCC)
    client.force_login(caseworker)
    client.post("/records/new/", form_data())
    note = Notification.objects.get(recipient=entity, kind="record.registered")
    assert "2026-06-02" in note.body


@time_machine.travel(date(2026, 7, 1))
def test_the_applicant_sees_which_records_are_repairable_and_when(client, caseworker):
    entity = ApplicantFactory(id_number=USCC)
    client.force_login(caseworker)
    client.post("/records/new/", form_data())
    client.post("/records/new/", form_data(decision_number="甘市监罚〔2026〕40号", decided_on="2026-06-20"))
    client.force_login(entity)
    page = client.get("/my/records/").content.decode()
    assert "现在可以申请" in page
    assert "2026-09-20 起" in page


def test_the_api_registers_a_record(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/api/v1/records/", form_data(), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["repairable_from"] == "2026-06-02"


def test_the_api_names_the_wrong_field(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/api/v1/records/", form_data(party_id_number="123"), content_type="application/json")
    assert response.status_code == 400
    assert "party_id_number" in response.json()


def test_the_api_refuses_an_applicant(client, applicant):
    client.force_login(applicant)
    response = client.post("/api/v1/records/", form_data(), content_type="application/json")
    assert response.status_code == 403


def test_the_api_masks_a_persons_id_number(client, caseworker):
    from tests.factories import valid_resident_id

    client.force_login(caseworker)
    number = valid_resident_id("62070219850612001")
    client.post(
        "/api/v1/records/", form_data(party_kind="person", party_id_number=number), content_type="application/json"
    )
    listed = client.get("/api/v1/records/").json()["results"][0]
    assert listed["party_id_number"] == number[:6] + "********" + number[-4:]


# --- bulk import ---------------------------------------------------------------------------

HEADER = "主体类型,主体名称,统一社会信用代码/身份证号,记录类型,决定书文号,决定日期,严重程度,事实和处理决定\n"


def csv_upload(*lines: str, name="records.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + HEADER + "".join(lines)).encode("utf-8"), content_type="text/csv")


def test_import_keeps_good_rows_and_reports_bad_ones_by_row(client, caseworker):
    client.force_login(caseworker)
    upload = csv_upload(
        f"企业,甲公司,{USCC},行政处罚,罚〔2026〕1号,2026-01-05,一般,罚款\n",
        "企业,乙公司,91350100M000100Y44,行政处罚,罚〔2026〕2号,2026-01-06,一般,罚款\n",
        f"企业,丙公司,{USCC},行政处罚,罚〔2026〕3号,2026-01-07,很重,罚款\n",
    )
    page = client.post("/records/import/", {"file": upload}).content.decode()
    assert set(CreditRecord.objects.values_list("decision_number", flat=True)) == {"罚〔2026〕1号"}
    assert "导入 1 行" in page and "2 行未导入" in page
    assert "校验码" in page and "<td>3</td>" in page and "<td>4</td>" in page


def test_import_reads_xlsx(client, caseworker):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["企业", "甲公司", USCC, "行政处罚", "罚〔2026〕9号", date(2026, 2, 3), "轻微", "警告"])
    content = io.BytesIO()
    book.save(content)
    client.force_login(caseworker)
    client.post("/records/import/", {"file": SimpleUploadedFile("r.xlsx", content.getvalue())})
    assert CreditRecord.objects.get().decided_on == date(2026, 2, 3)


def test_import_refuses_a_renamed_file(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/records/import/", {"file": SimpleUploadedFile("r.xlsx", b"MZ\x90\x00 not a spreadsheet")})
    assert response.status_code == 400
    assert "不是真正的 .xlsx" in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_import_refuses_other_file_types(client, caseworker):
    client.force_login(caseworker)
    response = client.post("/records/import/", {"file": SimpleUploadedFile("r.exe", b"MZ")})
    assert response.status_code == 400


def test_import_refuses_a_file_over_5_mb(client, caseworker):
    client.force_login(caseworker)
    upload = SimpleUploadedFile("big.csv", b"a" * (5 * 1024 * 1024 + 1))
    assert client.post("/records/import/", {"file": upload}).status_code == 400


def test_import_names_missing_columns(client, caseworker):
    client.force_login(caseworker)
    upload = SimpleUploadedFile("r.csv", "主体名称,决定书文号\n甲,1\n".encode())
    page = client.post("/records/import/", {"file": upload}).content.decode()
    assert "缺少" in page and "party_id_number" in page


def test_the_template_downloads_with_the_expected_header(client, caseworker):
    client.force_login(caseworker)
    content = client.get("/records/import/template.csv").content.decode("utf-8-sig")
    assert content.splitlines()[0].startswith("主体类型,主体名称")


def test_a_refused_registration_shows_the_form_again_with_what_was_typed(client, caseworker):
    client.force_login(caseworker)
    client.post("/records/new/", form_data())
    response = client.post("/records/new/", form_data(party_name="另一家示范公司"))
    assert response.status_code == 400
    page = response.content.decode()
    assert '<span class="error">该决定书文号的记录已登记。</span>' in page  # at its field
    assert 'value="另一家示范公司"' in page and "<form" in page
    assert CreditRecord.objects.count() == 1


def test_a_refused_import_shows_the_import_form_again_with_the_reason(client, caseworker):
    client.force_login(caseworker)
    upload = SimpleUploadedFile("records.csv", "名称,统一社会信用代码\n示范公司,x\n".encode(), content_type="text/csv")
    response = client.post("/records/import/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "表头" in page and 'type="file"' in page
    assert not CreditRecord.objects.exists()
