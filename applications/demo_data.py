"""Deterministic demo and national-scale data for the 2020 programme year.

``build_demo_dataset`` writes the three 2020 schemes, the 1,000 groups of the October 2020 launch
(Banten 61, Jawa Barat 304, Jawa Tengah 250, Jawa Timur 328, Lampung 37, DI Yogyakarta 20) and, at
national scale, tens of thousands more groups over all 34 provinces of 2020 — each with its
members, one application and that application's status history. ``ensure_demo_logins`` adds one
login per role.

Everything generated comes from the seed. Group ``i`` draws from its own ``Random(f"{seed}:{i}")``,
so its NIKs, names, dates and status do not depend on the scale, the chunk size or the database:
a national run contains the launch dataset unchanged. No wall-clock time enters generated data;
only the ``created_at`` / ``updated_at`` bookkeeping columns say when the rows were written.

Rows go in through a bulk path: PostgreSQL ``COPY`` streamed chunk by chunk (a million members in
minutes, memory flat), ``bulk_create`` elsewhere (SQLite in tests and first runs). Both skip
``save()``, so django-simple-history writes no historical rows for generated data.
"""

import bisect
import csv
import datetime
import enum
import functools
import io
import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from tqdm import tqdm

from accounts.models import Role
from accounts.roles import roles_sync
from applications.models import (
    REFERENCE_CODES,
    Application,
    ApplicationStatusChange,
    Programme,
    ReferenceCounter,
    Scheme,
    SchemeQuota,
)
from groups.models import Bank, Group, Member
from groups.nik import SEX_FEMALE, SEX_MALE, nik_date_part
from regions.models import District, Province, Regency

YEAR = 2020
JAKARTA = ZoneInfo("Asia/Jakarta")
DEMO_CODE_PREFIX = f"DEMO-{YEAR}-"
# A launch group whose application stays a draft, so officers also see unfinished work.
SHOWCASE_GROUP_CODE = f"{DEMO_CODE_PREFIX}32-0001"
DEFAULT_NATIONAL_GROUPS = 50_000
Status = Application.Status
T = TypeVar("T")


class Scale(enum.StrEnum):
    LAUNCH = "launch"
    NATIONAL = "national"


class Dataset(enum.StrEnum):
    """Which published figures the demo reproduces."""

    LAUNCH = "launch"  # the 1,000 groups of the October 2020 launch (and, at national scale, more)
    # Kemnaker, as of 2 October 2020: TKM 1,985 groups / 39,700 people, Padat Karya 1,091 groups /
    # 21,820 people, all approved (../shared/context/001_…).
    BERITA_2020 = "berita-2020"


BERITA_2020_GROUPS = {Programme.TKM: 1_985, Programme.PK_PRODUKTIF: 546, Programme.PK_INFRASTRUKTUR: 545}


# --- scheme terms: data for the demo, as an officer would type them into the admin ---------------

_DIPA_2020 = "026.4.01.451139/2020"  # DIPA Satker Ditjen Binapenta dan PKK 2020, 12 November 2019
_SCHEME_COMMON = {
    "year": YEAR,
    "dipa_number": _DIPA_2020,
    "members_min": 20,
    "members_max": 20,
    "age_min": 17,
    "age_max": 55,
    "amount_per_group": 40_000_000,
    "opens_on": datetime.date(2020, 6, 1),
    "closes_on": datetime.date(2020, 12, 31),
}
_PADAT_KARYA_2020 = {"duration_days": 15, "wage_pekerja": 100_000, "wage_tukang": 120_000, "wage_ketua": 150_000}
SCHEMES_2020: tuple[dict[str, object], ...] = (
    {"programme": Programme.TKM, "name": "TKM 2020", "duration_days": 90, "tranche_plan": [100]},
    {
        "programme": Programme.PK_PRODUKTIF,
        "name": "Padat Karya Produktif 2020",
        "tranche_plan": [70, 30],
        **_PADAT_KARYA_2020,
    },
    {
        "programme": Programme.PK_INFRASTRUKTUR,
        "name": "Padat Karya Infrastruktur 2020",
        "tranche_plan": [70, 30],
        **_PADAT_KARYA_2020,
    },
)
# Quotas leave room above what the demo generates, so approvals in the demo can still succeed.
QUOTA_HEADROOM = 1.25

# --- where the groups are ------------------------------------------------------------------------

LAUNCH_GROUPS: dict[str, int] = {"18": 37, "32": 304, "33": 250, "34": 20, "35": 328, "36": 61}
# Population by province, Sensus Penduduk 2020, thousands (rounded): national groups are spread
# roughly in proportion. Kemendagri codes: Papua is 91 and Papua Barat 92.
POPULATION_2020: dict[str, int] = {
    "11": 5_274, "12": 14_799, "13": 5_534, "14": 6_394, "15": 3_548, "16": 8_467, "17": 2_011,
    "18": 9_008, "19": 1_455, "21": 2_064, "31": 10_562, "32": 48_274, "33": 36_516, "34": 3_668,
    "35": 40_666, "36": 11_905, "51": 4_317, "52": 5_320, "53": 5_326, "61": 5_414, "62": 2_670,
    "63": 4_074, "64": 3_766, "65": 702, "71": 2_622, "72": 2_986, "73": 9_074, "74": 2_625,
    "75": 1_171, "76": 1_419, "81": 1_849, "82": 1_283, "91": 4_303, "92": 1_134,
}  # fmt: skip

# --- NIK slots: unique NIKs by construction, without remembering the ones already used ------------
#
# Member ``i`` (global index) gets slot ``s = i * _SLOT_MULTIPLIER mod _NIK_SLOTS`` — a bijection,
# since the multiplier is coprime with the modulus; it scatters neighbours so one group's members do
# not share a birthday pattern. The slot gives the serial (``s % 9999 + 1``, never 0000) and a date
# class ``q = s // 9999``; the birth date is ``LATEST_BIRTH - (q + _DATE_CLASSES * r)`` days with
# ``r`` random. ``q`` is recoverable from the date, so (birth date, serial) differs for every ``i``,
# and so does the NIK, whatever the district prefix and sex.

