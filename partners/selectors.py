"""What a client may read: every queryset starts from its region scope (``regions.scope``), the
same filter the admin applies to an officer. Fixed query counts: related rows are joined or
prefetched for one page at a time."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from applications.models import Application, ApplicationStatusChange
from dashboards.models import ProvinceTally, RegencyTally
from dashboards.services import current_snapshot
from disbursements.models import PaymentBatch, Tranche
from groups.models import Group, Member
from regions.scope import RegionScope
from transparency.listing import Selection, funded_groups


@dataclass(frozen=True)
class Tallies:
    as_of: datetime.datetime
    provinces: list[ProvinceTally]
    regencies: list[RegencyTally]


APPLICATION_COLUMNS = (
    "id",
    "reference",
    "group_id",
    "scheme_id",
    "province_id",
    "status",
    "requested_amount",
    "approved_amount",
    "submitted_at",
    "decided_at",
    "created_at",
    "updated_at",
    "group__code",
    "group__regency_id",
    "scheme__year",
    "scheme__programme",
)


def applications_for(scope: RegionScope) -> QuerySet[Application]:
    history = ApplicationStatusChange.objects.order_by("changed_at", "pk").only(
        "application_id", "from_status", "to_status", "changed_at", "reason_code"
    )
    return (
        Application.objects.filter(scope.q(province="province", regency="group__regency"))
        .select_related("scheme", "group")
        # Only what the API shows: the proposal texts and the group's address and bank stay in the table.
        .only(*APPLICATION_COLUMNS)
        .prefetch_related(Prefetch("status_changes", queryset=history))
    )


def groups_for(scope: RegionScope) -> QuerySet[Group]:
    return (
        Group.objects.filter(scope.q(province="regency__province", regency="regency"))
        .select_related("regency")
        .annotate(member_count=Count("members"))
    )


def members_for(scope: RegionScope) -> QuerySet[Member]:
    return Member.objects.filter(scope.q(province="group__regency__province", regency="group__regency")).select_related(
        "group__regency"
    )


def tallies_for(scope: RegionScope, *, year: int | None, programme: str | None) -> Tallies | None:
    """The current snapshot's province and regency rows in ``scope`` (a regency-scoped client sees
    its regencies only: a province row would tell it about the rest of the province)."""
    snapshot = current_snapshot()
    if snapshot is None:
        return None
    narrowing = {key: value for key, value in (("year", year), ("programme", programme)) if value}
    provinces = ProvinceTally.objects.filter(scope.q(province="province", regency=None), snapshot=snapshot, **narrowing)
    regencies = RegencyTally.objects.filter(
        scope.q(province="province", regency="regency"), snapshot=snapshot, **narrowing
    )
    return Tallies(
        as_of=snapshot.as_of,
        provinces=list(provinces.order_by("year", "programme", "province_id")),
        regencies=list(regencies.order_by("year", "programme", "regency_id")),
    )


def public_list_for(scope: RegionScope, *, selection: Selection, province: str | None, regency: str | None) -> QuerySet:
    """transparency's public list (``funded_groups``: published columns only), narrowed to ``scope``."""
    return funded_groups(selection, province=province, regency=regency).filter(
        scope.q(province="province", regency="group__regency")
    )


def tranches_for(scope: RegionScope) -> QuerySet[Tranche]:
    """Tranches of the applications in ``scope`` (the admin's tranche list's paths)."""
    return Tranche.objects.filter(
        scope.q(province="application__province", regency="application__group__regency")
    ).select_related("application__group", "application__scheme")


def batches_for(scope: RegionScope) -> QuerySet[PaymentBatch]:
    """Payment batches in ``scope`` as the admin scopes them: by the province a batch was made for, so
    a batch for all provinces is national-only and a regency-scoped client sees none."""
    return PaymentBatch.objects.filter(scope.q(province="province", regency=None)).with_totals()
