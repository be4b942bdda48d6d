"""Streaming the first sheet of an XLSX file, row by row, with the standard library's XML parser.

openpyxl (read-only mode) took 34 s to read 100,000 rows × 20 columns on the 2-core dev machine
(``bench/import_member_list.py --xlsx``), more than the whole import budget. This reads what a member
list needs and no more: cell values (shared strings, inline strings, numbers, booleans, and dates by
their number format), never formulas, styles beyond date formats, or other sheets.

The XML parser is expat: no external entities, and entity expansion is bounded (billion laughs). The
parts read are refused above ``max_part_bytes`` uncompressed, so a zip bomb is refused before parsing.
"""

import datetime
import re
import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import ParseError, fromstring, iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _RUN = (f"{_MAIN}{tag}" for tag in ("row", "c", "v", "is", "t", "r"))
_COLUMN_LETTERS = re.compile(r"[A-Z]+")
# Built-in number formats that show a date (ECMA-376 §18.8.30, plus the East Asian date ids).
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47})
_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_DATE_LETTERS = re.compile(r"[dmyDMY]")
_INTEGER = re.compile(r"-?[0-9]+")

Value = str | int | float | bool | datetime.date | None


class XlsxError(ValueError):
    """The file is not a readable XLSX workbook (or is too big once decompressed)."""


def xlsx_rows(fileobj: IO[bytes], *, max_part_bytes: int = 400 * 1024 * 1024) -> Iterator[tuple[int, list[Value]]]:
    """(row number, values) for each row of the first sheet, in order; missing cells are None."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError) as error:
        raise XlsxError("not a zip archive") from error
    with archive:
        try:
            sheet = _first_sheet(archive)
            for name in (sheet, "xl/sharedStrings.xml"):
                if name in archive.NameToInfo and archive.getinfo(name).file_size > max_part_bytes:
                    raise XlsxError(f"{name} is too big once decompressed")
            strings = _shared_strings(archive)
            dates, base = _date_styles(archive)
            with archive.open(sheet) as stream:
                yield from _sheet_rows(stream, strings, dates, base)
        except (KeyError, ParseError, zipfile.BadZipFile, EOFError, ValueError) as error:
            if isinstance(error, XlsxError):
                raise
            raise XlsxError(str(error)) from error


def xlsx_row_count(fileobj: IO[bytes]) -> int | None:
    """The sheet's declared size (its ``dimension``), read from the first bytes of the sheet; None if absent."""
    try:
        with zipfile.ZipFile(fileobj) as archive, archive.open(_first_sheet(archive)) as stream:
            for _event, element in iterparse(stream, events=("start",)):
                if element.tag == f"{_MAIN}dimension":
                    last = element.get("ref", "").split(":")[-1]
                    digits = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    return int(digits) if digits.isdigit() else None
                if element.tag == f"{_MAIN}sheetData":
                    return None
    except (KeyError, ParseError, zipfile.BadZipFile, EOFError, ValueError, OSError):
        return None
    return None


def _first_sheet(archive: zipfile.ZipFile) -> str:
    workbook = fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if sheet is None:
        raise XlsxError("the workbook has no sheet")
    relation = sheet.get(f"{_DOC_REL}id")
    for rel in fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == relation:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise XlsxError("the first sheet is missing")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.NameToInfo:
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _event, element in iterparse(stream):
            if element.tag == f"{_MAIN}si":
                strings.append(_rich_text(element))
                element.clear()
    return strings


def _rich_text(element: object) -> str:
    """A string item's text: its ``t``, or its runs' ``t`` joined (phonetic hints left out)."""
    parts = []
    for child in element:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            parts.append(child.findtext(_TEXT) or "")
    return "".join(parts)


def _date_styles(archive: zipfile.ZipFile) -> tuple[frozenset[int], datetime.date]:
    """The cell style indexes whose number format shows a date, and the workbook's day zero."""
    base = datetime.date(1899, 12, 30)
    workbook = fromstring(archive.read("xl/workbook.xml"))
    properties = workbook.find(f"{_MAIN}workbookPr")
    if properties is not None and properties.get("date1904") in ("1", "true"):
        base = datetime.date(1904, 1, 1)
    if "xl/styles.xml" not in archive.NameToInfo:
        return frozenset(), base
    styles = fromstring(archive.read("xl/styles.xml"))
    date_formats = set(_DATE_FORMAT_IDS)
    for number_format in styles.iter(f"{_MAIN}numFmt"):
        code = _QUOTED_OR_BRACKETED.sub("", number_format.get("formatCode", ""))
        if _DATE_LETTERS.search(code):
            date_formats.add(int(number_format.get("numFmtId", "-1")))
    cell_formats = styles.find(f"{_MAIN}cellXfs")
    if cell_formats is None:
        return frozenset(), base
    return frozenset(
        index for index, xf in enumerate(cell_formats) if int(xf.get("numFmtId", "0")) in date_formats
    ), base


def _sheet_rows(
    stream: IO[bytes], strings: list[str], dates: frozenset[int], base: datetime.date
) -> Iterator[tuple[int, list[Value]]]:
    cells: list[Value] = []
    expected_row = 1
    for _event, element in iterparse(stream):
        tag = element.tag
        if tag == _CELL:
            reference = element.get("r")
            column = _column_index(reference) if reference else len(cells)
            if column >= len(cells):
                cells.extend([None] * (column - len(cells) + 1))
            cells[column] = _cell_value(element, strings, dates, base)
        elif tag == _ROW:
            number = int(element.get("r") or expected_row)
            yield number, cells
            expected_row = number + 1
            cells = []
            element.clear()


def _column_index(reference: str) -> int:
    letters = _COLUMN_LETTERS.match(reference)
    index = 0
    for letter in letters.group(0) if letters else "":
        index = index * 26 + ord(letter) - 64
    return index - 1


def _cell_value(cell: object, strings: list[str], dates: frozenset[int], base: datetime.date) -> Value:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        return _rich_text(inline) if inline is not None else ""
    text = cell.findtext(_VALUE)
    if not text:  # no value, or an empty one (openpyxl writes <v></v> for None)
        return None
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    if kind == "d":
        return text[:10]
    number: int | float = int(text) if _INTEGER.fullmatch(text) else float(text)
    if dates and int(cell.get("s", "0")) in dates:
        return base + datetime.timedelta(days=int(number))
    return number
