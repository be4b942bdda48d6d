"""Finance's admin: tranches (batch them, re-issue failures), batches (totals, transfer files, bank
results), the ledger (read-only) and the exception queue. Region-scoped and permissioned; every money
change goes through ``disbursements.services``."""

import tempfile

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from applications.models import TransitionError
from applications.money import format_rupiah
from disbursements import bankfiles, reports, services
from disbursements.forms import AcceptNoteForm, BankResultUploadForm, ResolutionNoteForm, ReturnReasonForm
from disbursements.models import (
    AttendanceDay,
    BankReason,
    LedgerEntry,
    PaymentBatch,
    PaymentBatchLine,
    ReconciliationException,
    ReportPhoto,
    ReportReceipt,
    Tranche,
    TrancheHold,
    TreasuryReturn,
    UsageReport,
    UsageReportStatusChange,
)
from groups.accounts import account_number_masked
from jps_portal.admin_actions import Decision, confirm_then_run
from jps_portal.admin_guards import ServiceOnlyChangeMixin, ServiceOnlyHistoryAdmin
from jps_portal.admin_site import request_being_served
from jps_portal.list_defaults import OpensOnWorkAdminMixin, StatusOpensOnWorkFilter
from jps_portal.paging import CappedCountPaginator
from regions.admin import RegionScopedAdminMixin


