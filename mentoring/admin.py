"""Officers' admin for mentoring: the checklist questions are data edited here; assignments, visits,
problems and photos are written by ``mentoring.services`` and shown read-only (region-scoped), with
two actions: balance the caseload of the selected rows' regencies, and accept a reviewed location."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jps_portal.admin_readonly import NoRevertHistoryAdmin, ReadOnlyAdminMixin
from mentoring import services
from mentoring.models import CaseAssignment, ChecklistItem, Visit, VisitPhoto, VisitProblem, VisitStatusChange
from regions.admin import RegionScopedAdminMixin


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["programme", "order", "label", "kind", "required", "active"]
    list_filter = ["programme", "active"]
    search_fields = ["label", "code"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # retire a question by deactivating it: past answers keep its code


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    scope_province_path = "regency__province"
    scope_regency_path = "regency"
    list_display = ["group", "mentor", "regency", "reason", "assigned_at", "ended_at", "end_reason"]
    list_filter = ["reason", "end_reason", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["group__code", "group__name", "mentor__username"]
    list_select_related = ["group", "mentor", "regency"]
    actions = ["balance_regencies"]

    def has_assign_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mentoring.assign_mentors")

    @admin.action(
        description=_("Bagi merata kelompok tanpa pendamping di kabupaten/kota terpilih"), permissions=["assign"]
    )
    def balance_regencies(self, request: HttpRequest, queryset: QuerySet) -> None:
        total = 0
        try:
            for code in sorted(set(queryset.values_list("regency_id", flat=True))):
                total += services.caseload_balance(regency_code=code, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _("%(n)d kelompok mendapat pendamping.") % {"n": total}, messages.SUCCESS)


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VisitStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    extra = 0


class ProblemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VisitProblem
    fields = ["description", "follow_up_on", "resolved_on", "resolution"]
    readonly_fields = fields
    extra = 0


class PhotoInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VisitPhoto
    fields = ["original_name", "location", "latitude", "longitude", "distance_km", "uploaded_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Visit)
class VisitAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    list_display = ["group", "mentor", "planned_on", "status", "done_on", "location"]
    list_filter = ["status", "location", "programme"]
    search_fields = ["group__code", "group__name", "mentor__username"]
    list_select_related = ["group", "mentor"]
    inlines = [StatusChangeInline, ProblemInline, PhotoInline]
    actions = ["accept_location"]

    def has_review_location_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mentoring.review_location")

    @admin.action(description=_("Terima lokasi kunjungan terpilih (sudah ditinjau)"), permissions=["review_location"])
    def accept_location(self, request: HttpRequest, queryset: QuerySet) -> None:
        accepted = 0
        for visit in queryset.filter(location__in=[Visit.Location.FAR, Visit.Location.MISSING]):
            try:
                services.visit_location_accept(visit=visit, by=request.user, note=_("Ditinjau di admin"))
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            accepted += 1
        self.message_user(request, _("%(n)d kunjungan diterima lokasinya.") % {"n": accepted}, messages.SUCCESS)


@admin.register(VisitProblem)
class VisitProblemAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    list_display = ["group", "description", "follow_up_on", "resolved_on"]
    list_filter = [("resolved_on", admin.EmptyFieldListFilter)]
    list_select_related = ["group"]
