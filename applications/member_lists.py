"""Bulk intake of Disnaker member lists: a CSV or XLSX file, one row per member, becomes groups, their
members and a submitted application per group.

Three steps, each a service below:

- ``member_list_upload`` refuses a file by its size, type and header before anything is stored;
- ``member_list_validate`` (the dry run) streams the rows once, checks every rule the portal applies
  with lookup sets loaded once, and stores the counts, the errors (CSV for download) and the rows it
  normalised in a compact file;
- ``member_list_import`` (confirm) reads that compact file back — never the upload again, so the
  preview does not double the cost of a big file — re-checks only what the database may have changed
  since (group codes, NIKs of the year), and writes everything in one transaction with bulk inserts.

Policy: a list is imported only when it has no error at all, and then in one transaction. A group
with an error is never imported, and neither is the rest of its file: the officer fixes the file
and uploads it again (groups already imported are then reported "sudah ada" and skipped), so one
list is never left half-imported. Groups whose code exists are skipped, so re-uploading a file
changes nothing.
"""

import contextlib
import csv
import datetime
import hashlib
import io
import logging
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.services import phone_normalise
from applications.models import (
    REFERENCE_CODES,
    Application,
    ApplicationStatusChange,
    MemberListImport,
    Programme,
    ReferenceCounter,
    Scheme,
    SchemeQuota,
    status_changed_event,
)
from applications.xlsx_stream import XlsxError, xlsx_row_count, xlsx_rows
from groups.models import Bank, Group, Member
from groups.nik import check_nik, compare_with_person
from jps_portal import events
from jps_portal.celery import enqueue_on_commit
from regions.models import Province, Regency
from regions.scope import RegionScope, region_scope_of
from regions.services import known_nik_prefixes
from spreadsheets.cells import cell_safe

Status = MemberListImport.Status
logger = logging.getLogger(__name__)

COLUMNS = (
    "group_code",
    "group_name",
    "scheme_year",
    "programme",
    "province_code",
    "regency_code",
    "village",
    "address",
    "group_phone",
    "bank_code",
    "account_number",
    "account_holder",
    "nik",
    "member_name",
    "sex",
    "birth_date",
    "role",
    "phone",
    "employment_status",
    "disability",
)
# Columns that describe the group: every row of one group must repeat the same values.
GROUP_COLUMNS = COLUMNS[1:12]
MEMBER_COLUMNS = COLUMNS[12:]
_INDEX = {name: index for index, name in enumerate(COLUMNS)}

