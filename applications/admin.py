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
from regions.admin import RegionScopedAdminMixin


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
class ApplicationAdmin(RegionScopedAdminMixin, SimpleHistoryAdmin):
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


# --- Disnaker member lists: upload → preview (dry run) → confirm → progress -------------------------

# Imports of this section are kept here, with it, so that it merges apart from the code above.
from django import forms  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.http import FileResponse, Http404, HttpResponse  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402
from django.urls import path  # noqa: E402

from applications import member_lists  # noqa: E402
from applications.models import MemberListImport  # noqa: E402
from applications.resources import member_list_template  # noqa: E402
from regions.scope import region_scope_of  # noqa: E402


class MemberListUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas daftar anggota (CSV atau XLSX)"),
        help_text=_("Satu baris per anggota, kolom sesuai templat."),
    )


@admin.register(MemberListImport)
class MemberListImportAdmin(admin.ModelAdmin):
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

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
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
