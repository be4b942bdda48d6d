"""The people-facing XLSX layout: dated title, frozen bold header, widths, number formats."""

import datetime
import io

from openpyxl import Workbook, load_workbook

from spreadsheets.workbook import RUPIAH_FORMAT, column_kind, title_with_date, write_sheet


def _sheet(header, rows, **kwargs):
    workbook = Workbook(write_only=True)
    write_sheet(workbook, sheet_title="data", title="Judul per 1 Januari 2026", header=header, rows=rows, **kwargs)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).active


def test_it_reads_what_a_column_holds_from_its_header():
    assert column_kind("Nilai disetujui (Rp)") == "money"
    assert column_kind("Realisasi (%)") == "percent"
    assert column_kind("requested_amount", money=True) == "money"
    assert column_kind("Nama") == "other"


def test_the_title_names_the_day_or_the_moment_in_wib():
    assert title_with_date("Rekap", as_of=datetime.date(2026, 12, 5)) == "Rekap per 5 Desember 2026"
    moment = datetime.datetime(2026, 12, 4, 18, 5, tzinfo=datetime.UTC)
    assert title_with_date("Rekap", as_of=moment) == "Rekap per 5 Desember 2026 01:05 WIB"


def test_money_columns_named_by_position_get_the_rupiah_format_and_text_stays_safe():
    sheet = _sheet(["nama", "nilai"], [["=1+1", 40_000_000]], money_columns=[1])

    assert sheet["A1"].value == "Judul per 1 Januari 2026"
    assert (sheet["A3"].value, sheet["B3"].value, sheet["B3"].number_format) == ("'=1+1", 40_000_000, RUPIAH_FORMAT)


def test_aware_times_are_written_in_wib_and_widths_follow_the_longest_sample():
    moment = datetime.datetime(2020, 10, 2, 2, 30, tzinfo=datetime.UTC)
    sheet = _sheet(["waktu", "catatan"], [[moment, "x" * 200]])

    assert sheet["A3"].value == datetime.datetime(2020, 10, 2, 9, 30)
    assert sheet.column_dimensions["B"].width == 60  # capped
    assert sheet.freeze_panes == "A3"