IMPORT_REASON = "impor_daftar"
_CODE_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,39}", re.ASCII)
_ACCOUNT_SEPARATORS = re.compile(r"[\s\-.]")
_ACCOUNT_SHAPE = re.compile(r"[0-9]{6,20}", re.ASCII)
_REGENCY_SHAPE = re.compile(r"([0-9]{2})\.?([0-9]{2})", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_QUERY_CHUNK = 5_000
_WRITE_BATCH = 2_000
_PROGRESS_EVERY = 5_000
_MAX_ERRORS = 50_000
_ROUNDED_NUMBER = "#angka:"


def _rounded_nik_message() -> str:
    return _(
        "NIK tersimpan sebagai angka di Excel (digit terakhir berubah); format kolom nik sebagai Teks lalu ketik ulang."
    )  # noqa: E501


class FileRefusedError(ValidationError):
    """The whole file is refused (size, type, columns, encoding); nothing is read from it."""


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number: the header is row 1
    column: str
    value: str
    message: str
    group_code: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


# --- reading a file -------------------------------------------------------------------------------


def file_format_of(upload: UploadedFile) -> str:
    """``csv`` or ``xlsx``, from the name *and* the content; anything else is refused."""
    suffix = PurePath(upload.name or "").suffix.lower()
    upload.seek(0)
    head = upload.read(65_536)
    upload.seek(0)
    if not head:
        raise FileRefusedError(_("Berkas kosong."))
    if suffix == ".xlsx" and head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if suffix == ".csv" and not head.startswith((_XLSX_MAGIC, _OLE_MAGIC)) and b"\x00" not in head:
        return "csv"
    if head.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise FileRefusedError(_("Format .xls lama tidak didukung. Simpan ulang sebagai .xlsx atau CSV UTF-8."))
    raise FileRefusedError(_("Berkas harus berupa CSV atau XLSX (Excel) sesuai templat."))


def iter_rows(fileobj: io.BufferedIOBase, file_format: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as stripped text) for every row, the header included (row 1). Fully blank
    rows are skipped (Excel leaves them at the end of a sheet)."""
    rows = _csv_rows(fileobj) if file_format == "csv" else _xlsx_rows(fileobj)
    try:
        for number, cells in rows:
            if any(cells):
                yield number, cells
    finally:
        rows.close()  # now, while the file is open, not whenever the generator is collected


def _csv_rows(fileobj: io.BufferedIOBase) -> Iterator[tuple[int, list[str]]]:
    head = fileobj.read(65_536)
    fileobj.seek(0)
    try:
        head.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as error:
        # Cut mid-character at the 64 KiB boundary is still UTF-8; anything else is Excel's ANSI CSV.
        encoding = "utf-8-sig" if error.start >= len(head) - 4 else "cp1252"
    first_line = head.split(b"\n", 1)[0]
    delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            yield number, [cell.strip() for cell in cells]
    except UnicodeDecodeError as error:
        raise FileRefusedError(_("Berkas CSV tidak dapat dibaca; simpan sebagai “CSV UTF-8”.")) from error
    except csv.Error as error:
        raise FileRefusedError(_("Berkas CSV rusak atau mengandung karakter yang tidak diizinkan.")) from error
    finally:
        with contextlib.suppress(ValueError):  # the file was closed under us: nothing to give back
            text.detach()


def _xlsx_rows(fileobj: io.BufferedIOBase) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in xlsx_rows(fileobj, max_part_bytes=settings.MEMBER_LIST_MAX_BYTES * 20):
            yield number, [_cell_text(value) for value in values]
    except XlsxError as error:
        raise FileRefusedError(_("Berkas XLSX rusak atau bukan berkas Excel.")) from error


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float):
        # Excel keeps 15 significant digits: a 16-digit NIK typed as a number comes back with its last
        # digit changed, and would pass as somebody else's NIK. Such cells are marked, never trusted.
        if abs(value) >= 1e15:
            return f"{_ROUNDED_NUMBER}{value!r}"
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value).strip()


def read_header(cells: list[str]) -> list[int]:
    """For each expected column, its position in the file. Refuses missing, unknown or repeated columns."""
    names = [cell.strip().lower().lstrip("\ufeff") for cell in cells]
    while names and not names[-1]:
        names.pop()
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name or "(kosong)" for name in names if name not in _INDEX]
    repeated = sorted({name for name in names if names.count(name) > 1 and name in _INDEX})
    problems = []
    if missing:
        problems.append(_("Kolom tidak ada: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("Kolom tidak dikenal: %(columns)s.") % {"columns": ", ".join(unknown[:10])})
    if repeated:
        problems.append(_("Kolom ganda: %(columns)s.") % {"columns": ", ".join(repeated)})
    if problems:
        problems.append(_("Gunakan templat: %(columns)s.") % {"columns": ", ".join(COLUMNS)})
        raise FileRefusedError(problems)
    return [names.index(name) for name in COLUMNS]


# --- step 1: upload -----------------------------------------------------------------------------------


def member_list_upload(*, upload: UploadedFile, by: AbstractBaseUser) -> MemberListImport:
    """Store an uploaded list as a new job, after refusing by size, type and header (``FileRefusedError``).

    The size is checked before a byte is parsed; the header and the first data row are read so that
    a wrong file is refused at once, even when the rows themselves are checked in the background."""
    limit = settings.MEMBER_LIST_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise FileRefusedError(_("Berkas kosong."))
    if upload.size > limit:
        raise FileRefusedError(
            _("Berkas terlalu besar (%(size)s MB); paling besar %(limit)s MB. Bagi daftar menjadi beberapa berkas.")
            % {"size": f"{upload.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.0f}"}
        )
    file_format = file_format_of(upload)
    rows = iter_rows(upload, file_format)
    header = next(rows, None)
    if header is None:
        raise FileRefusedError(_("Berkas kosong."))
    read_header(header[1])
    if next(rows, None) is None:
        raise FileRefusedError(_("Berkas hanya berisi judul kolom, tanpa baris anggota."))
    rows.close()
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    original_name = "".join(ch for ch in upload.name or "" if ch.isprintable())[:255] or f"daftar.{file_format}"
    job = MemberListImport(
        uploaded_by=by,
        scope_description=region_scope_of(by).describe()[:500],
        file=upload,
        original_name=original_name,
        file_format=file_format,
        file_size=upload.size,
        file_sha256=digest.hexdigest(),
        heartbeat_at=timezone.now(),
    )
    job.save()
    return job


def member_list_rows_estimate(*, job: MemberListImport) -> int:
    """Roughly how many rows the file holds, cheaply (line count, or the sheet's dimension)."""
    with job.file.open("rb") as fileobj:
        if job.file_format == "csv":
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fileobj.read(1_048_576), b""))
        return xlsx_row_count(fileobj) or job.file_size // 60


def member_list_start(*, job: MemberListImport, by: AbstractBaseUser) -> bool:
    """Check a small list at once; enqueue a big one (``MEMBER_LIST_SYNC_MAX_ROWS``). True if queued."""
    from applications.tasks import validate_member_list

    if member_list_rows_estimate(job=job) > settings.MEMBER_LIST_SYNC_MAX_ROWS:
        enqueue_on_commit(validate_member_list, job.pk)
        return True
    member_list_validate_or_fail(job=job)
    return False


# --- step 2: validate (the dry run) ---------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeRule:
    id: int
    year: int
    programme: str
    members_min: int
    members_max: int
    age_min: int
    age_max: int
    amount: int
    opens_on: datetime.date


@dataclass
class Lookups:
    """Everything a row is checked against, loaded once per file."""

    scope: RegionScope
    provinces: frozenset[str]
    regency_province: dict[str, str]
    banks: frozenset[str]
    schemes: dict[tuple[str, str], SchemeRule]
    nik_prefixes: frozenset[str]
    today: datetime.date
    quotas: frozenset[tuple[int, str]] = frozenset()  # (scheme id, province code) with a quota row

    @classmethod
    def load(cls, user: AbstractBaseUser) -> "Lookups":
        return cls(
            scope=region_scope_of(user),
            provinces=frozenset(Province.objects.values_list("code", flat=True)),
            regency_province=dict(Regency.objects.values_list("code", "province_id")),
            banks=frozenset(Bank.objects.filter(is_active=True).values_list("code", flat=True)),
            schemes={
                (str(s.year), s.programme): SchemeRule(
                    s.pk,
                    s.year,
                    s.programme,
                    s.members_min,
                    s.members_max,
                    s.age_min,
                    s.age_max,
                    s.amount_per_group,
                    s.opens_on,
                )
                for s in Scheme.objects.all()
            },
            nik_prefixes=known_nik_prefixes(),
            today=timezone.localdate(),
            quotas=frozenset(SchemeQuota.objects.values_list("scheme_id", "province_id")),
        )