_SERIALS = 9_999
_DATE_CLASSES = 202
_NIK_SLOTS = _SERIALS * _DATE_CLASSES  # 2,019,798 members per year
_DATE_BANDS = 66  # offsets stay below 202 * 66 days (~36.5 years): ages 18–54
_SLOT_MULTIPLIER = 1_000_003  # prime, and does not divide 2 · 3² · 11 · 101²
AGE_REFERENCE_DAY = datetime.date(2020, 10, 1)
LATEST_BIRTH = datetime.date(2002, 10, 1)  # 18 years old on AGE_REFERENCE_DAY

# When groups were formed: (first day, number of days). Launch groups formed mid-2020 and were
# decided before the 3 October launch; national ones spread over the whole application window.
_LAUNCH_FORMATION = (datetime.date(2020, 6, 15), 60)
_NATIONAL_FORMATION = (datetime.date(2020, 6, 1), 150)


@dataclass(frozen=True)
class Weighted:
    """Values drawn with fixed weights (cumulative sums computed once, not on every draw)."""

    values: tuple[str, ...]
    cumulative: tuple[int, ...]

    @classmethod
    def of(cls, *pairs: tuple[str, int]) -> "Weighted":
        return cls(tuple(value for value, _w in pairs), tuple(itertools.accumulate(w for _v, w in pairs)))

    def draw(self, rng: random.Random) -> str:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


# Weights, not quotas: by 2 October 2020 TKM had 1,985 groups and Padat Karya 1,091.
_PROGRAMMES = Weighted.of((Programme.TKM, 64), (Programme.PK_PRODUKTIF, 18), (Programme.PK_INFRASTRUKTUR, 18))
_STATUSES = Weighted.of(
    (Status.SUBMITTED, 60), (Status.VERIFIED, 15), (Status.APPROVED, 20), (Status.REVISION_REQUESTED, 5)
)
# BRI paid the 2020 grants; a few groups banked elsewhere (BRI Syariah codes are valid for 2020).
_BANKS = Weighted.of(("002", 88), ("009", 4), ("008", 4), ("200", 2), ("422", 2))
_EMPLOYMENT = Weighted.of(
    (Member.EmploymentStatus.PENGANGGUR, 50),
    (Member.EmploymentStatus.KORBAN_PHK, 30),
    (Member.EmploymentStatus.SETENGAH_PENGANGGUR, 20),
)
_ROLES = (Member.Role.KETUA, Member.Role.SEKRETARIS, Member.Role.BENDAHARA)
_WOMEN_SHARE = 0.45
_DISABILITY_SHARE = 0.03
_MOBILE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0856", "0857", "0877", "0878", "0896")

# --- names -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamePool:
    """Names of one region's flavour. Many Indonesians have a single name; the rest are given
    name plus family or second name. Apostrophes (Ma'ruf) are part of names, not typos."""

    given_male: tuple[str, ...]
    given_female: tuple[str, ...]
    second_male: tuple[str, ...]
    second_female: tuple[str, ...]
    single_share: float = 0.25
    village_heads: tuple[str, ...] = ("Suka", "Mekar", "Sumber", "Tanjung", "Karang", "Sido")
    village_tails: tuple[str, ...] = ("maju", "jaya", "makmur", "sari", "mulya", "rejo")


