import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications import member_lists, services
from applications.forms import DecisionNoteForm, RejectionForm, RevisionRequestForm
from applications.integrity import flags_acknowledge
from applications.models import (
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    Flag,
    MemberListImport,
    Scheme,
    SchemeQuota,
    SubmissionIntake,
    SubmissionIntakeDocument,
    TransitionError,
)
from applications.money import format_rupiah
from applications.resources import ApplicationResource, member_list_template
from applications.services import application_members_panel
from groups.admin import SchemeYearFilter
from groups.models import Member
from groups.nik import NIK_SEARCH
from jps_portal.admin_actions import Decision, confirm_then_run
from jps_portal.admin_guards import ServiceOnlyChangeMixin, ServiceOnlyHistoryAdmin
from jps_portal.admin_site import request_being_served
from jps_portal.list_defaults import OpensOnWorkAdminMixin, OpensOnWorkFilter, StatusOpensOnWorkFilter
from jps_portal.paging import CappedCountPaginator
from regions.admin import RegionScopedAdminMixin
from regions.models import Province, Regency
from regions.scope import region_scope_of, scope_filter
from spreadsheets.admin import SpreadsheetExportAdminMixin

Status = Application.Status
REFERENCE_SEARCH = re.compile(r"JPS-[0-9]{4}-[A-Z]{3}-[0-9]{2}-[0-9]{6}")


