"""The half-year report: its workbook and PDF, masking, neutralised cells and the downloads."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cases.core import masking
from cases.core.models import AuditEvent, Department
from cases.reporting import reports
from cases.reporting.metrics import Period
from tests.cases.figures_data import NOW, at, complaints_of_the_half_year, people, repairs_of_the_half_year
from tests.factories import valid_resident_id

pytestmark = pytest.mark.django_db

H2 = Period.half_year(2026, 2)
SHEETS = ["概况", "按部门", "按事项", "按月份", "整改与回访", "信用修复", "清欠", "典型案例", "投诉明细", "修复明细"]
HOSTILE = {"respondent": "<script>alert(1)</script>区某局", "enterprise_name": "=HYPERLINK(\"http://x\",\"点击\")",
           "complainant_name": "@SUM(1+1)"}  # fmt: skip


@pytest.fixture
def p(db):
    return people()


@pytest.fixture
def half_year(p):
    return complaints_of_the_half_year(p), repairs_of_the_half_year(p)


@pytest.fixture
def hostile_half_year(p):
    return complaints_of_the_half_year(p, **HOSTILE)


def workbook(report):
    return load_workbook(BytesIO(reports.to_xlsx(report)))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row_named(sheet, first_cell):
    return next(row for row in rows(sheet) if row[0] == first_cell)


# --- masking -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, masked", [("张三", "张*"), ("李小明", "李*明"), ("欧阳小明", "欧**明"), ("王", "*"), ("", "")]
)
def test_a_persons_name_keeps_its_first_and_last_characters(name, masked):
    assert masking.mask_name(name) == masked


def test_a_phone_number_keeps_its_first_three_and_last_four_digits():
    assert masking.mask_phone("13812345678") == "138****5678"


def test_free_text_has_resident_ids_and_phone_numbers_masked():
    person = valid_resident_id("62070219850612001")
    text = f"联系人身份证 {person}，电话13812345678，座机 0936-8881234，合同号 202607060001。"
    masked = masking.mask_text(text)
    assert person not in masked and "620702********" in masked
    assert "138****5678" in masked and "8881234" not in masked
    assert "202607060001" in masked


def test_an_all_digit_credit_code_in_free_text_is_not_taken_for_an_id_number():
    assert masking.mask_text("统一社会信用代码 916207020000000012") == "统一社会信用代码 916207020000000012"


# --- neutralising spreadsheet formulas ---------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_could_start_a_formula_gets_an_apostrophe(text):
    assert reports.neutralise(text) == "'" + text


def test_ordinary_text_is_left_as_it_is():
    assert reports.neutralise("区某局 -1") == "区某局 -1"


def test_characters_excel_refuses_are_dropped():
    assert reports.neutralise("a\x00b\x1fc") == "abc"


# --- the workbook ------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_section_titled_in_chinese(half_year):
    assert workbook(reports.build(H2, now=NOW)).sheetnames == SHEETS


def test_the_department_sheet_has_the_departments_figures(half_year):
    sheet = workbook(reports.build(H2, now=NOW))["按部门"]
    header, czj = rows(sheet)[0], row_named(sheet, Department.objects.get(code="czj").name_zh)
    figures = dict(zip(header, czj, strict=True))
    assert (figures["收到投诉"], figures["按时答复"], figures["应答复"], figures["已办结"]) == (9, 7, 8, 5)
    assert figures["按时答复率"] == pytest.approx(7 / 8, abs=0.001)
    assert (figures["按时办结"], figures["应办结"]) == (4, 6)  # C4's missed registration is the intake unit's
    assert figures["按时办结率"] == pytest.approx(4 / 6, abs=0.001)
    assert row_named(sheet, "合计")[1] == 11


def test_the_summary_names_answering_and_closing_on_time_apart(half_year):
    summary = {row[0]: row[1] for row in rows(workbook(reports.build(H2, now=NOW))["概况"]) if row[0]}
    assert summary["报告名称"] == "2026年下半年社会信用工作进展报告"
    assert summary["报送截止"].date() == date(2026, 12, 20)
    assert (summary["响应率"], summary["按时答复率"], summary["解决率"]) == (pytest.approx(0.909), 0.875, 0.6)
    assert summary["按时办结率"] == pytest.approx(0.571)
    assert (summary["已办结（不含撤回、不予受理、合并）"], summary["已解决"], summary["撤回"]) == (5, 3, 1)


def test_the_summary_gives_satisfaction_in_the_complainants_words_and_deemed_apart(half_year):
    summary = {row[0]: row[1] for row in rows(workbook(reports.build(H2, now=NOW))["概况"]) if row[0]}
    assert summary["满意率（回访及投诉人确认）"] == pytest.approx(0.667)
    assert (summary["视为满意（逾期未评价）"], summary["视为满意占比"]) == (1, 0.25)


def test_the_report_gives_rectification_breach_and_call_backs(half_year):
    book = workbook(reports.build(H2, now=NOW))
    summary = {row[0]: row[1] for row in rows(book["概况"]) if row[0]}
    rectification = (summary["整改中"], summary["已整改"], summary["确认违约失信"], summary["其中失信记录已修复"])
    assert rectification == (1, 2, 1, 1)
    assert summary["回访次数"] == 3
    sheet = book["整改与回访"]
    czj = dict(zip(rows(sheet)[0], row_named(sheet, Department.objects.get(code="czj").name_zh), strict=True))
    assert (czj["属实投诉整改中"], czj["已整改"], czj["确认违约失信"], czj["失信记录已修复"], czj["回访次数"]) == (
        1, 2, 1, 1, 3)  # fmt: skip


def test_the_report_says_how_each_figure_is_counted_in_chinese(half_year):
    notes = [row[0] for row in rows(workbook(reports.build(H2, now=NOW))["概况"]) if row[0]]
    text = "".join(str(note) for note in notes[notes.index("口径说明") :])
    assert "按时答复率＝" in text and "按时办结率＝" in text and "不含撤回、不予受理和合并的投诉" in text
    assert "满意率（回访及投诉人确认）＝" in text and "逾期未评价视为满意的单列" in text
    assert "个人信息已脱敏" in text
    html = reports.render_html(reports.build(H2, now=NOW))
    assert "投诉人确认期限不是本机关的办理时限" in html


def test_the_complaint_list_says_how_each_ended_and_who_said_it_was_satisfactory(half_year):
    sheet = workbook(reports.build(H2, now=NOW))["投诉明细"]
    header = rows(sheet)[0]
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows(sheet)[1:]}
    c1, c5, c6, c7, c10 = (by_number[half_year[0][key].case.number] for key in ("C1", "C5", "C6", "C7", "C10"))
    assert (c1["办理结果"], c1["满意度"]) == ("已整改办结", "满意（投诉人确认）")
    assert (c5["办理结果"], c5["满意度"]) == ("已整改办结", "视为满意（逾期未评价）")
    assert c6["满意度"] == "满意（回访）" and c10["满意度"] == "回访无明确意见"
    assert c7["办理结果"] == "确认违约失信"


def test_the_repair_sheet_has_counts_and_the_median(half_year):
    sheet = workbook(reports.build(H2, now=NOW))["信用修复"]
    figures = dict(zip(rows(sheet)[0], row_named(sheet, "合计"), strict=True))
    assert (figures["提交申请"], figures["准予修复"], figures["不予受理"], figures["用时中位数（工作日）"]) == (
        4,
        2,
        1,
        6.5,
    )


def test_the_arrears_sheet_shows_owed_and_paid(half_year):
    sheet = workbook(reports.build(H2, now=NOW))["清欠"]
    figures = dict(zip(rows(sheet)[0], row_named(sheet, "合计"), strict=True))
    assert (figures["已支付（元）"], figures["尚欠（元）"]) == (400, 600)


def test_the_lists_mask_personal_data(half_year):
    book = workbook(reports.build(H2, now=NOW))
    text = str(rows(book["投诉明细"])) + str(rows(book["修复明细"]))
    assert "张三丰" not in text and "张*丰" in text
    assert "13812345678" not in text and "138****5678" in text
    assert "李明" not in text and "李*" in text
    assert valid_resident_id("62070219850612001") not in text and "620702********" in text


def test_a_formula_in_free_text_stays_text_in_the_workbook(hostile_half_year):
    sheet = workbook(reports.build(H2, now=NOW))["投诉明细"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    enterprise = next(cell for cell in cells if "HYPERLINK" in str(cell.value))
    assert enterprise.value == '\'=HYPERLINK("http://x","点击")' and enterprise.data_type == "s"
    assert not any(cell.data_type == "f" for cell in cells)


def test_script_in_free_text_is_only_text_in_the_workbook(hostile_half_year):
    sheet = workbook(reports.build(H2, now=NOW))["典型案例"]
    assert row_named(sheet, hostile_half_year["C1"].case.number)[4] == "<script>alert(1)</script>区某局"


# --- the PDF -----------------------------------------------------------------------------------


def test_the_pdf_renders(half_year):
    assert reports.to_pdf(reports.build(H2, now=NOW)).startswith(b"%PDF")


def test_script_in_free_text_is_escaped_in_the_pdf(hostile_half_year):
    html = reports.render_html(reports.build(H2, now=NOW))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;区某局" in html


def test_the_pdf_has_the_sections_but_not_the_item_lists(half_year):
    html = reports.render_html(reports.build(H2, now=NOW))
    assert "按部门" in html and "清欠" in html and "典型案例" in html
    assert "张*丰" not in html  # the complaint list is in the workbook only


# --- downloads ---------------------------------------------------------------------------------


def test_a_supervisor_downloads_the_half_year_workbook_in_one_click(client, p, half_year):
    client.force_login(p["supervisor"])
    with at(NOW.date()):
        response = client.get("/figures/report.xlsx", {"period": "2026-H2"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "2026-H2.xlsx" in response["Content-Disposition"]
    assert load_workbook(BytesIO(response.content)).sheetnames == SHEETS


def test_a_supervisor_downloads_the_pdf(client, p, half_year):
    client.force_login(p["supervisor"])
    response = client.get("/figures/report.pdf", {"period": "2026-H2"})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_a_download_is_on_the_audit_trail(client, p, db):
    client.force_login(p["supervisor"])
    client.get("/figures/report.xlsx", {"from": "2026-07", "to": "2026-09"})
    event = AuditEvent.objects.get(event_type="report.exported")
    assert (event.actor, event.reference, event.payload["format"]) == (p["supervisor"], "2026-07..2026-09", "xlsx")


@pytest.mark.parametrize("who", ["head", "worker", "firm"])
def test_only_supervisors_download_the_report(client, p, who):
    client.force_login(p[who])
    assert client.get("/figures/report.xlsx", {"period": "2026-H2"}).status_code == 403
    assert not AuditEvent.objects.filter(event_type="report.exported").exists()


def test_an_anonymous_download_is_sent_to_log_in(client, db):
    response = client.get("/figures/report.pdf", {"period": "2026-H2"})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_unknown_format_is_not_found(client, p):
    client.force_login(p["supervisor"])
    assert client.get("/figures/report.docx").status_code == 404