_GENERAL = NamePool(
    given_male=(
        "Ahmad",
        "Muhammad",
        "Abdul",
        "Agus",
        "Budi",
        "Eko",
        "Fajar",
        "Hendra",
        "Irfan",
        "Rudi",
        "Wahyu",
        "Yusuf",
        "Rahmat",
        "Ridwan",
        "Hasan",
        "Ma'ruf",
        "Nu'man",
        "Ja'far",
        "Mu'min",
        "Syamsul",
        "Zainal",
        "Arif",
        "Bambang",
        "Dimas",
        "Heru",
        "Iwan",
        "Rizky",
        "Teguh",
        "Andi",
        "Bayu",
        "Imam",
        "Taufik",
    ),
    given_female=(
        "Siti",
        "Sri",
        "Dewi",
        "Nur",
        "Ani",
        "Rina",
        "Fitri",
        "Ika",
        "Ratna",
        "Endang",
        "Ni'mah",
        "Sa'adah",
        "Mar'atus",
        "Rohmah",
        "Aisyah",
        "Fatimah",
        "Intan",
        "Maya",
        "Putri",
        "Wulan",
        "Dian",
        "Eka",
        "Indah",
        "Lina",
        "Mega",
        "Novi",
        "Tuti",
        "Umi",
        "Yanti",
        "Nurul",
        "Halimah",
    ),
    second_male=(
        "Santoso",
        "Wijaya",
        "Hidayat",
        "Saputra",
        "Setiawan",
        "Kurniawan",
        "Pratama",
        "Nugroho",
        "Hakim",
        "Rahman",
        "Syahputra",
        "Prasetyo",
        "Gunawan",
        "Firmansyah",
        "Hermawan",
        "Maulana",
        "Ramadhan",
        "Syafi'i",
        "Iskandar",
        "Hamzah",
    ),
    second_female=(
        "Wulandari",
        "Rahmawati",
        "Lestari",
        "Handayani",
        "Susanti",
        "Fitriani",
        "Anggraini",
        "Safitri",
        "Maharani",
        "Kusumawati",
        "Ningsih",
        "Yuliana",
        "Ramadhani",
        "Puspitasari",
        "Nurhayati",
    ),
    single_share=0.15,
)
_JAVANESE = NamePool(
    given_male=(*_GENERAL.given_male, "Slamet", "Sugeng", "Joko", "Tri", "Dwi", "Wahyudi", "Sutrisno"),
    given_female=(*_GENERAL.given_female, "Sulastri", "Suwarni", "Sumiati", "Tumini", "Parmi", "Wartini"),
    second_male=(*_GENERAL.second_male, "Purnomo", "Wibowo", "Susilo", "Sugiyanto", "Widodo"),
    second_female=(*_GENERAL.second_female, "Purwanti", "Rahayu", "Sulistyowati", "Wahyuni"),
    single_share=0.35,
    village_heads=("Sido", "Karang", "Sumber", "Kali", "Tegal", "Wono", "Mulyo", "Banjar"),
    village_tails=("rejo", "harjo", "mulyo", "sari", "agung", "kerto", "asri"),
)
_SUNDANESE = NamePool(
    given_male=(*_GENERAL.given_male, "Asep", "Ujang", "Cecep", "Dadang", "Deden", "Jajang", "Yayan", "Aang"),
    given_female=(*_GENERAL.given_female, "Euis", "Neneng", "Iis", "Imas", "Enung", "Cucu", "Entin", "Lilis"),
    second_male=(*_GENERAL.second_male, "Sunarya", "Supriatna", "Permana", "Kusnadi", "Rusmana", "Gumilar"),
    second_female=(*_GENERAL.second_female, "Nurjanah", "Rohaeti", "Kurniasih", "Komalasari", "Nurhasanah"),
    single_share=0.3,
    village_heads=("Ci", "Suka", "Marga", "Mekar", "Sindang", "Pasir", "Bojong", "Sukama"),
    village_tails=("jaya", "asih", "mulya", "wangi", "sari", "laksana", "resmi", "harja"),
)
_BATAK = NamePool(
    given_male=("Rudolf", "Tigor", "Parulian", "Halomoan", "Poltak", "Sahat", "Ridwan", "Ahmad", "Daniel"),
    given_female=("Rosmawati", "Tiurma", "Rumondang", "Nurhayati", "Lasma", "Dormida", "Siti", "Maria"),
    second_male=("Siregar", "Nasution", "Harahap", "Lubis", "Simanjuntak", "Sitompul", "Hutapea", "Sinaga"),
    second_female=("Siregar", "Nasution", "Harahap", "Lubis", "Simanjuntak", "Sitompul", "Hutapea", "Sinaga"),
    single_share=0.05,
    village_heads=("Huta", "Sibuluan", "Pasar", "Aek", "Sipirok", "Tanjung"),
    village_tails=("baru", " Nauli", " Raja", " Julu", " Toruan"),
)
_BALINESE = NamePool(
    given_male=("I Wayan", "I Made", "I Nyoman", "I Ketut", "I Putu", "I Gede", "I Kadek", "I Komang"),
    given_female=("Ni Wayan", "Ni Made", "Ni Nyoman", "Ni Ketut", "Ni Putu", "Ni Luh", "Ni Kadek", "Ni Komang"),
    second_male=("Sudarsana", "Suarta", "Artawan", "Budiasa", "Wiranata", "Sukadana", "Mertayasa", "Darmawan"),
    second_female=("Sriani", "Ariani", "Suartini", "Sukerti", "Astiti", "Sudiasih", "Wirastini", "Kartini"),
    single_share=0.0,
    village_heads=("Sukawati", "Batu", "Tegal", "Padang", "Banjar"),
    village_tails=("bulan", "sari", " Kaja", " Kelod", " Tengah"),
)
_EASTERN = NamePool(
    given_male=("Yohanes", "Markus", "Petrus", "Yosef", "Fransiskus", "Agustinus", "Marthen", "Yakobus", "Samuel"),
    given_female=("Maria", "Yohana", "Agustina", "Magdalena", "Elisabeth", "Theresia", "Ester", "Debora", "Rut"),
    second_male=("Laka", "Bria", "Tefa", "Ndun", "Manafe", "Tuhumury", "Siahaya", "Rumbiak", "Wenda", "Lumenta"),
    second_female=("Laka", "Bria", "Tefa", "Ndun", "Manafe", "Tuhumury", "Siahaya", "Rumbiak", "Wenda", "Lumenta"),
    single_share=0.05,
    village_heads=("Oe", "Wai", "Kampung", "Negeri", "Tanjung"),
    village_tails=("lasi", "tuna", " Baru", " Lama", "mese"),
)
_NAME_POOLS: dict[str, NamePool] = {
    **dict.fromkeys(("32", "36"), _SUNDANESE),
    **dict.fromkeys(("33", "34", "35"), _JAVANESE),
    "12": _BATAK,
    "51": _BALINESE,
    **dict.fromkeys(("53", "71", "81", "82", "91", "92"), _EASTERN),
}

_STREETS = ("Merdeka", "Pahlawan", "Diponegoro", "Masjid", "Pasar", "Kenanga", "Melati", "Veteran", "Pemuda")
_GROUP_WORDS = ("Maju", "Berkah", "Sejahtera", "Makmur", "Harapan", "Karya", "Usaha", "Rezeki", "Tunas", "Sumber")
_GROUP_WORDS_2 = ("Bersama", "Jaya", "Mandiri", "Abadi", "Sentosa", "Lestari", "Barokah", "Sejati", "Bangkit")

# TKM: (business type, what the grant buys, what it is made from).
_BUSINESSES = (
    ("Konveksi pakaian", "mesin jahit dan mesin obras", "kain dan benang"),
    ("Katering dan makanan olahan", "kompor, oven dan peralatan masak", "bahan makanan"),
    ("Budidaya ikan lele", "terpal kolam, pompa air dan jaring", "benih dan pakan ikan"),
    ("Bengkel sepeda motor", "kompresor dan perkakas bengkel", "suku cadang"),
    ("Kerajinan bambu", "gergaji, bor dan mesin serut", "bambu dan pernis"),
    ("Sablon kaos", "meja sablon dan alat press", "kaos polos dan tinta"),
    ("Jasa laundry", "mesin cuci dan pengering", "deterjen dan plastik kemasan"),
    ("Keripik singkong", "mesin perajang dan penggorengan", "singkong, minyak dan kemasan"),
    ("Peternakan ayam kampung", "kandang dan tempat pakan", "bibit ayam dan pakan"),
    ("Budidaya jamur tiram", "rak kumbung dan alat sterilisasi", "baglog dan bibit jamur"),
)
# Padat Karya: the work each subtype does — public facilities and productive assets, paid per HOK.
_WORKS = {
    Programme.PK_INFRASTRUKTUR: (
        "Pembangunan jalan rabat beton",
        "Perbaikan saluran drainase",
        "Pembangunan talud penahan tanah",
        "Normalisasi saluran irigasi tersier",
        "Pembuatan jalan usaha tani",
    ),
    Programme.PK_PRODUKTIF: (
        "Pembuatan kolam budidaya ikan bersama",
        "Pembukaan lahan hortikultura desa",
        "Pembuatan rumah kompos",
        "Penanaman dan pemeliharaan bibit buah",
        "Pembuatan demplot pupuk organik",
    ),
}
# (reason code, note) of a revision request. No vocabulary of reason codes exists yet; these are
# plain slugs so the admin's reason filter has something to show.
_REVISIONS = (
    ("dokumen_tidak_terbaca", "Scan KTP anggota tidak terbaca; mohon unggah ulang."),
    ("rekening_tidak_sesuai", "Nama pemilik rekening pada buku tabungan tidak sama dengan nama kelompok."),
    ("sk_belum_sah", "SK pembentukan kelompok belum ditandatangani kepala desa."),
    ("dokumen_kurang", "Foto lokasi kegiatan belum diunggah."),
    ("anggaran_tidak_wajar", "Rincian anggaran peralatan belum sesuai harga pasar setempat."),
)