class ReadOnlyAdminMixin(ServiceOnlyChangeMixin):
    """Rows written only by the services: shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


def account_visible_in_full(user: object) -> bool:
    """Finance (who pays into it) and officers who correct groups read the whole account number;
    everyone else (the director reads, never pays) the last four digits."""
    return user.has_perm(services.CREATE_BATCH_PERMISSION) or user.has_perm("groups.change_group")


def _bank_column(*, full: bool):  # noqa: ANN202
    """The "rekening tujuan" column: bank, account (full or masked), holder."""

    @admin.display(description=_("rekening tujuan"))
    def bank_details(tranche: Tranche) -> str:
        group = tranche.application.group
        if group.bank is None:
            return _t("Belum ada rekening")
        number = group.account_number if full else account_number_masked(group.account_number)
        return format_html(
            '{}<br><span class="money">{}</span><br>a.n. {}', group.bank.name, number, group.account_holder or "–"
        )

    return bank_details


_FULL_BANK_COLUMN = _bank_column(full=True)


def _bank_column_for(request: HttpRequest, name: object) -> object:
    if name == "bank_details" and account_visible_in_full(request.user):
        return _FULL_BANK_COLUMN
    return name


@admin.register(Tranche)
class TrancheAdmin(OpensOnWorkAdminMixin, RegionScopedAdminMixin, ServiceOnlyHistoryAdmin):
    scope_province_path = "application__province"
    scope_regency_path = "application__group__regency"
    list_display = ["application", "group_name", "number", "percentage", "rupiah", "status", "bank_details", "paid_at"]
    list_filter = [StatusOpensOnWorkFilter, "application__scheme", "application__province", "application__group__bank"]
    list_select_related = ["application__group__bank"]
    search_fields = ["application__reference", "application__group__name"]
    # Money and status move only through the disbursement services, never by hand.
    service_only_fields = ("application", "number", "percentage", "amount", "status", "paid_at", "created_at")
    fields = [
        "application",
        "group_name",
        "number",
        "percentage",
        "rupiah",
        "status",
        "hold",
        "complaints",
        "bank_details",
        "paid_at",
    ]
    readonly_fields = ["group_name", "rupiah", "hold", "complaints", "bank_details"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["batch_selected", "reissue_selected"]

    # The bank column masks the account unless the viewer's role reads it in full: a per-request
    # column (never state on the admin instance, which every request thread shares).
    bank_details = staticmethod(_bank_column(full=False))

    def get_list_display(self, request: HttpRequest) -> list:
        return [_bank_column_for(request, name) for name in super().get_list_display(request)]

    def get_fields(self, request: HttpRequest, obj: Tranche | None = None) -> list:
        return [_bank_column_for(request, name) for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request: HttpRequest, obj: Tranche | None = None) -> list:
        return [_bank_column_for(request, name) for name in super().get_readonly_fields(request, obj)]

    @admin.display(description=_("kelompok"), ordering="application__group__name")
    def group_name(self, tranche: Tranche) -> str:
        return tranche.application.group.name

    @admin.display(description=_("nilai"), ordering="amount")
    def rupiah(self, tranche: Tranche) -> str:
        return format_html('<span class="money">{}</span>', format_rupiah(tranche.amount))

    @admin.display(description=_("penahanan"))
    def hold(self, tranche: Tranche) -> str:
        """Why a scheduled tahap stays out of the batches (the holds on its application); nothing for a
        paid or in-batch one, which a hold never touches."""
        if tranche.status in (Tranche.Status.PAID, Tranche.Status.IN_BATCH):
            return "–"
        reasons = list(
            TrancheHold.objects.active().filter(application_id=tranche.application_id).values_list("reason", flat=True)
        )
        if not reasons:
            return "–"
        return format_html("<strong>{}</strong><br>{}", _("Ditahan: tidak masuk batch pembayaran."), "; ".join(reasons))

    @admin.display(description=_("pengaduan terbuka"))
    def complaints(self, tranche: Tranche) -> str:
        """Open complaints about this tahap or its application. Their numbers, linked, only to a viewer
        who may read tickets (and only those tickets: region, integrity); anyone else — finance — gets
        the count of the non-sensitive ones, enough to know to ask the complaints desk, and no more: a
        complaint names people, and an integrity case must not show its existence at all."""
        request = request_being_served()
        user = getattr(request, "user", None)
        # The reverse relation, not an import: disbursements does not depend on grievances.
        linked = tranche.tickets.model.objects.open().filter(
            Q(tranche=tranche) | Q(application_id=tranche.application_id)
        )
        if user is not None and user.has_perm("grievances.view_ticket"):
            numbers = list(linked.visible_to(user).order_by("number").values_list("pk", "number")[:20])
            if not numbers:
                return "–"
            return format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:grievances_ticket_change", args=[pk]), number) for pk, number in numbers),
            )
        count = linked.filter(is_sensitive=False).count()
        if not count:
            return "–"
        return _("%(count)d pengaduan terbuka (rinciannya pada petugas pengaduan).") % {"count": count}

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_batch_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.CREATE_BATCH_PERMISSION)

    @admin.action(description=_("Buat batch pembayaran dari tahap terpilih yang siap dibayar"), permissions=["batch"])
    def batch_selected(
        self, request: HttpRequest, queryset: QuerySet[Tranche]
    ) -> HttpResponseRedirect | TemplateResponse | None:
        """A confirmation page first (how many lines, how much, per bank, and what is left out and
        why); the batch is made on "Ya, buat batch". The filters in use (scheme, province, bank) are
        recorded on the batch."""
        filters = {
            "scheme_id": _int_or_none(request.GET.get("application__scheme__id__exact")),
            "province_id": request.GET.get("application__province__code__exact") or None,
            "bank_id": request.GET.get("application__group__bank__code__exact") or None,
        }
        if request.POST.get("confirm") != "yes":
            preview = services.payment_batch_preview(tranches=queryset, by=request.user, **filters)
            context = {
                **self.admin_site.each_context(request),
                "title": _("Buat batch pembayaran"),
                "opts": self.model._meta,
                "preview": preview,
                "total": format_rupiah(preview.total),
                "by_bank": [(name or "–", lines, format_rupiah(total)) for name, lines, total in preview.by_bank],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            }
            return TemplateResponse(request, "admin/disbursements/tranche/batch_confirmation.html", context)
        try:
            batch = services.payment_batch_create(tranches=queryset, by=request.user, **filters)
        except (ValidationError, TransitionError, PermissionDenied) as error:
            self.message_user(request, " ".join(_messages(error)), messages.ERROR)
            return None
        totals = PaymentBatch.objects.with_totals().get(pk=batch.pk)
        self.message_user(
            request,
            _t("Batch %(ref)s dibuat: %(count)d tahap, total %(total)s.")
            % {"ref": batch.reference, "count": totals.line_count, "total": format_rupiah(totals.total_amount)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:disbursements_paymentbatch_change", args=[batch.pk]))

    @admin.action(description=_("Terbitkan ulang tahap gagal (rekening sudah diperbaiki)"), permissions=["change"])
    def reissue_selected(self, request: HttpRequest, queryset: QuerySet[Tranche]) -> None:
        done = 0
        for tranche in queryset.select_related("application"):
            try:
                services.tranche_reissue(tranche=tranche, by=request.user)
                done += 1
            except (TransitionError, ValidationError) as error:
                self.message_user(request, f"{tranche}: {' '.join(_messages(error))}", messages.ERROR)
        if done:
            self.message_user(request, _t("%(count)d tahap siap dibayar ulang.") % {"count": done}, messages.SUCCESS)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _messages(error: Exception) -> list[str]:
    return list(getattr(error, "messages", None) or [str(error)])


# A batch page lists this many of its lines; the line list (linked) has them all.
BATCH_LINES_SHOWN = 200


@admin.register(PaymentBatch)
class PaymentBatchAdmin(OpensOnWorkAdminMixin, RegionScopedAdminMixin, ServiceOnlyChangeMixin, admin.ModelAdmin):
    # A batch is scoped by the province it was made for and carries no regency: a regency-scoped
    # officer sees no batch, and a batch for all provinces is seen only nationally.
    scope_province_path = "province"
    scope_regency_path = None
    list_display = ["reference", "status", "lines_link", "total", "paid", "failed", "open", "created_by", "created_at"]
    list_filter = [StatusOpensOnWorkFilter, "scheme", "province", "bank"]
    list_select_related = ["created_by"]
    search_fields = ["=reference"]
    readonly_fields = [
        "reference",
        "status",
        "scheme",
        "province",
        "bank",
        "created_by",
        "created_at",
        "exported_by",
        "exported_at",
        "reconciled_at",
        "lines_link",
        "total",
        "paid",
        "failed",
        "open",
    ]
    fields = readonly_fields
    service_only_fields = ("reference", "status", "scheme", "province", "bank", "exported_at", "reconciled_at")
    change_form_template = "admin/disbursements/paymentbatch/change_form.html"
    change_list_template = "admin/disbursements/paymentbatch/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PaymentBatch]:
        return super().get_queryset(request).with_totals()

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # batches are made from the tranche list

    @admin.display(description=_("baris"))
    def lines_link(self, batch: PaymentBatch) -> str:
        url = reverse("admin:disbursements_paymentbatchline_changelist") + f"?batch__id__exact={batch.pk}"
        return format_html('<a href="{}">{}</a>', url, batch.line_count)

    @admin.display(description=_("total"))
    def total(self, batch: PaymentBatch) -> str:
        return format_rupiah(batch.total_amount)

    @admin.display(description=_("dibayar"))
    def paid(self, batch: PaymentBatch) -> str:
        return f"{format_rupiah(batch.paid_amount)} ({batch.paid_count})"

    @admin.display(description=_("gagal/dikembalikan"))
    def failed(self, batch: PaymentBatch) -> str:
        return f"{format_rupiah(batch.failed_amount)} ({batch.failed_count})"

    @admin.display(description=_("belum ada hasil"))
    def open(self, batch: PaymentBatch) -> str:
        return f"{format_rupiah(batch.open_amount)} ({batch.open_count})"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        """The batch's lines under its totals, read-only: the first ``BATCH_LINES_SHOWN`` here, all of
        them in the line list (linked)."""
        batch = self.get_object(request, object_id)
        if batch is not None:
            lines = list(
                batch.lines.select_related("tranche__application__group", "tranche__application").order_by("pk")[
                    :BATCH_LINES_SHOWN
                ]
            )
            full = account_visible_in_full(request.user)
            extra_context = {
                **(extra_context or {}),
                "batch_lines": [
                    {
                        "line": line,
                        "group": line.tranche.application.group.name,
                        "account": line.account_number if full else account_number_masked(line.account_number),
                        "amount": format_rupiah(line.amount),
                    }
                    for line in lines
                ],
                "batch_lines_more": max(batch.line_count - len(lines), 0),
                "batch_lines_url": reverse("admin:disbursements_paymentbatchline_changelist")
                + f"?batch__id__exact={batch.pk}",
                "batch_total": format_rupiah(batch.total_amount),
                "batch_line_count": batch.line_count,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/export/<str:fmt>/", wrap(self.export_view), name="disbursements_paymentbatch_export"),
            path(
                "import-results/template.csv",
                wrap(self.import_template_view),
                name="disbursements_paymentbatch_import_template",
            ),
            path("import-results/", wrap(self.import_view), name="disbursements_paymentbatch_import"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        """Locks the batch (first export) and sends the transfer file, streamed from the database."""
        if request.method != "POST" or fmt not in ("csv", "xlsx"):
            return HttpResponseRedirect(reverse("admin:disbursements_paymentbatch_change", args=[pk]))
        if not self.has_change_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(self.get_queryset(request), pk=pk)
        batch = services.payment_batch_export(batch=batch, by=request.user)
        lines = services.payment_batch_transfer_lines(batch)
        filename = f"{batch.reference}.{fmt}"
        if fmt == "csv":
            response = StreamingHttpResponse(
                bankfiles.transfer_csv_stream(lines), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        # XLSX is a zip: written to a temporary file in write-only mode, then streamed from disk.
        target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
        bankfiles.transfer_xlsx(lines, target)
        target.seek(0)
        return FileResponse(target, as_attachment=True, filename=filename)

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        """An example result file: the header and one row of each kind, to copy the format from."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        response = HttpResponse(bankfiles.result_template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="contoh-hasil-bank.csv"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = BankResultUploadForm(request.POST or None, request.FILES or None)
        file_errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = bankfiles.read_bank_results(upload)
                report = services.bank_results_import(rows=rows, file_name=upload.name, by=request.user)
            except bankfiles.BankFileError as error:
                # Every problem of the file at once, grouped: shown as a list above the form.
                file_errors = error.messages
            except (ValidationError, TransitionError, PermissionDenied) as error:
                form.add_error("file", " ".join(_messages(error)))
            else:
                level = messages.WARNING if report.exceptions else messages.SUCCESS
                self.message_user(request, report.summary(), level)
                return HttpResponseRedirect(reverse("admin:disbursements_paymentbatch_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Impor hasil bank"),
            "opts": self.model._meta,
            "form": form,
            "columns": bankfiles.result_column_guide(),
            "outcomes": bankfiles.OUTCOME_GUIDE,
            "reasons": BankReason.choices,
            "file_errors": file_errors,
        }
        return TemplateResponse(request, "admin/disbursements/paymentbatch/import_results.html", context)


