"""Officers' admin for outcomes: each scheme's monitoring terms (round months, inclusion targets) are
data edited here; rounds are written by ``outcomes.services`` and shown read-only, region-scoped."""

from django.contrib import admin
from django.http import HttpRequest

from jps_portal.admin_readonly import NoRevertHistoryAdmin, ReadOnlyAdminMixin
from outcomes import services
from outcomes.models import MonitoringRound, OutcomeTerms, RoundStatusChange
from regions.admin import RegionScopedAdminMixin


@admin.register(OutcomeTerms)
class OutcomeTermsAdmin(NoRevertHistoryAdmin):
    list_display = ["scheme", "round_months", "women_target_percent", "disability_target_percent"]
    list_select_related = ["scheme"]

    def get_readonly_fields(self, request: HttpRequest, obj: OutcomeTerms | None = None) -> list[str]:
        return ["scheme"] if obj is not None else []  # terms belong to their scheme for good

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # rounds already scheduled from these terms stay explained

    def save_model(self, request: HttpRequest, obj: OutcomeTerms, form: object, change: bool) -> None:
        if change and not form.has_changed():
            return  # nothing to write: no empty history row
        services.outcome_terms_save(terms=obj, by=request.user)


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RoundStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by"]
    readonly_fields = fields
    extra = 0


@admin.register(MonitoringRound)
class MonitoringRoundAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    scope_province_path = "regency__province"
    scope_regency_path = "regency"
    list_display = [
        "group", "programme", "months", "due_on", "status", "operating", "monthly_revenue", "members_working",
        "others_working", "reporter",
    ]  # fmt: skip
    list_filter = ["status", "programme", "months", "operating", "reporter"]
    search_fields = ["group__code", "group__name"]
    list_select_related = ["group"]
    inlines = [StatusChangeInline]
