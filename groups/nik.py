"""NIK (Nomor Induk Kependudukan) parsing and checks.

A NIK is 16 digits: PPKKDD (district where it was first issued) + DDMMYY (birth date, day + 40
for women) + SSSS (serial, never 0000). The same rules run in the browser (``static/js/nik.js``)
for instant feedback; this module stays the authority.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

NIK_LENGTH = 16
# How long a NIK may be as typed, with the spaces, dots or dashes people group its digits with
# ("3205 0452 0385 0001" is 19 characters): inputs take this many, ``normalize_nik`` strips them.
NIK_TYPED_MAX_LENGTH = 24
_SEPARATORS = re.compile(r"[\s.\-]")
# The shape the database accepts (CheckConstraint on Member.nik); full validity is checked here.
NIK_DB_PATTERN = r"^[0-9]{6}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}[0-9]{4}$"

# What a search box treats as "a NIK": sixteen digits, matched exactly on the (nik, year) index.
NIK_SEARCH = re.compile(r"[0-9]{16}")

SEX_MALE = "L"
SEX_FEMALE = "P"


@dataclass(frozen=True)
class NikCheck:
    """What a NIK says about its holder, and what is wrong with it (messages in Indonesian)."""

    nik: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    district_prefix: str = ""
    sex: str = ""
    birth_date: datetime.date | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


def normalize_nik(raw: str) -> str:
    """Strip the spaces, dots and dashes people type into a NIK."""
    return _SEPARATORS.sub("", raw or "")


def check_nik(
    raw: str,
    *,
    known_prefixes: frozenset[str] | None = None,
    today: datetime.date | None = None,
) -> NikCheck:
    """Parse ``raw`` and list every reason it is not a valid NIK.

    ``known_prefixes`` are six-digit district codes of the 2020 and current editions; when given,
    a prefix that never existed is an error.
    """
    nik = normalize_nik(raw)
    if len(nik) != NIK_LENGTH or not nik.isascii() or not nik.isdigit():
        return NikCheck(nik=nik, errors=[_("NIK harus terdiri dari 16 angka.")])

    errors: list[str] = []
    prefix, day_part, month_part, year_part, serial = nik[:6], nik[6:8], nik[8:10], nik[10:12], nik[12:]
    if prefix[:2] == "00" or prefix == "000000":
        errors.append(_("Kode wilayah pada NIK (6 angka pertama) tidak boleh nol."))
    elif known_prefixes is not None and prefix not in known_prefixes:
        errors.append(_("Kode kecamatan %(prefix)s pada NIK tidak dikenal.") % {"prefix": prefix})
    if serial == "0000":
        errors.append(_("Nomor urut NIK (4 angka terakhir) tidak boleh 0000."))

    day = int(day_part)
    sex = SEX_FEMALE if day > 40 else SEX_MALE
    birth_date = _birth_date(day - 40 if day > 40 else day, int(month_part), int(year_part), today)
    if birth_date is None:
        errors.append(_("Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid."))
    return NikCheck(
        nik=nik, errors=errors, district_prefix=prefix, sex=sex if birth_date else "", birth_date=birth_date
    )


def _birth_date(day: int, month: int, two_digit_year: int, today: datetime.date | None) -> datetime.date | None:
    """The birth date, in the latest century that does not put it in the future."""
    today = today or timezone.localdate()
    try:
        born = datetime.date(2000 + two_digit_year, month, day)
        return born if born <= today else born.replace(year=born.year - 100)
    except ValueError:  # 31 February, or 29 February moved to a year that has none
        return None


def nik_date_part(birth_date: datetime.date, sex: str) -> str:
    """The DDMMYY part of a NIK for this birth date and sex (day + 40 for women)."""
    day = birth_date.day + (40 if sex == SEX_FEMALE else 0)
    return f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"


def compare_with_person(check: NikCheck, *, sex: str, birth_date: datetime.date | None) -> dict[str, str]:
    """Where the typed sex or birth date disagrees with what the NIK encodes, by field name
    (Prakerja lost ~2 million registrations to exactly this kind of typing error)."""
    mismatches: dict[str, str] = {}
    if check.sex and sex and check.sex != sex:
        mismatches["sex"] = _("Jenis kelamin tidak sesuai dengan NIK.")
    if check.birth_date and birth_date and check.birth_date != birth_date:
        mismatches["birth_date"] = _("Tanggal lahir tidak sesuai dengan NIK (NIK menunjukkan %(date)s).") % {
            "date": check.birth_date.strftime("%d-%m-%Y")
        }
    return mismatches


def mask_nik(nik: str) -> str:
    """The public form of a NIK: region prefix kept, the rest hidden."""
    return f"{nik[:6]}******{nik[-4:-2]}**" if len(nik) == NIK_LENGTH else "****"