@dataclass
class GroupDraft:
    """One group_code's rows as they are read: the group's values from its first row, its members."""

    code: str
    first_row: int
    raw: tuple[str, ...]  # the group columns of the first row, as typed
    fields: dict[str, object] | None  # normalised, or None when the group columns have errors
    scheme: SchemeRule | None
    members: list[tuple] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    scope_refused: bool = False
    row_count: int = 0  # rows of the group in the file, refused ones included
    roles: Counter = field(default_factory=Counter)  # as typed, refused rows included


# A normalised member: (row, nik, name, sex, birth_date ISO, role, phone, employment_status, disability 0/1)
MemberTuple = tuple[int, str, str, str, str, str, str, str, int]


class _Checker:
    """The rules, row by row and then group by group. Messages are the portal's own, in Indonesian."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.groups: dict[str, GroupDraft] = {}
        self.loose_errors: list[RowError] = []  # rows that name no group at all
        self.nik_first_row: dict[tuple[str, str], int] = {}
        self.rows = 0

    def error_total(self) -> int:
        return len(self.loose_errors) + sum(len(draft.errors) for draft in self.groups.values())

    def add(self, number: int, cells: list[str], positions: list[int]) -> None:
        self.rows += 1
        width = len(cells)
        values = [cells[p] if p < width else "" for p in positions]
        code = values[0]
        if not code or not _CODE_SHAPE.fullmatch(code):
            message = _("Kode kelompok wajib diisi: huruf, angka, titik, garis miring atau tanda hubung, ≤ 40.")
            self.loose_errors.append(RowError(number, "group_code", code, message))
            return
        raw_group = tuple(values[1:12])
        draft = self.groups.get(code)
        if draft is None:
            errors: list[RowError] = []
            fields, scheme, scope_refused = self._group_fields(number, code, raw_group, errors)
            draft = GroupDraft(code, number, raw_group, fields, scheme, errors=errors, scope_refused=scope_refused)
            self.groups[code] = draft
        elif raw_group != draft.raw:
            for name, value, first in zip(GROUP_COLUMNS, raw_group, draft.raw, strict=True):
                if value != first:
                    message = _("Berbeda dengan baris %(row)d untuk kelompok yang sama (“%(first)s”).") % {
                        "row": draft.first_row,
                        "first": first[:60],
                    }
                    draft.errors.append(RowError(number, name, value, message, code))
        draft.row_count += 1
        member = self._member(number, values[12:], draft)
        if member is not None:
            draft.members.append(member)

    def _group_fields(
        self, number: int, code: str, raw: tuple[str, ...], errors: list[RowError]
    ) -> tuple[dict[str, object] | None, SchemeRule | None, bool]:
        lookups = self.lookups
        (name, year, programme, province, regency, village, address, phone, bank, account, holder) = raw

        def error(column: str, value: str, message: str) -> None:
            errors.append(RowError(number, column, value, message, code))

        _text(error, "group_name", name, 200, required=True)
        scheme = lookups.schemes.get((year, programme.upper()))
        if scheme is None:
            if programme.upper() not in Programme.values:
                error("programme", programme, _("Program harus TKM, PK_PRODUKTIF atau PK_INFRASTRUKTUR."))
            else:
                error(
                    "scheme_year",
                    year,
                    _("Belum ada skema %(programme)s untuk tahun %(year)s.") % {"programme": programme, "year": year},
                )
        scope_refused = False
        match = _REGENCY_SHAPE.fullmatch(regency)
        regency_code = f"{match.group(1)}.{match.group(2)}" if match else regency
        if province not in lookups.provinces:
            error("province_code", province, _("Kode provinsi tidak dikenal (2 angka Kemendagri, mis. 32)."))
        elif regency_code not in lookups.regency_province:
            error("regency_code", regency, _("Kode kabupaten/kota tidak dikenal (Kemendagri, mis. 32.04)."))
        elif lookups.regency_province[regency_code] != province:
            error("regency_code", regency, _("Kabupaten/kota tidak berada di provinsi %(code)s.") % {"code": province})
        elif not lookups.scope.covers(province_code=province, regency_code=regency_code):
            scope_refused = True
            error("province_code", province, _("Wilayah ini di luar wilayah tugas Anda."))
        _text(error, "village", village, 120)
        _text(error, "address", address, 300)
        group_phone = _phone(error, "group_phone", phone)
        bank_code = bank.zfill(3) if bank.isdigit() and len(bank) < 3 else bank
        if bank_code not in lookups.banks:
            error("bank_code", bank, _("Kode bank tidak dikenal atau tidak aktif (3 angka, mis. 002 untuk BRI)."))
        account_number = _ACCOUNT_SEPARATORS.sub("", account)
        if not _ACCOUNT_SHAPE.fullmatch(account_number):
            error("account_number", account, _("Nomor rekening harus 6–20 angka, tanpa huruf."))
        _text(error, "account_holder", holder, 200, required=True)
        if errors:
            return None, scheme, scope_refused
        fields = {
            "code": code,
            "name": name,
            "year": scheme.year,
            "regency_id": regency_code,
            "village": village,
            "address": address,
            "phone": group_phone,
            "bank_id": bank_code,
            "account_number": account_number,
            "account_holder": holder,
        }
        return fields, scheme, scope_refused

    def _member(self, number: int, values: list[str], draft: GroupDraft) -> MemberTuple | None:
        nik_raw, name, sex, birth, role, phone, employment, disability = values
        errors = draft.errors
        before = len(errors)

        def error(column: str, value: str, message: str) -> None:
            errors.append(RowError(number, column, value, message, draft.code))

        draft.roles[role.lower()] += 1
        check = check_nik(nik_raw, known_prefixes=self.lookups.nik_prefixes, today=self.lookups.today)
        if nik_raw.startswith(_ROUNDED_NUMBER):
            nik_raw = nik_raw.removeprefix(_ROUNDED_NUMBER)
            error("nik", nik_raw, _rounded_nik_message())
        else:
            for message in check.errors:
                error("nik", nik_raw, message)
        _text(error, "member_name", name, 150, required=True)
        sex = sex.upper()
        if sex not in ("L", "P"):
            error("sex", values[2], _("Jenis kelamin harus L atau P."))
        try:
            birth_date = datetime.date.fromisoformat(birth) if len(birth) == 10 else None
        except ValueError:
            birth_date = None
        if birth_date is None:
            error("birth_date", birth, _("Tanggal lahir harus berformat TTTT-BB-HH, mis. 1990-05-17."))
        role = role.lower()
        if role not in Member.Role.values:
            error("role", values[4], _("Jabatan harus ketua, sekretaris, bendahara atau anggota."))
        member_phone = _phone(error, "phone", phone)
        employment = employment.lower()
        if employment not in Member.EmploymentStatus.values:
            message = _("Status pekerjaan harus penganggur, setengah_penganggur atau korban_phk.")
            error("employment_status", values[6], message)
        disability = disability.lower()
        if disability not in ("ya", "tidak"):
            error("disability", values[7], _("Disabilitas harus ya atau tidak."))
        if check.is_valid:
            for column, message in compare_with_person(check, sex=sex, birth_date=birth_date).items():
                error(column, values[2] if column == "sex" else birth, message)
            key = (draft.raw[1], check.nik)
            first = self.nik_first_row.setdefault(key, number)
            if first != number:
                error("nik", nik_raw, _("NIK ini sudah ada di baris %(row)d berkas ini.") % {"row": first})
        scheme = draft.scheme
        if birth_date is not None and scheme is not None:
            day = scheme.opens_on
            age = day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
            if not scheme.age_min <= age <= scheme.age_max:
                error(
                    "birth_date",
                    birth,
                    _("Usia %(age)d tahun; skema mensyaratkan %(min)d–%(max)d tahun.")
                    % {"age": age, "min": scheme.age_min, "max": scheme.age_max},
                )
        if len(errors) > before:
            return None
        return (number, check.nik, name, sex, birth, role, member_phone, employment, int(disability == "ya"))

    def finish_group(self, draft: GroupDraft, member_rows: int) -> None:
        """The rules about a whole group: member count within the scheme, one of each officer."""
        scheme = draft.scheme
        if scheme is not None and not scheme.members_min <= member_rows <= scheme.members_max:
            expected = (
                str(scheme.members_min)
                if scheme.members_min == scheme.members_max
                else f"{scheme.members_min}–{scheme.members_max}"
            )
            message = _("Jumlah anggota %(count)d; skema ini mensyaratkan %(expected)s orang.") % {
                "count": member_rows,
                "expected": expected,
            }
            draft.errors.append(RowError(draft.first_row, "group_code", draft.code, message, draft.code))
        roles = draft.roles
        for role in Member.OFFICER_ROLES:
            if roles[role] != 1:
                label = Member.Role(role).label.lower()
                message = _("Kelompok harus punya tepat satu %(role)s (ada %(count)d).") % {
                    "role": label,
                    "count": roles[role],
                }
                draft.errors.append(RowError(draft.first_row, "role", "", message, draft.code))


def _text(
    error: Callable[[str, str, str], None], column: str, value: str, max_length: int, *, required: bool = False
) -> None:
    if required and not value:
        error(column, value, _("Wajib diisi."))
    elif len(value) > max_length:
        error(column, value[:60], _("Paling banyak %(max)d karakter.") % {"max": max_length})
    elif _CONTROL.search(value):
        error(column, "", _("Berisi karakter kontrol yang tidak diizinkan."))


def _phone(error: Callable[[str, str, str], None], column: str, value: str) -> str:
    if not value:
        return ""
    try:
        return phone_normalise(raw=value)
    except ValidationError as refused:
        error(column, value, refused.messages[0])
        return ""


@dataclass
class ValidationResult:
    rows: int
    groups_new: int
    members_new: int
    groups_existing: int
    rows_existing: int
    errors: list[RowError]
    province_id: str | None
    regency_id: str | None
    warnings: list[str] = field(default_factory=list)


def member_list_validate(*, job: MemberListImport) -> MemberListImport:
    """The dry run: check every row and group, store counts, errors and the normalised rows.

    Idempotent: a job past validation is returned unchanged. A file refused while reading (columns,
    encoding, too many rows) ends ``invalid`` with one file-level error."""
    job.refresh_from_db()
    if job.status not in (Status.UPLOADED, Status.VALIDATING):
        return job
    if job.status == Status.UPLOADED:
        job.transition_to(Status.VALIDATING, progress_done=0, progress_total=0)
    estimate = max(member_list_rows_estimate(job=job), 1)  # a progress bar before the real count is known
    try:
        with job.file.open("rb") as fileobj:
            result, groups = _check_file(job, fileobj, estimate=estimate)
    except FileRefusedError as refused:
        error = RowError(1, "", "", " ".join(refused.messages))
        _store_errors(job, [error])
        job.transition_to(
            Status.INVALID, error_count=1, errors=[error.as_dict()], validated_at=timezone.now(), progress_done=0
        )
        return job
    _store_errors(job, result.errors)
    if not result.errors:
        _store_normalised(job, groups)
    job.transition_to(
        Status.INVALID if result.errors else Status.VALIDATED,
        rows_total=result.rows,
        rows_with_errors=len({error.row for error in result.errors}),
        error_count=len(result.errors),
        groups_new=result.groups_new,
        members_new=result.members_new,
        applications_new=result.groups_new,
        groups_existing=result.groups_existing,
        rows_existing=result.rows_existing,
        errors=[error.as_dict() for error in result.errors[: MemberListImport.ERRORS_KEPT]],
        errors_file=job.errors_file.name,
        normalised_file=job.normalised_file.name,
        province_id=result.province_id,
        regency_id=result.regency_id,
        warnings=result.warnings,
        validated_at=timezone.now(),
        progress_done=job.progress_total,
    )
    return job


def _check_file(
    job: MemberListImport, fileobj: io.BufferedIOBase, *, estimate: int
) -> tuple[ValidationResult, list[GroupDraft]]:
    checker = _Checker(Lookups.load(job.uploaded_by))
    rows = iter_rows(fileobj, job.file_format)
    header = next(rows, None)
    if header is None:
        raise FileRefusedError(_("Berkas kosong."))
    positions = read_header(header[1])
    max_rows = settings.MEMBER_LIST_MAX_ROWS
    MemberListImport.objects.filter(pk=job.pk).update(progress_total=estimate, heartbeat_at=timezone.now())
    job.progress_total = estimate
    for number, cells in rows:
        checker.add(number, cells, positions)
        if checker.rows > max_rows:
            raise FileRefusedError(_("Paling banyak %(max)d baris per berkas.") % {"max": max_rows})
        if checker.rows % _PROGRESS_EVERY == 0:
            if checker.error_total() > _MAX_ERRORS:  # a wrong file, not a few typos: bound the memory
                raise FileRefusedError(
                    _("Lebih dari %(max)d kesalahan sampai baris %(row)d; periksa apakah ini berkas yang benar.")
                    % {"max": _MAX_ERRORS, "row": number}
                )
            done = min(checker.rows, estimate)
            MemberListImport.objects.filter(pk=job.pk).update(progress_done=done, heartbeat_at=timezone.now())
    if not checker.rows:
        raise FileRefusedError(_("Berkas hanya berisi judul kolom, tanpa baris anggota."))
    MemberListImport.objects.filter(pk=job.pk).update(progress_done=checker.rows, progress_total=checker.rows)
    job.progress_total = checker.rows
    return _summarise(checker)


def _summarise(checker: _Checker) -> tuple[ValidationResult, list[GroupDraft]]:
    """Group-level rules, the database look-ups (codes that exist, NIKs used this year), the counts."""
    drafts = list(checker.groups.values())
    existing = existing_group_codes([draft.code for draft in drafts])
    errors = list(checker.loose_errors)
    new: list[GroupDraft] = []
    rows_existing = 0
    for draft in drafts:
        member_rows = draft.row_count
        if draft.code in existing:
            rows_existing += member_rows
            # Skipped as "sudah ada"; only a refusal of the region is still worth saying.
            errors.extend(error for error in draft.errors if draft.scope_refused and error.column == "province_code")
            continue
        checker.finish_group(draft, member_rows)
        new.append(draft)
    for draft, member, message in taken_niks(new):
        draft.errors.append(RowError(member[0], "nik", member[1], message, draft.code))
    for draft in new:
        errors.extend(draft.errors)
    errors.sort(key=lambda error: (error.row, COLUMNS.index(error.column) if error.column in _INDEX else -1))
    places = {(d.fields or {}).get("regency_id") for d in new} | {None}
    regencies = places - {None}
    provinces = {checker.lookups.regency_province[r] for r in regencies}
    result = ValidationResult(
        rows=checker.rows,
        groups_new=len(new),
        members_new=sum(draft.row_count for draft in new),
        groups_existing=len(drafts) - len(new),
        rows_existing=rows_existing,
        errors=errors,
        province_id=next(iter(provinces)) if len(provinces) == 1 else None,
        regency_id=next(iter(regencies)) if len(regencies) == 1 else None,
        warnings=quota_warnings(new, checker.lookups),
    )
    return result, new


def quota_warnings(drafts: list[GroupDraft], lookups: Lookups) -> list[str]:
    """One line per scheme × province of the file that has no quota: such groups can be imported,
    but their applications cannot be approved until a quota is set — the officer learns it now."""
    missing: dict[tuple[SchemeRule, str], list[int]] = {}
    for draft in drafts:
        if draft.fields is None or draft.scheme is None:
            continue
        province = lookups.regency_province[str(draft.fields["regency_id"])]
        if (draft.scheme.id, province) not in lookups.quotas:
            missing.setdefault((draft.scheme, province), []).append(draft.first_row)
    if not missing:
        return []
    names = dict(Province.objects.filter(code__in={p for _s, p in missing}).values_list("code", "name"))
    programme_labels = dict(Programme.choices)
    return [
        _(
            "Provinsi %(province)s (%(code)s) belum punya kuota skema %(programme)s %(year)d: %(count)d kelompok "
            "dalam berkas ini (baris pertama %(row)d) dapat diimpor, tetapi pengajuannya tidak dapat disetujui "
            "sampai kuota provinsi ditetapkan. Minta admin pusat menetapkan kuotanya lebih dulu."
        )
        % {
            "province": names.get(province, province),
            "code": province,
            "programme": programme_labels.get(scheme.programme, scheme.programme),
            "year": scheme.year,
            "count": len(rows),
            "row": min(rows),
        }
        for (scheme, province), rows in sorted(missing.items(), key=lambda item: min(item[1]))
    ]


def existing_group_codes(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), _QUERY_CHUNK):
        chunk = codes[start : start + _QUERY_CHUNK]
        found.update(Group.objects.filter(code__in=chunk).values_list("code", flat=True))
    return found


def taken_niks(drafts: list[GroupDraft]) -> Iterator[tuple[GroupDraft, tuple, str]]:
    """Members whose NIK is already used this year by any group in the database (never saying which)."""
    by_year: dict[int, dict[str, tuple[GroupDraft, tuple]]] = {}
    for draft in drafts:
        if draft.fields is None:
            continue
        wanted = by_year.setdefault(int(draft.fields["year"]), {})
        for member in draft.members:
            wanted[member[1]] = (draft, member)
    message = _("NIK ini sudah terdaftar di kelompok lain pada tahun program yang sama.")
    for year, wanted in by_year.items():
        niks = list(wanted)
        for start in range(0, len(niks), _QUERY_CHUNK):
            chunk = niks[start : start + _QUERY_CHUNK]
            for nik in Member.objects.filter(year=year, nik__in=chunk).order_by().values_list("nik", flat=True):
                draft, member = wanted[nik]
                yield draft, member, message


# --- stored files: errors (for download) and normalised rows (for confirm) -------------------------------

ERROR_COLUMNS = ("baris", "kode_kelompok", "kolom", "nilai", "pesan")


def errors_csv_lines(errors: Iterable[RowError]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ERROR_COLUMNS)
    for error in errors:
        writer.writerow([cell_safe(v) for v in (error.row, error.group_code, error.column, error.value, error.message)])
        if buffer.tell() > 65_536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _store_errors(job: MemberListImport, errors: list[RowError]) -> None:
    if not errors:
        return
    with tempfile.TemporaryFile("w+b") as spool:
        spool.write("\ufeff".encode())  # Excel opens a UTF-8 CSV correctly only with a BOM
        for text in errors_csv_lines(errors):
            spool.write(text.encode())
        spool.seek(0)
        job.errors_file.save("kesalahan.csv", File(spool), save=False)


def _store_normalised(job: MemberListImport, drafts: list[GroupDraft]) -> None:
    """The checked rows, compact: a ``G`` line per group (its fields and scheme), an ``M`` line per member."""
    with tempfile.TemporaryFile("w+b") as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        for draft in drafts:
            f = draft.fields
            writer.writerow(
                [
                    "G",
                    f["code"],
                    f["name"],
                    f["year"],
                    f["regency_id"],
                    f["village"],
                    f["address"],
                    f["phone"],
                    f["bank_id"],
                    f["account_number"],
                    f["account_holder"],
                    draft.scheme.id,
                    draft.scheme.programme,
                    draft.scheme.amount,
                ]
            )
            writer.writerows(("M", *member) for member in draft.members)
        text.flush()
        text.detach()
        spool.seek(0)
        job.normalised_file.save("normalised.csv", File(spool), save=False)


@dataclass
class NormalisedGroup:
    group: Group
    scheme_id: int
    programme: str
    amount: int
    members: list[Member]
    rows: list[int]


def read_normalised(job: MemberListImport) -> list[NormalisedGroup]:
    groups: list[NormalisedGroup] = []
    with job.normalised_file.open("rb") as fileobj:
        text = io.TextIOWrapper(fileobj, encoding="utf-8", newline="")
        for line in csv.reader(text):
            if line[0] == "G":
                (_kind, code, name, year, regency, village, address, phone, bank, account, holder) = line[:11]
                group = Group(
                    code=code,
                    name=name,
                    year=int(year),
                    regency_id=regency,
                    village=village,
                    address=address,
                    phone=phone,
                    bank_id=bank,
                    account_number=account,
                    account_holder=holder,
                )
                groups.append(NormalisedGroup(group, int(line[11]), line[12], int(line[13]), [], []))
                continue
            current = groups[-1]
            (_kind, row, nik, name, sex, birth, role, phone, employment, disability) = line
            current.rows.append(int(row))
            current.members.append(
                Member(
                    year=current.group.year,
                    nik=nik,
                    name=name,
                    sex=sex,
                    birth_date=datetime.date.fromisoformat(birth),
                    role=role,
                    phone=phone,
                    employment_status=employment,
                    has_disability=disability == "1",
                )
            )
    return groups


# --- step 3: confirm and import -----------------------------------------------------------------------


def member_list_confirm(*, job: MemberListImport, by: AbstractBaseUser) -> bool:
    """Import a validated list: at once when small, else in the background. True if queued."""
    from applications.tasks import import_member_list

    if job.status != Status.VALIDATED:
        raise ValidationError(_("Hanya daftar yang sudah diperiksa tanpa kesalahan yang dapat diimpor."))
    if job.rows_total > settings.MEMBER_LIST_SYNC_MAX_ROWS:
        job.transition_to(Status.IMPORTING, progress_done=0, progress_total=job.members_new, confirmed_by=by)
        enqueue_on_commit(import_member_list, job.pk, by.pk)
        return True
    member_list_import_or_fail(job=job, by=by)
    return False


def progress_key(job_id: int) -> str:
    return f"member-list-import:{job_id}:progress"


def member_list_import(*, job: MemberListImport, by: AbstractBaseUser) -> MemberListImport:
    """Write a validated list: groups, members, submitted applications and their history, in one
    transaction. Idempotent: an imported job is returned unchanged, and groups whose code exists
    by now are skipped ("sudah ada"); a NIK taken since validation refuses the whole list."""
    job.refresh_from_db()
    if job.status == Status.VALIDATED:
        job.transition_to(Status.IMPORTING, progress_done=0, progress_total=job.members_new, confirmed_by=by)
    elif job.status != Status.IMPORTING:
        return job
    groups = read_normalised(job)
    existing = existing_group_codes([g.group.code for g in groups])
    skipped = [g for g in groups if g.group.code in existing]
    groups = [g for g in groups if g.group.code not in existing]
    refused = _taken_since(groups)
    if refused:
        _store_errors(job, refused)
        job.transition_to(
            Status.INVALID,
            error_count=len(refused),
            rows_with_errors=len({error.row for error in refused}),
            errors=[error.as_dict() for error in refused[: MemberListImport.ERRORS_KEPT]],
            errors_file=job.errors_file.name,
            finished_at=timezone.now(),
        )
        return job
    try:
        with transaction.atomic():
            # Locked for the whole write: a task delivered twice waits here, then finds it imported.
            locked = MemberListImport.objects.select_for_update().get(pk=job.pk)
            if locked.status != Status.IMPORTING:
                return locked
            _write(job, groups, by=by)
            job.transition_to(
                Status.IMPORTED,
                groups_new=len(groups),
                members_new=sum(len(g.members) for g in groups),
                applications_new=len(groups),
                groups_existing=job.groups_existing + len(skipped),
                rows_existing=job.rows_existing + sum(len(g.members) for g in skipped),
                progress_done=job.progress_total,
                finished_at=timezone.now(),
            )
    except IntegrityError as error:  # a NIK or a code taken by someone else in the last moments
        job.transition_to(
            Status.FAILED,
            failure=_(
                "Data berubah saat impor berjalan (NIK atau kode kelompok dipakai pihak lain). "
                "Tidak ada yang diimpor; unggah ulang berkasnya."
            )  # fmt: skip
            + f" ({type(error).__name__})",
            finished_at=timezone.now(),
        )
    finally:
        cache.delete(progress_key(job.pk))
    if job.status == Status.IMPORTED and job.normalised_file:
        # The rows are in the database now; the upload itself stays as the record of what was sent.
        job.normalised_file.delete(save=False)
        MemberListImport.objects.filter(pk=job.pk).update(normalised_file="")
    return job


def _taken_since(groups: list[NormalisedGroup]) -> list[RowError]:
    """NIKs that some group took in the database since the list was validated."""
    by_year: dict[int, dict[str, tuple[str, int]]] = {}
    for g in groups:
        wanted = by_year.setdefault(g.group.year, {})
        for member, row in zip(g.members, g.rows, strict=True):
            wanted[member.nik] = (g.group.code, row)
    message = _("NIK ini sudah terdaftar di kelompok lain pada tahun program yang sama.")
    errors = []
    for year, wanted in by_year.items():
        niks = list(wanted)
        for start in range(0, len(niks), _QUERY_CHUNK):
            chunk = niks[start : start + _QUERY_CHUNK]
            for nik in Member.objects.filter(year=year, nik__in=chunk).order_by().values_list("nik", flat=True):
                code, row = wanted[nik]
                errors.append(RowError(row, "nik", nik, message, code))
    return sorted(errors, key=lambda error: error.row)


def _write(job: MemberListImport, groups: list[NormalisedGroup], *, by: AbstractBaseUser) -> None:
    now = timezone.now()
    # Marked for the integrity checks, backdated past the sweep's grace period: one sweep enqueued
    # after commit takes them at once (5,000 a time) instead of one task published per group here.
    pending_since = now - datetime.timedelta(days=1)
    regencies = Regency.objects.filter(code__in={g.group.regency_id for g in groups})
    province_of = dict(regencies.values_list("code", "province_id"))
    references = _reserve_references(groups, province_of)
    for g in groups:
        g.group.checks_requested_at = pending_since
    created = bulk_create_with_history(
        [g.group for g in groups], Group, batch_size=_WRITE_BATCH, default_user=by, default_date=now
    )
    for g, group in zip(groups, created, strict=True):
        for member in g.members:
            member.group_id = group.pk
    members = [member for g in groups for member in g.members]
    if connection.vendor == "postgresql":
        _copy_members(job, members, by=by, now=now)
    else:
        for start in range(0, len(members), _WRITE_BATCH):
            batch = members[start : start + _WRITE_BATCH]
            bulk_create_with_history(batch, Member, batch_size=_WRITE_BATCH, default_user=by, default_date=now)
            cache.set(progress_key(job.pk), start + len(batch), timeout=3600)
    applications = [
        Application(
            reference=reference,
            group_id=group.pk,
            scheme_id=g.scheme_id,
            province_id=province_of[g.group.regency_id],
            status=Application.Status.SUBMITTED,
            requested_amount=g.amount,
            submitted_at=now,
        )
        for g, group, reference in zip(groups, created, references, strict=True)
    ]
    applications = bulk_create_with_history(
        applications, Application, batch_size=_WRITE_BATCH, default_user=by, default_date=now
    )
    note = _("Diimpor dari daftar Disnaker “%(name)s” (impor #%(id)d).") % {"name": job.original_name, "id": job.pk}
    changes = [
        ApplicationStatusChange(
            application_id=application.pk,
            from_status="",
            to_status=Application.Status.SUBMITTED,
            changed_by=by,
            changed_at=now,
            reason_code=IMPORT_REASON,
            note=note,
        )
        for application in applications
    ]
    ApplicationStatusChange.objects.bulk_create(changes, batch_size=_WRITE_BATCH)
    # Partners hear of each imported application (webhooks), in this transaction, when any listens.
    if changes and events.wanted([events.APPLICATION_STATUS_CHANGED]):
        events.publish(
            status_changed_event(application, change, regency_code=g.group.regency_id)
            for g, application, change in zip(groups, applications, changes, strict=True)
        )
    if groups:
        from applications.tasks import sweep_pending_group_checks

        enqueue_on_commit(sweep_pending_group_checks)


_MEMBER_COLUMNS = (
    "id", "group_id", "year", "nik", "name", "sex", "birth_date", "role", "employment_status", "has_disability",
    "phone", "created_at",
)  # fmt: skip
_COPY_BATCH = 20_000


def _copy_members(
    job: MemberListImport, members: list[Member], *, by: AbstractBaseUser, now: datetime.datetime
) -> None:
    """PostgreSQL: members and their history rows (the audit trail) with COPY, the bulk of the write.

    Member ids are taken from the sequence first, so the history rows can name them in the same pass.
    Everything runs inside the import's transaction: a failure leaves neither members nor history."""
    history = Member.history.model
    member_table = connection.ops.quote_name(Member._meta.db_table)
    history_table = connection.ops.quote_name(history._meta.db_table)
    member_sql = f"COPY {member_table} ({', '.join(_MEMBER_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
    history_columns = (*_MEMBER_COLUMNS, "history_date", "history_type", "history_user_id")
    history_sql = f"COPY {history_table} ({', '.join(history_columns)}) FROM STDIN WITH (FORMAT csv)"
    stamp = now.isoformat()
    with connection.cursor() as cursor:
        for start in range(0, len(members), _COPY_BATCH):
            batch = members[start : start + _COPY_BATCH]
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Member._meta.db_table, len(batch)],
            )
            rows = [
                (pk, m.group_id, m.year, m.nik, m.name, m.sex, m.birth_date.isoformat(), m.role,
                 m.employment_status, "t" if m.has_disability else "f", m.phone, stamp)
                for (pk,), m in zip(cursor.fetchall(), batch, strict=True)
            ]  # fmt: skip
            cursor.copy_expert(member_sql, _csv_buffer(rows))
            cursor.copy_expert(history_sql, _csv_buffer(row + (stamp, "+", by.pk) for row in rows))
            cache.set(progress_key(job.pk), start + len(batch), timeout=3600)


