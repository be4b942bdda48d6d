"""Reading exported files back the way a spreadsheet would, and the admin export form's data."""

import csv
import io

from django.http import HttpResponse
from openpyxl import load_workbook

from spreadsheets.resources import SpreadsheetResource

# The payloads an attacker types into a name, and what each export cell must hold instead.
FORMULA_PAYLOADS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", '=HYPERLINK("http://x","y")']


def response_bytes(response: HttpResponse) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    if is_title_row(rows[0]):
        rows = rows[1:]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def is_title_row(row: tuple) -> bool:
    """The people-facing XLSX starts with "<title> per <tanggal>" alone in A1 (spreadsheets.workbook)."""
    return isinstance(row[0], str) and " per " in row[0] and all(cell is None for cell in row[1:])


def read_export(response: HttpResponse, file_format: str) -> list[dict[str, object]]:
    content = response_bytes(response)
    return read_csv(content) if file_format == "csv" else read_xlsx(content)


def admin_export_form(resource: type[SpreadsheetResource], file_format: str) -> dict[str, str]:
    """The POST of django-import-export's export page: format, resource, and every column ticked."""
    data = {"format": "0" if file_format == "csv" else "1", "resource": "0"}
    for field in resource().get_export_order():
        data[f"{resource.__name__.lower()}_{field}"] = "on"
    return data
