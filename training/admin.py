"""Officers' admin for training: events are created here (through ``training.services``); every other
row — invitations, participants, attendance, imports — is written by the services and shown read-only,
with links to the organiser's pages where the work is done."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications.models import TransitionError
from jps_portal.admin_readonly import NoRevertHistoryAdmin, ReadOnlyAdminMixin
from regions.admin import RegionScopedAdminMixin
from regions.scope import region_scope_of
from training import services
from training.models import (
    Attendance,
    AttendanceImport,
    Invitation,
    Participant,
    TrainingEvent,
    TrainingEventStatusChange,
    TrainingSession,
)


class SessionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TrainingSession
    fields = ["number", "day", "title", "checkin_code"]
    readonly_fields = fields
    extra = 0


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TrainingEventStatusChange
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(TrainingEvent)
class TrainingEventAdmin(NoRevertHistoryAdmin):
    list_display = ["title", "year", "starts_on", "ends_on", "format", "status", "page_link"]
    list_filter = ["year", "format", "status"]
    search_fields = ["title", "venue"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]
    inlines = [SessionInline, StatusChangeInline]
    actions = ["open_events", "mark_held"]
    fields = [
        "year", "title", "description", "starts_on", "ends_on", "format", "venue", "regency", "online_link",
        "capacity_offline", "capacity_online", "status",
    ]  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: TrainingEvent | None = None) -> list[str]:
        # Created through the form (services.event_create); afterwards only the actions change it.
        return self.fields if obj is not None else ["status"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TrainingEvent, form: object, change: bool) -> None:
        if change:
            return
        created = services.event_create(
            year=obj.year,
            title=obj.title,
            description=obj.description,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            format=obj.format,
            venue=obj.venue,
            regency_id=obj.regency_id,
            online_link=obj.online_link,
            capacity_offline=obj.capacity_offline,
            capacity_online=obj.capacity_online,
            by=request.user,
        )
        obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: object, formsets: list, change: bool) -> None:
        """Sessions are made by the service; the read-only inlines have nothing to save."""

    @admin.display(description=_("halaman acara"))
    def page_link(self, event: TrainingEvent) -> str:
        return format_html('<a href="{}">{}</a>', reverse("training:event", args=[event.pk]), _("buka"))

    @admin.action(description=_("Buka undangan acara terpilih"), permissions=["change"])
    def open_events(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, lambda event: services.event_open(event=event, by=request.user))

    @admin.action(description=_("Tandai acara terpilih sudah terlaksana"), permissions=["change"])
    def mark_held(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, lambda event: services.event_mark_held(event=event, by=request.user))

    def _each(self, request: HttpRequest, queryset: QuerySet, run: object) -> None:
        done = 0
        for event in queryset:
            try:
                run(event)
                done += 1
            except (ValidationError, TransitionError) as error:
                self.message_user(
                    request, f"{event}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )
        if done:
            self.message_user(request, _("%(count)d acara diperbarui.") % {"count": done}, messages.SUCCESS)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, admin.ModelAdmin):
    scope_province_path = "group__regency__province"
    scope_regency_path = "group__regency"
    list_display = ["event", "group", "invited_at", "notified_at", "registered_at"]
    list_filter = ["event"]
    search_fields = ["=group__code", "group__name"]
    list_select_related = ["event", "group"]
    show_full_result_count = False


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, NoRevertHistoryAdmin):
    scope_province_path = "invitation__group__regency__province"
    scope_regency_path = "invitation__group__regency"
    list_display = ["event", "member", "mode", "registered_at"]
    list_filter = ["event", "mode"]
    search_fields = ["=member__nik", "=invitation__group__code"]
    list_select_related = ["event", "member"]
    show_full_result_count = False


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdminMixin, RegionScopedAdminMixin, NoRevertHistoryAdmin):
    scope_province_path = "participant__invitation__group__regency__province"
    scope_regency_path = "participant__invitation__group__regency"
    list_display = ["session", "member", "mode", "source", "recorded_by", "recorded_at"]
    list_filter = ["event", "mode", "source"]
    search_fields = ["=member__nik"]
    list_select_related = ["session__event", "member", "recorded_by"]
    show_full_result_count = False


@admin.register(AttendanceImport)
class AttendanceImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["uploaded_at", "event", "original_name", "outcome", "rows_added", "rows_existing", "error_count"]
    list_filter = ["outcome", "event"]
    list_select_related = ["event"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # An import's errors quote NIKs from anywhere in the file: only its uploader and national staff.
        queryset = super().get_queryset(request)
        if region_scope_of(request.user).national:
            return queryset
        return queryset.filter(uploaded_by=request.user)
