"""The files exchanged with the bank: the transfer file we send (CSV or XLSX) and the result file the
bank sends back. Reading checks every cell and refuses the whole file, with the reasons in Indonesian,
before anything is changed.

django-import-export is not used here on purpose: its XLSX reader opens workbooks with
``data_only=True``, which reads a formula cell as its cached value — a formula would slip through
unseen — and its export builds the whole dataset in memory, where a 100,000-line transfer file must be
streamed."""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disbursements.models import BankReason, PaymentBatchLine
from spreadsheets.cells import cell_safe, xlsx_safe

TRANSFER_COLUMNS = ["payment_reference", "bank_code", "account_number", "account_holder", "amount", "description"]
RESULT_COLUMNS = ["payment_reference", "status", "reason_code", "transfer_date", "bank_transaction_id", "amount"]
# A 100,000-line result file is about 8 MB as CSV; anything far larger is not a bank result file.
MAX_RESULT_FILE_BYTES = 20 * 1024 * 1024
# Row numbers named per kind of problem; the rest of that kind are counted.
MAX_ROWS_NAMED = 30

_TRANSACTION_ID = re.compile(r"^[A-Za-z0-9._/-]{1,64}$")
_OUTCOMES = {
    "paid": PaymentBatchLine.Outcome.PAID,
    "failed": PaymentBatchLine.Outcome.FAILED,
    "returned": PaymentBatchLine.Outcome.RETURNED,
}


# What finance reads on the import page: each column, what it may hold, an example.
OUTCOME_GUIDE = [
    ("paid", gettext_lazy("dana masuk ke rekening kelompok (wajib ID transaksi dan tanggal transfer)")),
    ("failed", gettext_lazy("transfer ditolak bank (wajib kode alasan)")),
    ("returned", gettext_lazy("dana sempat masuk lalu dikembalikan bank (kode alasan bila ada)")),
]


def result_column_guide() -> list[tuple[str, str, str]]:
    """``(column, what it holds, example)`` for every column of the result file."""
    return [
        ("payment_reference", _("referensi pembayaran dari berkas transfer kita"), "JPS-PAY-00001234-01"),
        ("status", _("paid, failed atau returned"), "paid"),
        ("reason_code", _("kosong bila paid; salah satu kode alasan di bawah bila gagal"), "invalid_account"),
        ("transfer_date", _("tanggal transfer, format TTTT-BB-HH"), "2026-12-04"),
        ("bank_transaction_id", _("ID transaksi dari bank; huruf, angka dan . _ / -"), "TRX20261204001"),
        ("amount", _("nilai rupiah bulat tanpa titik, koma atau “Rp”"), "40000000"),
    ]


def result_template_csv() -> str:
    """An example result file: the header and one row of each outcome."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_COLUMNS)
    writer.writerow(["JPS-PAY-00001234-01", "paid", "", "2026-12-04", "TRX20261204001", "40000000"])
    writer.writerow(["JPS-PAY-00001235-01", "failed", "invalid_account", "", "", "20000000"])
    writer.writerow(["JPS-PAY-00001236-01", "returned", "account_closed", "2026-12-04", "TRX20261204002", "20000000"])
    return "\ufeff" + buffer.getvalue()


# --- the transfer file ----------------------------------------------------------------------------


def transfer_rows(lines: Iterable[tuple]) -> Iterator[list[object]]:
    """Rows of the transfer file from ``(reference, bank code, account, holder, amount, description)``
    tuples, every text cell neutralised."""
    for line in lines:
        yield [cell_safe(value) for value in line]


class _Echo:
    def write(self, value: str) -> str:
        return value


def transfer_csv_stream(lines: Iterable[tuple]) -> Iterator[str]:
    """The CSV transfer file, one line at a time (for a streaming response)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(TRANSFER_COLUMNS)
    for row in transfer_rows(lines):
        yield writer.writerow(row)


def transfer_xlsx(lines: Iterable[tuple], target: io.IOBase) -> None:
    """The XLSX transfer file written to ``target`` in openpyxl's write-only mode: rows go to disk as
    they come, never the whole sheet in memory. Account numbers stay text (leading zeros)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("transfer")
    sheet.append(TRANSFER_COLUMNS)
    for row in transfer_rows(lines):
        sheet.append([xlsx_safe(value) for value in row])
    workbook.save(target)


# --- the result file ------------------------------------------------------------------------------


class BankFileError(Exception):
    """The file is refused as a whole; ``messages`` says why, in Indonesian."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class BankResultRow:
    row_number: int
    payment_reference: str
    outcome: str
    reason_code: str
    transfer_date: datetime.date | None
    bank_transaction_id: str
    amount: int

    def as_json(self) -> dict[str, object]:
        return {
            "payment_reference": self.payment_reference,
            "status": self.outcome,
            "reason_code": self.reason_code,
            "transfer_date": self.transfer_date.isoformat() if self.transfer_date else "",
            "bank_transaction_id": self.bank_transaction_id,
            "amount": self.amount,
        }


