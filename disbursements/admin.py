from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from applications.money import format_rupiah
from disbursements.models import Tranche
from regions.admin import RegionScopedAdminMixin


@admin.register(Tranche)
class TrancheAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
    scope_province_path = "application__province"
    scope_regency_path = "application__group__regency"
    list_display = ["application", "number", "percentage", "rupiah", "status", "paid_at"]
    list_filter = ["status", "application__scheme"]
    list_select_related = ["application"]
    search_fields = ["application__reference"]
    # Money and status move only through the disbursement services, never by hand.
    readonly_fields = ["application", "number", "percentage", "amount", "status", "paid_at", "created_at"]
    show_full_result_count = False

    @admin.display(description="nilai", ordering="amount")
    def rupiah(self, tranche: Tranche) -> str:
        return format_rupiah(tranche.amount)

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False