class SchemeQuotaForm(forms.ModelForm):
    """A quota never drops below what its province has already had approved (groups and rupiah)."""

    class Meta:
        model = SchemeQuota
        fields = ["province", "groups", "budget"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            problem = services.scheme_quota_below_use(
                self.instance, groups=cleaned.get("groups"), budget=cleaned.get("budget")
            )
            if problem:
                raise ValidationError(problem)
        return cleaned


class SchemeQuotaInline(admin.TabularInline):
    model = SchemeQuota
    form = SchemeQuotaForm
    extra = 0
    autocomplete_fields = ["province"]
    # A quota row holds the approvals counted against it: lowered (never below use), never removed.
    can_delete = False

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        # An existing row's province is its identity: the approvals were counted against it.
        return ["province"] if obj is not None and obj.quotas.exists() else []


@admin.register(Scheme)
class SchemeAdmin(ServiceOnlyHistoryAdmin):
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

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        # Once an application under the scheme is approved, its money rules are what the tranches,
        # quotas and reports were computed from: they stay as they were.
        frozen = services.scheme_frozen_fields(obj) if obj is not None else ()
        return [*super().get_readonly_fields(request, obj), *frozen]

    @admin.display(description=_("bantuan per kelompok"), ordering="amount_per_group")
    def amount(self, scheme: Scheme) -> str:
        return format_rupiah(scheme.amount_per_group)


class StatusChangeInline(admin.TabularInline):
    model = ApplicationStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reasons", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["changed_at", "pk"]

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description=_("alasan"))
    def reasons(self, change: ApplicationStatusChange) -> str:
        return "; ".join(change.reason_labels) or "-"


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    fields = ["kind", "open_link", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    @admin.display(description=_("berkas"))
    def open_link(self, document: ApplicationDocument) -> str:
        # Served by the portal's document view, which checks the officer's region scope again.
        url = reverse("applications:document", args=[document.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Buka"))


# An officer acts on at most this many applications at once: each decision locks rows and sends mail.
MAX_DECISIONS_PER_ACTION = 500


class ProvinceInScopeFilter(admin.SimpleListFilter):
    """Provinces, but only those the officer may see."""

    title = _("provinsi")
    parameter_name = "province"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        provinces = scope_filter(Province.objects.all(), request.user, province="code", regency="regencies__code")
        return [(p.code, p.name) for p in provinces.distinct().order_by("code")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(province_id=self.value()) if self.value() else queryset


class RegencyFilter(admin.SimpleListFilter):
    """Regencies of the chosen province (514 at once would be a wall): pick a province first."""

    title = _("kabupaten/kota")
    parameter_name = "regency"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        province = request.GET.get(ProvinceInScopeFilter.parameter_name)
        scope = region_scope_of(request.user)
        regencies = Regency.objects.filter(in_current=True)
        if province:
            regencies = regencies.filter(province_id=province)
        elif scope.national or scope.province_codes:
            return []
        regencies = scope_filter(regencies, request.user, province="province", regency="code")
        return [(r.code, r.name) for r in regencies.order_by("code")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(group__regency_id=self.value()) if self.value() else queryset


class GroupFlagsFilter(admin.SimpleListFilter):
    title = _("temuan")
    parameter_name = "flags"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("block", _("Ada temuan blokir")),
            ("open", _("Ada temuan terbuka")),
            ("none", _("Tanpa temuan terbuka")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        open_flags = Flag.objects.filter(group_id=OuterRef("group_id"), resolved_at__isnull=True)
        if self.value() == "block":
            return queryset.filter(Exists(open_flags.filter(severity=Flag.Severity.BLOCK)))
        if self.value() == "open":
            return queryset.filter(Exists(open_flags))
        if self.value() == "none":
            return queryset.filter(~Exists(open_flags))
        return queryset


@admin.register(Application)
class ApplicationAdmin(
    OpensOnWorkAdminMixin, RegionScopedAdminMixin, SpreadsheetExportAdminMixin, ServiceOnlyHistoryAdmin
):
    resource_classes = [ApplicationResource]  # export (CSV/XLSX, streamed too): spreadsheets.admin
    scope_province_path = "province"
    scope_regency_path = "group__regency"
    # Status first after the reference: it is what an officer scans for, and never behind a scroll.
    list_display = ["reference", "status", "group", "scheme", "province", "regency", "requested", "submitted_at"]
    list_filter = [
        StatusOpensOnWorkFilter,
        "scheme",
        "scheme__programme",
        SchemeYearFilter,
        ProvinceInScopeFilter,
        RegencyFilter,
        GroupFlagsFilter,
    ]
    list_select_related = ["group__regency", "scheme", "province"]
    # A reference or a 16-digit NIK is matched exactly on its index (see get_search_results).
    search_fields = ["group__name"]
    search_help_text = _("Nomor pendaftaran, NIK anggota (16 digit), atau nama/kode kelompok.")
    # Status, amounts, scheme and group move only through the decision services.
    service_only_fields = (
        "reference",
        "group",
        "scheme",
        "province",
        "status",
        "requested_amount",
        "approved_amount",
        "submitted_at",
        "decided_at",
    )
    readonly_fields = [
        "reference",
        "group_link",
        "scheme",
        "province",
        "status",
        "requested",
        "approved",
        "submitted_at",
        "decided_at",
        "created_at",
        "updated_at",
        "members_and_flags",
    ]
    tkm_proposal_fields = ["business_type", "business_plan", "equipment_budget", "materials_budget"]
    padat_karya_proposal_fields = [
        "work_site",
        "work_plan",
        "planned_days",
        "workers_pekerja",
        "workers_tukang",
        "workers_ketua",
        "wage_budget",
    ]
    inlines = [DocumentInline, StatusChangeInline]
    actions = ["verify_selected", "request_revision_selected", "approve_selected", "reject_selected"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.ALLOW

    class Media:
        css = {"all": ["css/admin.css"]}

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False  # groups apply through the portal or a Disnaker list import

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        # The proposal is the group's: officers read it and send it back for revision, never rewrite it.
        return [
            *super().get_readonly_fields(request, obj),
            *self.tkm_proposal_fields,
            *self.padat_karya_proposal_fields,
        ]

    def get_fieldsets(self, request, obj=None):  # noqa: ANN001, ANN201
        # Only the proposal fields of the application's own programme.
        padat_karya = obj is not None and obj.scheme.is_padat_karya
        return [
            (None, {"fields": ["reference", "group_link", "scheme", "province", "status"]}),
            (_("Nilai"), {"fields": ["requested", "approved"]}),
            (
                _("Proposal"),
                {"fields": self.padat_karya_proposal_fields if padat_karya else self.tkm_proposal_fields},
            ),
            (_("Anggota dan temuan"), {"fields": ["members_and_flags"]}),
            (_("Waktu"), {"fields": ["submitted_at", "decided_at", "created_at", "updated_at"]}),
        ]

    @admin.display(description=_("anggaran upah (HOK)"))
    def wage_budget(self, application: Application) -> str:
        return format_rupiah(services.application_wage_budget(application))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        application = self.get_object(request, object_id)
        actions = self._decision_actions(request, application) if application else []
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "decision_actions": actions})

    def _decision_actions(self, request: HttpRequest, application: Application) -> list[tuple[str, str]]:
        """The decisions this officer may take on this application now, as (action, label) buttons."""
        user, status = request.user, application.status
        verifier, approver = user.has_perm(services.VERIFY_PERMISSION), user.has_perm(services.APPROVE_PERMISSION)
        buttons = []
        if status == Status.SUBMITTED and verifier:
            buttons += [("verify_selected", _("Verifikasi")), ("request_revision_selected", _("Minta perbaikan"))]
        if status == Status.VERIFIED and approver:
            buttons.append(("approve_selected", _("Setujui")))
        if status == Status.VERIFIED and approver and verifier:  # the service asks the verifikator's right
            buttons.append(("request_revision_selected", _("Minta perbaikan")))
        if (status == Status.SUBMITTED and verifier) or (status == Status.VERIFIED and approver):
            buttons.append(("reject_selected", _("Tolak")))
        return buttons

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Application], search_term: str
    ) -> tuple[QuerySet[Application], bool]:
        term = search_term.strip()
        if NIK_SEARCH.fullmatch(term):
            # Exact NIK on the (nik, year) index; Exists keeps one row per application.
            return queryset.filter(Exists(Member.objects.filter(group_id=OuterRef("group_id"), nik=term))), False
        if REFERENCE_SEARCH.fullmatch(term.upper()):
            return queryset.filter(reference=term.upper()), False
        by_group_code = queryset.filter(group__code=term)
        if term and by_group_code.exists():
            return by_group_code, False
        return super().get_search_results(request, queryset, term)

    @admin.display(description=_("kabupaten/kota"), ordering="group__regency__name")
    def regency(self, application: Application) -> str:
        return application.group.regency.name

    @admin.display(description=_("nilai diajukan"), ordering="requested_amount")
    def requested(self, application: Application) -> str:
        return format_rupiah(application.requested_amount)

    @admin.display(description=_("nilai disetujui"))
    def approved(self, application: Application) -> str:
        return format_rupiah(application.approved_amount) if application.approved_amount is not None else "-"

    @admin.display(description=_("kelompok"))
    def group_link(self, application: Application) -> str:
        url = reverse("admin:groups_group_change", args=[application.group_id])
        return format_html('<a href="{}">{} ({})</a>', url, application.group.name, application.group.code)

    @admin.display(description=_("anggota"))
    def members_and_flags(self, application: Application) -> str:
        # A NIK links to the member's page only for roles that may open it (the director may not).
        request = request_being_served()
        may_open_members = request is not None and request.user.has_perm("groups.view_member")
        return render_to_string(
            "admin/applications/application/members_and_flags.html",
            {**application_members_panel(application), "link_members": may_open_members},
        )

    # --- decisions: each opens a confirmation page, then calls the service for every selected row ---

    # Each decision is offered only to the roles its service accepts (verify and revision: verifikator;
    # approve: PPK; rejection: either), never as a button that can only be refused.
    def has_verify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.VERIFY_PERMISSION)

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.APPROVE_PERMISSION)

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return self.has_verify_permission(request) or self.has_approve_permission(request)

    @admin.action(description=_("Verifikasi pengajuan terpilih"), permissions=["verify"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="verify_selected",
                title=_("Verifikasi pengajuan"),
                form_class=DecisionNoteForm,
                run=lambda application, data: services.application_verify(
                    application=application, by=request.user, note=data["note"]
                ),
                done_message=_("%(count)d pengajuan diverifikasi."),
            ),
        )

    @admin.action(description=_("Minta perbaikan pengajuan terpilih"), permissions=["verify"])
    def request_revision_selected(
        self, request: HttpRequest, queryset: QuerySet[Application]
    ) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="request_revision_selected",
                title=_("Minta perbaikan"),
                form_class=RevisionRequestForm,
                run=lambda application, data: services.application_request_revision(
                    application=application, by=request.user, reason_codes=data["reason_codes"], note=data["note"]
                ),
                done_message=_("%(count)d pengajuan dikembalikan untuk perbaikan."),
            ),
        )

    @admin.action(description=_("Setujui pengajuan terpilih"), permissions=["approve"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="approve_selected",
                title=_("Setujui pengajuan"),
                form_class=DecisionNoteForm,
                run=lambda application, data: services.application_approve(
                    application=application, by=request.user, note=data["note"]
                ),
                done_message=_("%(count)d pengajuan disetujui."),
            ),
        )

    @admin.action(description=_("Tolak pengajuan terpilih"), permissions=["decide"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="reject_selected",
                title=_("Tolak pengajuan"),
                form_class=RejectionForm,
                run=lambda application, data: services.application_reject(
                    application=application, by=request.user, reason_code=data["reason_code"], note=data["note"]
                ),
                done_message=_("%(count)d pengajuan ditolak."),
            ),
        )

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Application], decision: Decision
    ) -> TemplateResponse | None:
        return confirm_then_run(
            self,
            request,
            queryset.select_related("group", "scheme", "province"),
            decision,
            template="admin/applications/application/decision_confirmation.html",
            label=lambda application: application.reference,
            limit=MAX_DECISIONS_PER_ACTION,
        )


