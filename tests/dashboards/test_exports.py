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
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Nama", "Nilai"],
        ["'=1+1", 40_000_000],
        ["'@x", None],
    ]
    assert sheet["A2"].data_type == "s"
