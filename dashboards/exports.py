"""The dashboard's tables as CSV and XLSX, safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel / LibreOffice as a formula (CSV/DDE injection: a group named ``=HYPERLINK(...)``). Such text
gets a leading ``'``, which the spreadsheet shows as plain text. Numbers stay numbers.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from spreadsheets.cells import cell_safe
from spreadsheets.workbook import title_with_date, write_sheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

Cell = str | int | float | None


# The one escaping rule of every spreadsheet the portal writes (spreadsheets.cells).
escape_cell = cell_safe


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(str(h)) for h in header])
    for row in rows:
        writer.writerow(["" if cell is None else escape_cell(cell) for cell in row])
    # A byte-order mark so Excel opens the UTF-8 file with the right accents.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str,
    heading: str | None = None,
    as_of: datetime.datetime | None = None,
) -> bytes:
    """A sheet named ``title``, its first row ``<heading> per <tanggal>``, then the frozen bold header,
    column widths and Rupiah formats (``spreadsheets.workbook``)."""
    workbook = Workbook(write_only=True)
    write_sheet(
        workbook,
        sheet_title=title,
        title=title_with_date(heading or title, as_of=as_of),
        header=header,
        rows=rows,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
