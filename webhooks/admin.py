"""Webhook subscriptions and their delivery log, for national staff only (like the partner clients
they belong to: a client's events come from every region in its scope).

Writes go through ``webhooks.services``: a subscription is saved by ``subscription_save`` (a new one's
secret is shown once, on the page that answers the save), secrets are rotated and deliveries sent
again by admin actions. Deliveries and their attempts are read-only."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.admin import NationalStaffOnlyMixin
from webhooks import services
from webhooks.models import EVENT_CHOICES, Delivery, DeliveryAttempt, Subscription

_ISSUED = "_webhook_secret_issued"


class SubscriptionForm(forms.ModelForm):
    target_url = forms.URLField(label=_("URL penerima"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=_("Peristiwa"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Subscription
        fields = ["client", "target_url", "events", "is_active"]


def _secret_page(request: HttpRequest, issued: list[services.IssuedSecret], title: str) -> TemplateResponse:
    response = TemplateResponse(
        request,
        "admin/webhooks/secret_issued.html",
        {**admin.site.each_context(request), "title": title, "issued": issued, "opts": Subscription._meta},
    )
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@admin.register(Subscription)
class SubscriptionAdmin(NationalStaffOnlyMixin, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["client", "target_url", "event_list", "is_active", "secret_issued_at", "delivery_log"]
    list_filter = ["is_active", "client"]
    list_select_related = ["client"]
    search_fields = ["client__name", "target_url"]
    autocomplete_fields = ["client"]
    readonly_fields = ["secret_issued_at", "created_at", "created_by"]
    actions = ["rotate_secret"]

    @admin.display(description=_("Peristiwa"))
    def event_list(self, subscription: Subscription) -> str:
        return ", ".join(subscription.events)

    @admin.display(description=_("Log pengiriman"))
    def delivery_log(self, subscription: Subscription) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?subscription__id__exact={subscription.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Lihat"))

    def save_model(self, request: HttpRequest, obj: Subscription, form: SubscriptionForm, change: bool) -> None:
        issued = services.subscription_save(subscription=obj, by=request.user)
        if issued is not None:
            setattr(request, _ISSUED, issued)

    def response_add(
        self, request: HttpRequest, obj: Subscription, post_url_continue: str | None = None
    ) -> HttpResponse:
        issued = getattr(request, _ISSUED, None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(request, [issued], gettext("Rahasia webhook baru"))

    @admin.action(description=_("Ganti rahasia penandatangan"), permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> TemplateResponse:
        issued = [services.subscription_secret_rotate(subscription=s, by=request.user) for s in queryset]
        return _secret_page(request, issued, gettext("Rahasia webhook pengganti"))


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["attempted_at", "succeeded", "status_code", "error", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(NationalStaffOnlyMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "event_type",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event__type", "subscription"]
    list_select_related = ["event", "subscription__client"]
    search_fields = ["=event__id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    @admin.display(description=_("Peristiwa"), ordering="event__type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.get_type_display()

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field.name for field in Delivery._meta.fields if field.name != "claimed_until"] + ["payload"]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return self.get_readonly_fields(request, obj)

    @admin.display(description=_("Isi yang dikirim"))
    def payload(self, delivery: Delivery) -> str:
        return format_html("<pre>{}</pre>", services.body_of(delivery.event).decode())

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return self._national(request) and request.user.has_perm("webhooks.redeliver_delivery")

    @admin.action(description=_("Kirim ulang"), permissions=["redeliver"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        done = 0
        for delivery in queryset:
            try:
                services.delivery_redeliver(delivery=delivery, by=request.user)
                done += 1
            except services.WebhookError as refusal:
                self.message_user(request, f"{delivery}: {refusal}", messages.ERROR)
        if done:
            message = gettext("%(count)d pengiriman dijadwalkan ulang.") % {"count": done}
            self.message_user(request, message, messages.SUCCESS)