# --- reference data read once per build ----------------------------------------------------------


@dataclass(frozen=True)
class RegionCatalogue:
    """The 2020 edition, sorted by code so that choices depend only on the seed."""

    regencies: dict[str, tuple[str, ...]]  # province code -> regency codes
    districts: dict[str, tuple[tuple[str, str], ...]]  # regency code -> (NIK prefix, name)

    @classmethod
    def load(cls) -> "RegionCatalogue":
        regencies: dict[str, list[str]] = {}
        for code, province in Regency.objects.in_2020().order_by("code").values_list("code", "province_id"):
            regencies.setdefault(province, []).append(code)
        districts: dict[str, list[tuple[str, str]]] = {}
        rows = District.objects.in_2020().order_by("code").values_list("code", "regency_id", "name_2020", "name")
        for code, regency, name_2020, name in rows:
            districts.setdefault(regency, []).append((code.replace(".", ""), name_2020 or name))
        return cls(
            regencies={province: tuple(codes) for province, codes in regencies.items()},
            districts={regency: tuple(rows) for regency, rows in districts.items()},
        )


@dataclass(frozen=True)
class SchemeTerms:
    """What generation needs from a scheme row (the row itself stays in the database)."""

    id: int
    programme: str
    amount: int
    members_min: int
    members_max: int
    duration_days: int

    @classmethod
    def of(cls, scheme: Scheme) -> "SchemeTerms":
        return cls(
            id=scheme.pk,
            programme=scheme.programme,
            amount=scheme.amount_per_group,
            members_min=scheme.members_min,
            members_max=scheme.members_max,
            duration_days=scheme.duration_days,
        )


# --- the plan: which group goes where ---------------------------------------------------------------


@dataclass(frozen=True)
class GroupSlot:
    index: int  # global position: seeds the group's RNG and places its members' NIK slots
    province: str
    number: int  # position within the province: the group code
    launch: bool
    # Set by a dataset that reproduces published counts; otherwise drawn from the weights.
    programme: str | None = None
    status: str | None = None

    @property
    def code(self) -> str:
        return f"{DEMO_CODE_PREFIX}{self.province}-{self.number:04d}"


def launch_slots() -> list[GroupSlot]:
    slots: list[GroupSlot] = []
    for province, count in LAUNCH_GROUPS.items():
        slots.extend(GroupSlot(len(slots), province, number, True) for number in range(1, count + 1))
    return slots


def berita_slots() -> list[GroupSlot]:
    """The groups of ``Dataset.BERITA_2020``: each programme's count spread over the 2020 provinces by
    population, every application approved."""
    slots: list[GroupSlot] = []
    used = Counter[str]()
    for programme, groups in BERITA_2020_GROUPS.items():
        for province, count in allocate_by_population(groups).items():
            for _ in range(count):
                used[province] += 1
                slots.append(GroupSlot(len(slots), province, used[province], True, programme, Status.APPROVED))
    return slots


def national_slots(groups: int, *, after: Sequence[GroupSlot]) -> Iterator[GroupSlot]:
    """``groups`` more slots over all provinces, numbered on from the ones in ``after``."""
    used = Counter(slot.province for slot in after)
    index = len(after)
    for province, count in allocate_by_population(groups).items():
        for number in range(used[province] + 1, used[province] + count + 1):
            yield GroupSlot(index, province, number, False)
            index += 1


def allocate_by_population(groups: int) -> dict[str, int]:
    """Split ``groups`` over the provinces by population (largest remainder), at least one each
    when there are enough to go round."""
    floor = 1 if groups >= len(POPULATION_2020) else 0
    rest = groups - floor * len(POPULATION_2020)
    total = sum(POPULATION_2020.values())
    shares = {code: rest * people / total for code, people in sorted(POPULATION_2020.items())}
    counts = {code: floor + int(share) for code, share in shares.items()}
    by_remainder = sorted(shares, key=lambda code: (-(shares[code] % 1), code))
    for code in by_remainder[: groups - sum(counts.values())]:
        counts[code] += 1
    return counts


# --- generating one group -------------------------------------------------------------------------------

Row = dict[str, object]


@dataclass
class GroupBundle:
    """One group with everything that hangs off it, as column values (no ids yet)."""

    programme: str
    province: str
    group: Row
    members: list[Row]
    application: Row
    status_changes: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Generator:
    """Turns a slot into a group bundle. Pure: no database access, no clock."""

    seed: int
    schemes: dict[str, SchemeTerms]
    regions: RegionCatalogue

    @functools.cached_property
    def member_stride(self) -> int:
        """NIK slots reserved per group: the largest group any scheme allows."""
        return max(terms.members_max for terms in self.schemes.values())

    def capacity(self) -> int:
        """How many groups fit in the NIK slots of one year."""
        return _NIK_SLOTS // self.member_stride

    def group(self, slot: GroupSlot) -> GroupBundle:
        rng = random.Random(f"{self.seed}:{slot.index}")
        drawn = _PROGRAMMES.draw(rng)  # drawn even when the slot fixes it, so later draws do not shift
        terms = self.schemes[slot.programme or drawn]
        pool = _NAME_POOLS.get(slot.province, _GENERAL)
        regency = rng.choice(self.regions.regencies[slot.province])
        districts = self.regions.districts[regency]
        home = rng.choice(districts)
        village = _village(rng, pool)
        count = rng.randint(terms.members_min, terms.members_max)
        first = slot.index * self.member_stride
        members = [
            _member(rng, pool, index=first + k, position=k, home=home[0], districts=districts) for k in range(count)
        ]
        group_name = _group_name(rng, terms.programme, village)
        group = _group_row(rng, slot, name=group_name, regency=regency, village=village, district=home[1])
        group["phone"] = members[0]["phone"]  # the ketua's phone is the group's
        formed = group["sk_date"]
        status = Status.DRAFT if slot.code == SHOWCASE_GROUP_CODE else _STATUSES.draw(rng)
        status = slot.status or status
        application = _application_row(rng, terms, province=slot.province, village=village, members=count)
        changes = _history(rng, application, status=status, formed=formed)
        return GroupBundle(terms.programme, slot.province, group, members, application, changes)


