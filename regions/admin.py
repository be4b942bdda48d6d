from typing import ClassVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse

from regions.models import District, Province, Regency, RegencyRecode
from regions.scope import scope_filter


class RegionScopedAdminMixin:
    """Narrows an admin to the staff user's region scope (``regions.scope``).

    Everything the admin does starts from ``get_queryset``: the change list, the change and delete
    pages (out of scope is a 404, as if the row did not exist), actions, autocomplete and the
    import-export paths. The history pages of simple-history look rows up on their own, so they are
    checked here too. A regency picked on a form must be in scope as well."""

    scope_province_path: ClassVar[str]
    # None: the rows belong to a whole province, so a regency-scoped officer sees none of them.
    scope_regency_path: ClassVar[str | None]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return scope_filter(queryset, request.user, province=self.scope_province_path, regency=self.scope_regency_path)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField:
        if db_field.related_model is Regency:
            kwargs["queryset"] = scope_filter(
                Regency.objects.select_related("province"), request.user, province="province", regency="code"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]

    def _in_scope_or_404(self, request: HttpRequest, object_id: str) -> None:
        try:
            found = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, TypeError):
            found = False
        if not found:
            raise Http404


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data is loaded by migration; the admin shows it and lets nobody rewrite codes."""

    list_display = ["code", "name", "name_2020", "in_2020", "in_current"]
    list_filter = ["in_2020", "in_current"]
    search_fields = ["=code", "name", "name_2020"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        return ["code"] if obj else []


@admin.register(Province)
class ProvinceAdmin(ReferenceDataAdmin):
    pass


@admin.register(Regency)
class RegencyAdmin(ReferenceDataAdmin):
    list_display = [*ReferenceDataAdmin.list_display, "province"]
    list_filter = [*ReferenceDataAdmin.list_filter, "province"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(ReferenceDataAdmin):
    list_display = [*ReferenceDataAdmin.list_display, "regency"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]


@admin.register(RegencyRecode)
class RegencyRecodeAdmin(admin.ModelAdmin):
    list_display = ["old_regency", "new_regency", "year"]
    list_select_related = ["old_regency", "new_regency"]
    autocomplete_fields = ["old_regency", "new_regency"]