class FlagStateFilter(OpensOnWorkFilter):
    """Opens on the open findings (what needs an officer); "Semua" shows the closed ones too."""

    title = _("keadaan")
    parameter_name = "keadaan"

    @classmethod
    def default_for(cls, request, model):  # noqa: ANN001, ANN206
        return "terbuka"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201
        return [
            ("terbuka", _("Terbuka")),
            ("diakui", _("Diakui petugas")),
            ("diperbaiki", _("Selesai otomatis (data diperbaiki)")),
        ]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201
        return {
            "terbuka": queryset.filter(resolved_at__isnull=True),
            "diakui": queryset.filter(cleared_by__isnull=False),
            "diperbaiki": queryset.filter(resolved_at__isnull=False, cleared_by__isnull=True),
        }.get(self.chosen(), queryset)


class FlagAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text=_('Wajib: mengapa temuan ini dapat diterima, mis. "KTP sudah dicek langsung".'),
    )


@admin.register(Flag)
class FlagAdmin(OpensOnWorkAdminMixin, RegionScopedAdminMixin, ServiceOnlyHistoryAdmin):
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    list_display = ["rule", "severity", "group", "member", "raised_at", "resolved_at", "cleared_by", "cleared_at"]
    list_filter = [FlagStateFilter, "severity", "rule", ("group__regency__province", admin.RelatedFieldListFilter)]
    list_select_related = ["group", "member", "cleared_by"]
    search_fields = ["=group__code", "member__nik__exact"]
    readonly_fields = [
        "group",
        "member",
        "rule",
        "severity",
        "evidence",
        "raised_at",
        "resolved_at",
        "cleared_by",
        "cleared_at",
        "clear_note",
    ]
    # A finding is closed by fixing the data or acknowledging it (flag_acknowledge), never erased.
    service_only_fields = tuple(readonly_fields)
    actions = ["acknowledge_selected"]
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    @admin.action(description=_("Tandai sudah ditinjau / akui peringatan"), permissions=["change"])
    def acknowledge_selected(self, request: HttpRequest, queryset: QuerySet[Flag]) -> TemplateResponse | None:
        """First a confirmation page asking for the note; then the service for each flag, each
        refusal reported on its own."""
        form = FlagAcknowledgeForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if not form.is_valid():
            return self._acknowledge_confirmation(request, queryset, form)
        flags = list(queryset.select_related("group"))
        refused = flags_acknowledge(flags=flags, by=request.user, note=form.cleaned_data["note"])
        for flag in flags:
            if flag.pk in refused:
                self.message_user(
                    request, f"{flag.group.code} — {flag.get_rule_display()}: {refused[flag.pk]}", messages.ERROR
                )
        if len(flags) > len(refused):
            self.message_user(
                request, _("%(count)d temuan diakui.") % {"count": len(flags) - len(refused)}, messages.SUCCESS
            )
        return None

    def _acknowledge_confirmation(
        self, request: HttpRequest, queryset: QuerySet[Flag], form: FlagAcknowledgeForm
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Akui temuan terpilih"),
            "opts": self.model._meta,
            "flags": queryset.select_related("group", "member"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "acknowledge_selected",
            "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/applications/flag/acknowledge_confirmation.html", context)


@admin.register(ApplicationStatusChange)
class ApplicationStatusChangeAdmin(RegionScopedAdminMixin, ServiceOnlyChangeMixin, admin.ModelAdmin):
    scope_province_path = "application__province"
    scope_regency_path = "application__group__regency"
    list_display = ["application", "from_status", "to_status", "changed_by", "changed_at", "reason_code"]
    list_filter = ["to_status"]
    list_select_related = ["application", "changed_by"]
    search_fields = ["=application__reference"]
    show_full_result_count = False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
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
class SubmissionIntakeAdmin(RegionScopedAdminMixin, ServiceOnlyChangeMixin, admin.ModelAdmin):
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


# --- Disnaker member lists: upload → preview (dry run) → confirm → progress -------------------------


class MemberListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas daftar anggota (CSV atau XLSX)"),
        help_text=_("Satu baris per anggota, kolom sesuai templat."),
    )