def _pick(draw: Callable[[], float], items: Sequence[T]) -> T:
    # rng.choice costs several calls per draw; a national build makes millions of them.
    return items[int(draw() * len(items))]


def _village(rng: random.Random, pool: NamePool) -> str:
    return f"{rng.choice(pool.village_heads)}{rng.choice(pool.village_tails)}"


def _group_name(rng: random.Random, programme: str, village: str) -> str:
    words = f"{rng.choice(_GROUP_WORDS)} {rng.choice(_GROUP_WORDS_2)}"
    if programme == Programme.TKM:
        return f"{rng.choice(('KUB', 'Kelompok Usaha', 'Kelompok Wirausaha'))} {words}"
    return f"Pokmas Padat Karya {words} {village}"


def _group_row(rng: random.Random, slot: GroupSlot, *, name: str, regency: str, village: str, district: str) -> Row:
    first_day, days = _LAUNCH_FORMATION if slot.launch else _NATIONAL_FORMATION
    formed = first_day + datetime.timedelta(days=rng.randrange(days))
    bank = _BANKS.draw(rng)
    rt, rw = rng.randint(1, 12), rng.randint(1, 8)
    return {
        "code": slot.code,
        "name": name,
        "year": YEAR,
        "regency_id": regency,
        "village": village,
        "address": f"Jl. {rng.choice(_STREETS)} No. {rng.randint(1, 120)}, RT {rt:03d}/RW {rw:03d}, Kec. {district}",
        "sk_number": f"{rng.randint(100, 999)}/SK-KEL/{_ROMAN_MONTHS[formed.month]}/{YEAR}",
        "sk_date": formed,
        "bank_id": bank,
        # 15 digits like a BRI account; the group's index in the middle makes it unique.
        "account_number": f"{rng.randint(1, 9999):04d}01{slot.index:07d}{rng.randint(0, 99):02d}",
        "account_holder": name,
    }


_ROMAN_MONTHS = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def member_nik_slot(index: int) -> tuple[int, int]:
    """(serial, date class) of member ``index``; see the NIK slot note at the top of the module."""
    slot = index * _SLOT_MULTIPLIER % _NIK_SLOTS
    return slot % _SERIALS + 1, slot // _SERIALS


def _member(
    rng: random.Random,
    pool: NamePool,
    *,
    index: int,
    position: int,
    home: str,
    districts: tuple[tuple[str, str], ...],
) -> Row:
    draw = rng.random  # the hot path of a national build: plain draws, no rng.choice overhead
    serial, date_class = member_nik_slot(index)
    sex = SEX_FEMALE if draw() < _WOMEN_SHARE else SEX_MALE
    birth_date, date_part = _birth(date_class + _DATE_CLASSES * int(draw() * _DATE_BANDS), sex)
    # Most members got their KTP in the group's own kecamatan; some moved within the regency.
    prefix = home if draw() < 0.8 else _pick(draw, districts)[0]
    has_phone = position == 0 or draw() < 0.9
    return {
        "year": YEAR,
        "nik": f"{prefix}{date_part}{serial:04d}",
        "name": _person_name(draw, pool, sex),
        "sex": sex,
        "birth_date": birth_date,
        "role": _ROLES[position] if position < len(_ROLES) else Member.Role.ANGGOTA,
        "employment_status": _EMPLOYMENT.draw(rng),
        "has_disability": draw() < _DISABILITY_SHARE,
        "phone": f"{_pick(draw, _MOBILE_PREFIXES)}{int(draw() * 10**8):08d}" if has_phone else "",
    }


@functools.cache
def _birth(days_before_latest: int, sex: str) -> tuple[datetime.date, str]:
    """The birth date and the NIK's DDMMYY for it (a few thousand distinct values, computed once)."""
    birth_date = LATEST_BIRTH - datetime.timedelta(days=days_before_latest)
    return birth_date, nik_date_part(birth_date, sex)


def _person_name(draw: Callable[[], float], pool: NamePool, sex: str) -> str:
    female = sex == SEX_FEMALE
    given = _pick(draw, pool.given_female if female else pool.given_male)
    if draw() < pool.single_share:
        return given
    return f"{given} {_pick(draw, pool.second_female if female else pool.second_male)}"


def _application_row(rng: random.Random, terms: SchemeTerms, *, province: str, village: str, members: int) -> Row:
    row: Row = {
        "scheme_id": terms.id,
        "province_id": province,
        "requested_amount": terms.amount,
    }
    if terms.programme == Programme.TKM:
        business, equipment, materials = rng.choice(_BUSINESSES)
        equipment_budget = terms.amount * rng.choice((50, 55, 60, 65, 70)) // 100
        row |= {
            "business_type": business,
            "business_plan": (
                f"Usaha {business.lower()} oleh {members} anggota kelompok di Desa {village}. Bantuan dipakai "
                f"untuk membeli {equipment} serta {materials}; hasil usaha dijual di pasar setempat dan daring."
            ),
            "equipment_budget": equipment_budget,
            "materials_budget": terms.amount - equipment_budget,
        }
        return row
    tukang = rng.randint(2, 4)
    work = rng.choice(_WORKS[terms.programme])
    row |= {
        "work_site": f"RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 8):03d}, Desa {village}",
        "work_plan": (
            f"{work} di Desa {village} selama {terms.duration_days} hari kerja oleh {members} orang: "
            f"1 ketua, {tukang} tukang dan {members - 1 - tukang} pekerja."
        ),
        "planned_days": terms.duration_days,
        "workers_ketua": 1,
        "workers_tukang": tukang,
        "workers_pekerja": members - 1 - tukang,
    }
    return row


