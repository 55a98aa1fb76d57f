"""Bulk registration of credit records from a spreadsheet, row by row: a bad row is reported
and skipped, good rows are kept."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cases import services
from cases.exceptions import DomainError, InvalidInput
from cases.forms import KIND_WORDS, SEVERITY_WORDS, TYPE_WORDS, CreditRecordForm

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# Header → form field; Chinese headers as the departments' spreadsheets have them, or the field names.
HEADERS = {
    "主体类型": "party_kind",
    "主体名称": "party_name",
    "统一社会信用代码/身份证号": "party_id_number",
    "证件号码": "party_id_number",
    "记录类型": "record_type",
    "决定书文号": "decision_number",
    "决定日期": "decided_on",
    "严重程度": "severity",
    "事实和处理决定": "summary",
    "公示起始日期": "published_from",
}
WORDS = {"party_kind": KIND_WORDS, "record_type": TYPE_WORDS, "severity": SEVERITY_WORDS}
TEMPLATE_HEADER = ["主体类型", "主体名称", "统一社会信用代码/身份证号", "记录类型", "决定书文号", "决定日期",
                   "严重程度", "事实和处理决定", "公示起始日期"]  # fmt: skip


@dataclass
class RowResult:
    row: int
    decision_number: str
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    rows: list[RowResult]

    @property
    def imported(self) -> int:
        return sum(1 for row in self.rows if row.ok)

    @property
    def failed(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]


def _read_rows(upload) -> list[list]:
    name = (upload.name or "").lower()
    if upload.size > MAX_BYTES:
        raise InvalidInput(_("The file is larger than 5 MB."))
    head = upload.read(4)
    upload.seek(0)
    if name.endswith(".xlsx"):
        if head != b"PK\x03\x04":
            raise InvalidInput(_("This file is not a real .xlsx spreadsheet."))
        try:
            sheet = load_workbook(upload, read_only=True, data_only=True).active
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InvalidInput(_("The spreadsheet could not be read.")) from exc
    if name.endswith(".csv"):
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(_("A .csv file must be saved as UTF-8.")) from exc
        return list(csv.reader(io.StringIO(text)))
    raise InvalidInput(_("Upload an .xlsx or .csv file."))


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _row_data(header: list[str], row: list) -> dict:
    data = {}
    for name, value in zip(header, row, strict=False):
        if name:
            text = _cell(value)
            data[name] = WORDS.get(name, {}).get(text, text)
    return data


def import_records(*, actor, upload) -> ImportReport:
    rows = _read_rows(upload)
    if not rows:
        raise InvalidInput(_("The file is empty."))
    header = [HEADERS.get(_cell(cell), _cell(cell)) for cell in rows[0]]
    missing = [name for name in set(HEADERS.values()) - {"published_from"} if name not in header]
    if missing:
        raise InvalidInput(_("The header row lacks columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))})
    body = [row for row in rows[1:] if any(_cell(cell) for cell in row)]
    if len(body) > MAX_ROWS:
        raise InvalidInput(_("At most %(max)d rows can be imported at once.") % {"max": MAX_ROWS})
    results = []
    for number, row in enumerate(body, start=2):
        data = _row_data(header, row)
        result = RowResult(row=number, decision_number=data.get("decision_number", ""))
        form = CreditRecordForm(data)
        if not form.is_valid():
            result.errors = [f"{form.fields[name].label if name in form.fields else ''}：{message}".lstrip("：")
                             for name, messages in form.errors.items() for message in messages]  # fmt: skip
        else:
            try:
                with transaction.atomic():
                    services.register_credit_record(actor=actor, data=form.cleaned_data)
            except DomainError as exc:
                result.errors = [str(exc.message)]
        results.append(result)
    return ImportReport(rows=results)
