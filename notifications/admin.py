"""The outbox, read-only: what was sent to whom, when, and every delivery attempt. The one write an
officer may make is to queue a message that gave up once more (through the service)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import services
from notifications.models import Message, MessageAttempt


class MessageAttemptInline(admin.TabularInline):
    model = MessageAttempt
    fields = ["attempted_at", "succeeded", "provider_reference", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "to", "template", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["=to", "=provider_reference"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "channel",
        "to",
        "template",
        "language",
        "subject",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "expires_at",
        "sent_at",
        "provider_reference",
        "last_error",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [MessageAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.resend_message")

    @admin.action(description=_("Kirim ulang pesan yang gagal"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        queued = 0
        for message in queryset[:500]:
            try:
                services.message_resend(message=message, by=request.user)
            except ValueError as error:
                self.message_user(request, f"#{message.pk}: {error}", messages.ERROR)
            else:
                queued += 1
        if queued:
            text = ngettext("%(count)d pesan diantrekan ulang.", "%(count)d pesan diantrekan ulang.", queued)
            self.message_user(request, text % {"count": queued}, messages.SUCCESS)
