"""Jejak audit: every change to members, groups (bank accounts), applications (status, amounts),
schemes, quotas and tranches — who, when, what type, before → after. Read-only, region-scoped,
exportable. Status changes with their reasons also have their own list (riwayat status)."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import (
    ApplicationChange,
    GroupChange,
    MemberChange,
    SchemeChange,
    SchemeQuotaChange,
    TrancheChange,
)
from audit.resources import ChangeResource
from audit.trail import attach_previous, describe_changes
from regions.admin import RegionScopedAdminMixin
from regions.scope import region_scope_of
from spreadsheets.admin import SpreadsheetExportAdminMixin


class StaffUserFilter(admin.SimpleListFilter):
    """Officers only: the users who edit in the admin (a list of every ketua would not fit a page)."""

    title = _("oleh petugas")
    parameter_name = "petugas"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        officers = User.objects.filter(is_staff=True).order_by("username").values_list("pk", "username")
        return [(str(pk), username) for pk, username in officers]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(history_user_id=int(value))
        return queryset


class _TitledFilter:
    """A field's list filter under an Indonesian title (simple-history's fields carry English names)."""

    titled: str = ""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.title = self.titled


class ChangeTypeFilter(_TitledFilter, admin.ChoicesFieldListFilter):
    titled = _("jenis perubahan")


class ChangeDateFilter(_TitledFilter, admin.DateFieldListFilter):
    titled = _("waktu perubahan")


class _PairedChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # One query for the versions before every row on the page (not one per row).
        attach_previous(list(self.result_list))


class ChangeAdmin(SpreadsheetExportAdminMixin, admin.ModelAdmin):
    """Read-only list of one kind of history record. Whoever may view the tracked model may view its
    history (as on simple-history's own history pages); nobody may add, change or delete it."""

    resource_classes = [ChangeResource]
    list_display = ["changed_at", "changed_by", "change_type", "object_label", "before_after"]
    # The list shows who changed what, before → after: a record has no page of its own (its raw
    # columns are simple-history's, and its user links to accounts no officer may open).
    list_display_links = None
    list_filter = [("history_type", ChangeTypeFilter), ("history_date", ChangeDateFilter), StaffUserFilter]
    list_select_related = ["history_user"]
    search_fields = ["=history_user__username"]
    date_hierarchy = "history_date"
    ordering = ["-history_date", "-history_id"]
    show_full_result_count = False
    list_per_page = 50

    def get_changelist(self, request: HttpRequest, **kwargs: object) -> type[ChangeList]:
        return _PairedChangeList

    @admin.display(description=_("waktu"), ordering="history_date")
    def changed_at(self, record: object) -> object:
        return record.history_date

    @admin.display(description=_("oleh"), ordering="history_user__username")
    def changed_by(self, record: object) -> str:
        return record.history_user.username if record.history_user else "-"

    @admin.display(description=_("jenis perubahan"), ordering="history_type")
    def change_type(self, record: object) -> str:
        return record.get_history_type_display()

    @admin.display(description=_("data"))
    def object_label(self, record: object) -> str:
        return record.label()

    @admin.display(description=_("sebelum → sesudah"))
    def before_after(self, record: object) -> str:
        return describe_changes(record)

    def _may_view_tracked(self, request: HttpRequest) -> bool:
        tracked = self.model.instance_type._meta
        return request.user.has_perm(f"{tracked.app_label}.view_{tracked.model_name}")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_view_tracked(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self._may_view_tracked(request)


class ScopedChangeAdmin(RegionScopedAdminMixin, ChangeAdmin):
    pass


@admin.register(MemberChange)
class MemberChangeAdmin(ScopedChangeAdmin):
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    search_fields = ["=nik", "=history_user__username"]


@admin.register(GroupChange)
class GroupChangeAdmin(ScopedChangeAdmin):
    scope_province_path = "regency__province"
    scope_regency_path = "regency"
    search_fields = ["=code", "=account_number", "=history_user__username"]


@admin.register(ApplicationChange)
class ApplicationChangeAdmin(ScopedChangeAdmin):
    scope_province_path = "province"
    scope_regency_path = "group__regency"
    search_fields = ["=reference", "=history_user__username"]


@admin.register(TrancheChange)
class TrancheChangeAdmin(ScopedChangeAdmin):
    scope_province_path = "application__province"
    scope_regency_path = "application__group__regency"


@admin.register(SchemeChange)
class SchemeChangeAdmin(ChangeAdmin):
    """Schemes are national rules: whoever may view schemes may see how they changed."""


@admin.register(SchemeQuotaChange)
class SchemeQuotaChangeAdmin(ChangeAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        scope = region_scope_of(request.user)
        if scope.national:
            return queryset
        # A province's quota is visible to that province's officers (a regency officer has none).
        return queryset.filter(province_id__in=sorted(scope.province_codes))
