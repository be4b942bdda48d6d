"""What the dashboard pages show, read from the current tally snapshot only.

Every read here is a fixed number of queries over the snapshot tables (a few hundred rows at most),
whatever the number of groups and members; only ``regency_groups`` reads the live tables, one page
at a time, on indexed columns.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from applications.models import PADAT_KARYA, Application, Programme
from dashboards.models import ProvinceTally, RegencyTally, TallySnapshot, WeeklyApprovals
from dashboards.tallies import COUNTED, SUMMED, paid_amounts_by_application
from groups.models import Member
from groups.nik import mask_nik
from regions.scope import scope_filter

# The programme filter: one programme, both Padat Karya subtypes, or everything.
PROGRAMME_FILTERS: dict[str, tuple[str, ...]] = {
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
GROUPS_PER_PAGE = 50


@dataclass(frozen=True)
class Selection:
    """The year and programme filter, already validated."""

    year: int | None
    programme: str = ""

    @property
    def programmes(self) -> tuple[str, ...]:
        return PROGRAMME_FILTERS[self.programme]

    @property
    def single_programme(self) -> bool:
        return len(self.programmes) == 1


@dataclass
class Row:
    """One line of a table (a province, a regency, or the national total)."""

    code: str
    name: str
    figures: dict[str, int] = field(default_factory=dict)
    median_days: float | None = None
    quota_groups: int = 0
    quota_budget: int = 0

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["figures"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def quota_use_percent(self) -> float | None:
        return 100 * self.figures["groups_approved"] / self.quota_groups if self.quota_groups else None

    @property
    def realisation_percent(self) -> float | None:
        """Paid as a share of the budget (pagu): the ministry's realisasi."""
        return 100 * self.figures["amount_paid"] / self.quota_budget if self.quota_budget else None

    @property
    def women_percent(self) -> float | None:
        approved = self.figures["members_approved"]
        return 100 * self.figures["women_approved"] / approved if approved else None


def available_years(snapshot: TallySnapshot) -> tuple[list[int], int | None]:
    """The snapshot's years, newest first, and the one shown by default: the newest year with an
    approved group (a new programme year with only fresh applications says little), else the newest."""
    rows = (
        ProvinceTally.objects.filter(snapshot=snapshot)
        .values("year")
        .annotate(approved=Sum("groups_approved"))
        .order_by("-year")
    )
    years = [row["year"] for row in rows]
    default = next((row["year"] for row in rows if row["approved"]), years[0] if years else None)
    return years, default


def _sums(*, median: bool) -> dict[str, object]:
    sums: dict[str, object] = {name: Sum(name) for name in SUMMED}
    # A median of several programmes cannot be added up from theirs: shown for one programme only.
    if median:
        sums["median"] = Max("median_days_to_approval")
    return sums


def province_rows(snapshot: TallySnapshot, selection: Selection, *, user: AbstractBaseUser) -> list[Row]:
    """One row per province with figures, in province code order (one query)."""
    rows = (
        scope_filter(
            ProvinceTally.objects.filter(snapshot=snapshot, year=selection.year, programme__in=selection.programmes),
            user,
            province="province_id",
            # Province rows have no regency: a user scoped to regencies only sees none (fail-closed),
            # since a regency code (PP.KK) never equals a province code (PP).
            regency="province_id",
        )
        .values("province_id", "province__name")
        .annotate(**_sums(median=selection.single_programme), qg=Sum("quota_groups"), qb=Sum("quota_budget"))
        .order_by("province_id")
    )
    return [
        Row(
            code=row["province_id"],
            name=row["province__name"],
            figures={name: row[name] or 0 for name in SUMMED},
            median_days=row.get("median"),
            quota_groups=row["qg"] or 0,
            quota_budget=row["qb"] or 0,
        )
        for row in rows
    ]


def regency_rows(
    snapshot: TallySnapshot, selection: Selection, *, province_code: str, user: AbstractBaseUser
) -> list[Row]:
    rows = (
        scope_filter(
            RegencyTally.objects.filter(
                snapshot=snapshot,
                province_id=province_code,
                year=selection.year,
                programme__in=selection.programmes,
            ),
            user,
            province="province_id",
            regency="regency_id",
        )
        .values("regency_id", "regency__name")
        .annotate(**_sums(median=selection.single_programme))
        .order_by("regency_id")
    )
    return [
        Row(
            code=row["regency_id"],
            name=row["regency__name"],
            figures={name: row[name] or 0 for name in SUMMED},
            median_days=row.get("median"),
        )
        for row in rows
    ]


