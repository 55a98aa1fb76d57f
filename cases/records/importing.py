"""Bulk registration of credit records from a spreadsheet, row by row: a bad row is reported
and skipped, good rows are kept."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import load_workbook

from cases.core import permissions
from cases.core.exceptions import DomainError, InvalidInput, NotPermitted
from cases.records import services as record_services
from cases.records.forms import KIND_WORDS, SEVERITY_WORDS, TYPE_WORDS, YES_WORDS, CreditRecordForm

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Bounds on what an uploaded sheet may make the server do (zip bombs, sheets formatted to the end).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 200
MAX_COLUMNS = 30
MAX_EMPTY_ROWS_IN_A_ROW = 1000

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
    "联系手机": "party_phone",
    "简易程序": "simple_procedure",
}
OPTIONAL_COLUMNS = {"published_from", "party_phone", "simple_procedure"}
WORDS = {"party_kind": KIND_WORDS, "record_type": TYPE_WORDS, "severity": SEVERITY_WORDS,
         "simple_procedure": YES_WORDS}  # fmt: skip
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
    """The file's rows that hold something, read no further than the limits allow."""
    name = (upload.name or "").lower()
    if upload.size > MAX_BYTES:
        raise InvalidInput(_("The file is larger than 5 MB."))
    head = upload.read(4)
    upload.seek(0)
    if name.endswith(".xlsx"):
        if head != b"PK\x03\x04":
            raise InvalidInput(_("This file is not a real .xlsx spreadsheet."))
        _check_archive(upload)
        try:
            sheet = load_workbook(upload, read_only=True, data_only=True).active
            return _rows_with_content(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InvalidInput(_("The spreadsheet could not be read.")) from exc
    if name.endswith(".csv"):
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(_("A .csv file must be saved as UTF-8.")) from exc
        try:
            return _rows_with_content(csv.reader(io.StringIO(text)))
        except csv.Error as exc:  # a field over the csv module's limit, a stray quote at the end
            raise InvalidInput(_("The .csv file could not be read: %(reason)s") % {"reason": exc}) from exc
    raise InvalidInput(_("Upload an .xlsx or .csv file."))


def _check_archive(upload) -> None:
    """An .xlsx is a zip archive: refuse one that would unpack to far more than any register
    (a zip bomb). zipfile never unpacks a member past the size the archive declares for it."""
    try:
        members = zipfile.ZipFile(upload).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InvalidInput(_("The spreadsheet could not be read.")) from exc
    finally:
        upload.seek(0)
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise InvalidInput(
            _("The spreadsheet unpacks to more than %(mb)d MB: save it again with only the records.")
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )


def _rows_with_content(rows) -> list[list]:
    """Rows with at least one value, up to one past the row limit (so that the limit is reported);
    a long run of empty rows (formatting to the sheet's end) ends the data."""
    kept, empty_run = [], 0
    for row in rows:
        if any(_cell(cell) for cell in row):
            kept.append(list(row))
            empty_run = 0
            if len(kept) > MAX_ROWS + 1:
                break
        else:
            empty_run += 1
            if empty_run > MAX_EMPTY_ROWS_IN_A_ROW:
                break
    return kept


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
    """Each good row registered as cases.core.record_services.register_credit_record would; someone who may not
    register records is refused before the file is read, not row by row."""
    permissions.require(actor, "cases.work_department_cases")
    if actor.department_id is None:
        raise NotPermitted()
    rows = _read_rows(upload)
    if not rows:
        raise InvalidInput(_("The file is empty."))
    header = [HEADERS.get(_cell(cell), _cell(cell)) for cell in rows[0]]
    missing = [name for name in set(HEADERS.values()) - OPTIONAL_COLUMNS if name not in header]
    if missing:
        raise InvalidInput(_("The header row lacks columns: %(columns)s.") % {"columns": ", ".join(sorted(missing))})
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise InvalidInput(_("At most %(max)d rows can be imported at once.") % {"max": MAX_ROWS})
    results = []
    for number, row in enumerate(body, start=2):
        data = _row_data(header, row)
        result = RowResult(row=number, decision_number=data.get("decision_number", ""))
        form = CreditRecordForm(data)
        if not form.is_valid():
            colon = pgettext("punctuation", ": ")
            result.errors = [f"{form.fields[name].label}{colon}{message}" if name in form.fields else message
                             for name, messages in form.errors.items() for message in messages]  # fmt: skip
        else:
            try:
                with transaction.atomic():
                    record_services.register_credit_record(actor=actor, data=form.cleaned_data)
            except DomainError as exc:
                result.errors = [str(exc.message)]
        results.append(result)
    return ImportReport(rows=results)