def _history(rng: random.Random, application: Row, *, status: str, formed: datetime.date) -> list[Row]:
    """The status-change rows that lead to ``status``, and the application's matching timestamps.

    Steps are a few office days apart, starting after the group was formed; every step the
    transition table allows, in order."""
    drafted = _office_time(rng, formed, 1, 10)
    changes = [_change("", Status.DRAFT, drafted)]
    application |= {"status": status, "submitted_at": None, "decided_at": None, "approved_amount": None}
    if status == Status.DRAFT:
        return changes
    submitted = _office_time(rng, drafted.date(), 1, 7)
    changes.append(_change(Status.DRAFT, Status.SUBMITTED, submitted))
    application["submitted_at"] = submitted
    if status == Status.REVISION_REQUESTED:
        asked = _office_time(rng, submitted.date(), 3, 14)
        reason_code, note = rng.choice(_REVISIONS)
        changes.append(_change(Status.SUBMITTED, status, asked, reason_code=reason_code, note=note))
    elif status in (Status.VERIFIED, Status.APPROVED):
        verified = _office_time(rng, submitted.date(), 3, 14)
        changes.append(_change(Status.SUBMITTED, Status.VERIFIED, verified))
        if status == Status.APPROVED:
            decided = _office_time(rng, verified.date(), 2, 10)
            changes.append(_change(Status.VERIFIED, Status.APPROVED, decided))
            application |= {"decided_at": decided, "approved_amount": application["requested_amount"]}
    return changes


def _office_time(rng: random.Random, after: datetime.date, min_days: int, max_days: int) -> datetime.datetime:
    day = after + datetime.timedelta(days=rng.randint(min_days, max_days))
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 15), rng.randrange(60)), tzinfo=JAKARTA)


def _change(from_status: str, to_status: str, at: datetime.datetime, *, reason_code: str = "", note: str = "") -> Row:
    # changed_by stays empty: generated decisions were made by no one in this database.
    return {
        "from_status": from_status,
        "to_status": to_status,
        "changed_at": at,
        "changed_by_id": None,
        "reason_code": reason_code,
        "note": note,
    }


# --- numbering: references continue the sequence online submissions use -------------------------------


class ReferenceNumbers:
    """Hands out ``JPS-2020-TKM-32-000123`` references per programme × province, after the numbers
    already used (the counters are locked for the whole build)."""

    def __init__(self, *, year: int) -> None:
        self.year = year
        counters = ReferenceCounter.objects.select_for_update().filter(year=year)
        self.last = Counter({(c.programme, c.province_id): c.last_number for c in counters})
        self.generated: Counter[tuple[str, str]] = Counter()

    def assign(self, bundle: GroupBundle) -> None:
        key = (bundle.programme, bundle.province)
        self.last[key] += 1
        self.generated[key] += 1
        number = self.last[key]
        bundle.application["reference"] = (
            f"JPS-{self.year}-{REFERENCE_CODES[bundle.programme]}-{bundle.province}-{number:06d}"
        )

    def save(self) -> None:
        for (programme, province), number in sorted(self.last.items()):
            ReferenceCounter.objects.update_or_create(
                year=self.year, programme=programme, province_id=province, defaults={"last_number": number}
            )


# --- writers: the bulk paths ----------------------------------------------------------------------------


class OrmWriter:
    """``bulk_create`` (SQLite and any other database): the ids come back from the insert."""

    batch_size = 1_000

    def __init__(self) -> None:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise RuntimeError("This database does not return ids from bulk inserts; use SQLite ≥ 3.35 or PostgreSQL.")

    def write(self, bundles: Sequence[GroupBundle]) -> None:
        groups = Group.objects.bulk_create([Group(**b.group) for b in bundles], batch_size=self.batch_size)
        members = [Member(group_id=g.pk, **m) for g, b in zip(groups, bundles, strict=True) for m in b.members]
        Member.objects.bulk_create(members, batch_size=self.batch_size)
        applications = Application.objects.bulk_create(
            [Application(group_id=g.pk, **b.application) for g, b in zip(groups, bundles, strict=True)],
            batch_size=self.batch_size,
        )
        changes = [
            ApplicationStatusChange(application_id=a.pk, **c)
            for a, b in zip(applications, bundles, strict=True)
            for c in b.status_changes
        ]
        ApplicationStatusChange.objects.bulk_create(changes, batch_size=self.batch_size)


# The csv module writes None and "" alike (an empty field), but blank text columns are NOT NULL:
# None is spelled \N, and COPY is told so; an unquoted empty field then loads as "".
_NULL = r"\N"


