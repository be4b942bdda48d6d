"""Spreadsheet exports: text that a spreadsheet would run as a formula is made inert."""

import csv
import io

import pytest
from openpyxl import load_workbook

from dashboards.exports import escape_cell, to_csv, to_xlsx


@pytest.mark.parametrize("text", ["=1+1", "+62812", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","klik")'])
def test_it_prefixes_text_that_starts_like_a_formula(text):
    assert escape_cell(text) == f"'{text}"


@pytest.mark.parametrize("value", ["Kelompok Maju", "Ma'ruf", "", " =not at the start", 0, -40_000_000, 1.5, None])
def test_it_leaves_ordinary_text_and_numbers_alone(value):
    assert escape_cell(value) == value


def test_csv_keeps_numbers_and_escapes_text():
    data = to_csv(["Nama", "Nilai"], [["=cmd|' /C calc'!A0", -5], ["Sukamaju", 40_000_000]])

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Nama", "Nilai"], ["'=cmd|' /C calc'!A0", "-5"], ["Sukamaju", "40000000"]]


def test_xlsx_stores_escaped_text_as_text_and_numbers_as_numbers():
    data = to_xlsx(["Nama", "Nilai"], [["=1+1", 40_000_000], ["@x", None]], title="rekap")

    sheet = load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["Nama", "Nilai"],
        ["'=1+1", 40_000_000],
        ["'@x", None],
    ]
    assert sheet["A3"].data_type == "s"


def test_xlsx_has_a_dated_title_a_frozen_bold_header_widths_and_rupiah_formats():
    import datetime

    as_of = datetime.datetime(2026, 12, 5, 7, 30, tzinfo=datetime.UTC)
    data = to_xlsx(
        ["Nama kelompok", "Nilai disetujui (Rp)", "Realisasi (%)"],
        [["Kelompok Usaha Tani Makmur Jaya", 6_920_000_000, 12.5]],
        title="rekap",
        heading="Rekap provinsi",
        as_of=as_of,
    )

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "Rekap provinsi per 5 Desember 2026 14:30 WIB"
    assert sheet["A1"].font.bold
    assert [cell.value for cell in sheet[2]] == ["Nama kelompok", "Nilai disetujui (Rp)", "Realisasi (%)"]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert (sheet["B3"].value, sheet["B3"].number_format) == (6_920_000_000, '"Rp"#,##0')
    assert sheet["C3"].number_format == "0.0"
    assert sheet.column_dimensions["A"].width >= len("Kelompok Usaha Tani Makmur Jaya")
    assert sheet.column_dimensions["B"].width >= len("6,920,000,000")
