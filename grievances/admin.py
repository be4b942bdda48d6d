"""Officers' tickets: their region's (sensitive ones only for the integrity team), with the SLA left,
the history, and decisions as actions behind a confirmation page that call ``grievances.services``."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from disbursements.models import TrancheHold
from grievances import services
from grievances.models import Category, Ticket, TicketHistory
from grievances.sla import working_days_between
from jps_portal.admin_actions import Decision, confirm_then_run
from jps_portal.admin_guards import ServiceOnlyChangeMixin
from jps_portal.admin_site import permitted_link
from notifications.phones import phone_masked

MAX_DECISIONS = 50


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class RequiredNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Hasil pemeriksaan / alasan"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class ReassignForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Petugas tujuan"), queryset=services._officers())
    note = forms.CharField(label=_("Alasan pengalihan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "is_sensitive",
        "about_group",
        "blocks_when_upheld",
        "holds_next_tranche",
        "sla_working_days",
        "is_active",
    ]
    list_filter = ["is_sensitive", "is_active"]
    ordering = ["position", "name"]

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        return False  # tickets point at it: retire it with "aktif" instead


class HistoryInline(admin.TabularInline):
    model = TicketHistory
    fields = ["changed_at", "kind", "from_status", "to_status", "level", "assigned_to", "changed_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


class HandlingFilter(admin.SimpleListFilter):
    """The officer's own open tickets, and those past their SLA — the links of 'Tugas saya'."""

    title = _("penanganan")
    parameter_name = "penanganan"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("saya", _("Ditugaskan kepada saya (terbuka)")), ("terlambat", _("Terbuka, lewat batas waktu"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "saya":
            return queryset.open().filter(assigned_to=request.user)
        if self.value() == "terlambat":
            return queryset.open().filter(assigned_to=request.user, due_on__lt=timezone.localdate())
        return queryset


@admin.register(Ticket)
class TicketAdmin(ServiceOnlyChangeMixin, admin.ModelAdmin):
    list_display = ["number", "category", "status", "level", "regency", "assigned_to", "due_on", "sla_left", "filed_at"]
    list_filter = [HandlingFilter, "status", "category", "level", "is_sensitive"]
    list_select_related = ["category", "regency", "assigned_to"]
    search_fields = ["=number"]
    readonly_fields = [
        "number",
        "category",
        "status",
        "level",
        "filed_by",
        "filed_at",
        "due_on",
        "sla_left",
        "province",
        "regency",
        "group",
        "application",
        "tranche",
        "payment_check",
        "tranche_hold",
        "flag",
        "description",
        "attachment_links",
        "complainant",
        "assigned_to",
        "appeals",
        "resolution_note",
        "closed_at",
    ]
    fields = readonly_fields
    inlines = [HistoryInline]
    actions = ["investigate_selected", "uphold_selected", "not_uphold_selected", "reject_selected", "reassign_selected"]
    show_full_result_count = False
    ordering = ["due_on", "pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return Ticket.objects.visible_to(request.user).select_related("category", "regency", "assigned_to")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # filed by the public, a ketua or a verified phone (grievances.views)

    def has_change_permission(self, request: HttpRequest, obj: Ticket | None = None) -> bool:
        return False  # changed by the actions only

    def has_handle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.HANDLE_PERMISSION)

    @admin.display(description=_("sisa hari kerja"))
    def sla_left(self, ticket: Ticket) -> str:
        if ticket.is_closed:
            return "–"
        left = working_days_between(timezone.localdate(), ticket.due_on)
        return str(left) if left >= 0 else _("terlambat %(days)d") % {"days": -left}

    @admin.display(description=_("penahanan tahap berikutnya"))
    def tranche_hold(self, ticket: Ticket) -> str:
        holds = list(TrancheHold.objects.filter(source=services.hold_source(ticket)).order_by("-placed_at")[:1])
        if not holds:
            return "–"
        hold = holds[0]
        when = date_format(timezone.localtime(hold.placed_at), "DATETIME_FORMAT")
        if hold.released_at is None:
            return _("Ditahan sejak %(when)s: tahap berikutnya tidak masuk batch pembayaran.") % {"when": when}
        released = date_format(timezone.localtime(hold.released_at), "DATETIME_FORMAT")
        return _("Ditahan %(when)s, dilepas %(released)s.") % {"when": when, "released": released}

    @admin.display(description=_("verifikasi pembayaran"))
    def payment_check(self, ticket: Ticket) -> str:
        """The sampled payment whose answer opened this ticket, linked for those who may open it. The
        reverse relation, not an import: payment_checks depends on grievances, not the other way."""
        sample = getattr(ticket, "payment_check", None)
        return permitted_link(sample, site=self.admin_site) if sample is not None else "–"

    @admin.display(description=_("lampiran"))
    def attachment_links(self, ticket: Ticket) -> str:
        # Only shown on a ticket this officer sees (get_queryset); the file view checks it again.
        rows = [
            (reverse("grievances:officer_attachment", args=[pk]), name)
            for pk, name in ticket.attachments.values_list("pk", "original_name")
        ]
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', rows) if rows else "–"

    @admin.display(description=_("pelapor"))
    def complainant(self, ticket: Ticket) -> str:
        # Officers see who to call back, never a full number; an anonymous report has nothing to show.
        if ticket.filed_by == Ticket.Filer.ANONYMOUS:
            return str(_("Tanpa identitas"))
        parts = [ticket.get_filed_by_display(), ticket.complainant_name]
        if ticket.complainant_phone:
            parts.append(phone_masked(ticket.complainant_phone))
        return " · ".join(part for part in parts if part)

    # --- decisions ---------------------------------------------------------------------------------

    @admin.action(description=_("Mulai pemeriksaan tiket terpilih"), permissions=["handle"])
    def investigate_selected(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="investigate_selected",
                title=_("Mulai pemeriksaan"),
                form_class=NoteForm,
                run=lambda ticket, data: services.ticket_investigate(ticket=ticket, by=request.user, note=data["note"]),
                done_message=_("%(count)d tiket mulai diperiksa."),
            ),
        )

    @admin.action(description=_("Selesaikan: terbukti"), permissions=["handle"])
    def uphold_selected(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> TemplateResponse | None:
        return self._resolve(request, queryset, upheld=True)

    @admin.action(description=_("Selesaikan: tidak terbukti"), permissions=["handle"])
    def not_uphold_selected(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> TemplateResponse | None:
        return self._resolve(request, queryset, upheld=False)

    def _resolve(self, request: HttpRequest, queryset: QuerySet[Ticket], *, upheld: bool) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="uphold_selected" if upheld else "not_uphold_selected",
                title=_("Selesaikan: terbukti") if upheld else _("Selesaikan: tidak terbukti"),
                form_class=RequiredNoteForm,
                run=lambda ticket, data: services.ticket_resolve(
                    ticket=ticket, by=request.user, upheld=upheld, note=data["note"]
                ),
                done_message=_("%(count)d tiket diselesaikan."),
            ),
        )

    @admin.action(description=_("Tolak tiket terpilih"), permissions=["handle"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="reject_selected",
                title=_("Tolak tiket"),
                form_class=RequiredNoteForm,
                run=lambda ticket, data: services.ticket_reject(ticket=ticket, by=request.user, note=data["note"]),
                done_message=_("%(count)d tiket ditolak."),
            ),
        )

    @admin.action(description=_("Alihkan ke petugas lain"), permissions=["handle"])
    def reassign_selected(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="reassign_selected",
                title=_("Alihkan tiket"),
                form_class=ReassignForm,
                run=lambda ticket, data: services.ticket_reassign(
                    ticket=ticket, by=request.user, to=data["officer"], note=data["note"]
                ),
                done_message=_("%(count)d tiket dialihkan."),
            ),
        )

    def _decide(self, request: HttpRequest, queryset: QuerySet[Ticket], decision: Decision) -> TemplateResponse | None:
        return confirm_then_run(
            self,
            request,
            queryset,
            decision,
            template="admin/grievances/ticket/decision_confirmation.html",
            label=str,
            limit=MAX_DECISIONS,
        )
