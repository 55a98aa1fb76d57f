"""CSV downloads that a spreadsheet opens as plain text.

A cell that begins with = + - @ (or a tab or carriage return) would be read by Excel or WPS as a
formula, which can run commands or send data away (CSV injection): such a cell gets an apostrophe
in front. Every CSV the application serves is written through `csv_response`.
"""

import csv

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_response(filename: str, rows) -> HttpResponse:
    """A UTF-8 CSV attachment (with the byte-order mark Excel needs to read it as UTF-8)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return response