@admin.register(PaymentBatchLine)
class PaymentBatchLineAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_province_path = "tranche__application__province"
    scope_regency_path = "tranche__application__group__regency"
    list_display = [
        "payment_reference",
        "batch",
        "tranche",
        "rupiah",
        "bank_code",
        "account_number",
        "account_holder",
        "outcome",
        "reason_code",
        "bank_transaction_id",
        "transfer_date",
    ]
    list_filter = ["outcome", "reason_code", "batch"]
    list_select_related = ["batch", "tranche__application"]
    search_fields = ["=payment_reference", "=bank_transaction_id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ["-pk"]

    @admin.display(description=_("nilai"), ordering="amount")
    def rupiah(self, line: PaymentBatchLine) -> str:
        return format_rupiah(line.amount)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(RegionScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    scope_province_path = "tranche__application__province"
    scope_regency_path = "tranche__application__group__regency"
    list_display = [
        "created_at",
        "kind",
        "tranche",
        "rupiah",
        "batch",
        "payment_reference",
        "bank_transaction_id",
        "reason_code",
        "created_by",
    ]
    list_filter = ["kind"]
    list_select_related = ["tranche__application", "batch", "created_by"]
    search_fields = ["=payment_reference", "=bank_transaction_id", "=tranche__application__reference"]
    paginator = CappedCountPaginator
    show_full_result_count = False

    @admin.display(description=_("nilai"), ordering="amount")
    def rupiah(self, entry: LedgerEntry) -> str:
        return format_rupiah(entry.amount)


# An officer closes at most this many exceptions at once (each is locked and noted).
MAX_EXCEPTIONS_RESOLVED = 500


@admin.register(ReconciliationException)
class ReconciliationExceptionAdmin(
    OpensOnWorkAdminMixin, RegionScopedAdminMixin, ServiceOnlyChangeMixin, admin.ModelAdmin
):
    # A line that matched nothing has no region: only national officers see it (fail-closed).
    scope_province_path = "line__tranche__application__province"
    scope_regency_path = "line__tranche__application__group__regency"
    list_display = [
        "created_at",
        "kind",
        "payment_reference",
        "status",
        "file_name",
        "row_number",
        "row",
        "resolved_by",
    ]
    list_filter = [StatusOpensOnWorkFilter, "kind"]
    list_select_related = ["resolved_by"]
    search_fields = ["=payment_reference"]
    readonly_fields = [
        "kind",
        "status",
        "payment_reference",
        "line",
        "file_name",
        "row_number",
        "row",
        "created_by",
        "created_at",
        "resolved_by",
        "resolved_at",
        "resolution_note",
    ]
    # Closed only by reconciliation_exception_resolve (a note, who and when).
    service_only_fields = tuple(readonly_fields)
    actions = ["resolve_selected"]
    paginator = CappedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.RESOLVE_PERMISSION)

    @admin.action(description=_("Selesaikan pengecualian terpilih (dengan catatan)"), permissions=["resolve"])
    def resolve_selected(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return confirm_then_run(
            self,
            request,
            queryset,
            Decision(
                action="resolve_selected",
                title=_("Selesaikan pengecualian"),
                form_class=ResolutionNoteForm,
                run=lambda exception, data: services.reconciliation_exception_resolve(
                    exception=exception, by=request.user, note=data["note"]
                ),
                done_message=_("%(count)d pengecualian diselesaikan."),
            ),
            template="admin/disbursements/reconciliationexception/resolve.html",
            label=str,
            limit=MAX_EXCEPTIONS_RESOLVED,
        )


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
class UsageReportAdmin(OpensOnWorkAdminMixin, RegionScopedAdminMixin, ServiceOnlyHistoryAdmin):
    scope_province_path = "tranche__application__province"
    scope_regency_path = "tranche__application__group__regency"
    list_display = ["tranche", "kind", "status", "submitted_at", "decided_at"]
    list_filter = [StatusOpensOnWorkFilter, "kind", "tranche__application__scheme"]
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
    # Decided only by report_accept / report_return (with their confirmation page).
    service_only_fields = ("tranche", "kind", "status", "return_reason", "submitted_at", "decided_at", "decided_by")
    inlines = [ReceiptInline, AttendanceInline, PhotoInline, ReportStatusChangeInline]
    actions = ["accept_selected", "return_selected"]
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # groups write their reports in the portal

    # The final LPJ also shows the deposit of the unspent money and how that figure is reached.
    final_fields = ["paid_on", "unspent_computation", "treasury_deposit"]

    def get_fields(self, request: HttpRequest, obj: UsageReport | None = None) -> list:
        fields = [*self.fields, "paid_on"] if obj is not None else list(self.fields)
        if obj is not None and obj.kind == UsageReport.Kind.FINAL:
            fields += ["unspent_computation", "treasury_deposit"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: UsageReport | None = None) -> list:
        return [*super().get_readonly_fields(request, obj), *self.final_fields]

    @admin.display(description=_("dana tahap diterima"))
    def paid_on(self, report: UsageReport) -> str:
        paid_on = reports.tranche_paid_on(report.tranche)
        return date_format(paid_on, "j F Y") if paid_on else "–"

    @admin.display(description=_("perhitungan sisa dana"))
    def unspent_computation(self, report: UsageReport) -> str:
        figure = reports.unspent_figure(report)
        return render_to_string("disbursements/_unspent_figure.html", {"figure": figure})

    @admin.display(description=_("setoran ke Kas Negara"))
    def treasury_deposit(self, report: UsageReport) -> str:
        deposit = TreasuryReturn.objects.filter(application_id=report.tranche.application_id).first()
        figure = reports.unspent_figure(report)
        if deposit is None:
            if figure.unspent > 0:
                return _("Belum dicatat; sisa dana %(unspent)s harus disetor.") % {
                    "unspent": format_rupiah(figure.unspent)
                }
            return _("Tidak perlu: tidak ada sisa dana.")
        matches = deposit.amount == figure.unspent
        return format_html(
            '<dl class="deposit"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>'
            '<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl><p class="{}">{}</p>',
            _("NTPN"),
            deposit.ntpn,
            _("nilai disetor"),
            format_rupiah(deposit.amount),
            _("tanggal setor"),
            date_format(deposit.paid_on, "j F Y"),
            _("kode billing"),
            deposit.billing_code or "–",
            _("bukti setor"),
            _file_link("setoran", deposit),
            "" if matches else "errornote",
            _("Sama dengan sisa dana.")
            if matches
            else _("Tidak sama dengan sisa dana %(unspent)s; kembalikan laporan agar bukti setor dicatat ulang.")
            % {"unspent": format_rupiah(figure.unspent)},
        )

    @admin.display(description=_("pengeluaran"))
    def spending(self, report: UsageReport) -> str:
        totals = reports.report_totals(report, tranche=report.tranche)
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
        return self._decide(
            request,
            queryset,
            Decision(
                action="accept_selected",
                title=_("Terima laporan"),
                form_class=AcceptNoteForm,
                run=lambda report, data: reports.report_accept(report=report, by=request.user, note=data["note"]),
                done_message=_("%(count)d laporan diterima."),
            ),
        )

    @admin.action(description=_("Kembalikan laporan terpilih untuk diperbaiki"), permissions=["change"])
    def return_selected(self, request: HttpRequest, queryset: QuerySet[UsageReport]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="return_selected",
                title=_("Kembalikan laporan"),
                form_class=ReturnReasonForm,
                run=lambda report, data: reports.report_return(report=report, by=request.user, reason=data["reason"]),
                done_message=_("%(count)d laporan dikembalikan ke kelompok."),
            ),
        )

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[UsageReport], decision: Decision
    ) -> TemplateResponse | None:
        return confirm_then_run(
            self,
            request,
            queryset.select_related("tranche__application__group"),
            decision,
            template="admin/disbursements/usagereport/decision_confirmation.html",
            label=lambda report: str(report.tranche),  # "<application reference> tahap <n>"
            limit=MAX_REPORT_DECISIONS,
        )


@admin.register(TreasuryReturn)
class TreasuryReturnAdmin(RegionScopedAdminMixin, ServiceOnlyHistoryAdmin):
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
    # Recorded by the group with its final LPJ (report_treasury_return_record), booked on acceptance.
    service_only_fields = ("application", "amount", "ntpn", "billing_code", "paid_on", "recorded_by")
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # recorded with the final LPJ

    @admin.display(description=_("nilai disetor"), ordering="amount")
    def rupiah(self, treasury_return: TreasuryReturn) -> str:
        return format_rupiah(treasury_return.amount)

    @admin.display(description=_("bukti setor"))
    def proof(self, treasury_return: TreasuryReturn) -> str:
        return _file_link("setoran", treasury_return)
