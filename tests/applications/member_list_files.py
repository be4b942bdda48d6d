"""Member list files for the import tests: valid rows by default, spoiled one field at a time."""

import csv
import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.member_lists import COLUMNS
from groups.nik import nik_date_part

_ROLES = ["ketua", "sekretaris", "bendahara"]


def member_rows(
    code: str = "DSN-3204-001",
    *,
    count: int = 3,
    first_serial: int = 1,
    province: str = "32",
    regency: str = "32.04",
    district: str = "320412",
    year: int = 2020,
    programme: str = "TKM",
    **overrides: str,
) -> list[dict[str, str]]:
    """``count`` valid rows of one group (ketua, sekretaris, bendahara, then anggota)."""
    rows = []
    for index in range(count):
        sex = "P" if index % 2 else "L"
        birth = datetime.date(1980 + index % 15, 1 + index % 12, 1 + index % 28)
        serial = first_serial + index
        rows.append(
            {
                "group_code": code,
                "group_name": f"Kelompok {code}",
                "scheme_year": str(year),
                "programme": programme,
                "province_code": province,
                "regency_code": regency,
                "village": "Dayeuhkolot",
                "address": "Jl. Raya No. 1",
                "group_phone": "081234567890",
                "bank_code": "002",
                "account_number": f"1234010{first_serial:08d}",
                "account_holder": f"Kelompok {code}",
                "nik": f"{district}{nik_date_part(birth, sex)}{serial:04d}",
                "member_name": f"Anggota {serial}",
                "sex": sex,
                "birth_date": birth.isoformat(),
                "role": _ROLES[index] if index < len(_ROLES) else "anggota",
                "phone": f"08123{serial:07d}",
                "employment_status": "penganggur",
                "disability": "tidak",
                **overrides,
            }
        )
    return rows


def csv_bytes(rows: list[dict[str, str]], *, columns: tuple[str, ...] = COLUMNS, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def csv_upload(rows: list[dict[str, str]], *, name: str = "daftar.csv", **kwargs: object) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows, **kwargs), content_type="text/csv")


def xlsx_upload(rows: list[dict[str, object]], *, name: str = "daftar.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")
