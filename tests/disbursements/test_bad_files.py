"""A refused result file says why in Indonesian and changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from disbursements import bankfiles, services
from disbursements.bankfiles import RESULT_COLUMNS, BankFileError
from disbursements.models import Tranche
from tests.disbursements.conftest import paid_row, result_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(approve, finance):
    approve()
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    return batch.lines.get()


def _refused(upload, match: str) -> None:
    with pytest.raises(BankFileError) as error:
        bankfiles.read_bank_results(upload)
    assert match in " ".join(error.value.messages)


def test_it_refuses_wrong_columns(line):
    _refused(result_file([paid_row(line)], columns=["ref", "status", "amount"]), "Kolom berkas harus tepat")


@pytest.mark.parametrize(
    ("amount", "message"),
    [("40.000.000", "tanpa huruf"), ("40jt", "tanpa huruf"), ("-40000000", "negatif"), ("=1+1", "rumus")],
)
def test_it_refuses_amounts_that_are_not_whole_rupiah(line, amount, message):
    _refused(result_file([{**paid_row(line), "amount": amount}]), message)


def test_it_refuses_formula_text_in_a_csv(line):
    _refused(result_file([{**paid_row(line), "bank_transaction_id": "=HYPERLINK(1)"}]), "rumus")


def test_it_refuses_unknown_statuses_and_reason_codes(line):
    _refused(result_file([{**paid_row(line), "status": "sukses"}]), "tidak dikenal")
    _refused(result_file([{**paid_row(line), "status": "failed", "reason_code": "lupa"}]), "tidak dikenal")


def test_it_refuses_a_file_over_the_size_limit():
    upload = SimpleUploadedFile("besar.csv", b"x" * (50 * 1024 * 1024), content_type="text/csv")
    _refused(upload, "terlalu besar")


def test_it_refuses_other_formats_and_empty_files():
    _refused(SimpleUploadedFile("hasil.pdf", b"%PDF-1.4"), "CSV atau XLSX")
    _refused(SimpleUploadedFile("hasil.csv", b""), "kosong")
    _refused(SimpleUploadedFile("hasil.xlsx", b"not a zip"), "tidak dapat dibaca")


def _xlsx(rows: list[list[object]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(RESULT_COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("hasil.xlsx", buffer.getvalue())


def test_it_refuses_formula_cells_in_an_xlsx(line):
    _refused(_xlsx([[line.payment_reference, "paid", "", "2020-10-15", "TX1", "=40000000*1"]]), "rumus")


def test_it_reads_an_xlsx_with_numbers_and_dates(line):
    import datetime

    rows = bankfiles.read_bank_results(
        _xlsx([[line.payment_reference, "paid", None, datetime.datetime(2020, 10, 15), "TX1", 40_000_000]])
    )
    assert rows[0].amount == 40_000_000 and rows[0].transfer_date == datetime.date(2020, 10, 15)


def test_one_bad_row_refuses_the_whole_file_and_names_its_line(line):
    upload = result_file([paid_row(line), {**paid_row(line), "amount": "abc"}])
    _refused(upload, "Baris 3")
    assert Tranche.objects.get().status == Tranche.Status.IN_BATCH
