from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from groups.models import Bank, Group, Member
from groups.resources import MemberResource
from regions.admin import RegionScopedAdminMixin
from spreadsheets.admin import SpreadsheetExportAdminMixin


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_himbara", "is_active"]
    list_filter = ["is_himbara", "is_active"]
    search_fields = ["=code", "name"]


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["nik", "name", "sex", "birth_date", "role", "employment_status", "has_disability", "phone"]
    extra = 0
    show_change_link = True


@admin.register(Group)
class GroupAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
    scope_province_path = "regency__province"
    scope_regency_path = "regency"
    list_display = ["code", "name", "year", "regency", "bank", "account_number", "created_at"]
    list_filter = ["year", "regency__province"]
    list_select_related = ["regency", "bank"]
    search_fields = ["=code", "name", "=account_number"]
    autocomplete_fields = ["regency", "bank", "user"]
    readonly_fields = ["checks_requested_at", "checks_completed_at", "created_at", "updated_at"]
    inlines = [MemberInline]
    show_full_result_count = False
    # Counts next to each province filter: the launch figures are visible at a glance.
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(Member)
class MemberAdmin(RegionScopedAdminMixin, SpreadsheetExportAdminMixin, SimpleHistoryAdmin):
    resource_classes = [MemberResource]  # export (CSV/XLSX, streamed too): spreadsheets.admin
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    list_display = ["nik", "name", "sex", "birth_date", "role", "group", "year"]
    list_filter = ["year", "role", "sex", "employment_status", "has_disability"]
    list_select_related = ["group"]
    # An exact NIK search: "nik" with an exact lookup hits the (nik, year) unique index.
    search_fields = ["nik__exact", "name"]
    autocomplete_fields = ["group"]
    readonly_fields = ["year", "created_at"]
    show_full_result_count = False