def _csv_buffer(rows: Iterable[tuple]) -> io.StringIO:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    return buffer


def _reserve_references(groups: list[NormalisedGroup], province_of: dict[str, str]) -> list[str]:
    """One block of reference numbers per year × programme × province: one counter lock each, not one
    per group. The counters stay locked until the import commits (as in the demo build)."""
    needed = Counter((g.group.year, g.programme, province_of[g.group.regency_id]) for g in groups)
    next_number: dict[tuple[int, str, str], int] = {}
    for key in sorted(needed):
        year, programme, province = key
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
            year=year, programme=programme, province_id=province
        )
        next_number[key] = counter.last_number + 1
        counter.last_number += needed[key]
        counter.save(update_fields=["last_number"])
    references = []
    for g in groups:
        key = (g.group.year, g.programme, province_of[g.group.regency_id])
        number = next_number[key]
        next_number[key] = number + 1
        references.append(f"JPS-{key[0]}-{REFERENCE_CODES[key[1]]}-{key[2]}-{number:06d}")
    return references


def member_list_progress(job: MemberListImport) -> tuple[int, int]:
    """(done, total) for the progress bar. While importing, the count lives in the cache: the
    import's own transaction cannot show its progress on the job row until it commits."""
    if job.status == Status.IMPORTING:
        return min(int(cache.get(progress_key(job.pk)) or 0), job.progress_total), job.progress_total
    return job.progress_done, job.progress_total