def total_row(rows: list[Row], *, name: str) -> Row:
    """The sum of ``rows`` (in Python: at most 38 provinces or a province's regencies)."""
    total = Row(code="", name=name, figures=dict.fromkeys(SUMMED, 0))
    for row in rows:
        for key in SUMMED:
            total.figures[key] += row.figures[key]
        total.quota_groups += row.quota_groups
        total.quota_budget += row.quota_budget
    return total


@dataclass(frozen=True)
class Week:
    week: datetime.date
    groups: int
    amount: int
    cumulative_groups: int


def weekly_approvals(snapshot: TallySnapshot, selection: Selection) -> list[Week]:
    rows = (
        WeeklyApprovals.objects.filter(snapshot=snapshot, year=selection.year, programme__in=selection.programmes)
        .values("week")
        .annotate(groups=Sum("groups"), amount=Sum("amount"))
        .order_by("week")
    )
    weeks, running = [], 0
    for row in rows:
        running += row["groups"]
        weeks.append(Week(row["week"], row["groups"], row["amount"], running))
    return weeks


# --- the live group list of one regency ---------------------------------------------------------------


def regency_groups(*, regency_code: str, selection: Selection, user: AbstractBaseUser) -> QuerySet:
    """The applications of one regency's groups, with member counts and the ketua's NIK.

    Reads the live tables, so it is paginated: the counts are subqueries evaluated for one page of
    rows only. Ordered by reference (a unique index)."""
    members = Member.objects.filter(group_id=OuterRef("group_id")).order_by().values("group_id")
    queryset = (
        Application.objects.filter(
            group__regency_id=regency_code,
            scheme__year=selection.year,
            scheme__programme__in=selection.programmes,
            status__in=COUNTED,
        )
        .select_related("group", "scheme")
        .annotate(
            members=Subquery(members.annotate(n=Count("pk")).values("n")),
            women=Subquery(members.annotate(n=Count("pk", filter=Q(sex=Member.Sex.FEMALE))).values("n")),
            ketua_nik=Subquery(
                Member.objects.filter(group_id=OuterRef("group_id"), role=Member.Role.KETUA).values("nik")[:1]
            ),
            # What reached the group: the ledger's paid rows, as the tallies count them.
            paid=Subquery(paid_amounts_by_application().filter(tranche__application_id=OuterRef("pk")).values("paid")),
        )
        .order_by("reference")
    )
    return scope_filter(queryset, user, province="province_id", regency="group__regency_id")


def paginate(queryset: QuerySet, page_number: str | None) -> Page:
    return Paginator(queryset, GROUPS_PER_PAGE).get_page(page_number)


@dataclass(frozen=True)
class GroupPage:
    """What the director's read-only group page shows: one application of a group, its members in
    counts (the ketua's NIK masked), its tahap with what the ledger says was paid, its status history."""

    application: Application
    members: int
    women: int
    disabled: int
    ketua_nik: str
    tranches: list
    paid: int
    changes: list


def group_page(*, reference: str, user: AbstractBaseUser) -> GroupPage | None:
    """The application ``reference`` if it is in ``user``'s region scope, else None. Five queries."""
    from disbursements.models import LedgerEntry, Tranche

    queryset = scope_filter(
        Application.objects.select_related("group__regency__province", "scheme").filter(reference=reference),
        user,
        province="province_id",
        regency="group__regency_id",
    )
    application = queryset.first()
    if application is None:
        return None
    counts = Member.objects.filter(group_id=application.group_id).aggregate(
        members=Count("pk"),
        women=Count("pk", filter=Q(sex=Member.Sex.FEMALE)),
        disabled=Count("pk", filter=Q(has_disability=True)),
    )
    ketua = Member.objects.filter(group_id=application.group_id, role=Member.Role.KETUA).values_list("nik", flat=True)
    paid_by_tranche = dict(
        LedgerEntry.objects.filter(tranche__application=application, kind=LedgerEntry.Kind.PAID)
        .order_by()
        .values_list("tranche_id")
        .annotate(total=Sum("amount"))
    )
    tranches = [
        {"tranche": tranche, "paid": paid_by_tranche.get(tranche.pk, 0)}
        for tranche in Tranche.objects.filter(application=application).order_by("number")
    ]
    changes = list(application.status_changes.order_by("changed_at", "pk"))
    return GroupPage(
        application=application,
        members=counts["members"],
        women=counts["women"],
        disabled=counts["disabled"],
        ketua_nik=mask_nik(ketua.first() or ""),
        tranches=tranches,
        paid=sum(row["paid"] for row in tranches),
        changes=changes,
    )
