"""Officers' corrections: propose (from a funded group's or member's page), list, confirm or reject
(actions with a confirmation page). Region-scoped; every write goes through ``corrections.services``."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from corrections import services
from corrections.forms import BankAccountCorrectionForm, DecisionNoteForm, MemberIdentityCorrectionForm, RejectionForm
from corrections.models import Correction, CorrectionStatusChange
from groups.models import Group, Member
from jps_portal.admin_actions import Decision, confirm_then_run
from jps_portal.admin_guards import ServiceOnlyChangeMixin
from jps_portal.list_defaults import OpensOnWorkAdminMixin, StatusOpensOnWorkFilter
from regions.admin import RegionScopedAdminMixin
from regions.scope import scope_filter

# An officer decides on at most this many corrections at once: each one is read and checked.
MAX_DECISIONS = 50
FIELD_LABELS = {
    "bank": _("bank"),
    "account_number": _("nomor rekening"),
    "account_holder": _("nama pemilik rekening"),
    "nik": _("NIK"),
    "name": _("nama"),
    "birth_date": _("tanggal lahir"),
}


class StatusChangeInline(admin.TabularInline):
    model = CorrectionStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(Correction)
class CorrectionAdmin(OpensOnWorkAdminMixin, RegionScopedAdminMixin, ServiceOnlyChangeMixin, admin.ModelAdmin):
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    list_display = ["pk", "kind", "group", "member", "changes", "status", "proposed_by", "proposed_at", "decided_by"]
    list_filter = [StatusOpensOnWorkFilter, "kind"]
    list_select_related = ["group", "member", "proposed_by", "decided_by"]
    search_fields = ["=group__code", "group__name", "=member__nik"]
    readonly_fields = [
        "kind",
        "status",
        "group",
        "member",
        "changes",
        "reason",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    fields = readonly_fields
    service_only_fields = (
        "kind",
        "status",
        "group",
        "member",
        "old_values",
        "new_values",
        "reason",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "decision_note",
    )
    inlines = [StatusChangeInline]
    actions = ["confirm_selected", "reject_selected"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # proposed from the group's or the member's page (propose views below)

    def has_change_permission(self, request: HttpRequest, obj: Correction | None = None) -> bool:
        return False  # decided by the actions, never edited

    def has_confirm_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.CONFIRM_PERMISSION)

    @admin.display(description=_("perubahan"))
    def changes(self, correction: Correction) -> str:
        parts = []
        for name in Correction.FIELDS[correction.kind]:
            old, new = correction.old_values.get(name, ""), correction.new_values.get(name, "")
            if old != new:
                parts.append(f"{FIELD_LABELS[name]}: {old or '∅'} → {new}")
        return "; ".join(parts)

    # --- decisions ---------------------------------------------------------------------------------

    @admin.action(description=_("Konfirmasi dan terapkan koreksi terpilih"), permissions=["confirm"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Correction]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="confirm_selected",
                title=_("Konfirmasi koreksi data"),
                form_class=DecisionNoteForm,
                run=lambda correction, data: services.correction_confirm(
                    correction=correction, by=request.user, note=data["note"]
                ),
                done_message=_("%(count)d koreksi dikonfirmasi dan diterapkan."),
            ),
        )

    @admin.action(description=_("Tolak koreksi terpilih"), permissions=["confirm"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Correction]) -> TemplateResponse | None:
        return self._decide(
            request,
            queryset,
            Decision(
                action="reject_selected",
                title=_("Tolak koreksi data"),
                form_class=RejectionForm,
                run=lambda correction, data: services.correction_reject(
                    correction=correction, by=request.user, note=data["note"]
                ),
                done_message=_("%(count)d koreksi ditolak."),
            ),
        )

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Correction], decision: Decision
    ) -> TemplateResponse | None:
        return confirm_then_run(
            self,
            request,
            queryset.select_related("group", "member", "proposed_by"),
            decision,
            template="admin/corrections/correction/decision_confirmation.html",
            label=str,
            limit=MAX_DECISIONS,
        )

    # --- proposals -----------------------------------------------------------------------------------

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "usul/rekening/<int:group_id>/",
                wrap(self.propose_bank_account_view),
                name="corrections_correction_propose_bank_account",
            ),
            path(
                "usul/identitas/<int:member_id>/",
                wrap(self.propose_member_identity_view),
                name="corrections_correction_propose_member_identity",
            ),
            *super().get_urls(),
        ]

    def propose_bank_account_view(self, request: HttpRequest, group_id: int) -> HttpResponse:
        group = get_object_or_404(_scoped_groups(request), pk=group_id)
        current = {
            "bank": group.bank_id,
            "account_number": group.account_number,
            "account_holder": group.account_holder,
        }
        return self._propose(
            request,
            form=BankAccountCorrectionForm(_post(request), initial=current),
            group=group,
            member=None,
            current=[(FIELD_LABELS[name], str(value or "∅")) for name, value in current.items()],
            title=_t("Usulkan koreksi rekening: %(group)s") % {"group": group},
            save=lambda data: services.correction_propose_bank_account(
                group=group,
                by=request.user,
                bank_id=data["bank"].pk,
                account_number=data["account_number"],
                account_holder=data["account_holder"],
                reason=data["reason"],
            ),
        )

    def propose_member_identity_view(self, request: HttpRequest, member_id: int) -> HttpResponse:
        members = Member.objects.select_related("group__regency")
        member = get_object_or_404(
            scope_filter(members, request.user, province="group__regency__province", regency="group__regency"),
            pk=member_id,
        )
        current = {"nik": member.nik, "name": member.name, "birth_date": member.birth_date}
        return self._propose(
            request,
            form=MemberIdentityCorrectionForm(_post(request), initial=current),
            group=member.group,
            member=member,
            current=[(FIELD_LABELS[name], str(value)) for name, value in current.items()],
            title=_t("Usulkan koreksi identitas: %(member)s") % {"member": member.name},
            save=lambda data: services.correction_propose_member_identity(
                member=member,
                by=request.user,
                nik=data["nik"],
                name=data["name"],
                birth_date=data["birth_date"],
                reason=data["reason"],
            ),
        )

    def _propose(
        self,
        request: HttpRequest,
        *,
        form: Form,
        group: Group,
        member: Member | None,
        current: list[tuple[str, str]],
        title: str,
        save: Callable[[dict], Correction],
    ) -> HttpResponse:
        if not services.correction_may_propose(group=group, by=request.user):
            raise PermissionDenied
        if request.method == "POST" and form.is_valid():
            try:
                correction = save(form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                _form_errors(form, error)
            else:
                self.message_user(
                    request,
                    _t("Usulan koreksi #%(pk)s dikirim; petugas lain memeriksa dan mengonfirmasinya.")
                    % {"pk": correction.pk},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:corrections_correction_change", args=[correction.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "group": group,
            "member": member,
            "current": current,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/corrections/correction/propose.html", context, status=status)


def _scoped_groups(request: HttpRequest) -> QuerySet[Group]:
    groups = Group.objects.select_related("regency", "bank")
    return scope_filter(groups, request.user, province="regency__province", regency="regency")


def _post(request: HttpRequest) -> object:
    return request.POST if request.method == "POST" else None


def _form_errors(form: Form, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, field_errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, field_errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, str(error))