@dataclass(frozen=True)
class CopyTable:
    """One table's COPY column list, with what an omitted column holds — the same values
    ``Model(**row)`` would get, and ``loaded_at`` for the auto timestamps."""

    model: type[models.Model]
    columns: tuple[str, ...]
    attnames: tuple[str, ...]
    defaults: tuple[object, ...]

    @classmethod
    def of(cls, model: type[models.Model], *, loaded_at: datetime.datetime, with_pk: bool) -> "CopyTable":
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        return cls(
            model=model,
            columns=tuple(f.column for f in fields),
            attnames=tuple(f.attname for f in fields),
            defaults=tuple(_omitted_value(f, loaded_at) for f in fields),
        )

    def sql(self) -> str:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        return f"COPY {quote(self.model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"

    def copy(self, cursor: CursorWrapper, rows: Iterable[Row]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        pairs = tuple(zip(self.attnames, self.defaults, strict=True))
        for row in rows:
            writer.writerow([_NULL if (v := row.get(a, d)) is None else v for a, d in pairs])
        buffer.seek(0)
        cursor.copy_expert(self.sql(), buffer)


def _omitted_value(field: models.Field, loaded_at: datetime.datetime) -> object:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # Formatted once here: str() of an aware datetime on each of a million rows costs seconds.
        return loaded_at.isoformat()
    return field.get_default()


class CopyWriter:
    """PostgreSQL ``COPY`` from an in-memory CSV per chunk. Group and application ids are taken
    from their sequences first, so members and status changes can point at them in the same pass."""

    def __init__(self, *, loaded_at: datetime.datetime) -> None:
        self.groups = CopyTable.of(Group, loaded_at=loaded_at, with_pk=True)
        self.members = CopyTable.of(Member, loaded_at=loaded_at, with_pk=False)
        self.applications = CopyTable.of(Application, loaded_at=loaded_at, with_pk=True)
        self.changes = CopyTable.of(ApplicationStatusChange, loaded_at=loaded_at, with_pk=False)

    def write(self, bundles: Sequence[GroupBundle]) -> None:
        with connection.cursor() as cursor:
            group_ids = _reserve_ids(cursor, Group, len(bundles))
            application_ids = _reserve_ids(cursor, Application, len(bundles))
            for bundle, group_id, application_id in zip(bundles, group_ids, application_ids, strict=True):
                bundle.group["id"] = group_id
                bundle.application |= {"id": application_id, "group_id": group_id}
                for member in bundle.members:
                    member["group_id"] = group_id
                for change in bundle.status_changes:
                    change["application_id"] = application_id
            self.groups.copy(cursor, (b.group for b in bundles))
            self.members.copy(cursor, (m for b in bundles for m in b.members))
            self.applications.copy(cursor, (b.application for b in bundles))
            self.changes.copy(cursor, (c for b in bundles for c in b.status_changes))


def _reserve_ids(cursor: CursorWrapper, model: type[models.Model], count: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [model._meta.db_table, model._meta.pk.column, count],
    )
    return [row[0] for row in cursor.fetchall()]


# --- the build ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    created: bool
    groups: int = 0
    members: int = 0
    applications: int = 0
    status_changes: int = 0
    seconds: float = 0.0
    existing_groups: int = 0

    @property
    def rows(self) -> int:
        return self.groups + self.members + self.applications + self.status_changes

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def demo_groups_present() -> int:
    return Group.objects.filter(code__startswith=DEMO_CODE_PREFIX).count()


def build_demo_dataset(
    *,
    seed: int = YEAR,
    scale: Scale = Scale.LAUNCH,
    national_groups: int = DEFAULT_NATIONAL_GROUPS,
    progress: bool = False,
    chunk_size: int | None = None,
    dataset: Dataset = Dataset.LAUNCH,
) -> BuildResult:
    """Write the 2020 schemes, the launch groups and, at national scale, ``national_groups`` more
    (or, for ``Dataset.BERITA_2020``, the groups of that news report instead).

    All or nothing, in one transaction. Does nothing (``created=False``) when demo groups exist:
    running it twice must not duplicate anything."""
    started = time.perf_counter()
    with transaction.atomic():
        existing = demo_groups_present()
        if existing:
            return BuildResult(created=False, existing_groups=existing)
        generator = Generator(seed=seed, schemes=_ensure_schemes(), regions=RegionCatalogue.load())
        slots = berita_slots() if dataset == Dataset.BERITA_2020 else launch_slots()
        plan: Iterable[GroupSlot] = slots
        total = len(slots)
        if scale == Scale.NATIONAL:
            plan = itertools.chain(slots, national_slots(national_groups, after=slots))
            total += national_groups
        if total > generator.capacity():
            raise ValueError(f"At most {generator.capacity():,} groups fit the NIK slots of one year.")
        counts = _write_all(generator, plan, total=total, progress=progress, chunk_size=chunk_size)
    return BuildResult(created=True, seconds=time.perf_counter() - started, **counts)


def _write_all(
    generator: Generator, plan: Iterable[GroupSlot], *, total: int, progress: bool, chunk_size: int | None
) -> dict[str, int]:
    _check_banks()
    on_postgres = connection.vendor == "postgresql"
    # loaded_at is bookkeeping (when the rows were written), never part of the generated data.
    writer = CopyWriter(loaded_at=timezone.now()) if on_postgres else OrmWriter()
    # Chunks bound memory: a chunk's rows live in Python (and its CSV in a buffer) only until written.
    chunk_size = chunk_size or (2_000 if on_postgres else 500)
    numbers = ReferenceNumbers(year=YEAR)
    counts = Counter[str]()
    with tqdm(total=total, unit=" kelompok", disable=None if progress else True, smoothing=0.1) as bar:
        for chunk in _chunks(plan, chunk_size):
            bundles = [generator.group(slot) for slot in chunk]
            for bundle in bundles:
                numbers.assign(bundle)
            writer.write(bundles)
            counts.update(
                groups=len(bundles),
                members=sum(len(b.members) for b in bundles),
                applications=len(bundles),
                status_changes=sum(len(b.status_changes) for b in bundles),
            )
            bar.update(len(bundles))
    numbers.save()
    _ensure_quotas(numbers.generated, generator.schemes)
    return dict(counts)


def _chunks(items: Iterable[GroupSlot], size: int) -> Iterator[list[GroupSlot]]:
    chunk: list[GroupSlot] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_banks() -> None:
    wanted = list(_BANKS.values)
    missing = set(wanted) - set(Bank.objects.filter(code__in=wanted).values_list("code", flat=True))
    if missing:
        raise RuntimeError(f"Bank codes missing from groups.Bank (run migrations): {sorted(missing)}")


def _ensure_schemes() -> dict[str, SchemeTerms]:
    """The 2020 schemes; ones already in the database (edited in the admin) are used as they are."""
    terms = {}
    for definition in SCHEMES_2020:
        scheme = Scheme.objects.filter(programme=definition["programme"], year=YEAR).first()
        if scheme is None:
            scheme = Scheme(**_SCHEME_COMMON, **definition)
            scheme.full_clean()
            scheme.save()
        terms[scheme.programme] = SchemeTerms.of(scheme)
    return terms


def _ensure_quotas(generated: Counter[tuple[str, str]], schemes: dict[str, SchemeTerms]) -> None:
    for (programme, province), count in sorted(generated.items()):
        terms = schemes[programme]
        groups = math.ceil(count * QUOTA_HEADROOM)
        SchemeQuota.objects.get_or_create(
            scheme_id=terms.id, province_id=province, defaults={"groups": groups, "budget": groups * terms.amount}
        )


# --- logins ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str
    created: bool


@dataclass(frozen=True)
class _LoginSpec:
    username: str
    description: str
    role: Role | None = None
    superuser: bool = False
    scope_province: str = ""

    @property
    def password(self) -> str:
        return f"{self.username}-demo"


_LOGIN_SPECS = (
    _LoginSpec("admin", "superuser", superuser=True),
    _LoginSpec(
        "kelompok", "ketua of a group of this year: draft TKM application, documents to upload", role=Role.GROUP
    ),
    _LoginSpec("verifikator", "verifikator, scope Jawa Barat", role=Role.VERIFIER, scope_province="32"),
    _LoginSpec("ppk", "PPK (approver), national", role=Role.APPROVER),
    _LoginSpec("bendahara", "bendahara (finance)", role=Role.FINANCE),
    _LoginSpec("direktur", "direktur (dashboards, read-only)", role=Role.DIRECTOR),
    _LoginSpec(
        "pendamping",
        "pendamping (field mentor), Jawa Barat: a caseload, work list /pendampingan/",
        role=Role.MENTOR,
        scope_province="32",
    ),
    _LoginSpec("integritas", "tim integritas, national: sensitive complaints (pungli) only", role=Role.INTEGRITY),
)


@transaction.atomic
def ensure_demo_logins() -> list[DemoLogin]:
    """One login per role. A username that exists already is left exactly as it is (its password
    is not reset), so running the seeder on a real database never hands out a known password."""
    roles_sync()
    return [_ensure_login(spec) for spec in _LOGIN_SPECS]


def _ensure_login(spec: _LoginSpec) -> DemoLogin:
    user_model = get_user_model()
    if user_model.objects.filter(username=spec.username).exists():
        return DemoLogin(spec.username, spec.password, spec.description, created=False)
    user = user_model(
        username=spec.username,
        first_name=spec.username.capitalize(),
        last_name="Demo",
        is_staff=spec.superuser or spec.role not in (None, Role.GROUP),
        is_superuser=spec.superuser,
        # Direktorat staff see the whole country; the verifier only the province below.
        scope_national=spec.role not in (None, Role.GROUP) and not spec.scope_province,
    )
    user.set_password(spec.password)
    user.save()
    if spec.role:
        user.groups.add(AuthGroup.objects.get(name=spec.role.value))
    if spec.scope_province:
        user.scope_provinces.add(Province.objects.get(pk=spec.scope_province))
    if spec.role == Role.GROUP:
        _give_showcase_group(user)
    return DemoLogin(spec.username, spec.password, spec.description, created=True)


def _give_showcase_group(user: models.Model) -> None:
    """The demo ketua's own group, in today's programme year, so the online journey can be tried
    for real: a scheme whose window is open now, ten members, and a draft TKM application whose
    documents still have to be uploaded before it can be submitted."""
    from applications import services as application_services
    from groups import services as group_services

    year = group_services.programme_year()
    schemes = _ensure_current_schemes(year)
    group = group_services.group_create(by=user, **_SHOWCASE_PROFILE)
    for index, (name, sex, born, role) in enumerate(_SHOWCASE_MEMBERS):
        nik = f"320412{nik_date_part(born, sex)}{index + 1:04d}"
        group_services.member_add(
            group=group, by=user, nik=nik, name=name, sex=sex, birth_date=born, role=role,
            employment_status=Member.EmploymentStatus.KORBAN_PHK, has_disability=index == 7, phone="",
        )  # fmt: skip
    scheme = schemes[Programme.TKM]
    application_services.application_create(
        group=group,
        scheme=scheme,
        by=user,
        business_type="Konveksi",
        business_plan="Menjahit seragam sekolah dan kaos komunitas; dijual ke sekolah dan toko di Dayeuhkolot.",
        equipment_budget=scheme.amount_per_group * 60 // 100,
        materials_budget=scheme.amount_per_group - scheme.amount_per_group * 60 // 100,
    )


_SHOWCASE_PROFILE = {
    "name": "Kelompok Konveksi Sukabirus",
    "regency_id": "32.04",
    "village": "Sukabirus",
    "address": "Jl. Sukabirus No. 12, RT 003/RW 005",
    "phone": "081234500001",
    "sk_number": "SK.01/DS-SKB/I/2026",
    "bank_id": "002",
    "account_number": "123401000567305",
    "account_holder": "Kelompok Konveksi Sukabirus",
}
_SHOWCASE_MEMBERS = (
    ("Siti Aminah", SEX_FEMALE, datetime.date(1986, 3, 14), Member.Role.KETUA),
    ("Dedi Kurniawan", SEX_MALE, datetime.date(1990, 7, 2), Member.Role.SEKRETARIS),
    ("Nur'aini", SEX_FEMALE, datetime.date(1993, 11, 25), Member.Role.BENDAHARA),
    ("Asep", SEX_MALE, datetime.date(1984, 1, 9), Member.Role.ANGGOTA),
    ("Rina Marlina", SEX_FEMALE, datetime.date(1995, 5, 30), Member.Role.ANGGOTA),
    ("Ujang Saepudin", SEX_MALE, datetime.date(1979, 8, 17), Member.Role.ANGGOTA),
    ("Euis Komariah", SEX_FEMALE, datetime.date(1988, 12, 1), Member.Role.ANGGOTA),
    ("Ma'ruf", SEX_MALE, datetime.date(1991, 4, 21), Member.Role.ANGGOTA),
    ("Yanti", SEX_FEMALE, datetime.date(1998, 9, 9), Member.Role.ANGGOTA),
    ("Cecep Hidayat", SEX_MALE, datetime.date(1982, 2, 28), Member.Role.ANGGOTA),
)


def _ensure_current_schemes(year: int) -> dict[str, Scheme]:
    """Schemes open all of ``year``, on the 2022–25 terms of the sources: TKM for 10 members at
    Rp20.000.000 (60% equipment), Padat Karya for 30 people at Rp100.000.000 over 15 days."""
    definitions = {
        Programme.TKM: {
            "name": f"TKM {year}", "members_min": 10, "members_max": 10, "amount_per_group": 20_000_000,
            "duration_days": 90, "equipment_percent": 60, "tranche_plan": [100],
        },
        Programme.PK_INFRASTRUKTUR: {
            "name": f"Padat Karya Infrastruktur {year}", "members_min": 30, "members_max": 30,
            "amount_per_group": 100_000_000, "duration_days": 15, "tranche_plan": [70, 30],
            "wage_pekerja": 100_000, "wage_tukang": 120_000, "wage_ketua": 150_000,
        },
    }  # fmt: skip
    schemes = {}
    for programme, terms in definitions.items():
        scheme = Scheme.objects.filter(programme=programme, year=year).first()
        if scheme is None:
            scheme = Scheme(
                programme=programme, year=year, age_min=17, age_max=55,
                opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 12, 31), **terms,
            )  # fmt: skip
            scheme.full_clean()
            scheme.save()
            SchemeQuota.objects.create(
                scheme=scheme, province_id="32", groups=100, budget=100 * scheme.amount_per_group
            )
        schemes[programme] = scheme
    return schemes
