"""XLSX files made for people to open: what the file is and as of when, a header that stays in view,
columns wide enough to read, money in Rupiah and dates as dates.

Layout of every sheet written here:

- row 1: the title, ``<title> per <tanggal>`` (bold, larger);
- row 2: the column headers, bold on a light fill, frozen together with the title (``A3``);
- row 3 on: the data. Money columns carry a Rupiah number format (the cell stays a number, so a
  spreadsheet can still sum it); percent columns one decimal; dates and times as such.

Widths come from the header and the first ``SAMPLE_ROWS`` rows (openpyxl's write-only mode, which keeps
memory flat on big tables, needs them before the first row is written). Only files read by people use
this: files read by machines (bank transfer files, import templates) keep a bare header row.
"""

import datetime
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice

from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from spreadsheets.cells import xlsx_safe

RUPIAH_FORMAT = '"Rp"#,##0'
PERCENT_FORMAT = "0.0"  # the values are already percentages (12.5 means 12,5 %)
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 6, 60
HEADER_ROW = 2  # the title is row 1
FREEZE_BELOW = "A3"

MONEY, PERCENT, OTHER = "money", "percent", "other"


def column_kind(header: str, *, money: bool = False) -> str:
    """What a column holds, from its header as people read it: ``Nilai disetujui (Rp)`` is money,
    ``Realisasi (%)`` a percentage. ``money`` says so for headers that do not show it."""
    if money or "(Rp)" in header:
        return MONEY
    if "(%)" in header:
        return PERCENT
    return OTHER


def title_with_date(title: str, *, as_of: datetime.datetime | datetime.date | None = None) -> str:
    """``Rekap provinsi per 5 Desember 2026`` (a moment also gets its time in WIB)."""
    as_of = as_of or timezone.now()
    if isinstance(as_of, datetime.datetime):
        when = date_format(timezone.localtime(as_of), "j F Y H:i") + " WIB"
    else:
        when = date_format(as_of, "j F Y")
    return f"{title} per {when}"


def _width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int | float | Decimal):
        return len(f"{value:,.0f}") + 3  # room for "Rp" and the separators
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _widths(header: Sequence[str], sample: list[Sequence[object]]) -> list[int]:
    widths = [len(str(h)) + 2 for h in header]
    for row in sample:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _width(value) + 2)
    return [min(max(width, MIN_WIDTH), MAX_WIDTH) for width in widths]


def _data_cell(sheet: object, value: object, kind: str) -> object:
    value = xlsx_safe(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = timezone.localtime(value).replace(tzinfo=None)  # XLSX has no time zones: WIB, as shown
    number_format = None
    if kind == MONEY and isinstance(value, int | float | Decimal):
        number_format = RUPIAH_FORMAT
    elif kind == PERCENT and isinstance(value, int | float | Decimal):
        number_format = PERCENT_FORMAT
    elif isinstance(value, datetime.datetime):
        number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        number_format = DATE_FORMAT
    if number_format is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def write_sheet(
    workbook: Workbook,
    *,
    sheet_title: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    money_columns: Iterable[int] = (),
) -> None:
    """Add one sheet (title row, frozen bold header, widths, number formats) to a write-only workbook."""
    sheet = workbook.create_sheet(title=sheet_title[:31])
    rows = iter(rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    money = set(money_columns)
    kinds = [column_kind(str(h), money=index in money) for index, h in enumerate(header)]
    for index, width in enumerate(_widths(header, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = FREEZE_BELOW
    heading = WriteOnlyCell(sheet, value=xlsx_safe(title))
    heading.font = Font(bold=True, size=13)
    sheet.append([heading])
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=xlsx_safe(str(name)))
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in chain(sample, rows):
        sheet.append([_data_cell(sheet, value, kinds[i] if i < len(kinds) else OTHER) for i, value in enumerate(row)])


def people_rows(rows: Iterable[Sequence[object]]) -> tuple[Sequence[str], Iterator[Sequence[object]]]:
    """Split a resource's rows (header first) into the header and the data rows."""
    rows = iter(rows)
    return next(rows, []), rows