def read_bank_results(upload: UploadedFile) -> list[BankResultRow]:
    """Every row of a CSV or XLSX result file, checked; ``BankFileError`` refuses the file."""
    if upload.size is not None and upload.size > MAX_RESULT_FILE_BYTES:
        raise BankFileError([_("Berkas terlalu besar (maksimal %(mb)d MB).") % {"mb": MAX_RESULT_FILE_BYTES // 2**20}])
    name = (upload.name or "").lower()
    if name.endswith(".csv"):
        raw_rows = _csv_rows(upload)
    elif name.endswith(".xlsx"):
        raw_rows = _xlsx_rows(upload)
    else:
        raise BankFileError([_("Format berkas harus CSV atau XLSX.")])
    return _parse_rows(raw_rows)


def read_bank_result_records(records: list[object]) -> list[BankResultRow]:
    """The same rows as JSON objects keyed by the result columns (the partner API's host-to-host
    path), checked by the same row rules as a file; object *n* is reported as row *n + 1* (the file's
    header being row 1). ``BankFileError`` refuses them all."""
    if not records:
        raise BankFileError([_("Berkas tidak berisi baris hasil.")])
    if not all(isinstance(record, dict) for record in records):
        raise BankFileError([_("Setiap baris hasil harus berupa objek JSON.")])
    return _parse_rows(_record_rows(records))


def _record_rows(records: list[dict]) -> Iterator[tuple[int, list[object]]]:
    yield 1, list(RESULT_COLUMNS)
    for number, record in enumerate(records, start=2):
        # A JSON null, or a missing key, is an empty cell, as in a file.
        yield number, [_json_cell(record.get(column)) for column in RESULT_COLUMNS]


def _json_cell(value: object) -> object:
    # Numbers and strings are read as a file's cells are; anything else (a list, an object) is its
    # text, which the row checks then refuse with the column's own message.
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def _csv_rows(upload: UploadedFile) -> Iterator[tuple[int, list[object]]]:
    data = upload.read(MAX_RESULT_FILE_BYTES + 1)
    if len(data) > MAX_RESULT_FILE_BYTES:
        raise BankFileError([_("Berkas terlalu besar (maksimal %(mb)d MB).") % {"mb": MAX_RESULT_FILE_BYTES // 2**20}])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BankFileError([_("Berkas CSV harus berenkode UTF-8.")]) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        yield number, list(row)


def _xlsx_rows(upload: UploadedFile) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell is seen as a formula and refused, never read as its value.
        workbook = load_workbook(upload, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged or disguised file
        raise BankFileError([_("Berkas XLSX tidak dapat dibaca.")]) from error
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values: list[object] = []
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    raise BankFileError([_("Baris %(row)d: sel berisi rumus; kirim nilai saja.") % {"row": number}])
                values.append(cell.value)
            yield number, values
    finally:
        workbook.close()


def _parse_rows(raw_rows: Iterator[tuple[int, list[object]]]) -> list[BankResultRow]:
    try:
        _number, header = next(raw_rows)
    except StopIteration:
        raise BankFileError([_("Berkas kosong.")]) from None
    columns = [str(value or "").strip().lower() for value in header]
    while columns and not columns[-1]:
        columns.pop()
    if sorted(columns) != sorted(RESULT_COLUMNS):
        raise BankFileError(
            [
                _("Kolom berkas harus tepat: %(expected)s (ditemukan: %(found)s).")
                % {"expected": ", ".join(RESULT_COLUMNS), "found": ", ".join(columns) or "-"}
            ]
        )
    index = {column: columns.index(column) for column in RESULT_COLUMNS}
    rows: list[BankResultRow] = []
    problems: dict[str, list[tuple[int, str]]] = {}
    seen = 0
    for number, values in raw_rows:
        if all(value in (None, "") for value in values):
            continue
        seen += 1
        cells = {column: values[position] if position < len(values) else None for column, position in index.items()}
        try:
            rows.append(_parse_row(number, cells))
        except RowError as problem:
            problems.setdefault(problem.message, []).append((number, problem.value))
    if problems:
        raise BankFileError(_grouped(problems, rows_seen=seen))
    if not rows:
        raise BankFileError([_("Berkas tidak berisi baris hasil.")])
    return rows


class RowError(ValueError):
    """What is wrong with one row: ``message`` is the same for every row with this problem (so rows
    are grouped by it), ``value`` the offending cell as read."""

    def __init__(self, message: str, value: object = "") -> None:
        super().__init__(message)
        self.message = message
        self.value = "" if value is None else str(value)[:30]


def _grouped(problems: dict[str, list[tuple[int, str]]], *, rows_seen: int) -> list[str]:
    """A summary line, then one line per kind of problem naming its rows (and the values read)."""
    bad = sum(len(rows) for rows in problems.values())
    lines = [
        _(
            "Berkas ditolak, tidak ada yang diterapkan: %(bad)d dari %(rows)d baris bermasalah "
            "(%(kinds)d jenis masalah). Perbaiki semuanya lalu unggah lagi."
        )
        % {"bad": bad, "rows": rows_seen, "kinds": len(problems)}
    ]
    for message, rows in problems.items():
        named = rows[:MAX_ROWS_NAMED]
        numbers = ", ".join(str(number) for number, _value in named)
        if len(rows) > MAX_ROWS_NAMED:
            numbers += " " + _("dan %(count)d baris lain") % {"count": len(rows) - MAX_ROWS_NAMED}
        values = sorted({value for _number, value in named if value})[:5]
        line = _("Baris %(rows)s: %(problem)s") % {"rows": numbers, "problem": message}
        if values:
            line += " " + _("(terbaca: %(values)s)") % {"values": ", ".join(f"“{value}”" for value in values)}
        lines.append(line)
    return lines


def _text(value: object) -> str:
    text = "" if value is None else str(value).strip()
    if text.startswith(("=", "+", "@")):
        raise RowError(_("sel berisi rumus; kirim nilai saja."), text)
    return text


def _parse_row(number: int, cells: dict[str, object]) -> BankResultRow:
    reference = _text(cells["payment_reference"])
    if not reference or len(reference) > 64:
        raise RowError(_("referensi pembayaran kosong atau terlalu panjang."), reference)
    status = _text(cells["status"]).lower()
    if status not in _OUTCOMES:
        raise RowError(_("status tidak dikenal (paid, failed atau returned)."), status)
    outcome = _OUTCOMES[status]
    reason = _text(cells["reason_code"]).lower()
    if reason and reason not in BankReason.values:
        raise RowError(_("kode alasan tidak dikenal (%(known)s).") % {"known": ", ".join(BankReason.values)}, reason)
    if outcome == PaymentBatchLine.Outcome.FAILED and not reason:
        raise RowError(_("transfer gagal tanpa kode alasan."))
    if outcome == PaymentBatchLine.Outcome.PAID and reason:
        raise RowError(_("transfer berhasil tidak boleh punya kode alasan."), reason)
    transaction_id = _text(cells["bank_transaction_id"])
    if transaction_id and not _TRANSACTION_ID.fullmatch(transaction_id):
        raise RowError(_("ID transaksi bank hanya boleh huruf, angka dan . _ / - (maks. 64)."), transaction_id)
    if outcome == PaymentBatchLine.Outcome.PAID and not transaction_id:
        raise RowError(_("transfer berhasil tanpa ID transaksi bank."))
    transfer_date = _date(cells["transfer_date"])
    if outcome == PaymentBatchLine.Outcome.PAID and transfer_date is None:
        raise RowError(_("transfer berhasil tanpa tanggal transfer."))
    return BankResultRow(
        row_number=number,
        payment_reference=reference,
        outcome=outcome,
        reason_code=reason,
        transfer_date=transfer_date,
        bank_transaction_id=transaction_id,
        amount=_amount(cells["amount"]),
    )


def _amount(value: object) -> int:
    if isinstance(value, bool):
        raise RowError(_("nilai harus angka rupiah bulat."), value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise RowError(_("nilai harus rupiah bulat, tanpa desimal."), value)
        number = int(value)
    else:
        text = _text(value)
        if text.startswith("-"):
            raise RowError(_("nilai tidak boleh negatif."), text)
        if not text.isascii() or not text.isdigit():
            raise RowError(_("nilai harus angka rupiah bulat tanpa huruf atau tanda baca, mis. 40000000."), text)
        number = int(text)
    if number < 0:
        raise RowError(_("nilai tidak boleh negatif."), value)
    if number == 0 or number > 10**13:
        raise RowError(_("nilai di luar batas wajar."), value)
    return number


def _date(value: object) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise RowError(_("tanggal transfer harus berformat TTTT-BB-HH, mis. 2026-12-04."), text) from None
