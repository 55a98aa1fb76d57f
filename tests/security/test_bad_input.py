"""Bad input: hostile uploads and spreadsheets are refused with nothing stored, and CSV downloads
cannot carry a spreadsheet formula. (Markup typed into free text: test_markup.py.)"""

import csv
import io
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cases.core.models import CreditRecord
from cases.infra import csv_export
from cases.repair import services as repair
from cases.repair.models import Material
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db


def media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


# --- uploaded materials -----------------------------------------------------------------------

ONE_KB_PDF = b"%PDF-1.7\n" + b"0" * 1024


def zip_bytes() -> bytes:
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("evil.exe", b"MZ\x90\x00")
    return content.getvalue()


REFUSED_UPLOADS = {
    "an executable": ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
    "an executable renamed .pdf": ("proof.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
    "a zip archive renamed .pdf": ("proof.pdf", zip_bytes()),
    "a Word file": ("proof.docx", zip_bytes()),
    "a web page renamed .png": ("photo.png", b"<html><script>alert(1)</script></html>"),
    "an SVG renamed .jpg": ("photo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "a PDF with a name ending .exe after a NUL": ("proof.pdf\x00.exe", ONE_KB_PDF),
    "a file with no extension": ("proof", ONE_KB_PDF),
    "an empty file": ("proof.pdf", b""),
}


@pytest.mark.parametrize("name,content", REFUSED_UPLOADS.values(), ids=REFUSED_UPLOADS.keys())
def test_a_hostile_material_is_refused_and_nothing_is_stored(client, world, name, content):
    client.force_login(world.users["a"])
    before = media_files()
    response = client.post(f"/repair/{world.draft_case.number}/upload/",
                           {"code": "commitment", "file": SimpleUploadedFile(name, content)})  # fmt: skip
    assert response.status_code == 400
    assert not Material.objects.filter(application__case=world.draft_case).exists()
    assert media_files() == before


def test_an_oversize_material_is_refused_and_nothing_is_stored(client, world, settings):
    settings.MAX_MATERIAL_BYTES = 1024
    client.force_login(world.users["a"])
    before = media_files()
    big = SimpleUploadedFile("proof.pdf", ONE_KB_PDF + b"0")
    response = client.post(f"/repair/{world.draft_case.number}/upload/", {"code": "commitment", "file": big})
    assert response.status_code == 400
    assert not Material.objects.filter(application__case=world.draft_case).exists()
    assert media_files() == before


PATH_TRICKS = {
    "parent folders": "../../../../etc/passwd.pdf",
    "Windows parent folders": "..\\..\\..\\windows\\system32\\evil.pdf",
    "an absolute path": "/etc/cron.d/evil.pdf",
    "a NUL inside": "proof\x00../../x.pdf",
    "control characters": "pro\r\nof\x07.pdf",
    "a very long name": "长" * 3000 + ".pdf",
}


@pytest.mark.parametrize("name", PATH_TRICKS.values(), ids=PATH_TRICKS.keys())
def test_a_name_with_path_tricks_is_stored_under_a_random_name_inside_media(world, name):
    application_id = world.draft_case.repair.pk
    material = repair.add_material(actor=world.users["a"], application_id=application_id, code="commitment",
                                   upload=SimpleUploadedFile(name, ONE_KB_PDF))  # fmt: skip
    stored = Path(material.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve() / "materials" / str(application_id))
    assert len(stored.stem) == 32 and stored.suffix == ".pdf"  # a uuid, never the given name
    shown = material.original_name
    assert "/" not in shown and "\\" not in shown and ".." not in shown.strip(".")
    assert not any(ord(ch) < 32 for ch in shown) and len(shown) <= 200


def test_the_page_upload_strips_folders_from_the_name(client, world):
    client.force_login(world.users["a"])
    upload = SimpleUploadedFile("../../../../etc/passwd.pdf", ONE_KB_PDF)
    client.post(f"/repair/{world.draft_case.number}/upload/", {"code": "commitment", "file": upload})
    material = Material.objects.get(application__case=world.draft_case)
    assert material.original_name == "passwd.pdf"
    assert Path(material.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_the_download_names_the_file_safely(client, world):
    material = repair.add_material(actor=world.users["a"], application_id=world.draft_case.repair.pk,
                                   code="commitment", upload=SimpleUploadedFile('a"b\r\n.pdf', ONE_KB_PDF))  # fmt: skip
    client.force_login(world.users["a"])
    disposition = client.get(f"/repair/materials/{material.pk}/")["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.startswith("attachment;")


# --- spreadsheets of credit records -----------------------------------------------------------

HEADER = [
    "主体类型",
    "主体名称",
    "统一社会信用代码/身份证号",
    "记录类型",
    "决定书文号",
    "决定日期",
    "严重程度",
    "事实和处理决定",
]
USCC = valid_uscc("91620702MA71ABCD0")


def workbook_bytes(*rows) -> bytes:
    book = Workbook()
    for row in (HEADER, *rows):
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet is replaced by the given XML."""
    source, out = zipfile.ZipFile(io.BytesIO(workbook_bytes())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = sheet_xml if member.filename == "xl/worksheets/sheet1.xml" else source.read(member.filename)
            archive.writestr(member.filename, data)
    return out.getvalue()


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def import_file(client, caseworker, name, content):
    client.force_login(caseworker)
    return client.post("/records/import/", {"file": SimpleUploadedFile(name, content)})


def test_a_zip_bomb_spreadsheet_is_refused_unread(client, caseworker):
    bomb = with_sheet(SHEET + b"<sheetData>" + b" " * (200 * 1024 * 1024) + b"</sheetData></worksheet>")
    assert len(bomb) < 1024 * 1024  # 200 MB of sheet in well under a megabyte
    started = time.monotonic()
    response = import_file(client, caseworker, "records.xlsx", bomb)
    assert response.status_code == 400
    assert time.monotonic() - started < 5
    assert not CreditRecord.objects.exists()


def test_a_sheet_formatted_to_its_last_row_and_column_is_read_quickly(client, caseworker):
    data = workbook_bytes(["企业", "甲公司", USCC, "行政处罚", "罚〔2026〕1号", "2026-01-05", "一般", "罚款"])
    rows = b"".join(b'<row r="%d"><c r="XFD%d" s="0"/></row>' % (n, n) for n in range(3, 300_000))
    first_rows = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet_data = first_rows[first_rows.index(b"<sheetData>") : first_rows.index(b"</sheetData>")]
    sheet = SHEET + b'<dimension ref="A1:XFD1048576"/>' + sheet_data + rows + b"</sheetData></worksheet>"
    started = time.monotonic()
    import_file(client, caseworker, "records.xlsx", with_sheet(sheet))
    assert time.monotonic() - started < 10
    assert CreditRecord.objects.get().decision_number == "罚〔2026〕1号"


def test_entity_expansion_in_a_sheet_is_refused(client, caseworker):
    entities = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10))
    laughs = (f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e0 "lol">{entities}]>').encode()
    sheet = laughs + SHEET + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e9;</t></is></c></row>'
    response = import_file(client, caseworker, "records.xlsx", with_sheet(sheet + b"</sheetData></worksheet>"))
    assert response.status_code == 400


def test_a_zip_that_is_no_workbook_is_refused(client, caseworker):
    assert import_file(client, caseworker, "records.xlsx", zip_bytes()).status_code == 400


def test_a_csv_field_beyond_the_csv_limit_is_refused_not_a_crash(client, caseworker):
    content = ",".join(HEADER) + "\n" + f'企业,甲公司,{USCC},行政处罚,罚1,2026-01-05,一般,"{"长" * 200_000}"\n'
    response = import_file(client, caseworker, "records.csv", content.encode())
    assert response.status_code == 400
    assert not CreditRecord.objects.exists()


def test_a_csv_cell_with_a_nul_is_reported_on_its_row(client, caseworker):
    content = ",".join(HEADER) + "\n" + f"企业,甲\x00公司,{USCC},行政处罚,罚1,2026-01-05,一般,罚款\n"
    response = import_file(client, caseworker, "records.csv", content.encode())
    assert response.status_code == 200
    assert not CreditRecord.objects.exists()


# --- CSV downloads ----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])  # fmt: skip
def test_a_csv_cell_that_could_be_a_formula_starts_with_an_apostrophe(cell):
    response = csv_export.csv_response("x.csv", [["名称", "备注"], ["甲公司", cell]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["甲公司", "'" + cell]


def test_ordinary_csv_cells_are_left_as_they_are():
    response = csv_export.csv_response("x.csv", [["甲公司", "2026-01-05", "罚款 2000 元", ""]])
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == [
        ["甲公司", "2026-01-05", "罚款 2000 元", ""]
    ]


def test_the_import_template_download_goes_through_the_neutraliser(client, caseworker, monkeypatch):
    written = []
    monkeypatch.setattr(csv_export, "neutralise", lambda value: written.append(value) or str(value))
    client.force_login(caseworker)
    response = client.get("/records/import/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "主体类型" in written and len(written) == 18
