"""What the public list of funded groups shows, and nothing more.

Every read here is a fixed number of queries whatever the number of groups: the national and
province pages are one ``GROUP BY`` each (plus the place names), a regency's page reads one page of
rows with its member counts, ketua name and paid amount as subqueries evaluated for that page only.
The row shape is built here, with the ketua's name already masked (``groups.names.mask_person_name``),
so no template and no export ever holds a NIK, a member's name, a phone or an account number.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from applications.models import PADAT_KARYA, Application, Programme, Scheme
from disbursements.models import Tranche
from groups.models import Member
from groups.names import mask_person_name
from regions.models import Province, Regency
from spreadsheets.cells import cell_safe

# Approved or later: what the ministry funded (a cancelled application is not on the list).
FUNDED = (
    Application.Status.APPROVED,
    Application.Status.IN_DISBURSEMENT,
    Application.Status.REPORTING,
    Application.Status.COMPLETED,
)
# The programme filter of the public pages: one programme, both Padat Karya subtypes, or all.
PROGRAMMES: dict[str, tuple[str, ...]] = {
    "": tuple(Programme.values),
    "TKM": (Programme.TKM,),
    "PK": tuple(PADAT_KARYA),
    Programme.PK_PRODUKTIF.value: (Programme.PK_PRODUKTIF,),
    Programme.PK_INFRASTRUKTUR.value: (Programme.PK_INFRASTRUKTUR,),
}
PROGRAMME_LABELS = {
    "": _("Semua program"),
    "TKM": _("TKM"),
    "PK": _("Padat Karya (semua)"),
    Programme.PK_PRODUKTIF.value: _("Padat Karya produktif"),
    Programme.PK_INFRASTRUKTUR.value: _("Padat Karya infrastruktur"),
}
PER_PAGE = 50
# Deeper pages than this are refused: no regency has that many groups, and a huge OFFSET is work.
MAX_PAGE = 1_000


@dataclass(frozen=True)
class Selection:
    year: int
    programme: str  # a key of PROGRAMMES

    @property
    def programmes(self) -> tuple[str, ...]:
        return PROGRAMMES[self.programme]


@dataclass(frozen=True)
class AreaTotal:
    """One province or regency line of the summary pages."""

    code: str
    name: str
    groups: int
    approved: int
    paid: int


@dataclass(frozen=True)
class FundedGroup:
    """One line of the public list: only what may be published."""

    application_id: int
    group_name: str
    village: str
    programme: str
    programme_label: str
    approved: int
    paid: int
    members: int
    ketua: str  # masked

    def as_json(self) -> dict[str, object]:
        return {
            "nama_kelompok": self.group_name,
            "desa_kelurahan": self.village,
            "program": self.programme,
            "nilai_disetujui": self.approved,
            "nilai_dibayar": self.paid,
            "jumlah_anggota": self.members,
            "ketua": self.ketua,
        }


CSV_HEADER = [
    "nama_kelompok",
    "desa_kelurahan",
    "kabupaten_kota",
    "provinsi",
    "program",
    "nilai_disetujui",
    "nilai_dibayar",
    "jumlah_anggota",
    "ketua",
]


def years() -> list[int]:
    """The programme years that have a scheme, newest first."""
    return list(Scheme.objects.order_by("-year").values_list("year", flat=True).distinct())


def _funded(selection: Selection) -> QuerySet:
    return Application.objects.filter(
        scheme__year=selection.year, scheme__programme__in=selection.programmes, status__in=FUNDED
    ).order_by()


def _paid_by(selection: Selection, area: str, province: Province | None = None) -> dict[str, int]:
    """Rupiah paid per area (``area`` is the application's path to the code), paid tranches only:
    a tranche is paid at most once (the ledger guarantees it), so its amount is what reached the group."""
    tranches = Tranche.objects.filter(
        status=Tranche.Status.PAID,
        application__scheme__year=selection.year,
        application__scheme__programme__in=selection.programmes,
        application__status__in=FUNDED,
    )
    if province is not None:
        tranches = tranches.filter(application__province=province)
    rows = tranches.order_by().values(code=F(f"application__{area}")).annotate(paid=Sum("amount"))
    return {row["code"]: row["paid"] for row in rows}


def province_totals(selection: Selection) -> list[AreaTotal]:
    """Every province with its funded groups, approved and paid rupiah: three queries."""
    counts = {
        row["province_id"]: row
        for row in _funded(selection)
        .values("province_id")
        .annotate(groups=Count("pk"), approved=Sum("approved_amount"))
    }
    paid = _paid_by(selection, "province_id")
    return [
        AreaTotal(
            code=province.code,
            name=province.name,
            groups=counts.get(province.code, {}).get("groups", 0),
            approved=counts.get(province.code, {}).get("approved") or 0,
            paid=paid.get(province.code, 0),
        )
        for province in Province.objects.order_by("code").only("code", "name")
    ]


def regency_totals(selection: Selection, province: Province) -> list[AreaTotal]:
    """The province's regencies with their funded groups, approved and paid rupiah: three queries."""
    funded = _funded(selection).filter(province=province)
    counts = {
        row["group__regency_id"]: row
        for row in funded.values("group__regency_id").annotate(groups=Count("pk"), approved=Sum("approved_amount"))
    }
    paid = _paid_by(selection, "group__regency_id", province)
    return [
        AreaTotal(
            code=regency.code,
            name=regency.name,
            groups=counts.get(regency.code, {}).get("groups", 0),
            approved=counts.get(regency.code, {}).get("approved") or 0,
            paid=paid.get(regency.code, 0),
        )
        for regency in Regency.objects.filter(province=province).order_by("code").only("code", "name")
    ]


def funded_groups(selection: Selection, *, province: str | None = None, regency: str | None = None) -> QuerySet:
    """The funded applications of one province or regency with the public figures as annotations,
    ordered by group name. Only the columns the list publishes are selected."""
    queryset = _funded(selection)
    if regency:
        queryset = queryset.filter(group__regency_id=regency)
    if province:
        queryset = queryset.filter(province_id=province)
    members = (
        Member.objects.filter(group_id=OuterRef("group_id"))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    paid = (
        Tranche.objects.filter(application_id=OuterRef("pk"), status=Tranche.Status.PAID)
        .order_by()
        .values("application_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    ketua = Member.objects.filter(group_id=OuterRef("group_id"), role=Member.Role.KETUA).values("name")[:1]
    return (
        queryset.annotate(
            members_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
            paid_total=Coalesce(Subquery(paid), 0),
            ketua_name=Subquery(ketua),
        )
        .values(
            "pk",
            "group__name",
            "group__village",
            "group__regency__name",
            "group__regency__province__name",
            "scheme__programme",
            "approved_amount",
            "members_count",
            "paid_total",
            "ketua_name",
        )
        .order_by("group__name", "pk")
    )


def funded_group(application_id: int) -> FundedGroup | None:
    """One funded group as the list shows it, or None (not funded, or no such application)."""
    year = (
        Application.objects.filter(pk=application_id, status__in=FUNDED).values_list("scheme__year", flat=True).first()
    )
    if year is None:
        return None
    values = funded_groups(Selection(year=year, programme="")).filter(pk=application_id).first()
    return _row(values) if values else None


def funded_row(values: dict) -> FundedGroup:
    """One row of ``funded_groups`` as the list publishes it (the partner API reads it too)."""
    return _row(values)


def _row(values: dict) -> FundedGroup:
    programme = values["scheme__programme"]
    return FundedGroup(
        application_id=values["pk"],
        group_name=values["group__name"],
        village=values["group__village"],
        programme=programme,
        programme_label=str(Programme(programme).label),
        approved=values["approved_amount"] or 0,
        paid=values["paid_total"] or 0,
        members=values["members_count"] or 0,
        ketua=mask_person_name(values["ketua_name"] or ""),
    )


@dataclass(frozen=True)
class Page:
    """One page of rows, without counting the whole list: one row more than a page is read to know
    whether a next page exists."""

    rows: list[FundedGroup]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start(self) -> int:
        return (self.number - 1) * PER_PAGE + 1 if self.rows else 0


def page_of(queryset: QuerySet, number: int) -> Page:
    offset = (number - 1) * PER_PAGE
    values = list(queryset[offset : offset + PER_PAGE + 1])
    return Page(rows=[_row(v) for v in values[:PER_PAGE]], number=number, has_next=len(values) > PER_PAGE)


def all_rows(queryset: QuerySet) -> Iterator[tuple[FundedGroup, dict]]:
    """Every row of the list, read in chunks (exports): the public row and its place names."""
    for values in queryset.iterator(chunk_size=2_000):
        yield _row(values), values


def csv_rows(queryset: QuerySet) -> Iterator[list]:
    """The CSV lines: the header, then one line per group, every text cell formula-safe."""
    yield CSV_HEADER
    for row, values in all_rows(queryset):
        yield [
            cell_safe(value)
            for value in (
                row.group_name,
                row.village,
                values["group__regency__name"],
                values["group__regency__province__name"],
                row.programme,
                row.approved,
                row.paid,
                row.members,
                row.ketua,
            )
        ]
