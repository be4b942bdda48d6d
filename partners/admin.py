"""Partner clients, their API keys and their calls, for national staff only.

Every write goes through ``partners.services``: a client's form is saved by ``client_save``; keys
are issued, rotated and revoked by admin actions, and a new key's secret is shown once, on the page
the action answers with (never stored, never in a message that a session would keep)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners import services
from partners.models import ApiCall, ApiKey, Client, Scope
from regions.scope import region_scope_of


class NationalStaffOnlyMixin:
    """Partner systems read across regions: only staff with a national scope manage them."""

    def _national(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and region_scope_of(request.user).national

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._national(request) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._national(request) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return self._national(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._national(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # a client is deactivated, a key revoked: the call log keeps pointing at them


class ClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Hak akses"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Client
        fields = [
            "name",
            "contact",
            "is_active",
            "expires_at",
            "scopes",
            "scope_national",
            "scope_provinces",
            "scope_regencies",
            "rate_limit_per_minute",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        places = cleaned.get("scope_provinces") or cleaned.get("scope_regencies")
        if cleaned.get("scope_national") and places:
            raise forms.ValidationError(_("Pilih lingkup nasional, atau provinsi/kabupaten, tidak keduanya."))
        if not cleaned.get("scope_national") and not places:
            raise forms.ValidationError(_("Pilih lingkup wilayah: nasional, provinsi atau kabupaten/kota."))
        return cleaned


def _issued_page(request: HttpRequest, issued: list[services.IssuedKey], title: str) -> TemplateResponse:
    response = TemplateResponse(
        request,
        "admin/partners/api_key_issued.html",
        {**admin.site.each_context(request), "title": title, "issued": issued, "opts": ApiKey._meta},
    )
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@admin.register(Client)
class ClientAdmin(NationalStaffOnlyMixin, admin.ModelAdmin):
    form = ClientForm
    list_display = ["name", "is_active", "expires_at", "scope_summary", "rate_limit_per_minute"]
    list_filter = ["is_active", "scope_national"]
    search_fields = ["name", "contact"]
    filter_horizontal = ["scope_provinces", "scope_regencies"]
    actions = ["issue_key"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("scope_provinces", "scope_regencies")

    @admin.display(description=_("Lingkup wilayah"))
    def scope_summary(self, client: Client) -> str:
        if client.scope_national:
            return gettext("nasional")
        codes = [p.code for p in client.scope_provinces.all()] + [r.code for r in client.scope_regencies.all()]
        return ", ".join(codes) or "-"

    def save_model(self, request: HttpRequest, obj: Client, form: ClientForm, change: bool) -> None:
        pass  # saved with its region scope by save_related, through the service

    def save_related(self, request: HttpRequest, form: ClientForm, formsets: list, change: bool) -> None:
        services.client_save(
            client=form.instance,
            provinces=form.cleaned_data["scope_provinces"],
            regencies=form.cleaned_data["scope_regencies"],
            by=request.user,
        )

    @admin.action(description=_("Terbitkan kunci API baru"), permissions=["change"])
    def issue_key(self, request: HttpRequest, queryset: QuerySet[Client]) -> TemplateResponse:
        issued = [services.api_key_issue(client=client, by=request.user) for client in queryset]
        return _issued_page(request, issued, gettext("Kunci API baru"))


@admin.register(ApiKey)
class ApiKeyAdmin(NationalStaffOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "client", "state", "created_at", "created_by", "expires_at", "revoked_at"]
    list_filter = ["client"]
    list_select_related = ["client", "created_by"]
    search_fields = ["key_id", "client__name"]
    readonly_fields = [
        "client",
        "key_id",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "replaced_by",
    ]
    exclude = ["secret_hash"]
    actions = ["rotate", "revoke"]

    @admin.display(description=_("Keadaan"))
    def state(self, key: ApiKey) -> str:
        return key.state

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False  # issued from a client's row (action "Terbitkan kunci API baru")

    @admin.action(description=_("Putar kunci (kunci lama berlaku 24 jam lagi)"), permissions=["change"])
    def rotate(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> TemplateResponse | None:
        issued = []
        for key in queryset:
            try:
                issued.append(services.api_key_rotate(key=key, by=request.user))
            except services.ApiKeyError as refusal:
                self.message_user(request, f"{key}: {refusal}", messages.ERROR)
        return _issued_page(request, issued, gettext("Kunci API pengganti")) if issued else None

    @admin.action(description=_("Cabut kunci sekarang"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        done = 0
        for key in queryset:
            try:
                services.api_key_revoke(key=key, by=request.user)
                done += 1
            except services.ApiKeyError as refusal:
                self.message_user(request, f"{key}: {refusal}", messages.ERROR)
        if done:
            self.message_user(request, gettext("%(count)d kunci dicabut.") % {"count": done}, messages.SUCCESS)


@admin.register(ApiCall)
class ApiCallAdmin(NationalStaffOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "client", "operation", "method", "status", "duration_ms", "request_id"]
    list_filter = ["status", "operation", "client"]
    list_select_related = ["client"]
    search_fields = ["=request_id", "path"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [field.name for field in ApiCall._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
