"""What a client may read: every queryset starts from its region scope (``regions.scope``), the
same filter the admin applies to an officer. Fixed query counts: related rows are joined or
prefetched for one page at a time."""

from django.db.models import Count, Prefetch, QuerySet

from applications.models import Application, ApplicationStatusChange
from groups.models import Group, Member
from regions.scope import RegionScope


def applications_for(scope: RegionScope) -> QuerySet[Application]:
    history = ApplicationStatusChange.objects.order_by("changed_at", "pk").only(
        "application_id", "from_status", "to_status", "changed_at", "reason_code"
    )
    return (
        Application.objects.filter(scope.q(province="province", regency="group__regency"))
        .select_related("scheme", "group")
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