# --- the entry points of the tasks and the admin: never a half-finished job -------------------------


def member_list_validate_or_fail(*, job: MemberListImport) -> MemberListImport:
    """``member_list_validate``, with an unexpected error recorded on the job (``failed``) instead of
    leaving it "sedang diperiksa" for ever."""
    try:
        return member_list_validate(job=job)
    except Exception:
        logger.exception("Member list %s could not be checked", job.pk)
        return _fail(job, _("Pemeriksaan gagal karena kesalahan sistem; unggah ulang atau hubungi admin."))


def member_list_import_or_fail(*, job: MemberListImport, by: AbstractBaseUser) -> MemberListImport:
    try:
        return member_list_import(job=job, by=by)
    except Exception:
        logger.exception("Member list %s could not be imported", job.pk)
        return _fail(job, _("Impor gagal karena kesalahan sistem; tidak ada yang diimpor."))


def _fail(job: MemberListImport, message: str) -> MemberListImport:
    job.refresh_from_db()
    # Only a step under way can fail: a twin run that lost the race finds the job finished, and
    # leaves it as it is.
    if job.status in MemberListImport.RUNNING:
        job.transition_to(Status.FAILED, failure=message, finished_at=timezone.now())
    return job


def member_lists_stalled_sweep(*, older_than: datetime.timedelta) -> list[int]:
    """Re-enqueue jobs whose step never reached a worker (broker down at enqueue, worker lost).

    Both tasks are idempotent and the import locks its job, so a slow job enqueued twice costs a
    repeated check, never a second import."""
    from applications.tasks import import_member_list, validate_member_list

    cutoff = timezone.now() - older_than
    stalled = MemberListImport.objects.filter(status__in=MemberListImport.RUNNING, heartbeat_at__lt=cutoff)
    job_ids = []
    for job_id, status, confirmed_by in stalled.values_list("pk", "status", "confirmed_by")[:100]:
        if status == Status.IMPORTING:
            enqueue_on_commit(import_member_list, job_id, confirmed_by)
        else:
            enqueue_on_commit(validate_member_list, job_id)
        job_ids.append(job_id)
    return job_ids
