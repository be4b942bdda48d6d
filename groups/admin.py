import re

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Bank, Group, Member
from groups.nik import NIK_SEARCH
from groups.resources import MemberResource
from groups.services import group_is_editable, group_is_funded
from jps_portal.admin_guards import ServiceOnlyHistoryAdmin
from jps_portal.paging import CappedCountPaginator
from regions.admin import RegionScopedAdminMixin
from spreadsheets.admin import SpreadsheetExportAdminMixin

ACCOUNT_SEARCH = re.compile(r"[0-9]{6,20}")


FIRST_PROGRAMME_YEAR = 2020


class ProgrammeYearFilter(admin.SimpleListFilter):
    """Programme years from 2020 to this year, without reading the table: Django's default filter
    for a plain field runs SELECT DISTINCT over every row (a million members) on each page."""

    title = _("tahun program")
    parameter_name = "year"
    field_path = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        return [(str(year), str(year)) for year in range(this_year, FIRST_PROGRAMME_YEAR - 1, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        try:
            return queryset.filter(**{self.field_path: int(self.value())})
        except ValueError:
            return queryset.none()


class SchemeYearFilter(ProgrammeYearFilter):
    parameter_name = "scheme__year"
    field_path = "scheme__year"


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_himbara", "is_active"]
    list_filter = ["is_himbara", "is_active"]
    search_fields = ["=code", "name"]

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        # The code is the primary key: typed over on a change form it would copy the bank, not rename it.
        return ["code"] if obj is not None else []


# Who the money is for and where it goes: never typed over in the admin. Before submission the group
# edits them itself; under review the verifier sends the application back for revision; after
# approval an officer proposes a correction that a second officer confirms (corrections app; the change
# page links to it).
GROUP_IDENTITY_FIELDS = ("code", "year", "regency", "bank", "account_number", "account_holder")
MEMBER_IDENTITY_FIELDS = ("group", "year", "nik", "name", "sex", "birth_date")
MEMBER_OTHER_FIELDS = ("role", "employment_status", "has_disability", "phone")
# The corrections app's propose views, by URL name (groups does not import corrections).
PROPOSE_PERMISSION = "corrections.add_correction"


def _correction_links(request: HttpRequest, group: Group | None, url_name: str, pk: int, label: str) -> list:
    """The link to propose a correction, offered only where it can be used: a funded group, an officer
    who may propose (the admin page already limited the row to their region)."""
    if group is None or not request.user.has_perm(PROPOSE_PERMISSION) or not group_is_funded(group):
        return []
    return [(reverse(f"admin:{url_name}", args=[pk]), label)]


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["nik", "name", "sex", "birth_date", "role", "employment_status", "has_disability", "phone"]
    extra = 0
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        if obj is not None and not group_is_editable(obj):
            return [*MEMBER_IDENTITY_FIELDS, *MEMBER_OTHER_FIELDS]
        return list(MEMBER_IDENTITY_FIELDS)

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False  # members join through the group's portal or a Disnaker list, NIK checks included

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return obj is not None and group_is_editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Group)
class GroupAdmin(RegionScopedAdminMixin, ServiceOnlyHistoryAdmin):
    scope_province_path = "regency__province"
    scope_regency_path = "regency"
    list_display = ["code", "name", "year", "regency", "bank", "account_number", "created_at"]
    list_filter = [ProgrammeYearFilter, "regency__province"]
    list_select_related = ["regency", "bank"]
    search_fields = ["name"]
    search_help_text = _("Kode kelompok, nomor rekening (persis) atau nama kelompok.")
    autocomplete_fields = ["regency", "bank", "user"]
    readonly_fields = ["checks_requested_at", "checks_completed_at", "created_at", "updated_at"]
    service_only_fields = GROUP_IDENTITY_FIELDS
    change_form_template = "admin/groups/change_form_corrections.html"
    deletable = True  # a group with nothing under review; its applications protect it otherwise
    inlines = [MemberInline]
    paginator = CappedCountPaginator
    show_full_result_count = False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        group = self.get_object(request, object_id)
        links = _correction_links(
            request, group, "corrections_correction_propose_bank_account", group.pk if group else 0,
            _("Usulkan koreksi rekening"),
        )  # fmt: skip
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "correction_links": links})

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        fields = super().get_readonly_fields(request, obj)
        # The group's account link too, once its application is under review or funded: whoever
        # holds it proposes account fixes and reports on the money.
        return [*fields, "user"] if obj is not None and not group_is_editable(obj) else fields

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # groups register in the portal or come with a Disnaker member list

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return (obj is None or group_is_editable(obj)) and super().has_delete_permission(request, obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Group], search_term: str
    ) -> tuple[QuerySet[Group], bool]:
        term = search_term.strip()
        if ACCOUNT_SEARCH.fullmatch(term):
            return queryset.filter(account_number=term), False
        by_code = queryset.filter(code=term)
        if term and by_code.exists():
            return by_code, False
        return super().get_search_results(request, queryset, term)

    # Counts next to each province filter: the launch figures are visible at a glance.
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(Member)
class MemberAdmin(RegionScopedAdminMixin, SpreadsheetExportAdminMixin, ServiceOnlyHistoryAdmin):
    resource_classes = [MemberResource]  # export (CSV/XLSX, streamed too): spreadsheets.admin
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    list_display = ["nik", "name", "sex", "birth_date", "role", "group", "year"]
    list_filter = [ProgrammeYearFilter, "role", "sex", "employment_status", "has_disability"]
    list_select_related = ["group"]
    search_fields = ["name"]
    search_help_text = _("NIK (16 digit, persis) atau nama anggota.")
    autocomplete_fields = ["group"]
    readonly_fields = ["year", "created_at"]
    service_only_fields = MEMBER_IDENTITY_FIELDS
    change_form_template = "admin/groups/change_form_corrections.html"
    deletable = True  # while the group may still change its members (see has_delete_permission)
    paginator = CappedCountPaginator
    show_full_result_count = False
    # Newest first on the primary key: the model's (group, pk) order would sort a million rows per page.
    ordering = ["-pk"]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        member = self.get_object(request, object_id)
        links = _correction_links(
            request, member.group if member else None, "corrections_correction_propose_member_identity",
            member.pk if member else 0, _("Usulkan koreksi identitas"),
        )  # fmt: skip
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "correction_links": links})

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and not group_is_editable(obj.group):
            return [*fields, *MEMBER_OTHER_FIELDS]
        return fields

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # members join through the group's portal or a Disnaker list, NIK checks included

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return (obj is None or group_is_editable(obj.group)) and super().has_delete_permission(request, obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Member], search_term: str
    ) -> tuple[QuerySet[Member], bool]:
        term = search_term.strip()
        if NIK_SEARCH.fullmatch(term):
            # Only the exact match: OR-ing it with a name search would scan the whole table.
            return queryset.filter(nik=term), False
        return super().get_search_results(request, queryset, term)
