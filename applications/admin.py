from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from applications import services
from applications.models import (
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    Flag,
    Scheme,
    SchemeQuota,
    SubmissionIntake,
    SubmissionIntakeDocument,
    TransitionError,
)
from applications.money import format_rupiah
from applications.resources import ApplicationResource
from regions.admin import RegionScopedAdminMixin
from spreadsheets.admin import SpreadsheetExportAdminMixin


class SchemeQuotaInline(admin.TabularInline):
    model = SchemeQuota
    extra = 0
    autocomplete_fields = ["province"]


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "programme",
        "year",
        "members_min",
        "members_max",
        "amount_per_group",
        "opens_on",
        "closes_on",
    ]
    list_filter = ["programme", "year"]
    search_fields = ["name", "dipa_number"]
    inlines = [SchemeQuotaInline]

    @admin.display(description=_("bantuan per kelompok"), ordering="amount_per_group")
    def amount(self, scheme: Scheme) -> str:
        return format_rupiah(scheme.amount_per_group)


class StatusChangeInline(admin.TabularInline):
    model = ApplicationStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason_code", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["changed_at", "pk"]

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return super().get_queryset(request).select_related("changed_by")


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    fields = ["kind", "file", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


def _run_for_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Application],
    action: Callable[[Application], object],
    done_message: str,
) -> None:
    """Apply ``action`` to each selected application, reporting every failure by reference."""
    done = 0
    for application in queryset.select_related("group", "scheme"):
        try:
            action(application)
        except (TransitionError, ValidationError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{application.reference}: {text}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


@admin.register(Application)
class ApplicationAdmin(RegionScopedAdminMixin, SpreadsheetExportAdminMixin, SimpleHistoryAdmin):
    resource_classes = [ApplicationResource]  # export (CSV/XLSX, streamed too): spreadsheets.admin
    scope_province_path = "province"
    scope_regency_path = "group__regency"
    list_display = ["reference", "group", "scheme", "province", "status", "requested", "submitted_at"]
    list_filter = ["status", "scheme__programme", "scheme__year", "province"]
    list_select_related = ["group", "scheme", "province"]
    search_fields = ["=reference", "group__name"]
    readonly_fields = [
        "reference",
        "group",
        "scheme",
        "province",
        "status",
        "approved_amount",
        "submitted_at",
        "decided_at",
        "created_at",
        "updated_at",
    ]
    inlines = [DocumentInline, StatusChangeInline]
    actions = ["verify_selected", "approve_selected"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.ALWAYS

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # groups apply through the portal or a Disnaker list import

    @admin.display(description=_("nilai diajukan"), ordering="requested_amount")
    def requested(self, application: Application) -> str:
        return format_rupiah(application.requested_amount)

    @admin.action(description=_("Verifikasi pengajuan terpilih"), permissions=["change"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        _run_for_each(
            self,
            request,
            queryset,
            lambda application: services.application_verify(application=application, by=request.user),
            _("%(count)d pengajuan diverifikasi."),
        )

    @admin.action(description=_("Setujui pengajuan terpilih"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        _run_for_each(
            self,
            request,
            queryset,
            lambda application: services.application_approve(application=application, by=request.user),
            _("%(count)d pengajuan disetujui."),
        )


@admin.register(Flag)
class FlagAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    list_display = ["rule", "severity", "group", "member", "raised_at", "resolved_at", "cleared_by"]
    list_filter = ["severity", "rule", "resolved_at"]
    list_select_related = ["group", "member", "cleared_by"]
    search_fields = ["=group__code", "member__nik__exact"]
    readonly_fields = ["group", "member", "rule", "severity", "evidence", "raised_at", "resolved_at", "cleared_by"]
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False


@admin.register(ApplicationStatusChange)
class ApplicationStatusChangeAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    scope_province_path = "application__province"
    scope_regency_path = "application__group__regency"
    list_display = ["application", "from_status", "to_status", "changed_by", "changed_at", "reason_code"]
    list_filter = ["to_status", "reason_code"]
    list_select_related = ["application", "changed_by"]
    search_fields = ["=application__reference"]
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


class SubmissionIntakeDocumentInline(admin.TabularInline):
    model = SubmissionIntakeDocument
    fields = ["kind", "name"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(SubmissionIntake)
class SubmissionIntakeAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    # A waiting intake has no region yet: only national staff see it until it becomes an application.
    scope_province_path = "application__province"
    scope_regency_path = "application__group__regency"
    inlines = [SubmissionIntakeDocumentInline]
    list_display = ["user", "status", "received_at", "processed_at", "application"]
    list_filter = ["status"]
    list_select_related = ["user", "application"]
    search_fields = ["user__email", "=application__reference"]
    readonly_fields = ["user", "status", "payload", "errors", "application", "received_at", "processed_at"]
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False
