from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from applications.models import TransitionError
from applications.money import format_rupiah
from disbursements import services
from disbursements.forms import AcceptNoteForm, ReturnReasonForm
from disbursements.models import (
    AttendanceDay,
    ReportPhoto,
    ReportReceipt,
    Tranche,
    TreasuryReturn,
    UsageReport,
    UsageReportStatusChange,
)
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


# --- reports on the use of each tahap, and the deposits of unspent money to Kas Negara -------------


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


def _file_link(kind: str, instance: ReportReceipt | ReportPhoto | TreasuryReturn) -> str:
    # Served by the portal's file view, which checks the officer's region scope again.
    url = reverse("disbursements:file", args=[kind, instance.pk])
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Buka"))


class ReceiptInline(_ReadOnlyInline):
    model = ReportReceipt
    fields = ["spent_on", "category", "description", "rupiah", "photo"]
    readonly_fields = fields

    @admin.display(description=_("nilai"))
    def rupiah(self, receipt: ReportReceipt) -> str:
        return format_rupiah(receipt.amount)

    @admin.display(description=_("foto kuitansi"))
    def photo(self, receipt: ReportReceipt) -> str:
        return _file_link("kuitansi", receipt)


class PhotoInline(_ReadOnlyInline):
    model = ReportPhoto
    fields = ["caption", "original_name", "photo", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("foto"))
    def photo(self, photo: ReportPhoto) -> str:
        return _file_link("foto", photo)


class AttendanceInline(_ReadOnlyInline):
    model = AttendanceDay
    fields = ["worked_on", "member", "role"]
    readonly_fields = fields

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return super().get_queryset(request).select_related("member")


class ReportStatusChangeInline(_ReadOnlyInline):
    model = UsageReportStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return super().get_queryset(request).select_related("changed_by")


# An officer decides on at most this many reports at once: each one locks rows.
MAX_REPORT_DECISIONS = 200


@admin.register(UsageReport)
class UsageReportAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
    scope_province_path = "tranche__application__province"
    scope_regency_path = "tranche__application__group__regency"
    list_display = ["tranche", "kind", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "kind", "tranche__application__scheme"]
    list_select_related = ["tranche__application"]
    search_fields = ["=tranche__application__reference", "tranche__application__group__name"]
    readonly_fields = [
        "tranche",
        "kind",
        "status",
        "spending",
        "return_reason",
        "submitted_at",
        "decided_at",
        "decided_by",
        "created_at",
    ]
    fields = readonly_fields
    inlines = [ReceiptInline, AttendanceInline, PhotoInline, ReportStatusChangeInline]
    actions = ["accept_selected", "return_selected"]
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # groups write their reports in the portal

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    @admin.display(description=_("pengeluaran"))
    def spending(self, report: UsageReport) -> str:
        totals = services.report_totals(report, tranche=report.tranche)
        parts = [
            _("dana tahap %(amount)s") % {"amount": format_rupiah(totals.tranche_amount)},
            _("peralatan %(amount)s") % {"amount": format_rupiah(totals.equipment)},
            _("bahan %(amount)s") % {"amount": format_rupiah(totals.materials)},
        ]
        if totals.planned_equipment is not None:
            parts.append(_("porsi peralatan skema %(amount)s") % {"amount": format_rupiah(totals.planned_equipment)})
        if totals.wage_lines:
            parts.append(
                _("upah %(amount)s (%(hok)d HOK)") % {"amount": format_rupiah(totals.wages), "hok": totals.hok}
            )
        parts.append(_("jumlah %(amount)s") % {"amount": format_rupiah(totals.spent)})
        return "; ".join(parts)

    @admin.action(description=_("Terima laporan terpilih"), permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[UsageReport]) -> TemplateResponse | None:
        return self._confirm_then_run(
            request,
            queryset,
            action="accept_selected",
            title=_("Terima laporan"),
            form_class=AcceptNoteForm,
            run=lambda report, data: services.report_accept(report=report, by=request.user, note=data["note"]),
            done_message=_("%(count)d laporan diterima."),
        )

    @admin.action(description=_("Kembalikan laporan terpilih untuk diperbaiki"), permissions=["change"])
    def return_selected(self, request: HttpRequest, queryset: QuerySet[UsageReport]) -> TemplateResponse | None:
        return self._confirm_then_run(
            request,
            queryset,
            action="return_selected",
            title=_("Kembalikan laporan"),
            form_class=ReturnReasonForm,
            run=lambda report, data: services.report_return(report=report, by=request.user, reason=data["reason"]),
            done_message=_("%(count)d laporan dikembalikan ke kelompok."),
        )

    def _confirm_then_run(
        self,
        request: HttpRequest,
        queryset: QuerySet[UsageReport],
        *,
        action: str,
        title: str,
        form_class: type[forms.Form],
        run: Callable[[UsageReport, dict], object],
        done_message: str,
    ) -> TemplateResponse | None:
        """Show the selected reports with the form first; on confirmation call the service for each,
        reporting every refusal by application reference. None sends the officer back to the list."""
        confirmed = request.POST.get("confirm") == "yes"
        form = form_class(request.POST if confirmed else None)
        reports = queryset.select_related("tranche__application__group")[:MAX_REPORT_DECISIONS]
        if confirmed and form.is_valid():
            done = 0
            for report in reports:
                try:
                    run(report, form.cleaned_data)
                except (TransitionError, ValidationError) as error:
                    text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                    self.message_user(request, f"{report.tranche}: {text}", messages.ERROR)
                else:
                    done += 1
            if done:
                self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "action": action,
            "reports": list(reports),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/disbursements/usagereport/decision_confirmation.html", context)


@admin.register(TreasuryReturn)
class TreasuryReturnAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
    scope_province_path = "application__province"
    scope_regency_path = "application__group__regency"
    list_display = ["application", "rupiah", "ntpn", "paid_on", "recorded_by"]
    list_select_related = ["application", "recorded_by"]
    search_fields = ["=ntpn", "=application__reference"]
    readonly_fields = [
        "application",
        "rupiah",
        "ntpn",
        "billing_code",
        "paid_on",
        "proof",
        "recorded_by",
        "recorded_at",
    ]
    fields = readonly_fields
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # recorded with the final LPJ

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    @admin.display(description=_("nilai disetor"), ordering="amount")
    def rupiah(self, treasury_return: TreasuryReturn) -> str:
        return format_rupiah(treasury_return.amount)

    @admin.display(description=_("bukti setor"))
    def proof(self, treasury_return: TreasuryReturn) -> str:
        return _file_link("setoran", treasury_return)
