"""Responses for big exports: CSV streamed row by row, XLSX written row by row to a temporary file.

Neither holds the table in memory: CSV goes out as the rows are read; openpyxl's write-only mode
keeps one row at a time and the file is sent with ``FileResponse`` (deleted once sent)."""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from spreadsheets.workbook import title_with_date, write_sheet

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose ``write`` hands back the line, for ``csv.writer`` in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list]) -> Iterator[str]:
    # A byte-order mark first: Excel then reads the file as UTF-8 (names with é, ñ, ’ stay intact).
    yield "\ufeff"
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


def csv_response(rows: Iterable[list], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(
    rows: Iterable[list],
    *,
    filename: str,
    sheet_title: str = "Data",
    title: str | None = None,
    money_columns: Iterable[int] = (),
) -> FileResponse:
    """``rows`` (header first) as an XLSX download. With ``title`` the sheet is made for people
    (``spreadsheets.workbook``: "<title> per <tanggal>", frozen bold header, widths, Rupiah formats);
    without it, a bare header row for files other programs read."""
    workbook = Workbook(write_only=True)
    if title is None:
        sheet = workbook.create_sheet(title=sheet_title[:31])
        for row in rows:
            sheet.append(row)
    else:
        rows = iter(rows)
        header = next(rows, [])
        write_sheet(
            workbook,
            sheet_title=sheet_title,
            title=title_with_date(title),
            header=header,
            rows=rows,
            money_columns=money_columns,
        )
    # The file lives on disk, not in memory, and disappears when the response closes it.
    temporary = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — closed by FileResponse
    workbook.save(temporary)
    temporary.seek(0)
    return FileResponse(temporary, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