@admin.register(MemberListImport)
class MemberListImportAdmin(ServiceOnlyChangeMixin, admin.ModelAdmin):
    """Member lists from Disnaker offices. The pages are custom views; every one of them looks the
    job up through ``get_queryset``, so a job outside the officer's region is a 404."""

    list_display = [
        "original_name",
        "status",
        "uploaded_by",
        "province",
        "rows_total",
        "groups_new",
        "error_count",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["uploaded_by", "province"]
    change_list_template = "admin/applications/memberlistimport/change_list.html"
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[MemberListImport]:
        # Who may see a job: its uploader, and officers whose scope covers the list's only region.
        scope = region_scope_of(request.user).q(province="province", regency="regency")
        return super().get_queryset(request).filter(Q(uploaded_by=request.user) | scope)

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("unggah/", wrap(self.upload_view), name="applications_memberlistimport_upload"),
            path("templat.<str:file_format>", wrap(self.template_view), name="applications_memberlistimport_template"),
            path("<int:job_id>/periksa/", wrap(self.job_view), name="applications_memberlistimport_job"),
            path("<int:job_id>/impor/", wrap(self.confirm_view), name="applications_memberlistimport_confirm"),
            path("<int:job_id>/kesalahan.csv", wrap(self.errors_view), name="applications_memberlistimport_errors"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):  # noqa: ANN001, ANN201
        job = self._job_or_404(request, object_id)
        return redirect("admin:applications_memberlistimport_job", job.pk)

    def add_view(self, request, form_url="", extra_context=None):  # noqa: ANN001, ANN201
        # A job is made only by uploading a list (member_list_upload); the model form would let an
        # officer type a job's status and counts by hand.
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("admin:applications_memberlistimport_upload")

    def _job_or_404(self, request: HttpRequest, job_id: object) -> MemberListImport:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return self.get_queryset(request).select_related("uploaded_by").get(pk=int(job_id))
        except (MemberListImport.DoesNotExist, ValueError, TypeError):
            raise Http404 from None

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MemberListUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            # No surrounding transaction: each step commits on its own, so a failure is recorded on the
            # job (``failed``) instead of being rolled back with it.
            try:
                job = member_lists.member_list_upload(upload=form.cleaned_data["file"], by=request.user)
                member_lists.member_list_start(job=job, by=request.user)
            except member_lists.FileRefusedError as refused:
                form.add_error("file", refused.messages)
            else:
                return redirect("admin:applications_memberlistimport_job", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Unggah daftar anggota dari Disnaker"),
            "form": form,
            "columns": member_lists.COLUMNS,
            "max_mb": settings.MEMBER_LIST_MAX_BYTES // 1_048_576,
        }
        return TemplateResponse(request, "admin/applications/memberlistimport/upload.html", context)

    def template_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        if not self.has_view_permission(request) or file_format not in ("csv", "xlsx"):
            raise Http404
        content_types = {
            "csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
        response = HttpResponse(member_list_template(file_format), content_type=content_types[file_format])
        response["Content-Disposition"] = f'attachment; filename="templat-daftar-anggota.{file_format}"'
        return response

    def job_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job_or_404(request, job_id)
        done, total = member_lists.member_list_progress(job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Daftar anggota: %(name)s") % {"name": job.original_name},
            "job": job,
            "progress_done": done,
            "progress_total": total,
            "progress_percent": 100 * done // total if total else 0,
            "can_confirm": job.status == MemberListImport.Status.VALIDATED and self.has_add_permission(request),
            "errors_shown": job.errors,
            "errors_more": max(job.error_count - len(job.errors), 0),
        }
        return TemplateResponse(request, "admin/applications/memberlistimport/job.html", context)

    def confirm_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job_or_404(request, job_id)
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        try:
            queued = member_lists.member_list_confirm(job=job, by=request.user)
        except (ValidationError, TransitionError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text, messages.ERROR)
        else:
            job.refresh_from_db()
            if queued:
                self.message_user(request, _("Impor berjalan di latar belakang."), messages.INFO)
            elif job.status == MemberListImport.Status.IMPORTED:
                self.message_user(
                    request,
                    _("%(groups)d kelompok, %(members)d anggota dan %(applications)d pengajuan diimpor.")
                    % {"groups": job.groups_new, "members": job.members_new, "applications": job.applications_new},
                    messages.SUCCESS,
                )
        return redirect("admin:applications_memberlistimport_job", job.pk)

    def errors_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = self._job_or_404(request, job_id)
        if not job.errors_file:
            raise Http404
        response = FileResponse(job.errors_file.open("rb"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="kesalahan-impor-{job.pk}.csv"'
        return response
