"""The streaming XLSX reader (applications.xlsx_stream) against files made by openpyxl and by hand."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from applications.xlsx_stream import XlsxError, xlsx_row_count, xlsx_rows


def _workbook_bytes(rows: list[list[object]], *, second_sheet: bool = False) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as a list may hold
    if second_sheet:
        workbook.create_sheet("lain").append(["tidak", "dibaca"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_it_reads_strings_numbers_booleans_and_dates_of_the_first_sheet_only():
    rows = [
        ["nik", "birth_date", "count", "share", "flag"],
        ["3204120101900001", datetime.date(1990, 1, 1), 20, 0.5, True],
        ['=HYPERLINK("x")', None, -3, 1e16, False],
    ]
    read = list(xlsx_rows(_workbook_bytes(rows, second_sheet=True)))

    assert read[0] == (1, ["nik", "birth_date", "count", "share", "flag"])
    assert read[1] == (2, ["3204120101900001", datetime.date(1990, 1, 1), 20, 0.5, True])
    number, values = read[2]
    assert number == 3 and values[0] == '=HYPERLINK("x")' and values[1] is None
    assert values[2:] == [-3, 1e16, False]
    assert len(read) == 3


def test_a_formula_cell_gives_its_cached_value_never_its_formula():
    sheet = (
        '<sheetData><row r="1"><c r="A1" t="str"><f>HYPERLINK("http://x","klik")</f><v>klik</v></c>'
        '<c r="B1"><f>1+1</f></c></row></sheetData>'
    )
    assert list(xlsx_rows(_hand_made(sheet))) == [(1, ["klik", None])]


def test_it_keeps_gaps_where_cells_are_missing():
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["C1"], sheet["B3"] = "a", "c", "b"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    assert list(xlsx_rows(buffer)) == [(1, ["a", None, "c"]), (3, [None, "b"])]


def _hand_made(sheet_xml: str) -> io.BytesIO:
    """A minimal workbook with inline strings and no shared strings or styles, as some tools write."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>',  # noqa: E501
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="/xl/worksheets/data.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/data.xml", f'<worksheet xmlns="{main}">{sheet_xml}</worksheet>')
    buffer.seek(0)
    return buffer


def test_it_reads_inline_strings_and_absolute_sheet_paths():
    sheet = (
        '<dimension ref="A1:B2"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>group_code</t></is></c><c r="B1" t="str"><v>x</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>DSN</t></r><r><t>-1</t></r></is></c></row>'
        "</sheetData>"
    )
    assert list(xlsx_rows(_hand_made(sheet))) == [(1, ["group_code", "x"]), (2, ["DSN-1"])]
    assert xlsx_row_count(_hand_made(sheet)) == 2


def test_it_refuses_what_is_not_a_workbook():
    with pytest.raises(XlsxError):
        list(xlsx_rows(io.BytesIO(b"PK\x03\x04 not really a zip")))
    empty_zip = io.BytesIO()
    zipfile.ZipFile(empty_zip, "w").close()
    with pytest.raises(XlsxError):
        list(xlsx_rows(empty_zip))
    with pytest.raises(XlsxError):
        list(xlsx_rows(_hand_made("<sheetData><row><c><v>1</v></c>")))  # cut short


def test_it_refuses_a_sheet_too_big_once_decompressed_before_parsing_it():
    rows = [["x" * 100] for _ in range(2000)]
    with pytest.raises(XlsxError, match="too big"):
        list(xlsx_rows(_workbook_bytes(rows), max_part_bytes=10_000))
